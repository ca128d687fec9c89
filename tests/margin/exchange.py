"""A small driver for margin tests: readable commands in USDC and shares, invariants after every step,
and (`fold=True`) a fold of the events alone that must equal the engine's books and accounts."""

from decimal import Decimal

from margin.engine import MarginEngine
from margin.ledger import EXTERNAL_ACCOUNT, FEE_ACCOUNT, INSURANCE_ACCOUNT
from margin.risk import MarginRisk
from messages.commands import (
    CashDividend,
    Command,
    Deposit,
    FundingSettle,
    PlaceOrder,
    PriceUpdate,
    SetLeverage,
    Split,
    Withdraw,
)
from messages.enums import OrderType, SelfTradePrevention, Side, TimeInForce
from messages.events import DividendPaid, DividendSettled, Event, FundingPaid, FundingSettled, PositionState, Rejected
from messages.market_spec import MarginTier, MarketSpec
from tests.matching.helpers import assert_fold_is_the_engine
from tests.messages.fold import Fold, FoldedAccount

MICRO = 1_000_000


def spec(
    symbol: str = "AAPLUSDC",
    lot_size: str = "1",
    tiers: tuple[tuple[int, int], ...] = ((0, 20), (1_000_000, 10), (5_000_000, 5)),
    maker_fee_ppm: int = 0,
    taker_fee_ppm: int = 0,
) -> MarketSpec:
    """A market priced in cents; tiers as (notional floor in USDC, max leverage)."""
    return MarketSpec(
        symbol=symbol,
        underlying=symbol.removesuffix("USDC"),
        tick_size="0.01",
        lot_size=lot_size,
        min_notional_micro=0,
        max_order_lots=10**9,
        margin_tiers=tuple(MarginTier(floor * MICRO, lev) for floor, lev in tiers),
        maker_fee_ppm=maker_fee_ppm,
        taker_fee_ppm=taker_fee_ppm,
        impact_notional_micro=10_000 * MICRO,
    )


def usdc(text: str) -> int:
    return int(Decimal(text) * MICRO)


def ticks(price: str) -> int:
    return int(Decimal(price) * 100)


class Exchange:
    def __init__(
        self, *specs: MarketSpec, check: bool = True, risk: MarginRisk | None = None, fold: bool = True
    ) -> None:
        self.engine = MarginEngine(specs or (spec(),), risk=risk)
        self.check = check
        self.n = 0
        self.events: list[Event] = []
        # what a reader folds from the events alone, checked against the engine after every command
        self.fold: Fold | None = Fold(specs or (spec(),)) if fold else None

    @property
    def risk(self):
        return self.engine.risk

    def apply(self, command_type: type, *args: object, **kwargs: object) -> list[Event]:
        self.n += 1
        command: Command = command_type(str(self.n), self.n, *args, **kwargs)
        events = self.engine.apply(command)
        self.events.extend(events)
        if self.check:
            self.engine.check_invariants()
            check_payments_sum_to_zero(events)
        if self.fold is not None:
            self.fold.apply_all(events)
            assert_fold_is_the_engine(self.fold, self.engine)
            assert_accounts_folded(self.fold, self.engine)
        return events

    def deposit(self, account: int, amount: str) -> list[Event]:
        return self.apply(Deposit, account, usdc(amount))

    def withdraw(self, account: int, amount: str) -> list[Event]:
        return self.apply(Withdraw, account, usdc(amount))

    def leverage(self, account: int, leverage: int, market: str = "AAPLUSDC") -> list[Event]:
        return self.apply(SetLeverage, account, market, leverage)

    def order(
        self,
        account: int,
        side: str,
        lots: int,
        price: str,
        market: str = "AAPLUSDC",
        tif: TimeInForce = TimeInForce.GTC,
    ) -> list[Event]:
        return self.apply(
            PlaceOrder,
            account,
            market,
            Side.BUY if side == "buy" else Side.SELL,
            lots,
            ticks(price),
            OrderType.LIMIT,
            tif,
            self_trade_prevention=SelfTradePrevention.NONE,
        )

    def mark(self, price: str, market: str = "AAPLUSDC") -> list[Event]:
        return self.apply(PriceUpdate, market, ticks(price), ticks(price))

    def funding(self, rate_ppb: int, time_ms: int, market: str = "AAPLUSDC") -> list[Event]:
        return self.apply(FundingSettle, market, time_ms, rate_ppb)

    def split(self, new: int, old: int, market: str = "AAPLUSDC") -> list[Event]:
        return self.apply(Split, market, new, old)

    def dividend(self, micro_per_share: int, market: str = "AAPLUSDC") -> list[Event]:
        return self.apply(CashDividend, market, micro_per_share)

    def seed_insurance(self, amount: str) -> None:
        """Fund the insurance fund from outside, as an operator would (no command does it yet): it
        moves no trader account, so what the events say of every trader stays true."""
        self.risk.ledger.transfer(EXTERNAL_ACCOUNT, INSURANCE_ACCOUNT, usdc(amount))

    def equity(self, account: int) -> int:
        return self.risk.requirements(self.risk.ledger.accounts[account]).equity_micro

    def balance(self, account: int) -> int:
        return self.risk.ledger.accounts[account].balance_micro

    def size(self, account: int, market: str = "AAPLUSDC") -> int:
        return self.risk.position_lots(account, market)

    @property
    def insurance(self) -> int:
        return self.balance(INSURANCE_ACCOUNT)

    @property
    def fees(self) -> int:
        return self.balance(FEE_ACCOUNT)


