"""MarginEngine's own helpers: the order in which touched accounts are settled."""

from hypothesis import given
from hypothesis import strategies as st

from margin.accounts import Account, sort_by_id


@given(st.lists(st.integers(1, 10_000), unique=True, max_size=40))
def test_touched_accounts_are_settled_in_id_order(account_ids: list[int]) -> None:
    """Short lists go through the insertion sort, long ones through list.sort: both ascend."""
    accounts = [Account(account_id) for account_id in account_ids]
    sort_by_id(accounts)
    assert [account.account_id for account in accounts] == sorted(account_ids)


@given(st.lists(st.integers(1, 10_000), unique=True, max_size=40), st.integers(0, 40))
def test_a_prefix_is_sorted_and_the_rest_left_alone(account_ids: list[int], n: int) -> None:
    """The accounts a command changed are the first n of a list that keeps older entries after them."""
    n = min(n, len(account_ids))
    accounts = [Account(account_id) for account_id in account_ids]
    sort_by_id(accounts, n)
    assert [a.account_id for a in accounts] == sorted(account_ids[:n]) + account_ids[n:]
