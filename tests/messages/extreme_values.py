"""Commands with every field at the values a hostile client would try: for the engine's defences.

Each field is either sane (so that commands get past the early checks and reach deep into the
engine) or extreme: integers at the edges of 32, 53, 63 and 64 bits and beyond, text empty, 10 KB
long, non-ASCII or (in-process only) not encodable as UTF-8.
"""

import msgspec
from hypothesis import strategies as st

import margin.engine  # noqa: F401 - the margin commands are part of the vocabulary
from messages.codec import concrete_subclasses
from messages.commands import Command, ListMarket
from messages.market_spec import MarginTier, MarketSpec

EXTREME_INTS = (0, -1, 2**31, 2**53, 2**62, 2**63 - 1, 2**63, 2**64 - 1, 2**70, -(2**63), -(2**70))
EXTREME_TEXTS = ("", "x" * 10_240, "é非𝄞", "AAPLUSDC" * 5)
NOT_UTF8_TEXT = "\udcff\udcfe"  # a lone surrogate: what invalid UTF-8 becomes in a Python str

COMMAND_TYPES = tuple(t for t in concrete_subclasses(Command))

# values that let a command do something real, per field name
SANE_INTS = {
    "ts_ms": st.integers(0, 10_000),
    "account_id": st.integers(1, 4),
    "order_id": st.integers(0, 30),
    "size_lots": st.integers(1, 5_000),
    "new_size_lots": st.integers(0, 5_000),
    "price_ticks": st.integers(19_000, 21_000),
    "new_price_ticks": st.integers(0, 21_000),
    "index_price_ticks": st.integers(19_000, 21_000),
    "mark_price_ticks": st.integers(19_000, 21_000),
    "expire_at_ms": st.just(0),
    "funding_time_ms": st.integers(0, 10_000),
    "rate_ppb": st.integers(-100_000, 100_000),
    "ratio_new": st.integers(1, 4),
    "ratio_old": st.integers(1, 4),
    "amount_micro": st.integers(-(10**9), 10**10),
    "amount_micro_per_share": st.integers(1, 10**6),
    "leverage": st.integers(1, 20),
}
SANE_TEXTS = {
    "command_id": st.text("abc", min_size=1, max_size=6),
    "market": st.sampled_from(("AAPLUSDC", "NVDAUSDC")),
    "client_order_id": st.sampled_from(("", "c1", "c2")),
}


def int_field(name: str) -> st.SearchStrategy[int]:
    sane = SANE_INTS.get(name, st.integers(0, 10))
    return st.one_of(sane, sane, st.sampled_from(EXTREME_INTS))


def text_field(name: str, utf8_only: bool) -> st.SearchStrategy[str]:
    texts = EXTREME_TEXTS if utf8_only else (*EXTREME_TEXTS, NOT_UTF8_TEXT)
    sane = SANE_TEXTS.get(name, st.just(""))
    return st.one_of(sane, sane, st.sampled_from(texts))


def market_specs(utf8_only: bool) -> st.SearchStrategy[MarketSpec]:
    anything = st.sampled_from(EXTREME_INTS)
    return st.builds(
        MarketSpec,
        symbol=st.one_of(st.just("NEWUSDC"), text_field("market", utf8_only)),
        underlying=st.just("NEW"),
        tick_size=st.sampled_from(("0.01", "1e999999999", "1", "-1", "x")),
        lot_size=st.sampled_from(("0.001", "1", "1e-30")),
        min_notional_micro=st.one_of(st.just(0), anything),
        max_order_lots=st.one_of(st.just(10**6), anything),
        margin_tiers=st.one_of(
            st.just((MarginTier(0, 20),)),
            st.builds(lambda f, lev: (MarginTier(0, 20), MarginTier(f, lev)), anything, anything),
        ),
        maker_fee_ppm=st.one_of(st.just(0), anything),
        taker_fee_ppm=st.one_of(st.just(0), anything),
        impact_notional_micro=st.one_of(st.just(10**9), anything),
    )


@st.composite
def commands(draw: st.DrawFn, utf8_only: bool = True) -> Command:
    """Any command type, each field sane or extreme."""
    command_type = draw(st.sampled_from(COMMAND_TYPES))
    values = {}
    for field in msgspec.structs.fields(command_type):
        if field.type is int:
            values[field.name] = draw(int_field(field.name))
        elif field.type is str:
            values[field.name] = draw(text_field(field.name, utf8_only))
        elif field.type is bool:
            values[field.name] = draw(st.booleans())
        elif field.type is MarketSpec:
            values[field.name] = draw(market_specs(utf8_only))
        elif isinstance(field.type, type) and issubclass(field.type, str):  # an enum
            values[field.name] = draw(st.sampled_from(list(field.type)))
        else:
            raise AssertionError(f"no strategy for {command_type.__name__}.{field.name}")
    assert command_type is not ListMarket or "spec" in values
    return command_type(**values)
