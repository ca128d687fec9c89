"""Funding: premium sampling, the funding rate, exactly-once settlement (issue 6).

The pipeline, one module each, pure parts taking time and data as arguments:

    stream_source              the shared views (views/) as the sampler's book source
    sampler + premium           one premium sample per market per 5 s slot (first one in a slot kept)
    rate (+ naive_rate)         F = mean(P) + clamp(interest - mean(P), +-0.05%), x multiplier, capped
    multiplier                  per market and session; damped while the index is internal
    schedule                    epoch-aligned interval boundaries (1 h default, per market)
    settlement (+ redis_ledger) FundingSettle per (market, boundary) exactly once
    payments                    the zero-sum split the engine books (reference; margin/ applies it)
    queries / publisher         premium, predicted rate, next funding time, history, for the api
    service / main              the loop with its one clock seam; `perpx funding`

Policies, each stated where it lives:
- a side too thin for the impact notional exerts no pressure (premium.py);
- a slot nobody sampled is missing, not zero; under 50% coverage the premium counts as 0 (rate.py);
- integer results are truncated toward zero, so nobody pays more than the formula (rate.py);
- a market's mark opens at the boundary before it was first watched; an interval with no sample and
  no index price is passed over; after an outage at most 24 boundaries are settled (settlement.py,
  service.py);
- command_id "funding:{market}:{funding_time_ms}" and ts_ms = the boundary: any instance builds the
  same command; the Lua guard appends it once; the engine drops a repeat id and an older time.
"""
