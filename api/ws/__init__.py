"""WebSocket for traders: market streams, user data streams and order entry, in Binance's shapes."""
