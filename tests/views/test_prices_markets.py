"""Prices, funding and the market list folded from a margin engine's events, as a trader reads them."""

from messages.commands import ListMarket, PriceUpdate, SetMarketStatus
from messages.enums import MarketSession, MarketStatus, PriceSource
from messages.funding_index import FundingRate, PremiumIndex
from tests.margin.exchange import Exchange, spec
from views.exchange import ExchangeView

H = 3_600_000


def following(ex: Exchange) -> ExchangeView:
    view = ExchangeView()
    view.seed(ex.engine, ex.engine.next_seq - 1)
    return view


def catch_up(view: ExchangeView, ex: Exchange) -> None:
    for event in ex.events:
        if event.seq > view.last_seq:
            view.apply(event)


def test_an_internal_price_with_its_discovery_bounds_and_the_band() -> None:
    ex = Exchange()
    view = following(ex)
    ex.apply(PriceUpdate, "AAPLUSDC", 10_000, 10_050, MarketSession.OVERNIGHT, PriceSource.INTERNAL, 9_500, 10_500)
    catch_up(view, ex)
    prices = view.prices.must_get("AAPLUSDC")
    assert (prices.index_price_ticks, prices.mark_price_ticks) == (10_000, 10_050)
    assert (prices.session, prices.index_source) == (MarketSession.OVERNIGHT, PriceSource.INTERNAL)
    assert (prices.discovery_low_ticks, prices.discovery_high_ticks) == (9_500, 10_500)
    market = ex.engine.markets["AAPLUSDC"]
    assert (prices.band_low_ticks, prices.band_high_ticks) == (
        market.market_order_limit_ticks(False),
        market.market_order_limit_ticks(True),
    )
    # a reader starting from the engine's state has the same prices and band (session: at the next price)
    late = following(ex)
    assert late.prices.must_get("AAPLUSDC").band_high_ticks == prices.band_high_ticks
    assert late.prices.must_get("AAPLUSDC").mark_price_ticks == 10_050


def test_funding_settled_and_the_published_prediction() -> None:
    ex = Exchange()
    view = following(ex)
    ex.mark("100")
    ex.order(1, "buy", 1, "100")  # no collateral: refused, nothing changes
    ex.funding(125_000, 5 * H)
    catch_up(view, ex)
    figures = view.prices.funding("AAPLUSDC", 5 * H + 10)
    assert figures.last_rate_ppb == 125_000
    assert figures.predicted_rate_ppb is None  # the funding service has not published yet
    assert figures.next_funding_time_ms == 6 * H  # the schedule: every hour, on the hour
    assert view.prices.funding_history("AAPLUSDC")[-1].funding_time_ms == 5 * H
    view.prices.set_published(
        PremiumIndex("AAPLUSDC", -2_000, FundingRate(-1_900, -2_000, 10, 720, False, False), 6 * H, 12_500, 125_000)
    )
    figures = view.prices.funding("AAPLUSDC", 5 * H + 10)
    assert (figures.predicted_rate_ppb, figures.premium_ppb, figures.interest_ppb) == (-1_900, -2_000, 12_500)


def test_markets_listed_halted_and_split() -> None:
    ex = Exchange()
    view = following(ex)
    ex.apply(ListMarket, spec("NVDAUSDC"))
    ex.apply(SetMarketStatus, "NVDAUSDC", MarketStatus.HALTED)
    ex.split(4, 1, "AAPLUSDC")
    catch_up(view, ex)
    assert view.markets.symbols() == ["AAPLUSDC", "NVDAUSDC"]
    assert view.markets.must_get("NVDAUSDC").status is MarketStatus.HALTED
    aapl = view.markets.must_get("AAPLUSDC").spec
    assert aapl == ex.engine.markets["AAPLUSDC"].spec
    assert (aapl.tick_size, aapl.lot_size) == ("0.0025", "4")
    assert view.books.depth("NVDAUSDC").last_update_id == 0
