"""Property tests: random trading, random price paths with gaps, funding, dividends and splits.

After every command the invariants hold (the Exchange driver checks them): USDC sums to zero,
positions sum to zero per market, entry costs match the clearing accounts, open-order totals
match the books, funding is settled everywhere, and no account is left below maintenance. At the
end, a snapshot restores to the same state hash and both copies answer the same commands alike.
MARGIN_EXAMPLES=700 runs a longer search than the suite's default.
"""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from margin.engine import MarginEngine
from margin.naive import naive_check_order
from margin.risk import MarginRisk
from messages.commands import AdjustIsolatedMargin, AmendOrder, CancelAll, PlaceOrder, SetMarginMode
from messages.enums import OrderType, SelfTradePrevention, Side, TimeInForce
from tests.margin.exchange import MICRO, Exchange, spec

MARKETS = ("AAPLUSDC", "NVDAUSDC")
TRADERS = (1, 2, 3, 4, 5)
MAKER = 9


class CheckedRisk(MarginRisk):
    """MarginRisk whose every pre-trade decision is compared with the naive twin's."""

    def check_order(self, market, order, replacing=None):
        fast = super().check_order(market, order, replacing)
        assert fast == naive_check_order(self, market, order), f"pre-trade check differs for {order}"
        return fast


def new_exchange() -> Exchange:
    ex = Exchange(
        spec("AAPLUSDC", lot_size="1", maker_fee_ppm=-50, taker_fee_ppm=450),
        spec(
            "NVDAUSDC", lot_size="0.1", tiers=((0, 10), (50_000, 5), (200_000, 2)), maker_fee_ppm=150, taker_fee_ppm=450
        ),
        risk=CheckedRisk(),
    )
    for market in MARKETS:
        ex.mark("100", market)
    ex.deposit(MAKER, "10000000")
    return ex


_all_ops = (
    st.tuples(st.just("deposit"), st.sampled_from(TRADERS), st.integers(1, 20_000)),
    st.tuples(st.just("withdraw"), st.sampled_from(TRADERS), st.integers(1, 5_000)),
    st.tuples(st.just("leverage"), st.sampled_from(TRADERS), st.sampled_from(MARKETS), st.integers(1, 25)),
    st.tuples(
        st.just("order"),
        st.sampled_from((*TRADERS, MAKER)),
        st.sampled_from(MARKETS),
        st.booleans(),
        st.integers(1, 300),
        st.integers(-300, 300),  # price offset from the mark, in bps
        st.sampled_from((TimeInForce.GTC, TimeInForce.IOC)),
    ),
    st.tuples(
        st.just("market"), st.sampled_from(TRADERS), st.sampled_from(MARKETS), st.booleans(), st.integers(1, 300)
    ),
    st.tuples(st.just("cancel"), st.sampled_from((*TRADERS, MAKER))),
    st.tuples(st.just("liquidity"), st.sampled_from(MARKETS), st.integers(1, 2_000), st.integers(1, 300)),
    st.tuples(st.just("mark"), st.sampled_from(MARKETS), st.integers(-4_000, 4_000)),  # bps, gaps up to 40%
    st.tuples(st.just("funding"), st.sampled_from(MARKETS), st.integers(-2_000_000, 2_000_000)),
    st.tuples(st.just("dividend"), st.sampled_from(MARKETS), st.integers(1, 3_000_000)),
    st.tuples(st.just("split"), st.sampled_from(MARKETS), st.sampled_from(((2, 1), (4, 1), (1, 2), (5, 4)))),
    st.tuples(st.just("mode"), st.sampled_from(TRADERS), st.sampled_from(MARKETS), st.booleans()),
    st.tuples(st.just("adjust"), st.sampled_from(TRADERS), st.sampled_from(MARKETS), st.integers(-2_000, 2_000)),
    st.tuples(st.just("amend"), st.sampled_from(TRADERS), st.integers(-300, 300), st.integers(1, 400)),
)
# weights: trading and price moves are what liquidations need; admin-like commands are rarer
_WEIGHTS = (1, 1, 1, 4, 3, 2, 3, 5, 1, 1, 1, 2, 1, 2)
ops = st.one_of(*(strategy for strategy, weight in zip(_all_ops, _WEIGHTS, strict=True) for _ in range(weight)))


def mark_of(ex: Exchange, market: str) -> int:
    return ex.engine.markets[market].mark_price_ticks


