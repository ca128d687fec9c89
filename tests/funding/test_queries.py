from funding.queries import FundingQueries
from funding.rate import FundingRate
from tests.funding.test_service import STEP, T0, Exchange, H, run


def test_queries_before_anything_happened():
    exchange = Exchange()
    queries = FundingQueries(exchange.service())
    assert queries.current_premium_ppb("AAPLUSDC") is None
    assert queries.history("AAPLUSDC") == []
    assert queries.next_funding_time_ms("AAPLUSDC", T0 + 1) == T0 + H


def test_premium_index_during_and_after_an_interval():
    exchange = Exchange()
    service = exchange.service()
    queries = FundingQueries(service)
    run(service, T0, T0 + 20 * 60_000)  # 20 minutes in: 240 slots, all sampled
    index = queries.premium_index("AAPLUSDC", T0 + 20 * 60_000 - 1)
    assert index.premium_ppb == -1_497_005
    assert index.predicted == FundingRate(-997_005, -1_497_005, 240, 240, True, False)
    assert index.next_funding_time_ms == T0 + H
    assert index.interest_ppb == 12_500
    assert index.last_rate_ppb is None
    assert (index.index_price_ticks, index.time_ms) == (10_020, T0 + 20 * 60_000 - 1)
    run(service, T0 + 20 * 60_000, T0 + H + STEP)
    after = queries.premium_index("AAPLUSDC", T0 + H + 1)
    assert after.last_rate_ppb == -997_005
    assert after.next_funding_time_ms == T0 + 2 * H
    assert after.predicted.samples_expected == 1
    assert [(h.funding_time_ms, h.rate_ppb) for h in queries.history("NVDAUSDC")] == [(T0 + H, 12_500)]


def test_predicted_rate_counts_slots_the_service_missed():
    exchange = Exchange()
    service = exchange.service()
    queries = FundingQueries(service)
    run(service, T0, T0 + 5 * 60_000)
    # paused for 10 minutes: 60 sampled of 180 slots so far, under half: the interest rate is predicted
    predicted = queries.predicted_rate("AAPLUSDC", T0 + 15 * 60_000 - 1)
    assert (predicted.samples_present, predicted.samples_expected) == (60, 180)
    assert predicted.rate_ppb == 12_500
