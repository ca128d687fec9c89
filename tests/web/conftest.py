"""A real exchange and a real browser for the trading page's tests.

The exchange is the api tests' pair (the margin engine service and `perpx api` as child processes on
the suite's Redis), here with the api in demo mode on a port of its own (so that a test can stop it
and start it again where the page expects it) and the local demo's two funded key pairs, made by
the same code as `perpx up`'s. The browser is Debian's chromium, driven by Playwright (the Python
package's driver only; no browser is downloaded). Without chromium the tests skip, saying so,
except in CI (CI=true), where they fail: `.ci/run` installs it.

Each test's screenshots go to tests/web/screenshots/<test>/ (git-ignored; PERPX_SCREENSHOTS moves them).
"""

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from api.key_store import create_key
from api.keys import ApiKey, permissions_for
from oracle.corporate_actions import CorporateActionCalendar, action_from_entry
from oracle.status import encode_pending_actions, pending_actions_key
from perpx.demo_keys import ensure_demo_keys
from streams.embedded import free_port
from streams.keys import ShardKeys
from tests.api.binance_client import SignedClient
from tests.api.conftest import SERVER_KEY, start_api, start_engine, stop

SCREENSHOTS = Path(os.environ.get("PERPX_SCREENSHOTS", Path(__file__).parent / "screenshots"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1600, "height": 900}


def find_chromium() -> str | None:
    """Debian's chromium (PERPX_CHROMIUM names another)."""
    for candidate in (os.environ.get("PERPX_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def missing_browser(chromium: str | None, playwright_found: bool, ci: bool) -> tuple[str, str] | None:
    """("skip" or "fail", why) when the browser tests cannot run; None when they can. Only a
    developer's machine may skip them: in CI a missing browser is a broken set-up."""
    if chromium is not None and playwright_found:
        return None
    what = "chromium (apt-get install chromium chromium-driver)" if chromium is None else "the playwright package"
    if ci:
        return "fail", f"CI=true and {what} is missing: .ci/run installs it"
    return "skip", f"browser tests need {what}"


@pytest.fixture(scope="package")
def chromium_path() -> str:
    try:
        import playwright.sync_api  # noqa: F401

        found = True
    except ImportError:
        found = False
    chromium = find_chromium()
    problem = missing_browser(chromium, found, os.environ.get("CI") == "true")
    if problem is not None:
        (pytest.fail if problem[0] == "fail" else pytest.skip)(problem[1])
    assert chromium is not None
    return chromium


@pytest.fixture(scope="package")  # gone when tests/web ends: its event loop must not outlive them
def browser(chromium_path: str) -> Iterator[object]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # a loaded 2-core machine: what must appear may take seconds

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@dataclass
class WebExchange:
    url: str
    port: int
    redis_url: str
    keys: ShardKeys
    client: redis.Redis
    admin: SignedClient
    demo: list[ApiKey]
    api: object = None
    clients: list[SignedClient] = field(default_factory=list)
    accounts: dict[str, int] = field(default_factory=dict)  # API key -> account

    def account_of(self, client: SignedClient) -> int:
        return self.accounts[client.key]

    def funded_client(self, usdc: str = "1000000") -> SignedClient:
        """Another trader: a new funded account's client."""
        api_key = create_key(self.client, SERVER_KEY, None, permissions_for())
        self.admin.ok("POST", "/perpx/v1/admin/deposit", {"account": api_key.account_id, "amount": usdc})
        client = SignedClient(self.url, api_key.key, api_key.secret)
        self.clients.append(client)
        self.accounts[api_key.key] = api_key.account_id
        return client

    def start_api(self) -> None:
        self.api, _ = start_api(self.redis_url, self.keys, port=self.port, extra_env={"PERPX_API_DEMO": "1"})

    def stop_api(self) -> None:
        stop(self.api)  # type: ignore[arg-type]


@pytest.fixture(scope="package")
def web_exchange(redis_server) -> Iterator[WebExchange]:
    keys = ShardKeys(f"test{os.getpid()}-web")
    client = redis.Redis.from_url(redis_server.url)
    engine = start_engine(redis_server.url, keys, client)
    # what the oracle publishes of its calendar after a step (oracle/status.py), in its encoding
    calendar = CorporateActionCalendar()
    entry = {"id": "NVDA-split", "market": "NVDAUSDC", "effective": "2099-06-10T09:30:00-04:00", "ratio": "4:1"}
    calendar.schedule(action_from_entry("split", entry))
    client.set(pending_actions_key(keys), encode_pending_actions(calendar.pending()))
    port = free_port()
    exchange = WebExchange(f"http://127.0.0.1:{port}", port, redis_server.url, keys, client, None, [])  # type: ignore[arg-type]
    exchange.start_api()
    admin_key = create_key(client, SERVER_KEY, 0, permissions_for(admin=True))
    exchange.admin = SignedClient(exchange.url, admin_key.key, admin_key.secret)
    exchange.demo = ensure_demo_keys(client, SERVER_KEY)  # as `perpx up` makes them, then funds them
    for demo_key in exchange.demo:
        exchange.admin.ok("POST", "/perpx/v1/admin/deposit", {"account": demo_key.account_id, "amount": "100000"})
    try:
        yield exchange
    finally:
        for other in exchange.clients:
            other.close()
        exchange.admin.close()
        exchange.stop_api()
        engine.stop()
        client.close()


class Console:
    """What the page said on its console, and what it threw."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def unexpected(self, allowed: tuple[str, ...] = ()) -> list[str]:
        return [e for e in self.errors if not any(re.search(pattern, e) for pattern in allowed)]


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(browser, web_exchange: WebExchange, console: Console) -> Iterator[object]:
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[attr-defined]
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and console.errors.append(message.text))
    page.on("pageerror", lambda error: console.errors.append(f"uncaught: {error}"))
    page.set_default_timeout(15_000)
    yield page
    context.close()


@dataclass
class Shots:
    folder: Path
    count: int = 0

    def take(self, page: object, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{step}.png"
        page.screenshot(path=str(path))  # type: ignore[attr-defined]
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    folder = SCREENSHOTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Shots(folder)
