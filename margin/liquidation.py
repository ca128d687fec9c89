"""Liquidation of an account below maintenance margin, step by step.

Each bucket of the account is liquidated on its own: the cross bucket (every cross position) or
one isolated market.
1. LiquidationTriggered; the bucket's open orders are canceled.
2. Each of its positions (markets in symbol order) is closed by reduce-only IOC orders into the book,
   in slices of at most the market's impact notional, each limited by the bankruptcy price (where
   the account's equity would reach zero), so the book never takes it past bankruptcy. Fills
   better than that price move the bound, so slicing goes on until a slice fills nothing. The
   account pays no taker fee on these fills.
3. What the book cannot absorb within that bound, the insurance fund takes at the bankruptcy
   price, as far as its equity covers the loss against the mark.
4. The rest is auto-deleveraged: opposite positions, in ADL rank order, are reduced at the
   bankruptcy price.
5. The liquidation fee (LIQUIDATION_FEE_PPM of the closed notional at the mark, at most what the
   account has left) goes to the insurance fund; a balance below zero, which the bankruptcy-price
   bound leaves only by rounding, is covered by it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from margin.accounts import Account
from margin.adl import adl_ranking
from margin.ledger import INSURANCE_ACCOUNT
from margin.requirements import CROSS, bucket_requirements, buckets_below_maintenance, valuation_price_ticks
from matching.market import Market
from matching.place_order import place_order
from messages.commands import PlaceOrder
from messages.enums import (
    BalanceReason,
    CancelReason,
    LiquidationStep,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from messages.events import BalanceChanged, LiquidationTriggered, PositionDeleveraged, PositionLiquidated, Trade

if TYPE_CHECKING:
    from margin.engine import MarginEngine

LIQUIDATION_FEE_PPM: Final = 5_000  # 0.5% of the closed notional at the mark, capped by what is left


def bankruptcy_price_ticks(equity_micro: int, size_lots: int, price_ticks: int, micro_per_tick_lot: int) -> int:
    """Where closing this position leaves the account's equity at zero, rounded so that it is
    never below zero (up for a long, which sells; down for a short, which buys); at least 1."""
    step = abs(size_lots) * micro_per_tick_lot
    move_ticks = equity_micro // step  # floor: never past bankruptcy
    return max(price_ticks - move_ticks if size_lots > 0 else price_ticks + move_ticks, 1)


def liquidate(engine: MarginEngine, account: Account) -> None:
    """Liquidate each of the account's buckets that is below maintenance: cross, then isolated ones."""
    risk = engine.margin
    buckets = buckets_below_maintenance(account, risk.markets, risk.tiers)
    if not buckets:
        return
    risk.liquidating.add(account.account_id)
    try:
        for bucket in buckets:
            liquidate_bucket(engine, account, bucket)
    finally:
        risk.liquidating.discard(account.account_id)
    risk.note(account.account_id)


def liquidate_bucket(engine: MarginEngine, account: Account, bucket: str) -> None:
    risk = engine.margin
    account_id = account.account_id
    needed = bucket_requirements(account, bucket, risk.markets, risk.tiers)
    engine.out.append(
        LiquidationTriggered(
            engine.take_seq(),
            engine.command_id,
            engine.ts_ms,
            account_id,
            needed.equity_micro,
            needed.maintenance_micro,
            bucket,
        )
    )
    isolated = account.isolated_micro
    for order in engine.orders_of(account_id):
        if order.market == bucket if bucket != CROSS else order.market not in isolated:
            engine.cancel_resting(engine.markets[order.market], order, CancelReason.LIQUIDATION)
    if bucket == CROSS:
        symbols = sorted(s for s, p in account.positions.items() if p.size_lots and s not in isolated)
    else:
        symbols = [bucket]
    closed_notional = 0
    for symbol in symbols:
        market = engine.markets[symbol]
        size = account.positions[symbol].size_lots
        closed_notional += abs(size) * valuation_price_ticks(market) * market.micro_per_tick_lot
        close_position(engine, account, market, bucket)
    settle_remainder(engine, account, bucket, closed_notional)


