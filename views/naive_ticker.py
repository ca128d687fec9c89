"""The reference for ticker.py: the 24h statistics recomputed from every trade."""

from views.ticker import DAY_MS, Stats24h, WindowTrade


def naive_stats(trades: list[WindowTrade], now_ms: int, micro_per_tick_lot: int) -> Stats24h:
    window = [t for t in trades if now_ms - DAY_MS < t.ts_ms <= now_ms]
    if not window:
        return Stats24h(None, None, None, None, 0, 0, 0, None, None, now_ms - DAY_MS, now_ms)
    return Stats24h(
        window[0].price_ticks,
        max(t.price_ticks for t in window),
        min(t.price_ticks for t in window),
        window[-1].price_ticks,
        sum(t.size_lots for t in window),
        sum(t.price_ticks * t.size_lots for t in window) * micro_per_tick_lot,
        len(window),
        window[0].trade_id,
        window[-1].trade_id,
        now_ms - DAY_MS,
        now_ms,
    )
