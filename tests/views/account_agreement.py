"""The accounts view against the engine's own state, exactly: what the agreement tests assert.

Every trader account's balance, positions (size, entry cost, realized PnL, leverage in force,
margin mode, isolated margin, open-order totals), open orders, margin figures and positions
with liquidation price and ADL rank (margin/queries.py on the engine), the insurance fund's
positions, and each market's valuation prices and leverage brackets.
"""

from margin.engine import MarginEngine
from margin.ledger import INSURANCE_ACCOUNT
from margin.queries import account_summary, leverage_brackets
from matching.order import Order
from views.accounts import AccountsView
from views.orders import OrderStatus, OrderView

# what an open order is, in both the engine's Order and the view's OrderView
ORDER_FIELDS = (
    "account_id",
    "market",
    "order_id",
    "client_order_id",
    "side",
    "time_in_force",
    "price_ticks",
    "size_lots",
    "remaining_lots",
    "reduce_only",
    "expire_at_ms",
    "self_trade_prevention",
)


def order_key(order: Order | OrderView) -> tuple:
    return tuple(getattr(order, field) for field in ORDER_FIELDS)


def held(positions: dict) -> dict[str, tuple[int, int, int]]:
    return {
        symbol: (p.size_lots, p.cost_micro, p.realized_pnl_micro)
        for symbol, p in positions.items()
        if p.size_lots or p.cost_micro or p.realized_pnl_micro
    }


def order_totals(positions: dict) -> dict[str, tuple[int, int, int, int]]:
    return {
        symbol: (p.buy_lots, p.buy_notional_micro, p.sell_lots, p.sell_notional_micro)
        for symbol, p in positions.items()
        if p.buy_lots or p.sell_lots or p.buy_notional_micro or p.sell_notional_micro
    }


def assert_agrees(view: AccountsView, engine: MarginEngine) -> None:
    risk = engine.margin
    traders = sorted(a for a in risk.ledger.accounts if a > 0)
    assert sorted(a for a in view.risk.ledger.accounts if a > 0) == traders, "accounts"
    assert sorted(view.markets) == sorted(engine.markets)
    for symbol, market in engine.markets.items():
        mine = view.markets[symbol]
        assert (mine.mark_price_ticks, mine.last_trade_ticks) == (market.mark_price_ticks, market.last_trade_ticks)
        assert (mine.spec, mine.status) == (market.spec, market.status), symbol
        assert view.leverage_brackets(symbol) == leverage_brackets(engine, symbol)
    insurance = risk.ledger.accounts[INSURANCE_ACCOUNT].positions
    sizes = {s: p.size_lots for s, p in insurance.items() if p.size_lots}
    view_insurance = view.risk.ledger.accounts[INSURANCE_ACCOUNT].positions
    assert {s: p.size_lots for s, p in view_insurance.items() if p.size_lots} == sizes, "insurance positions"
    for account_id in traders:
        account = risk.ledger.accounts[account_id]
        mine = view.get_account(account_id)
        assert mine is not None
        assert mine.balance_micro == account.balance_micro, f"balance of {account_id}"
        assert held(mine.positions) == held(account.positions), f"positions of {account_id}"
        assert order_totals(mine.positions) == order_totals(account.positions), f"order totals of {account_id}"
        assert mine.isolated_micro == account.isolated_micro, f"isolated margin of {account_id}"
        for symbol in engine.markets:
            settings = view.market_settings(account_id, symbol)
            assert settings is not None
            max_leverage = risk.tiers[symbol].max_leverage
            assert settings.leverage == account.leverage.get(symbol, max_leverage), f"leverage of {account_id}"
        assert view.account_summary(account_id) == account_summary(engine, account_id), f"summary of {account_id}"
        engine_orders = engine.orders_of(account_id)
        open_orders = view.open_orders(account_id)
        assert [order_key(o) for o in open_orders] == [order_key(o) for o in engine_orders], f"orders of {account_id}"
        for order in open_orders:
            assert order.filled_lots == order.size_lots - order.remaining_lots
            assert order.resting and order.status is (
                OrderStatus.PARTIALLY_FILLED if order.filled_lots else OrderStatus.NEW
            )
            assert view.get_order(account_id, order.order_id) == order
            assert view.get_order(account_id + 100, order.order_id) is None  # nobody else's
        for symbol in engine.markets:
            assert view.open_orders(account_id, symbol) == [o for o in open_orders if o.market == symbol]
    resting = {o.order_id for m in engine.markets.values() for o in m.book.orders.values()}
    assert {o for o, r in view.orders.open.items() if r.resting} == resting, "resting orders"
    assert set(view.orders.open) == resting, "an order left open mid-command"
