"""The engine service: reads the command stream, applies each command, writes events, snapshots, recovers.

service (the loop), batching (one event-stream entry per batch of commands), kinds (matching or
margin engine), metrics, main (`perpx engine`).
"""
