"""FundingSettle: longs pay shorts size x index price x rate (the reverse when the rate is negative).

Each market keeps a cumulative funding index, in micro-USDC per lot x 1e-9 (exact: the price in
micro per lot times the rate in ppb). A settlement adds one interval to it and settles every open
position against it in account order: payers pay ceil(size x index delta / 1e9), receivers get the
floor, and the difference (dust, a few micro-USDC) goes to the fee account, so the payments sum to
exactly zero. A (market, funding_time_ms) settles once: times must increase.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from messages.commands import FundingSettle
from messages.enums import RejectReason
from messages.events import FundingPaid, FundingSettled
from messages.limits import MAX_FUNDING_INDEX

if TYPE_CHECKING:
    from margin.engine import MarginEngine

INDEX_SCALE: Final = 1_000_000_000  # the index is in micro-USDC per lot x 1e-9


def funding_owed_micro(size_lots: int, index_delta: int) -> int:
    """Signed funding a position owes for an index move, rounded up: a payer pays the fraction, a
    receiver (negative) forgoes it."""
    return -(-size_lots * index_delta // INDEX_SCALE)


def settle_funding(engine: MarginEngine, cmd: FundingSettle) -> None:
    risk = engine.margin
    market = engine.markets.get(cmd.market)
    if market is None:
        engine.reject(cmd, RejectReason.UNKNOWN_MARKET)
        return
    symbol = market.symbol
    last_ms = risk.funding_time_ms.get(symbol, -1)
    if cmd.funding_time_ms <= last_ms:  # a negative time is before any interval: refused the same way
        engine.reject(cmd, RejectReason.FUNDING_ALREADY_SETTLED, f"settled up to {last_ms}")
        return
    price = market.index_price_ticks or market.mark_price_ticks
    if price <= 0:
        engine.reject(cmd, RejectReason.NO_PRICE)
        return
    index = risk.funding_index.get(symbol, 0) + price * market.micro_per_tick_lot * cmd.rate_ppb
    if not -MAX_FUNDING_INDEX <= index <= MAX_FUNDING_INDEX:
        engine.reject(cmd, RejectReason.FUNDING_INDEX_LIMIT, f"the index would be {index}")
        return
    risk.funding_time_ms[symbol] = cmd.funding_time_ms
    risk.funding_index[symbol] = index
    accounts = risk.ledger.accounts
    paid = received = 0
    for account_id in sorted(risk.holders.get(symbol, ())):
        account = accounts[account_id]
        position = account.positions[symbol]
        owed = funding_owed_micro(position.size_lots, index - position.funding_index)
        position.funding_index = index
        risk.credit(account, symbol, -owed)  # through the fee account, which keeps only the dust
        if owed > 0:
            paid += owed
        else:
            received -= owed
        engine.out.append(
            FundingPaid(
                engine.take_seq(),
                engine.command_id,
                engine.ts_ms,
                account_id,
                symbol,
                cmd.funding_time_ms,
                position.size_lots,
                -owed,
            )
        )
    engine.out.append(
        FundingSettled(
            engine.take_seq(),
            engine.command_id,
            engine.ts_ms,
            symbol,
            cmd.funding_time_ms,
            cmd.rate_ppb,
            price,
            index,
            paid,
            received,
            paid - received,
        )
    )
