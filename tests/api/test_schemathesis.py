"""schemathesis against /openapi.json over real HTTP: generated requests to every documented endpoint
(the admin ones aside: they would change the exchange the other tests share); no 5xx, and every
response conforming to its declared schema and content type. Driven without schemathesis's pytest
plugin (which does not load under this pytest): one hypothesis run per operation."""

import pytest
from hypothesis import HealthCheck, given, settings

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance  # noqa: E402

# status_code_conformance is left out: Binance's errors are 4xx bodies FastAPI's schema does not list
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def test_no_server_error_and_schema_conformance(exchange):  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_url(exchange.url + "/openapi.json")
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith("/perpx/v1/admin"):
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):  # type: ignore[no-untyped-def]
            case.call_and_validate(checks=CHECKS)

        run()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert "GET /fapi/v1/depth" in checked and "GET /fapi/v3/positionRisk" in checked
