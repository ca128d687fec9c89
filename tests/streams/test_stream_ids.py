"""Stream ids compare as numbers, not as text."""

from streams.stream_ids import ZERO, format_id, id_ms, parse_id


def test_ids_parse_format_and_order_numerically():
    assert parse_id(b"1700000000000-12") == (1700000000000, 12)
    assert parse_id("5") == (5, 0)
    assert format_id((17, 3)) == "17-3"
    assert parse_id("9-0") < parse_id("10-0")  # as text "10-0" < "9-0"
    assert parse_id("0-1") > ZERO
    assert id_ms(b"1700000000123-4") == 1700000000123