def close_position(engine: MarginEngine, account: Account, market: Market, bucket: str) -> None:
    risk = engine.margin

    def bucket_equity() -> int:
        return bucket_requirements(account, bucket, risk.markets, risk.tiers).equity_micro

    symbol = market.symbol
    position = account.positions[symbol]
    u = market.micro_per_tick_lot
    mark = valuation_price_ticks(market)
    slice_lots = max(1, market.spec.impact_notional_micro // (mark * u))
    book_lots = book_notional = 0
    bankruptcy = 0
    while position.size_lots:
        size = position.size_lots
        mark = valuation_price_ticks(market)  # moves with the fills before the oracle's first mark
        bankruptcy = bankruptcy_price_ticks(bucket_equity(), size, mark, u)
        lots = min(abs(size), slice_lots)
        first = len(engine.out)
        place_order(
            engine,
            PlaceOrder(
                engine.command_id,
                engine.ts_ms,
                account.account_id,
                symbol,
                Side.SELL if size > 0 else Side.BUY,
                lots,
                bankruptcy,
                OrderType.LIMIT,
                TimeInForce.IOC,
                reduce_only=True,
                self_trade_prevention=SelfTradePrevention.NONE,
            ),
        )
        filled = 0
        for event in engine.out[first:]:
            if type(event) is Trade and event.taker_account_id == account.account_id:
                filled += event.size_lots
                book_notional += event.size_lots * event.price_ticks
        book_lots += filled
        if filled == 0:
            break  # the book holds nothing within the bankruptcy price; a partial fill moved it, so retry
    if book_lots:
        emit_liquidated(
            engine, account.account_id, symbol, book_lots, book_notional, size, bankruptcy, LiquidationStep.BOOK
        )
    size = position.size_lots
    if not size:
        return
    mark = valuation_price_ticks(market)
    bankruptcy = bankruptcy_price_ticks(bucket_equity(), size, mark, u)
    insurance = risk.ledger.accounts[INSURANCE_ACCOUNT]
    loss_per_lot = (bankruptcy - mark) * u if size > 0 else (mark - bankruptcy) * u
    if loss_per_lot <= 0:
        take = abs(size)
    else:
        equity = risk.requirements(insurance).equity_micro
        take = min(abs(size), equity // loss_per_lot) if equity > 0 else 0
    if take:
        delta = -take if size > 0 else take
        move_position(engine, account, insurance, symbol, delta, bankruptcy)
        emit_liquidated(
            engine, account.account_id, symbol, take, take * bankruptcy, size, bankruptcy, LiquidationStep.INSURANCE
        )
    remaining = abs(position.size_lots)
    if not remaining:
        return
    adl_lots = 0
    for counterparty_id in adl_ranking(risk, symbol, longs=size < 0, exclude=account.account_id):
        if not remaining:
            break
        counterparty = risk.ledger.accounts[counterparty_id]
        lots = min(remaining, abs(counterparty.positions[symbol].size_lots))
        delta = -lots if size > 0 else lots  # the bankrupt account's change
        move_position(engine, account, counterparty, symbol, delta, bankruptcy)
        engine.out.append(
            PositionDeleveraged(
                engine.take_seq(),
                engine.command_id,
                engine.ts_ms,
                counterparty_id,
                symbol,
                -delta,
                bankruptcy,
                account.account_id,
            )
        )
        if counterparty_id > 0:
            engine.enforce_reduce_only(market, counterparty_id)
        remaining -= lots
        adl_lots += lots
    if adl_lots:
        emit_liquidated(
            engine, account.account_id, symbol, adl_lots, adl_lots * bankruptcy, size, bankruptcy, LiquidationStep.ADL
        )


def move_position(engine: MarginEngine, source: Account, target: Account, symbol: str, delta: int, price: int) -> None:
    """A transfer of `delta` lots (signed, as the source's change) at `price`, with no fee."""
    risk = engine.margin
    u = engine.markets[symbol].micro_per_tick_lot
    index = risk.funding_index.get(symbol, 0)
    risk.trade(source, symbol, delta, price, u, index)
    risk.trade(target, symbol, -delta, price, u, index)


def emit_liquidated(
    engine: MarginEngine,
    account_id: int,
    symbol: str,
    lots: int,
    notional_ticks: int,
    size_before: int,
    bankruptcy: int,
    step: LiquidationStep,
) -> None:
    average = (2 * notional_ticks + lots) // (2 * lots)  # nearest tick
    signed = -lots if size_before > 0 else lots
    engine.out.append(
        PositionLiquidated(
            engine.take_seq(), engine.command_id, engine.ts_ms, account_id, symbol, signed, average, step, bankruptcy
        )
    )


def settle_remainder(engine: MarginEngine, account: Account, bucket: str, closed_notional_micro: int) -> None:
    """What the bucket has left pays the liquidation fee (capped by it); a deficit, which only
    rounding can leave, is covered by the insurance fund. An isolated bucket's margin then
    returns to cross."""
    ledger = engine.margin.ledger
    isolated = account.isolated_micro
    left = account.balance_micro - sum(isolated.values()) if bucket == CROSS else isolated[bucket]
    if left > 0:
        fee = min(left, -(-closed_notional_micro * LIQUIDATION_FEE_PPM // 1_000_000))
        if fee:
            ledger.transfer(account.account_id, INSURANCE_ACCOUNT, fee)
            if bucket != CROSS:
                isolated[bucket] -= fee
            emit_balance(engine, account, -fee, BalanceReason.LIQUIDATION_FEE)
    elif left < 0:
        ledger.transfer(INSURANCE_ACCOUNT, account.account_id, -left)
        if bucket != CROSS:
            isolated[bucket] += -left
        emit_balance(engine, account, -left, BalanceReason.INSURANCE_COVER)
    if bucket != CROSS:
        isolated[bucket] = 0
        engine.margin.note_changed(account, bucket)


def emit_balance(engine: MarginEngine, account: Account, amount_micro: int, reason: BalanceReason) -> None:
    engine.out.append(
        BalanceChanged(
            engine.take_seq(),
            engine.command_id,
            engine.ts_ms,
            account.account_id,
            amount_micro,
            account.balance_micro,
            reason,
        )
    )
