"""The seam between matching and money: a pre-trade check for every order, a settlement step for every fill.

The engine knows nothing of collateral. It asks its `Risk` whether an order may enter, tells it
when orders open and close (margin reserves for open orders), and hands it every fill to settle,
receiving the fees to print on the trade. `PositionsOnly` is the matching-only policy: it keeps
net positions (reduce-only orders need them) and charges nothing. margin/ supplies the real one.
"""

from mypy_extensions import mypyc_attr

from matching.market import Market
from matching.order import Order
from messages.enums import RejectReason


@mypyc_attr(allow_interpreted_subclasses=True)
class Risk:
    """Base policy: allows everything, keeps no state. Subclasses override what they need."""

    def check_order(self, market: Market, order: Order, replacing: Order | None = None) -> RejectReason | None:
        """Called before an order is accepted; a reason rejects it and nothing changes. An amend
        that re-queues an order passes the resting order it would replace as `replacing`."""
        return None

    def on_order_opened(self, market: Market, order: Order) -> None:
        """The order now rests in the book (margin for open orders starts counting)."""

    def on_order_closed(self, market: Market, order: Order) -> None:
        """The order left the book: filled, canceled or expired."""

    def on_fill(
        self, market: Market, taker: Order, maker: Order, price_ticks: int, size_lots: int
    ) -> tuple[int, int, int, int]:
        """Settle one fill; return the taker's and the maker's fee, then the taker's and the maker's
        realized PnL (micro-USDC), for the Trade."""
        return 0, 0, 0, 0

    def position_lots(self, account_id: int, market: str) -> int:
        """Signed net position: positive long, negative short."""
        return 0

    def snapshot_state(self) -> object:
        """A msgspec-encodable value that restore_state turns back into identical state."""
        return None

    def restore_state(self, state: object) -> None:
        """Inverse of snapshot_state."""


@mypyc_attr(allow_interpreted_subclasses=True)
class PositionsOnly(Risk):
    """Net positions per (account, market), no collateral: enough for reduce-only orders."""

    def __init__(self) -> None:
        self.positions: dict[tuple[int, str], int] = {}

    def on_fill(
        self, market: Market, taker: Order, maker: Order, price_ticks: int, size_lots: int
    ) -> tuple[int, int, int, int]:
        signed = size_lots if taker.is_buy else -size_lots
        symbol = market.symbol
        positions = self.positions
        key = (taker.account_id, symbol)
        positions[key] = positions.get(key, 0) + signed
        key = (maker.account_id, symbol)
        positions[key] = positions.get(key, 0) - signed
        return 0, 0, 0, 0

    def position_lots(self, account_id: int, market: str) -> int:
        return self.positions.get((account_id, market), 0)

    def snapshot_state(self) -> object:
        return sorted([account, market, lots] for (account, market), lots in self.positions.items() if lots)

    def restore_state(self, state: object) -> None:
        assert isinstance(state, list)
        self.positions = {(account, market): lots for account, market, lots in state}
