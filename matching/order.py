"""A live order inside the engine: mutable, owned by exactly one book while it rests."""

from typing import TYPE_CHECKING, Any

from messages.enums import SelfTradePrevention, Side, TimeInForce

if TYPE_CHECKING:
    from matching.trader import Trader

OrderRow = tuple[int, int, str, bool, int, int, int, str, str, str, bool, int, int]


class Order:
    """`remaining_lots` is what can still trade; `size_lots` the total asked, filled part included.

    A plain class with typed attributes: compiled by mypyc (see setup.py) it is a C struct, which
    is most of what makes the book fast. Snapshots store it as a row (`to_row` / `from_row`).
    """

    __slots__ = (
        "account_id",
        "arrival",
        "client_order_id",
        "expire_at_ms",
        "id_key",
        "is_buy",
        "market",
        "next_in_level",
        "next_of_trader",
        "order_id",
        "prev_in_level",
        "prev_of_trader",
        "price_ticks",
        "reduce_only",
        "remaining_lots",
        "resting",
        "risk_handle",
        "self_trade_prevention",
        "size_lots",
        "time_in_force",
        "trader",
    )

    order_id: int
    # the order id as one int object, made once: compiled, every use of a native int as a dict key
    # or an event field boxes it anew, and a dict finds a key fastest when it is the same object
    id_key: Any
    account_id: int
    market: str
    is_buy: bool
    price_ticks: int
    size_lots: int
    remaining_lots: int
    time_in_force: TimeInForce
    client_order_id: str
    self_trade_prevention: SelfTradePrevention
    reduce_only: bool
    expire_at_ms: int
    resting: bool  # True exactly while a book holds it
    arrival: int  # the book's arrival counter when it last joined a level: FIFO is by this
    prev_in_level: "Order | None"  # neighbours in its price level's FIFO list while it rests
    next_in_level: "Order | None"
    # whatever the risk policy attached when it accepted the order (margin/: the account's position
    # in this market), so that its fills and its closing reach that without a lookup; not state
    risk_handle: object
    # its account's Trader (set when placed), and its neighbours in that trader's list of resting
    # orders (matching/trader.py)
    trader: "Trader | None"
    prev_of_trader: "Order | None"
    next_of_trader: "Order | None"

    def __init__(
        self,
        order_id: int,
        account_id: int,
        market: str,
        is_buy: bool,
        price_ticks: int,
        size_lots: int,
        remaining_lots: int,
        time_in_force: TimeInForce = TimeInForce.GTC,
        client_order_id: str = "",
        self_trade_prevention: SelfTradePrevention = SelfTradePrevention.NONE,
        reduce_only: bool = False,
        expire_at_ms: int = 0,
    ) -> None:
        self.order_id = order_id
        self.id_key = order_id
        self.account_id = account_id
        self.market = market
        self.is_buy = is_buy
        self.price_ticks = price_ticks
        self.size_lots = size_lots
        self.remaining_lots = remaining_lots
        self.time_in_force = time_in_force
        self.client_order_id = client_order_id
        self.self_trade_prevention = self_trade_prevention
        self.reduce_only = reduce_only
        self.expire_at_ms = expire_at_ms
        self.resting = False
        self.arrival = 0
        self.prev_in_level: Order | None = None
        self.next_in_level: Order | None = None
        self.risk_handle = None
        self.trader: Trader | None = None
        self.prev_of_trader: Order | None = None
        self.next_of_trader: Order | None = None

    def __repr__(self) -> str:
        return (
            f"Order(id={self.order_id}, account={self.account_id}, {self.market} "
            f"{'BUY' if self.is_buy else 'SELL'} {self.remaining_lots}/{self.size_lots} @ {self.price_ticks}, "
            f"{self.time_in_force}, resting={self.resting})"
        )

    @property
    def side(self) -> Side:
        return Side.BUY if self.is_buy else Side.SELL

    @property
    def filled_lots(self) -> int:
        return self.size_lots - self.remaining_lots

    def moved(self, price_ticks: int, size_lots: int, remaining_lots: int) -> "Order":
        """A new, not-yet-resting order with this one's identity at a new price or size.

        A new object, so that nothing holding the old one (an event consumer, a test) sees it
        change under it.
        """
        replacement = Order(
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
        replacement.risk_handle = self.risk_handle  # the same account and market
        replacement.trader = self.trader
        return replacement

    def to_row(self) -> OrderRow:
        return (
            self.order_id,
            self.account_id,
            self.market,
            self.is_buy,
            self.price_ticks,
            self.size_lots,
            self.remaining_lots,
            self.time_in_force.value,
            self.client_order_id,
            self.self_trade_prevention.value,
            self.reduce_only,
            self.expire_at_ms,
            self.arrival,
        )

    @staticmethod
    def from_row(row: OrderRow) -> "Order":
        order = Order(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            TimeInForce(row[7]),
            row[8],
            SelfTradePrevention(row[9]),
            row[10],
            row[11],
        )
        order.arrival = row[12]
        return order
