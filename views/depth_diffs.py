"""Depth diffs with Binance's sync rules: for each market whose book changed since the last diff,
the levels that changed with their new total size (0: the level is gone), `U` the first and `u`
the last book update id they cover, and `pu` the previous diff's `u`.

A client that holds a depth snapshot with `lastUpdateId` L applies the diffs with u > L, the first
having U <= L + 1 <= u, and each next one having pu equal to the u before it (Binance's rules for
the USD-M depth stream). The book view keeps the touched levels (BookView(track_diffs=True)); a
reader takes the diffs after each batch of events it applied, e.g. from a follower listener.
"""

from typing import NamedTuple

from views.books import BookView, MarketBook


class DepthDiff(NamedTuple):
    market: str
    first_update_id: int  # U
    last_update_id: int  # u
    previous_update_id: int  # pu
    bids: list[tuple[int, int]]  # (price_ticks, total lots now), 0 for a level gone; best first
    asks: list[tuple[int, int]]


def take_depth_diffs(books: BookView) -> list[DepthDiff]:
    """The diff of each market changed since the last call, in market order; forgets them."""
    diffs = []
    for symbol, book in sorted(books.books.items()):
        if book.touched:
            diffs.append(_diff(symbol, book))
    return diffs


def _diff(symbol: str, book: MarketBook) -> DepthDiff:
    assert book.touched is not None
    bids: list[tuple[int, int]] = []
    asks: list[tuple[int, int]] = []
    for is_buy, price in sorted(book.touched, key=lambda key: (key[0], -key[1] if key[0] else key[1])):
        side = book.book.bids if is_buy else book.book.asks
        level = side.levels.get(price)
        (bids if is_buy else asks).append((price, level.total_lots if level is not None else 0))
    diff = DepthDiff(symbol, book.diff_first_id, book.last_update_id, book.diff_previous_id, bids, asks)
    book.touched.clear()
    book.diff_first_id = 0
    book.diff_previous_id = book.last_update_id
    return diff
