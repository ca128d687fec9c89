"""The market listing shipped with the package (markets.toml), turned into exact MarketSpecs."""

import tomllib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from matching.units import exact_units, usdc_to_micro
from messages.market_spec import MarginTier, MarketSpec


class ListingError(ValueError):
    """A listing file entry that does not convert exactly or fails MarketSpec.validate()."""


def load_markets(path: Path | None = None) -> list[MarketSpec]:
    """Specs from `path`, or from the packaged default listing."""
    text = resources.files("matching").joinpath("markets.toml").read_text() if path is None else path.read_text()
    entries = tomllib.loads(text).get("market", [])
    specs = [spec_from_entry(entry) for entry in entries]
    symbols = [spec.symbol for spec in specs]
    if len(symbols) != len(set(symbols)):
        raise ListingError("a symbol is listed twice")
    return specs


def spec_from_entry(entry: dict[str, Any]) -> MarketSpec:
    symbol = str(entry.get("symbol", "?"))
    try:
        spec = MarketSpec(
            symbol=symbol,
            underlying=str(entry["underlying"]),
            tick_size=str(entry["tick_size"]),
            lot_size=str(entry["lot_size"]),
            min_notional_micro=_micro(entry["min_notional"]),
            max_order_lots=_whole(entry["max_order_size"], Decimal(entry["lot_size"])),
            margin_tiers=tuple(MarginTier(_micro(floor), int(leverage)) for floor, leverage in entry["margin_tiers"]),
            maker_fee_ppm=_whole(entry["maker_fee_bps"], Decimal("0.01")),
            taker_fee_ppm=_whole(entry["taker_fee_bps"], Decimal("0.01")),
            impact_notional_micro=_micro(entry["impact_notional"]),
            market_order_band_ppm=_whole(entry.get("market_order_band_pct", "5"), Decimal("0.0001")),
            funding_interval_s=int(entry.get("funding_interval_s", 3600)),
            name=str(entry.get("name", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ListingError(f"{symbol}: {exc!r}") from exc
    problem = spec.validate()
    if problem is not None:
        raise ListingError(f"{symbol}: {problem}")
    return spec


def _micro(text: str) -> int:
    value = usdc_to_micro(str(text))
    if value is None:
        raise ValueError(f"{text!r} is not a whole number of micro-USDC")
    return value


def _whole(text: str, unit: Decimal) -> int:
    """A decimal string in units of `unit` (bps in ppm: unit 0.01), exactly."""
    value = exact_units(str(text), unit)
    if value is None:
        raise ValueError(f"{text!r} is not a whole number of {unit}")
    return value
