"""What Redis replies to perpx's stream reads, as types.

redis-py types each reply as a union over protocols (RESP2 lists, RESP3 maps) and decodings (bytes,
str). perpx's clients speak RESP2 without decode_responses, so each reply is bytes in lists; these
aliases name that shape where a reply is cast to it.
"""

Entry = tuple[bytes, dict[bytes, bytes]]  # one stream entry: id, fields
ReadReply = list[tuple[bytes, list[Entry]]]  # XREAD: per stream, its entries
