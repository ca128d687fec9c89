"""Deposit, Withdraw and SetLeverage: the account-level commands.

A deposit creates the account; a withdrawal takes only what is free (equity above initial
margin, and no more than the cash balance, so unrealized profit stays until realized);
leverage may be changed up to the market's maximum when the margin after the change is covered.
A market can be switched to isolated margin while flat; margin is then added to or removed from
its position explicitly (and topped up from cross when the position grows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from margin.accounts import Account
from margin.ledger import EXTERNAL_ACCOUNT
from margin.liquidation import emit_balance
from margin.requirements import cross_requirements, isolated_requirements
from margin.tiers import Tiers
from matching.market import Market
from messages.commands import AdjustIsolatedMargin, Deposit, SetLeverage, SetMarginMode, Withdraw
from messages.enums import BalanceReason, RejectReason
from messages.events import IsolatedMarginChanged, LeverageSet, MarginModeSet
from messages.limits import MAX_BALANCE_MICRO, MAX_TOTAL_COLLATERAL_MICRO

if TYPE_CHECKING:
    from margin.engine import MarginEngine


def deposit(engine: MarginEngine, cmd: Deposit) -> None:
    if cmd.account_id <= 0:
        engine.reject(cmd, RejectReason.UNKNOWN_ACCOUNT)
        return
    if cmd.amount_micro <= 0:
        engine.reject(cmd, RejectReason.AMOUNT_NOT_POSITIVE)
        return
    risk = engine.margin
    accounts = risk.ledger.accounts
    account_before = accounts.get(cmd.account_id)
    balance_after = (account_before.balance_micro if account_before is not None else 0) + cmd.amount_micro
    if balance_after > MAX_BALANCE_MICRO:
        engine.reject(cmd, RejectReason.BALANCE_LIMIT, f"an account holds at most {MAX_BALANCE_MICRO} micro-USDC")
        return
    if cmd.amount_micro - accounts[EXTERNAL_ACCOUNT].balance_micro > MAX_TOTAL_COLLATERAL_MICRO:
        engine.reject(cmd, RejectReason.BALANCE_LIMIT, f"the exchange holds at most {MAX_TOTAL_COLLATERAL_MICRO}")
        return
    risk.ledger.transfer(EXTERNAL_ACCOUNT, cmd.account_id, cmd.amount_micro)
    account = risk.ledger.accounts[cmd.account_id]
    risk.note(cmd.account_id)
    emit_balance(engine, account, cmd.amount_micro, BalanceReason.DEPOSIT)


def free_collateral_micro(account: Account, markets: dict[str, Market], tiers: dict[str, Tiers]) -> int:
    """Cash of the cross bucket above its initial margin (isolated margin is not free). Plain
    values in, so that views/ computes it from the accounts it folds from the events."""
    needed = cross_requirements(account, markets, tiers)
    cash = account.balance_micro - sum(account.isolated_micro.values())
    return max(0, min(cash, needed.equity_micro - needed.initial_micro))


def withdraw(engine: MarginEngine, cmd: Withdraw) -> None:
    risk = engine.margin
    account = risk.ledger.accounts.get(cmd.account_id)
    if account is None or cmd.account_id <= 0:
        engine.reject(cmd, RejectReason.UNKNOWN_ACCOUNT)
        return
    if cmd.amount_micro <= 0:
        engine.reject(cmd, RejectReason.AMOUNT_NOT_POSITIVE)
        return
    free = free_collateral_micro(account, risk.markets, risk.tiers)
    if cmd.amount_micro > free:
        engine.reject(cmd, RejectReason.INSUFFICIENT_BALANCE, f"free {free} micro-USDC")
        return
    risk.ledger.transfer(cmd.account_id, EXTERNAL_ACCOUNT, cmd.amount_micro)
    risk.note(cmd.account_id)
    emit_balance(engine, account, -cmd.amount_micro, BalanceReason.WITHDRAW)


def account_in_market(engine: MarginEngine, cmd: SetLeverage | SetMarginMode | AdjustIsolatedMargin) -> Account | None:
    """The command's account, when its market and its (trading) account both exist; otherwise
    the command is rejected with the reason and None returned."""
    if cmd.market not in engine.markets:
        engine.reject(cmd, RejectReason.UNKNOWN_MARKET)
        return None
    account = engine.margin.ledger.accounts.get(cmd.account_id)
    if account is None or cmd.account_id <= 0:
        engine.reject(cmd, RejectReason.UNKNOWN_ACCOUNT)
        return None
    return account


def set_leverage(engine: MarginEngine, cmd: SetLeverage) -> None:
    account = account_in_market(engine, cmd)
    if account is None:
        return
    risk = engine.margin
    tiers = risk.tiers_of(engine.markets[cmd.market])
    if not 1 <= cmd.leverage <= tiers.max_leverage:
        engine.reject(cmd, RejectReason.LEVERAGE_TOO_HIGH, f"1 to {tiers.max_leverage}")
        return
    before = risk.requirements(account)
    previous = account.leverage.get(cmd.market)
    account.own_leverage()[cmd.market] = cmd.leverage
    after = risk.requirements(account)
    if after.initial_micro > before.initial_micro and after.equity_micro < after.initial_micro:
        if previous is None:
            del account.leverage[cmd.market]
        else:
            account.leverage[cmd.market] = previous
        engine.reject(cmd, RejectReason.INSUFFICIENT_MARGIN)
        return
    risk.note_changed(account, cmd.market)
    engine.out.append(
        LeverageSet(engine.take_seq(), engine.command_id, engine.ts_ms, cmd.account_id, cmd.market, cmd.leverage)
    )


def set_margin_mode(engine: MarginEngine, cmd: SetMarginMode) -> None:
    """Switching needs a flat market with no open orders there, so no margin has to move."""
    account = account_in_market(engine, cmd)
    if account is None:
        return
    if (cmd.market in account.isolated_micro) == cmd.isolated:
        engine.reject(cmd, RejectReason.MARGIN_MODE_UNCHANGED)
        return
    position = account.positions.get(cmd.market)
    if position is not None and not position.is_idle():
        engine.reject(cmd, RejectReason.POSITION_OR_ORDERS_OPEN, "position" if position.size_lots else "orders")
        return
    if cmd.isolated:
        account.own_isolated().setdefault(cmd.market, 0)
    else:
        account.isolated_micro.pop(cmd.market, None)
    engine.margin.note_changed(account, cmd.market)
    engine.out.append(
        MarginModeSet(engine.take_seq(), engine.command_id, engine.ts_ms, cmd.account_id, cmd.market, cmd.isolated)
    )


def adjust_isolated_margin(engine: MarginEngine, cmd: AdjustIsolatedMargin) -> None:
    """Adding takes from what cross has free; removing leaves at least the position's initial margin."""
    account = account_in_market(engine, cmd)
    if account is None:
        return
    risk = engine.margin
    position = account.positions.get(cmd.market)
    if cmd.market not in account.isolated_micro or position is None or not position.size_lots:
        engine.reject(cmd, RejectReason.NOT_ISOLATED)
        return
    amount = cmd.amount_micro
    if amount == 0:
        engine.reject(cmd, RejectReason.AMOUNT_NOT_POSITIVE)
        return
    if amount > 0:
        cross = cross_requirements(account, risk.markets, risk.tiers)
        free = min(
            account.balance_micro - sum(account.isolated_micro.values()), cross.equity_micro - cross.initial_micro
        )
    else:
        bucket = isolated_requirements(account, cmd.market, risk.markets, risk.tiers)
        free = min(account.isolated_micro[cmd.market], bucket.equity_micro - bucket.initial_micro)
    if abs(amount) > free:
        engine.reject(cmd, RejectReason.INSUFFICIENT_BALANCE, f"free {max(0, free)} micro-USDC")
        return
    account.isolated_micro[cmd.market] += amount
    risk.note(cmd.account_id)
    risk.note_changed(account, cmd.market)
    engine.out.append(
        IsolatedMarginChanged(
            engine.take_seq(),
            engine.command_id,
            engine.ts_ms,
            cmd.account_id,
            cmd.market,
            amount,
            account.isolated_micro[cmd.market],
        )
    )
