"""The double-entry ledger of USDC collateral, in integer micro-USDC.

Every movement is a transfer between two accounts, so all balances together always sum to zero:
deposits and withdrawals move against the external account, fees to the fee account,
liquidation fees and backstops through the insurance fund. Realized trading PnL moves against a
clearing account per market, whose balance is minus the entry cost of all open positions there.
System accounts have negative ids; traders have positive ones.
"""

from typing import Final

from margin.accounts import Account

EXTERNAL_ACCOUNT: Final = -1
FEE_ACCOUNT: Final = -2
INSURANCE_ACCOUNT: Final = -3
SYSTEM_ACCOUNTS: Final = (EXTERNAL_ACCOUNT, FEE_ACCOUNT, INSURANCE_ACCOUNT)


class Ledger:
    __slots__ = ("accounts", "clearing_micro", "fees")

    def __init__(self) -> None:
        self.accounts: dict[int, Account] = {i: Account(i) for i in SYSTEM_ACCOUNTS}
        self.clearing_micro: dict[str, int] = {}  # market -> clearing account balance
        self.fees = self.accounts[FEE_ACCOUNT]  # credited on every fill: kept at hand

    def account(self, account_id: int) -> Account:
        account = self.accounts.get(account_id)
        if account is None:
            account = self.accounts[account_id] = Account(account_id)
        return account

    def transfer(self, from_id: int, to_id: int, amount_micro: int) -> None:
        self.account(from_id).balance_micro -= amount_micro
        self.account(to_id).balance_micro += amount_micro

    def realize(self, account: Account, market: str, amount_micro: int) -> None:
        """Trading PnL: from the market's clearing account to the trader (or back, if a loss)."""
        account.balance_micro += amount_micro
        self.clearing_micro[market] = self.clearing_micro.get(market, 0) - amount_micro

    def total_micro(self) -> int:
        return sum(a.balance_micro for a in self.accounts.values()) + sum(self.clearing_micro.values())
