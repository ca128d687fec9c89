"""Every command and event survives the wire; classes defined later join the union."""

import gc

import msgspec
import pytest

from matching.markets import load_markets
from messages import codec
from messages.commands import AdvanceClock, CancelOrder, Command, ListMarket, PlaceOrder, PriceUpdate
from messages.enums import CancelReason, MarketSession, MarketStatus, PriceSource, Side, TimeInForce
from messages.events import (
    AccountUpdated,
    MarketListed,
    OrderAmended,
    OrderCanceled,
    OrderRested,
    PositionState,
    PriceApplied,
    Trade,
)


def test_commands_round_trip_with_their_class():
    spec = load_markets()[0]
    commands = [
        PlaceOrder("a", 1, 7, "AAPLUSDC", Side.SELL, 5, 100, time_in_force=TimeInForce.GTD, expire_at_ms=9),
        CancelOrder("b", 2, 7, "AAPLUSDC", client_order_id="x"),
        AdvanceClock("c", 3),
        ListMarket("d", 4, spec, MarketStatus.POST_ONLY),
        PriceUpdate("e", 5, "AAPLUSDC", 100, 101),
        PriceUpdate("f", 6, "AAPLUSDC", 100, 101, MarketSession.CLOSED, PriceSource.INTERNAL, 95, 105),
    ]
    for command in commands:
        decoded = codec.decode_command(codec.encode(command))
        assert type(decoded) is type(command)
        assert decoded == command


def test_event_lists_round_trip():
    spec = load_markets()[0]
    events = [
        Trade(1, "a", 5, "AAPLUSDC", 1, 100, 3, Side.BUY, 2, 7, 0, 1, 8, 0, 10, -2),
        OrderCanceled(2, "a", 5, 7, "AAPLUSDC", 2, "", 3, CancelReason.IOC_REMAINDER),
        MarketListed(3, "b", 6, spec, MarketStatus.ACTIVE),
        Trade(4, "c", 7, "AAPLUSDC", 2, 100, 3, Side.SELL, 3, 7, 0, 1, 8, 0, 10, -2, 5, -300, 300),
        OrderRested(5, "d", 8, 7, "AAPLUSDC", 4, "mine", Side.BUY, 99, 5, 6),
        OrderAmended(6, "e", 9, 7, "AAPLUSDC", 4, "mine", 99, 4, 4, True, 7),
        OrderCanceled(7, "f", 9, 7, "AAPLUSDC", 4, "mine", 4, CancelReason.USER, 8),
        PriceApplied(8, "g", 10, "AAPLUSDC", 100, 101, MarketSession.OVERNIGHT, PriceSource.INTERNAL, 96, 106, 95, 105),
        AccountUpdated(
            9,
            "h",
            11,
            7,
            1_000_000,
            (
                PositionState("AAPLUSDC", -3, -30_000, 12, 10, True, 500),
                PositionState("TSLAUSDC", 0, 0, -4, 20, False, 0),
            ),
        ),
        AccountUpdated(10, "i", 12, 8, 5, ()),
    ]
    assert codec.decode_events(codec.encode(events)) == events


def test_a_command_class_defined_later_is_decoded_once_loaded():
    class MoveCollateral(Command, frozen=True):
        account_id: int
        amount_micro: int

    command = MoveCollateral("m", 1, 7, 1_000_000)
    assert codec.decode_command(codec.encode(command)) == command


def test_two_classes_with_one_tag_are_refused():
    class Clash(Command, frozen=True):
        pass

    first = Clash

    class Clash(Command, frozen=True):
        pass

    try:
        assert first is not Clash
        with pytest.raises(TypeError, match="share the tag"):
            codec.concrete_subclasses(Command)
    finally:
        del first, Clash
        gc.collect()  # the classes leave Command.__subclasses__() only once collected
    assert "Clash" not in {cls.__name__ for cls in codec.concrete_subclasses(Command)}


def test_garbage_is_a_decode_error_not_a_crash():
    for raw in (b"garbage", codec.encode(["NoSuchCommand", "x", 1]), codec.encode(["PlaceOrder", "x"])):
        with pytest.raises(codec.DecodeError):
            codec.decode_command(raw)
    assert issubclass(msgspec.ValidationError, codec.DecodeError)