def run(ex: Exchange, op: tuple) -> None:
    kind = op[0]
    if kind == "deposit":
        ex.deposit(op[1], str(op[2]))
    elif kind == "withdraw":
        ex.withdraw(op[1], str(op[2]))
    elif kind == "leverage":
        ex.leverage(op[1], op[3], op[2])
    elif kind == "order":
        _, account, market, is_buy, lots, offset_bps, tif = op
        price = max(1, mark_of(ex, market) * (10_000 + offset_bps) // 10_000)
        ex.apply(
            PlaceOrder, account, market, Side.BUY if is_buy else Side.SELL, lots, price, OrderType.LIMIT, tif,
            self_trade_prevention=SelfTradePrevention.NONE,
        )  # fmt: skip
    elif kind == "market":
        _, account, market, is_buy, lots = op
        ex.apply(
            PlaceOrder, account, market, Side.BUY if is_buy else Side.SELL, lots, 0, OrderType.MARKET, TimeInForce.IOC
        )
    elif kind == "cancel":
        ex.apply(CancelAll, op[1])
    elif kind == "liquidity":  # the maker quotes both sides around the mark
        _, market, lots, spread_bps = op
        mark = mark_of(ex, market)
        for is_buy in (True, False):
            price = mark * (10_000 - spread_bps) // 10_000 if is_buy else mark * (10_000 + spread_bps) // 10_000
            ex.apply(PlaceOrder, MAKER, market, Side.BUY if is_buy else Side.SELL, lots, max(1, price))
    elif kind == "mark":
        _, market, move_bps = op
        ex.mark(f"{max(1, mark_of(ex, market) * (10_000 + move_bps) // 10_000) / 100:.2f}", market)
    elif kind == "funding":
        ex.funding(op[2], ex.n * 3_600_000, op[1])
    elif kind == "dividend":
        ex.dividend(op[2], op[1])
    elif kind == "split":
        ex.split(op[2][0], op[2][1], op[1])
    elif kind == "mode":
        ex.apply(SetMarginMode, op[1], op[2], op[3])
    elif kind == "adjust":
        ex.apply(AdjustIsolatedMargin, op[1], op[2], op[3] * MICRO)
    elif kind == "amend":  # the account's oldest open order: a new price (bps from the mark) and size
        _, account, offset_bps, lots = op
        orders = ex.engine.orders_of(account)
        if orders:
            order = orders[0]
            price = max(1, mark_of(ex, order.market) * (10_000 + offset_bps) // 10_000)
            ex.apply(AmendOrder, account, order.market, order.order_id, "", price, lots)


@settings(
    max_examples=int(os.environ.get("MARGIN_EXAMPLES", 60)), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    st.lists(st.tuples(st.sampled_from(TRADERS), st.integers(100, 20_000)), min_size=1, max_size=5),
    st.lists(ops, max_size=40),
)
def test_random_sequences_keep_every_invariant_and_snapshot_round_trips(
    deposits: list[tuple[int, int]], sequence: list[tuple]
) -> None:
    ex = new_exchange()
    for account, amount in deposits:
        ex.deposit(account, str(amount))
    for op in sequence:
        run(ex, op)
    total = sum(a.balance_micro for a in ex.risk.ledger.accounts.values())
    assert total + sum(ex.risk.ledger.clearing_micro.values()) == 0
    restored = MarginEngine.restore(ex.engine.snapshot())
    assert restored.state_hash() == ex.engine.state_hash()
    restored.check_invariants()
    twin = Exchange.__new__(Exchange)
    twin.engine, twin.check, twin.n, twin.events, twin.fold = restored, True, ex.n, [], None
    for market in MARKETS:  # the same shock to both: a 30% gap down, then liquidity and a rebound
        for copy in (ex, twin):
            run(copy, ("mark", market, -3_000))
            run(copy, ("liquidity", market, 500, 200))
            run(copy, ("mark", market, 2_000))
    assert twin.events == ex.events[-len(twin.events) :]
    assert twin.engine.state_hash() == ex.engine.state_hash()


def test_a_deposit_of_every_size_is_exact() -> None:
    ex = new_exchange()
    ex.deposit(1, "0.000001")
    assert ex.balance(1) == 1
    assert ex.balance(MAKER) == 10_000_000 * MICRO


@settings(max_examples=int(os.environ.get("MARGIN_EXAMPLES", 80)), deadline=None)
@given(
    st.lists(st.tuples(st.integers(200, 5_000), st.integers(1, 20), st.booleans()), min_size=2, max_size=6),
    st.lists(st.tuples(st.integers(-4_000, 4_000), st.booleans()), min_size=1, max_size=12),
    st.integers(0, 3),
)
def test_leveraged_traders_survive_any_price_path(
    traders: list[tuple[int, int, bool]], path: list[tuple[int, bool]], insurance_seed: int
) -> None:
    """Each trader deposits, picks a leverage (odd ones in isolated mode) and takes as big a position as it allows;
    then the mark walks (gaps up to 40%), sometimes with fresh quotes. Every liquidation leaves its
    account flat and at zero or more; every command keeps the invariants."""
    ex = new_exchange()
    ex.deposit(8, "1000000")
    if insurance_seed:
        ex.seed_insurance(str(insurance_seed * 1_000))
    ex.apply(PlaceOrder, MAKER, "AAPLUSDC", Side.BUY, 100_000, 9_900)
    ex.apply(PlaceOrder, MAKER, "AAPLUSDC", Side.SELL, 100_000, 10_100)
    for account, (deposit, leverage, is_long) in enumerate(traders, start=1):
        ex.deposit(account, str(deposit))
        if account % 2:
            ex.apply(SetMarginMode, account, "AAPLUSDC", True)
        ex.leverage(account, leverage)
        lots = deposit * leverage // 102  # notional just within deposit x leverage at 101
        side = Side.BUY if is_long else Side.SELL
        ex.apply(PlaceOrder, account, "AAPLUSDC", side, lots, 0, OrderType.MARKET, TimeInForce.IOC)
    ex.apply(CancelAll, MAKER)
    for move_bps, quote in path:
        if quote:
            run(ex, ("liquidity", "AAPLUSDC", 200, 100))
        events = ex.mark(f"{max(1, mark_of(ex, 'AAPLUSDC') * (10_000 + move_bps) // 10_000) / 100:.2f}")
        for event in events:
            if type(event).__name__ == "LiquidationTriggered":
                assert ex.size(event.account_id) == 0
                assert ex.balance(event.account_id) >= 0
