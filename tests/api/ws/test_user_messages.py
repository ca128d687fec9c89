"""MARGIN_CALL's shape for each kind of bucket, field by field against Binance's documented event."""

from api.markets import Market
from api.ws.user_messages import margin_call
from matching.markets import load_markets
from messages.enums import MarketStatus
from views.margin_calls import CalledPosition, MarginCall

NVDA = Market(next(spec for spec in load_markets() if spec.symbol == "NVDAUSDC"), MarketStatus.ACTIVE)
SHORT = CalledPosition("NVDAUSDC", -2_500, True, 40_000_000, 19_050, -12_500_000, 11_906_250)


def test_an_isolated_call_has_no_cross_wallet() -> None:
    """Binance: `cw` "only pushed with crossed position margin call"; `iw` the isolated wallet."""
    call = MarginCall(7, 1_000_000_000, False, [SHORT])
    assert margin_call(call, {"NVDAUSDC": NVDA}, 1_700_000_000_000) == {
        "e": "MARGIN_CALL",
        "E": 1_700_000_000_000,
        "p": [
            {
                "s": "NVDAUSDC",
                "ps": "BOTH",
                "pa": "-2.500",
                "mt": "ISOLATED",
                "iw": "40.000000",
                "mp": "190.50",
                "up": "-12.500000",
                "mm": "11.906250",
            }
        ],
    }


def test_a_cross_call_has_the_cross_wallet_and_lists_its_positions() -> None:
    cross = CalledPosition("NVDAUSDC", 1_000, False, 0, 17_000, -3_000_000, 4_250_000)
    message = margin_call(MarginCall(7, 96_500_000, True, [cross]), {"NVDAUSDC": NVDA}, 1)
    assert message["cw"] == "96.500000" and list(message) == ["e", "E", "cw", "p"]
    assert [(p["mt"], p["iw"], p["pa"]) for p in message["p"]] == [("CROSSED", "0.000000", "1.000")]
