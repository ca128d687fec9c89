"""The long-running services of the exchange (engine, ...) and `perpx up`, which supervises them."""
