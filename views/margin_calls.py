"""Margin calls: which margin buckets of an account are near liquidation, each crossing told once.

Binance pushes MARGIN_CALL "when the user's position risk ratio is too high" and gives no number.
perpx's rule: a bucket is in margin call when its margin ratio (maintenance margin over equity,
Binance's "margin ratio": maintenance / margin balance) is at least 80%; the engine liquidates it
at 100%, when equity falls below maintenance (margin/requirements.py). At 80% the equity above
maintenance is a quarter of the maintenance: for a position whose maintenance is 2.5% of its
notional, a further move of about 0.6% against it reaches liquidation (5% maintenance: 1.2%).
Buckets are the engine's own: the cross bucket (the cash not set aside and every cross position)
and one per isolated position, each judged on its own equity.

`MarginCalls` remembers, for each account it is asked about, which buckets are in call, so a
bucket is reported when it crosses up, not again while it stays there, and is re-armed once it
falls back below 80% (or its position closes). The figures are the AccountsView's, computed by
margin/'s own functions at the view's marks: nothing of the engine's state is added for this.
"""

from typing import Final

import msgspec

from margin.accounts import Account
from margin.requirements import CROSS, bucket_requirements, valuation_price_ticks
from margin.risk import MarginRisk
from views.accounts import AccountsView

MARGIN_CALL_RATIO_PPM: Final = 800_000  # maintenance / equity, in millionths


class CalledPosition(msgspec.Struct, frozen=True):
    """One position of a bucket in margin call, as Binance's MARGIN_CALL lists it."""

    market: str
    size_lots: int  # signed
    isolated: bool
    isolated_margin_micro: int  # the isolated bucket's margin; 0 for cross
    mark_price_ticks: int  # the valuation price: the mark, else the last trade
    unrealized_pnl_micro: int
    maintenance_micro: int  # this position's maintenance margin


class MarginCall(msgspec.Struct, frozen=True):
    account_id: int
    cross_wallet_micro: int  # the balance not set aside as isolated margin
    cross_called: bool  # the cross bucket is among the buckets that crossed
    positions: list[CalledPosition]  # the positions of the buckets that crossed, in market order


def in_margin_call(risk: MarginRisk, account: Account, bucket: str, ratio_ppm: int = MARGIN_CALL_RATIO_PPM) -> bool:
    """maintenance >= ratio x equity, with a position open (equity at or below zero: always)."""
    needed = bucket_requirements(account, bucket, risk.markets, risk.tiers)
    return needed.maintenance_micro > 0 and needed.maintenance_micro * 1_000_000 >= ratio_ppm * needed.equity_micro


def buckets_in_call(risk: MarginRisk, account: Account, ratio_ppm: int = MARGIN_CALL_RATIO_PPM) -> list[str]:
    """The account's buckets in margin call: CROSS first, then isolated markets in symbol order."""
    buckets = [CROSS, *sorted(account.isolated_micro)]
    return [bucket for bucket in buckets if in_margin_call(risk, account, bucket, ratio_ppm)]


def called_positions(risk: MarginRisk, account: Account, buckets: set[str]) -> list[CalledPosition]:
    """The open positions of `buckets` (CROSS: every cross position), in market order."""
    called = []
    for symbol in sorted(account.positions):
        position = account.positions[symbol]
        isolated = symbol in account.isolated_micro
        if not position.size_lots or (symbol if isolated else CROSS) not in buckets:
            continue
        market = risk.markets[symbol]
        per_tick_lot = market.micro_per_tick_lot
        price = valuation_price_ticks(market)
        value = position.size_lots * price * per_tick_lot
        called.append(
            CalledPosition(
                symbol,
                position.size_lots,
                isolated,
                account.isolated_micro.get(symbol, 0),
                price,
                position.unrealized_micro(price, per_tick_lot),
                risk.tiers[symbol].maintenance_margin_micro(abs(value)),
            )
        )
    return called


class MarginCalls:
    """The buckets in call of the accounts asked about (a reader's own: e.g. those it streams to)."""

    def __init__(self, accounts: AccountsView, ratio_ppm: int = MARGIN_CALL_RATIO_PPM) -> None:
        self.accounts = accounts
        self.ratio_ppm = ratio_ppm
        self.called: dict[int, frozenset[str]] = {}  # account -> its buckets in call at the last look

    def get_crossing(self, account_id: int) -> MarginCall | None:
        """The margin call of the buckets that crossed into call since the last look at this
        account (None if none did); buckets that left the call are re-armed."""
        account = self.accounts.get_account(account_id)
        if account is None:
            self.called.pop(account_id, None)
            return None
        risk = self.accounts.risk
        now = frozenset(buckets_in_call(risk, account, self.ratio_ppm))
        crossed = now - self.called.get(account_id, frozenset())
        if now:
            self.called[account_id] = now
        else:
            self.called.pop(account_id, None)
        if not crossed:
            return None
        cross_wallet = account.balance_micro - sum(account.isolated_micro.values())
        return MarginCall(account_id, cross_wallet, CROSS in crossed, called_positions(risk, account, set(crossed)))

    def forget(self, account_id: int) -> None:
        """Stop remembering `account_id` (its next look starts re-armed)."""
        self.called.pop(account_id, None)
