"""Each account's recent fills and income as the events tell them: the live part of userTrades and income.

A Trade is a fill of two accounts (taker and maker), each with its fee and realized PnL; FundingPaid,
DividendPaid and BalanceChanged are the other money moves of one account. Each account keeps its
latest `kept` fills and `kept` income entries (older ones are the history indexer's): enough for a
client's "what just happened", bounded whatever an account does. A snapshot holds neither, so both
start empty at a (re)seed. Every query takes the account id and answers only for it.
"""

from collections import deque
from collections.abc import Mapping
from enum import StrEnum
from typing import NamedTuple

from matching.engine import Engine
from messages.enums import BalanceReason, Side
from messages.events import BalanceChanged, DividendPaid, FundingPaid, Trade
from views.projection import EventHandler

DEFAULT_KEPT = 1_000


class IncomeType(StrEnum):
    """Binance's incomeType names (DIVIDEND is perpx's: stocks pay them)."""

    TRANSFER = "TRANSFER"
    REALIZED_PNL = "REALIZED_PNL"
    FUNDING_FEE = "FUNDING_FEE"
    COMMISSION = "COMMISSION"
    INSURANCE_CLEAR = "INSURANCE_CLEAR"
    DIVIDEND = "DIVIDEND"


BALANCE_INCOME = {
    BalanceReason.DEPOSIT: IncomeType.TRANSFER,
    BalanceReason.WITHDRAW: IncomeType.TRANSFER,
    BalanceReason.LIQUIDATION_FEE: IncomeType.INSURANCE_CLEAR,
    BalanceReason.INSURANCE_COVER: IncomeType.INSURANCE_CLEAR,
}


class OwnFill(NamedTuple):
    trade_id: int
    order_id: int
    market: str
    side: Side  # this account's side
    price_ticks: int
    size_lots: int
    fee_micro: int  # negative: a rebate
    realized_pnl_micro: int
    is_maker: bool
    ts_ms: int


class IncomeEntry(NamedTuple):
    income_type: IncomeType
    market: str  # "" for a transfer
    amount_micro: int  # signed: positive credits the account
    ts_ms: int
    trade_id: int  # 0 when not of a trade
    seq: int  # the event's seq (Binance's tranId)


class OwnActivityView:
    name = "own_activity"

    def __init__(self, kept: int = DEFAULT_KEPT) -> None:
        self.kept = kept
        self.fills: dict[int, deque[OwnFill]] = {}
        self.incomes: dict[int, deque[IncomeEntry]] = {}

    def seed(self, engine: Engine, last_seq: int) -> None:
        self.fills = {}
        self.incomes = {}

    def handlers(self) -> Mapping[type, EventHandler]:
        return {
            Trade: self.traded,
            FundingPaid: self.funding_paid,
            DividendPaid: self.dividend_paid,
            BalanceChanged: self.balance_changed,
        }

    # -- events ----------------------------------------------------------------------------------

    def traded(self, event: Trade) -> None:
        taker_side = event.taker_side
        maker_side = Side.SELL if taker_side is Side.BUY else Side.BUY
        sides = (
            (
                event.taker_account_id,
                event.taker_order_id,
                taker_side,
                event.taker_fee_micro,
                event.taker_realized_pnl_micro,
                False,
            ),
            (
                event.maker_account_id,
                event.maker_order_id,
                maker_side,
                event.maker_fee_micro,
                event.maker_realized_pnl_micro,
                True,
            ),
        )
        for account_id, order_id, side, fee, pnl, is_maker in sides:
            if account_id <= 0:
                continue  # system accounts (insurance) are not followed
            fill = OwnFill(
                event.trade_id,
                order_id,
                event.market,
                side,
                event.price_ticks,
                event.size_lots,
                fee,
                pnl,
                is_maker,
                event.ts_ms,
            )
            self._fills_of(account_id).append(fill)
            if pnl:
                self._add(
                    account_id,
                    IncomeEntry(IncomeType.REALIZED_PNL, event.market, pnl, event.ts_ms, event.trade_id, event.seq),
                )
            if fee:
                self._add(
                    account_id,
                    IncomeEntry(IncomeType.COMMISSION, event.market, -fee, event.ts_ms, event.trade_id, event.seq),
                )

    def funding_paid(self, event: FundingPaid) -> None:
        entry = IncomeEntry(IncomeType.FUNDING_FEE, event.market, event.amount_micro, event.ts_ms, 0, event.seq)
        self._add(event.account_id, entry)

    def dividend_paid(self, event: DividendPaid) -> None:
        entry = IncomeEntry(IncomeType.DIVIDEND, event.market, event.amount_micro, event.ts_ms, 0, event.seq)
        self._add(event.account_id, entry)

    def balance_changed(self, event: BalanceChanged) -> None:
        entry = IncomeEntry(BALANCE_INCOME[event.reason], "", event.amount_micro, event.ts_ms, 0, event.seq)
        self._add(event.account_id, entry)

    def _fills_of(self, account_id: int) -> deque[OwnFill]:
        fills = self.fills.get(account_id)
        if fills is None:
            fills = self.fills[account_id] = deque(maxlen=self.kept)
        return fills

    def _add(self, account_id: int, entry: IncomeEntry) -> None:
        if account_id <= 0:
            return
        incomes = self.incomes.get(account_id)
        if incomes is None:
            incomes = self.incomes[account_id] = deque(maxlen=self.kept)
        incomes.append(entry)

    # -- queries: each for one account -----------------------------------------------------------

    def own_fills(self, account_id: int, market: str) -> list[OwnFill]:
        """The account's kept fills in `market`, oldest first."""
        return [fill for fill in self.fills.get(account_id, ()) if fill.market == market]

    def income(self, account_id: int) -> list[IncomeEntry]:
        """The account's kept income entries, oldest first."""
        return list(self.incomes.get(account_id, ()))
