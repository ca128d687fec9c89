"""Parameters from the query string and a form body, as one set, with Binance's errors."""

from typing import Literal

import pytest

from api.errors import ApiError
from api.params import Boolean, DecimalText, Integer, Params, parse_model


class Sample(Params):
    symbol: str
    quantity: DecimalText
    count: Integer | None = None
    flag: Boolean = False
    kind: Literal["A", "B"] = "A"


def code_of(values: dict) -> int:
    with pytest.raises(ApiError) as raised:
        parse_model(Sample, values)
    return raised.value.code


def test_valid_values_parse():
    parsed = parse_model(Sample, {"symbol": "X", "quantity": "1.5", "count": "3", "flag": "TRUE", "timestamp": "1"})
    assert (parsed.symbol, parsed.quantity, parsed.count, parsed.flag) == ("X", "1.5", 3, True)


def test_empty_counts_as_not_sent():
    assert code_of({"symbol": "X", "quantity": ""}) == -1102


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"quantity": "1"}, -1102),
        ({"symbol": "X", "quantity": "1", "other": "1"}, -1106),
        ({"symbol": "X", "quantity": "1e5"}, -1100),
        ({"symbol": "X", "quantity": "1", "count": "1.5"}, -1100),
        ({"symbol": "X", "quantity": "1", "count": "9" * 25}, -1100),
        ({"symbol": "X", "quantity": "1", "flag": "yes"}, -1130),
        ({"symbol": "X", "quantity": "1", "kind": "C"}, -1130),
    ],
)
def test_bad_values_get_binance_codes(values, code):
    assert code_of(values) == code
