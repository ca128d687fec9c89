"""The REST API: Binance USD-M futures on the wire, commands to the engine, reads from views/."""