def check_payments_sum_to_zero(events: list[Event]) -> None:
    """Funding and dividend payments of one settlement, with the dust booked to fees, sum to zero."""
    for settled_type, paid_type in ((FundingSettled, FundingPaid), (DividendSettled, DividendPaid)):
        for settled in (e for e in events if isinstance(e, settled_type)):
            payments = [e.amount_micro for e in events if isinstance(e, paid_type) and e.market == settled.market]
            assert sum(payments) + settled.dust_micro == 0, f"{settled_type.__name__} is not zero-sum"
            assert settled.paid_micro - settled.received_micro == settled.dust_micro >= 0


def rejected(events: list[Event]) -> str | None:
    """The reason of a single Rejected event, or None if the command was not rejected."""
    if len(events) == 1 and isinstance(events[0], Rejected):
        return events[0].reason.value
    return None


def engine_position_state(engine: MarginEngine, account_id: int, symbol: str) -> PositionState:
    """The engine's position of an account in a market, as AccountUpdated reports one, read here
    from the engine's records (zeros and the market's maximum leverage where it has none)."""
    account = engine.margin.ledger.accounts[account_id]
    position = account.positions.get(symbol)
    size, cost, realized = (
        (position.size_lots, position.cost_micro, position.realized_pnl_micro) if position else (0, 0, 0)
    )
    leverage = account.leverage.get(symbol, engine.margin.tiers[symbol].max_leverage)
    isolated = symbol in account.isolated_micro
    return PositionState(symbol, size, cost, realized, leverage, isolated, account.isolated_micro.get(symbol, 0))


def assert_accounts_folded(fold: Fold, engine: MarginEngine) -> None:
    """Every trader account's balance and every one of its positions, as folded from the events,
    is the engine's (an account or position the events never mentioned is empty in the engine)."""
    accounts = engine.margin.ledger.accounts
    assert set(fold.accounts) <= set(accounts)
    for account_id, account in sorted(accounts.items()):
        if account_id <= 0:
            continue
        folded = fold.accounts.get(account_id, FoldedAccount())
        assert folded.balance_micro == account.balance_micro, f"account {account_id}: balance"
        for symbol in sorted(set(engine.markets)):
            expected = engine_position_state(engine, account_id, symbol)
            never = PositionState(symbol, 0, 0, 0, engine.margin.tiers[symbol].max_leverage, False, 0)
            assert folded.positions.get(symbol, never) == expected, f"account {account_id}: {symbol}"
