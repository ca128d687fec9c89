"""The quick parse of a new order against the pydantic model it stands in for: whenever it answers,
it answers what the model does; whatever it declines goes through the model (and its errors)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from api.errors import ApiError
from api.order_params import NewOrderParams, quick_new_order_params
from api.params import parse_model

VALUES = {
    "symbol": ["NVDAUSDC", "AAPLUSDC", "", "nvdausdc", "X" * 40],
    "side": ["BUY", "SELL", "buy", "BOTH", ""],
    "type": ["LIMIT", "MARKET", "STOP", "limit"],
    "quantity": ["0.1", "10", "1.", ".5", "-1", "1e3", "0.123456789012345678901", "１"],
    "price": ["170.00", "0", "abc", "170.0.0", " 170"],
    "timeInForce": ["GTC", "IOC", "FOK", "GTD", "GTX", "ioc", "DAY"],
    "reduceOnly": ["true", "false", "TRUE", "False", "1", "yes"],
    "newClientOrderId": ["my-order_1", "a" * 36, "a" * 37, "bad id", "x/y:z.w"],
    "newOrderRespType": ["ACK", "RESULT", "FULL"],
    "selfTradePreventionMode": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "NONE", "expire_taker"],
    "goodTillDate": ["1700000000000", "-5", "12a", "99999999999999999999"],
    "positionSide": ["BOTH", "LONG"],
    "priceMatch": ["NONE", "OPPONENT"],
    "unknown": ["1"],
}
REQUIRED = ("symbol", "side", "type", "quantity")
OPTIONAL = sorted(set(VALUES) - set(REQUIRED))


def value_of(name: str) -> st.SearchStrategy[str]:
    """Mostly the first two values listed (well formed), sometimes any listed, or any text."""
    good = st.sampled_from(VALUES[name][:2])
    return st.one_of(good, good, good, good, st.sampled_from(VALUES[name]), st.text(max_size=8))


# the required names nearly always there (so that many generated orders are well formed)
params = st.tuples(
    st.fixed_dictionaries({name: value_of(name) for name in REQUIRED}),
    st.sets(st.sampled_from(REQUIRED), max_size=1),
    st.sets(st.sampled_from(OPTIONAL), max_size=4).flatmap(
        lambda names: st.fixed_dictionaries({n: value_of(n) for n in names})
    ),
).map(lambda parts: {**{k: v for k, v in parts[0].items() if k not in parts[1]}, **parts[2]})


def model_parse(values: dict[str, str]) -> NewOrderParams | ApiError:
    try:
        return parse_model(NewOrderParams, values, ())
    except ApiError as exc:
        return exc


@settings(max_examples=3000, deadline=None)
@given(params)
def test_the_quick_parse_agrees_with_the_model_whenever_it_answers(values):
    values = {name: value for name, value in values.items() if value != ""}
    quick = quick_new_order_params(values)
    if quick is not None:
        assert quick == model_parse(values)


def test_a_plain_order_takes_the_quick_path():
    values = {"symbol": "NVDAUSDC", "side": "BUY", "type": "LIMIT", "timeInForce": "IOC", "quantity": "0.1"}
    quick = quick_new_order_params({**values, "price": "170.00", "reduceOnly": "TRUE"})
    assert quick is not None and quick.reduceOnly is True and quick.newOrderRespType == "ACK"
    assert quick_new_order_params({**values, "side": "buy"}) is None  # the model answers -1117
    assert isinstance(model_parse({**values, "side": "buy"}), ApiError)


def test_each_listed_value_on_a_well_formed_order():
    base = {"symbol": "NVDAUSDC", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1"}
    answered = 0
    for name, values in VALUES.items():
        for value in values:
            order = {**base, name: value}
            order = {k: v for k, v in order.items() if v != ""}
            quick = quick_new_order_params(order)
            if quick is not None:
                answered += 1
                assert quick == model_parse(order), order
    assert answered >= 25  # the well-formed values of every parameter took the quick path
