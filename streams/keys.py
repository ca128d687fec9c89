"""Stream and key names of one shard, in one place.

Every key of a shard carries the shard name as a Redis Cluster hash tag (`{...}`), so that one
shard's streams and snapshots live on one node and a MULTI over them stays legal on a cluster.
"""

from dataclasses import dataclass

DEFAULT_SHARD = "main"


@dataclass(frozen=True)
class ShardKeys:
    shard: str = DEFAULT_SHARD

    @property
    def prefix(self) -> str:
        return f"perpx:{{{self.shard}}}"

    @property
    def commands(self) -> str:
        """The command stream: the journal. Entries: `c` one msgpack command, or `b` a msgpack list of
        commands applied in order at the entry's time (engine_service.batching)."""
        return f"{self.prefix}:commands"

    @property
    def events(self) -> str:
        """The event stream, written only by the engine. See streams.event_batch for its entries."""
        return f"{self.prefix}:events"

    @property
    def dead_letters(self) -> str:
        """Command entries the engine could not decode, with the reason."""
        return f"{self.prefix}:dead_letters"

    @property
    def snapshot(self) -> str:
        """Hash: the newest engine snapshot and the command stream id it covers."""
        return f"{self.prefix}:snapshot"

    @property
    def previous_snapshot(self) -> str:
        """Hash: the snapshot before the newest, kept as a fallback; the stream is kept back to it."""
        return f"{self.prefix}:snapshot:previous"

    @property
    def indexer_position(self) -> str:
        """String: the last event seq the history indexer has durably written; the event stream is
        never trimmed past it (streams.retention)."""
        return f"{self.prefix}:indexer:position"
