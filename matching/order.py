"""A live order inside the engine: mutable, owned by exactly one book while it rests."""

import msgspec

from streams.enums import SelfTradePrevention, Side, TimeInForce


class Order(msgspec.Struct, array_like=True, gc=False):
    """`remaining_lots` is what can still trade; `size_lots` the total asked, filled part included.

    A msgspec Struct rather than a class: creation and attribute access are C-speed, and the
    snapshot encodes it without a hand-written codec.
    """

    order_id: int
    account_id: int
    market: str
    is_buy: bool
    price_ticks: int
    size_lots: int
    remaining_lots: int
    time_in_force: TimeInForce = TimeInForce.GTC
    client_order_id: str = ""
    self_trade_prevention: SelfTradePrevention = SelfTradePrevention.NONE
    reduce_only: bool = False
    expire_at_ms: int = 0
    resting: bool = False  # True exactly while a book holds it
    arrival: int = 0  # the book's arrival counter when it last joined a queue: FIFO is by this

    @property
    def side(self) -> Side:
        return Side.BUY if self.is_buy else Side.SELL

    def moved(self, price_ticks: int, size_lots: int, remaining_lots: int) -> "Order":
        """A new, not-yet-resting order with this one's identity at a new price or size.

        Re-resting must use a new object: the book's queues may still hold this one in a slot
        that cancel left behind, and reviving it there would queue it twice.
        """
        return Order(
            self.order_id,
            self.account_id,
            self.market,
            self.is_buy,
            price_ticks,
            size_lots,
            remaining_lots,
            self.time_in_force,
            self.client_order_id,
            self.self_trade_prevention,
            self.reduce_only,
            self.expire_at_ms,
        )

    @property
    def filled_lots(self) -> int:
        return self.size_lots - self.remaining_lots
