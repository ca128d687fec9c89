"""Redis stream entry ids as (ms, seq) pairs: parsed, formatted and compared as numbers, not text."""

StreamId = tuple[int, int]

ZERO: StreamId = (0, 0)


def parse_id(raw: bytes | str) -> StreamId:
    text = raw.decode() if isinstance(raw, bytes) else raw
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


def format_id(stream_id: StreamId) -> str:
    return f"{stream_id[0]}-{stream_id[1]}"


def id_ms(raw: bytes) -> int:
    """The millisecond part of an entry id: the engine's clock for that command."""
    return int(raw[: raw.index(b"-")])
