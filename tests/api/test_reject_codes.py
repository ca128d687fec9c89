"""The one table from reject reasons to Binance codes: complete, and safe for reasons added later."""

from api.reject_codes import REJECT_CODES, error_for
from messages.enums import RejectReason


def test_every_reason_has_a_binance_code():
    assert {reason.value for reason in RejectReason} <= set(REJECT_CODES)
    assert all(code < 0 for code, _ in REJECT_CODES.values())


def test_codes_clients_map_to_exceptions():
    assert error_for("PlaceOrder", "INSUFFICIENT_MARGIN").code == -2019
    assert error_for("PlaceOrder", "REDUCE_ONLY_WOULD_INCREASE").code == -2022
    assert error_for("PlaceOrder", "DUPLICATE_CLIENT_ORDER_ID").code == -4116
    assert error_for("SetLeverage", "LEVERAGE_TOO_HIGH").code == -4028
    assert error_for("SetMarginMode", "MARGIN_MODE_UNCHANGED").msg == "No need to change margin type."
    assert error_for("SetMarginMode", "POSITION_OR_ORDERS_OPEN", "position").code == -4048
    assert error_for("SetMarginMode", "POSITION_OR_ORDERS_OPEN", "orders").code == -4047


def test_another_accounts_order_reads_as_unknown():
    for command in ("CancelOrder", "AmendOrder"):
        assert error_for(command, "NOT_ORDER_OWNER").msg == error_for(command, "ORDER_NOT_FOUND").msg
    assert error_for("CancelOrder", "NOT_ORDER_OWNER").code == -2011
    assert error_for("AmendOrder", "NOT_ORDER_OWNER").code == -2013


def test_a_reason_the_table_does_not_know_gets_a_generic_code():
    error = error_for("PlaceOrder", "PRICE_ABOVE_BAND_SOMEDAY")
    assert (error.code, error.status) == (-1130, 400)
