"""What a load-test trader sends: small orders around the mark, some resting, some taking.

Resting orders (GTC, 0.5-2% away from the mark on their side) build books and are canceled again
oldest first, so an account never nears its open-order limit; taking orders (IOC, 1% through the
mark) fill against the makers' quotes. Every order asks for the RESULT answer, which says what
filled. Prices and sizes are Decimal, rounded by the market's rules (bots.markets).
"""

import random
from dataclasses import dataclass
from decimal import Decimal

from bots.markets import MarketRules

TAKE_SHARE = 0.3  # of orders that cross the spread
MAX_RESTING = 20  # resting orders a trader keeps per connection before canceling the oldest


@dataclass(frozen=True)
class PlannedOrder:
    symbol: str
    params: dict[str, str | Decimal]
    takes: bool


def plan_order(rng: random.Random, rules: MarketRules, mark: Decimal, client_id: str) -> PlannedOrder:
    buy = rng.random() < 0.5
    takes = rng.random() < TAKE_SHARE
    if takes:
        away = Decimal("0.01")
        price = rules.price_up(mark * (1 + away)) if buy else rules.price_down(mark * (1 - away))
    else:
        away = Decimal(rng.randint(50, 200)) / 10_000
        price = rules.price_down(mark * (1 - away)) if buy else rules.price_up(mark * (1 + away))
    quantity = rules.min_qty_at(price) * rng.randint(1, 3)
    params: dict[str, str | Decimal] = {
        "symbol": rules.symbol,
        "side": "BUY" if buy else "SELL",
        "type": "LIMIT",
        "timeInForce": "IOC" if takes else "GTC",
        "quantity": quantity,
        "price": price,
        "newClientOrderId": client_id,
        "newOrderRespType": "RESULT",
    }
    return PlannedOrder(rules.symbol, params, takes)
