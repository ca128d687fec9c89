"""The ground floor: commands, events, enums, market specs and their codec. Imports nothing else of perpx.

Every other package stands on these values: the engine takes commands and returns events, the
services append and read them, the views fold them, the API translates them to and from the wire.
"""
