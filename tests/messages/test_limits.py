"""Every field of every command has a range, and the hot path's inline checks refuse what the table refuses."""

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

import margin.engine  # noqa: F401 - loads nothing new, but keeps the command set the engine service sees
from matching.engine import Engine
from matching.markets import load_markets
from messages import limits
from messages.codec import concrete_subclasses, encode
from messages.commands import CancelOrder, Command, PlaceOrder
from messages.enums import RejectReason, Side, TimeInForce
from messages.events import Rejected
from messages.limits import (
    INT_BOUNDS,
    MAX_CLIENT_ORDER_ID_LEN,
    MAX_EXPIRY_AHEAD_MS,
    MAX_ID,
    MAX_PRICE_TICKS,
    TEXT_BOUNDS,
    UNBOUNDED_FIELDS,
    command_problem,
)
from messages.market_spec import MarginTier, MarketSpec

EXTREMES = (0, -1, 1, 2**31, 2**53, 2**62, 2**63 - 1, 2**63, 2**64 - 1, 2**70, -(2**63), -(2**70))
TEXTS = ("", "AAPLUSDC", "é非", "x" * 10_240, "c" * 36, "c" * 37)


def test_every_field_of_every_command_has_a_range():
    for command_type in concrete_subclasses(Command):
        for field in msgspec.structs.fields(command_type):
            known = field.name in INT_BOUNDS or field.name in TEXT_BOUNDS or field.name in UNBOUNDED_FIELDS
            assert known, f"{command_type.__name__}.{field.name} has no range in messages/limits.py"
            if field.type is int:
                assert field.name in INT_BOUNDS, field.name
            if field.type is str:
                assert field.name in TEXT_BOUNDS, field.name


def test_command_problem_names_the_field_and_the_reason():
    assert command_problem(PlaceOrder("a", 0, 1, "AAPLUSDC", Side.BUY, 1, MAX_PRICE_TICKS), 0) is None
    reason, detail = command_problem(PlaceOrder("a", 0, 1, "AAPLUSDC", Side.BUY, 1, MAX_PRICE_TICKS + 1), 0)
    assert reason is RejectReason.PRICE_OUT_OF_RANGE and "price_ticks" in detail
    reason, _ = command_problem(PlaceOrder("a", 0, 1, "AAPLUSDC", Side.BUY, 2**70, 1), 0)
    assert reason is RejectReason.SIZE_ABOVE_MAX
    reason, _ = command_problem(PlaceOrder("a", 0, 2**53, "AAPLUSDC", Side.BUY, 1, 1), 0)
    assert reason is RejectReason.ID_OUT_OF_RANGE
    reason, _ = command_problem(PlaceOrder("x" * 129, 0, 1, "AAPLUSDC", Side.BUY, 1, 1), 0)
    assert reason is RejectReason.TEXT_TOO_LONG
    # a time is judged against the clock
    order = PlaceOrder("a", 0, 1, "AAPLUSDC", Side.BUY, 1, 1, expire_at_ms=10**12 + MAX_EXPIRY_AHEAD_MS)
    assert command_problem(order, 10**12) is None
    assert command_problem(order, 10**12 - 1)[0] is RejectReason.TIME_OUT_OF_WINDOW


@given(
    st.sampled_from(TEXTS),
    st.sampled_from(EXTREMES),
    st.sampled_from(EXTREMES),
    st.sampled_from(EXTREMES),
    st.sampled_from(EXTREMES),
    st.sampled_from(EXTREMES),
    st.sampled_from(TEXTS),
    st.sampled_from((TimeInForce.GTC, TimeInForce.GTD)),
)
def test_the_hot_path_refuses_what_the_table_refuses(
    command_id, ts_ms, account_id, size_lots, price_ticks, number, client_order_id, tif
):
    """PlaceOrder and CancelOrder are checked inline (Engine.apply, order_rejection), not by
    command_problem: whatever the table refuses, they refuse too, with nothing but a Rejected."""
    engine = Engine(load_markets())
    engine.apply(PlaceOrder("rest", 0, 3, "AAPLUSDC", Side.SELL, 1_000, 20_100))
    order = PlaceOrder(
        command_id, ts_ms, account_id, "AAPLUSDC", Side.BUY, size_lots, price_ticks, time_in_force=tif,
        expire_at_ms=number, client_order_id=client_order_id,
    )  # fmt: skip
    cancel = CancelOrder(command_id, ts_ms, account_id, "AAPLUSDC", number, client_order_id)
    for command in (order, cancel):
        before = engine.state_hash()
        clock_ms = engine.clock_ms
        events = engine.apply(command)
        if command_problem(command, max(clock_ms, ts_ms) if 0 <= ts_ms <= limits.MAX_TIME_MS else clock_ms):
            # (the clock may move: a handler's rejection comes after it, as for any rejected order)
            assert [type(e) for e in events] in ([Rejected], []), events  # ([]: a repeated command id)
            if not events:
                assert engine.state_hash() == before
        engine.check_invariants()
        encode(events)


def spec(**changes) -> MarketSpec:
    base = MarketSpec("AAPLUSDC", "AAPL", "0.01", "0.001", 10_000_000, 10**8, (MarginTier(0, 20),), 150, 450, 10**10)
    return msgspec.structs.replace(base, **changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"tick_size": "1e999999999"},
        {"tick_size": "1", "lot_size": "2"},  # 2 USDC per tick and lot: above 2**20 micro
        {"max_order_lots": 2**33},
        {"min_notional_micro": 2**63},
        {"impact_notional_micro": 2**64 - 1},
        {"margin_tiers": (MarginTier(0, 20), MarginTier(2**70, 10))},
        {"taker_fee_ppm": 2**63 - 1},
        {"funding_interval_s": 2**62},
        {"symbol": "A" * 33},
        {"name": "x" * 10_240},
    ],
)
def test_a_market_spec_beyond_the_limits_is_invalid(changes):
    assert spec().validate() is None
    assert spec(**changes).validate() is not None


def test_the_literals_are_the_powers_the_derivation_uses():
    assert (limits.MAX_PRICE_TICKS, limits.MAX_SIZE_LOTS, limits.MAX_MICRO_PER_TICK_LOT) == (2**28, 2**32, 2**20)
    assert limits.MAX_POSITION_VALUE_PER_TICK_MICRO == 2**33
    assert limits.MAX_POSITION_VALUE_PER_TICK_MICRO * limits.MAX_PRICE_TICKS == 2**61
    assert (limits.MAX_AMOUNT_MICRO, limits.MAX_BALANCE_MICRO, limits.MAX_TOTAL_COLLATERAL_MICRO) == (
        2**50,
        2**53,
        2**56,
    )
    assert (limits.MAX_FUNDING_INDEX, limits.MAX_DIVIDEND_MICRO_PER_SHARE, limits.MAX_TIME_MS) == (2**62, 2**40, 2**45)
    assert limits.MAX_EXPIRY_AHEAD_MS == 366 * 86_400_000


def test_ids_fit_json_numbers_and_client_ids_binance():
    assert MAX_ID == 2**53 - 1 and float(MAX_ID) == MAX_ID
    assert MAX_CLIENT_ORDER_ID_LEN == 36
