-- The history database: what the event stream said, kept after the stream is trimmed.
-- Plain SQL that SQLite and PostgreSQL both accept (BIGINT, TEXT, ON CONFLICT); money and sizes are
-- exact integers in the engine's units (ticks, lots, micro-USDC), as the events carry them.

-- Where the indexer stands: the last event seq written, in the same transaction as its rows.
CREATE TABLE IF NOT EXISTS indexer_position (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT NOT NULL,
    entry_id TEXT NOT NULL
);

-- Stretches of seqs the indexer never saw (the stream was trimmed past it and it was told to go on).
CREATE TABLE IF NOT EXISTS history_gaps (
    first_seq BIGINT PRIMARY KEY,
    last_seq BIGINT NOT NULL
);

-- One row per order: its current state. status: NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED.
CREATE TABLE IF NOT EXISTS orders (
    order_id BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    market TEXT NOT NULL,
    client_order_id TEXT NOT NULL,
    side TEXT NOT NULL,
    order_type TEXT NOT NULL,
    time_in_force TEXT NOT NULL,
    price_ticks BIGINT NOT NULL,
    orig_size_lots BIGINT NOT NULL,
    size_lots BIGINT NOT NULL,
    filled_lots BIGINT NOT NULL,
    remaining_lots BIGINT NOT NULL,
    filled_notional_tick_lots BIGINT NOT NULL,
    reduce_only INTEGER NOT NULL,
    expire_at_ms BIGINT NOT NULL,
    self_trade_prevention TEXT NOT NULL,
    status TEXT NOT NULL,
    resting INTEGER NOT NULL,
    cancel_reason TEXT,
    created_seq BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_seq BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_account ON orders (account_id, market, order_id);
CREATE INDEX IF NOT EXISTS orders_by_account_time ON orders (account_id, created_ms);
CREATE INDEX IF NOT EXISTS orders_by_client_id ON orders (account_id, client_order_id);

-- Every state an order passed through, in seq order. kind: ACCEPTED, RESTED, FILLED (one per
-- trade), AMENDED, CANCELED, EXPIRED. size_lots: the fill's size for FILLED, the new total size
-- for AMENDED, else the order's size; remaining_lots: what is left after the event.
CREATE TABLE IF NOT EXISTS order_events (
    seq BIGINT NOT NULL,
    order_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    market TEXT NOT NULL,
    ts_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    price_ticks BIGINT NOT NULL,
    size_lots BIGINT NOT NULL,
    remaining_lots BIGINT NOT NULL,
    trade_id BIGINT,
    reason TEXT,
    PRIMARY KEY (order_id, seq)
);

-- Every trade, as the market saw it (aggTrades, historical trades).
CREATE TABLE IF NOT EXISTS trades (
    trade_id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    market TEXT NOT NULL,
    ts_ms BIGINT NOT NULL,
    price_ticks BIGINT NOT NULL,
    size_lots BIGINT NOT NULL,
    taker_side TEXT NOT NULL,
    taker_order_id BIGINT NOT NULL,
    taker_account_id BIGINT NOT NULL,
    maker_order_id BIGINT NOT NULL,
    maker_account_id BIGINT NOT NULL,
    taker_fee_micro BIGINT NOT NULL,
    maker_fee_micro BIGINT NOT NULL,
    taker_realized_pnl_micro BIGINT NOT NULL,
    maker_realized_pnl_micro BIGINT NOT NULL,
    book_update_id BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS trades_by_market ON trades (market, trade_id);
CREATE INDEX IF NOT EXISTS trades_by_market_time ON trades (market, ts_ms);

-- Each side of each trade, as its account saw it (userTrades): a self-trade gives two rows.
CREATE TABLE IF NOT EXISTS fills (
    trade_id BIGINT NOT NULL,
    is_maker INTEGER NOT NULL,
    seq BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    market TEXT NOT NULL,
    order_id BIGINT NOT NULL,
    ts_ms BIGINT NOT NULL,
    side TEXT NOT NULL,
    price_ticks BIGINT NOT NULL,
    size_lots BIGINT NOT NULL,
    fee_micro BIGINT NOT NULL,
    realized_pnl_micro BIGINT NOT NULL,
    PRIMARY KEY (trade_id, is_maker)
);
CREATE INDEX IF NOT EXISTS fills_by_account ON fills (account_id, market, trade_id);
CREATE INDEX IF NOT EXISTS fills_by_order ON fills (order_id, trade_id);

-- Money in and out of an account, by Binance income type: REALIZED_PNL, COMMISSION, FUNDING_FEE,
-- DIVIDEND, TRANSFER (deposits, withdrawals), LIQUIDATION_FEE, INSURANCE_CLEAR. `part` tells
-- apart the rows of one event (a trade: taker PnL 0, taker fee 1, maker PnL 2, maker fee 3), so
-- that seq x 4 + part is a unique transaction id.
CREATE TABLE IF NOT EXISTS income (
    seq BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    income_type TEXT NOT NULL,
    part INTEGER NOT NULL,
    market TEXT NOT NULL,
    amount_micro BIGINT NOT NULL,
    ts_ms BIGINT NOT NULL,
    trade_id BIGINT,
    info TEXT NOT NULL,
    PRIMARY KEY (seq, account_id, income_type, part)
);
CREATE INDEX IF NOT EXISTS income_by_account ON income (account_id, ts_ms, seq);

-- Collateral moved outside a trade (BalanceChanged), with the balance after.
CREATE TABLE IF NOT EXISTS balance_changes (
    seq BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    ts_ms BIGINT NOT NULL,
    amount_micro BIGINT NOT NULL,
    balance_micro BIGINT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS balance_changes_by_account ON balance_changes (account_id, seq);

CREATE TABLE IF NOT EXISTS funding_payments (
    seq BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    market TEXT NOT NULL,
    ts_ms BIGINT NOT NULL,
    funding_time_ms BIGINT NOT NULL,
    position_lots BIGINT NOT NULL,
    amount_micro BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS funding_payments_by_account ON funding_payments (account_id, funding_time_ms);

-- Each market's settled funding intervals (FundingSettled): the funding rate history.
CREATE TABLE IF NOT EXISTS funding_rates (
    market TEXT NOT NULL,
    funding_time_ms BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    rate_ppb BIGINT NOT NULL,
    price_ticks BIGINT NOT NULL,
    funding_index BIGINT NOT NULL,
    paid_micro BIGINT NOT NULL,
    received_micro BIGINT NOT NULL,
    dust_micro BIGINT NOT NULL,
    PRIMARY KEY (market, funding_time_ms)
);

CREATE TABLE IF NOT EXISTS dividend_payments (
    seq BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    market TEXT NOT NULL,
    ts_ms BIGINT NOT NULL,
    position_lots BIGINT NOT NULL,
    amount_micro BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS dividend_payments_by_account ON dividend_payments (account_id, seq);

CREATE TABLE IF NOT EXISTS dividends (
    seq BIGINT PRIMARY KEY,
    market TEXT NOT NULL,
    ts_ms BIGINT NOT NULL,
    amount_micro_per_share BIGINT NOT NULL,
    paid_micro BIGINT NOT NULL,
    received_micro BIGINT NOT NULL,
    dust_micro BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS splits (
    seq BIGINT PRIMARY KEY,
    market TEXT NOT NULL,
    ts_ms BIGINT NOT NULL,
    ratio_new BIGINT NOT NULL,
    ratio_old BIGINT NOT NULL,
    tick_size TEXT NOT NULL,
    lot_size TEXT NOT NULL
);

-- Liquidation steps: kind TRIGGERED (equity, maintenance), LIQUIDATED (size, price, step,
-- bankruptcy price) or DELEVERAGED (size, price, the liquidated account).
CREATE TABLE IF NOT EXISTS liquidations (
    seq BIGINT PRIMARY KEY,
    account_id BIGINT NOT NULL,
    market TEXT NOT NULL,
    ts_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    size_lots BIGINT NOT NULL,
    price_ticks BIGINT NOT NULL,
    step TEXT,
    bankruptcy_price_ticks BIGINT NOT NULL,
    liquidated_account_id BIGINT NOT NULL,
    equity_micro BIGINT NOT NULL,
    maintenance_micro BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS liquidations_by_account ON liquidations (account_id, seq);
CREATE INDEX IF NOT EXISTS liquidations_by_market ON liquidations (market, ts_ms);

-- Candles of the last-trade price. period: 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d; open_ms is
-- the period's start (UTC, from the engine's clock); quote volume in tick-lots (price x size).
CREATE TABLE IF NOT EXISTS candles (
    market TEXT NOT NULL,
    period TEXT NOT NULL,
    open_ms BIGINT NOT NULL,
    open_ticks BIGINT NOT NULL,
    high_ticks BIGINT NOT NULL,
    low_ticks BIGINT NOT NULL,
    close_ticks BIGINT NOT NULL,
    volume_lots BIGINT NOT NULL,
    quote_volume_tick_lots BIGINT NOT NULL,
    taker_buy_volume_lots BIGINT NOT NULL,
    taker_buy_quote_tick_lots BIGINT NOT NULL,
    trades BIGINT NOT NULL,
    first_trade_id BIGINT NOT NULL,
    last_trade_id BIGINT NOT NULL,
    PRIMARY KEY (market, period, open_ms)
);
