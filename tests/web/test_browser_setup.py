"""When the browser tests may skip: only on a developer's machine without chromium (or without the
playwright package); in CI (CI=true) a missing browser fails them, since .ci/run installs it."""

from tests.web.conftest import find_chromium, missing_browser


def test_a_machine_with_chromium_and_playwright_runs_them():
    assert missing_browser("/usr/bin/chromium", True, ci=False) is None
    assert missing_browser("/usr/bin/chromium", True, ci=True) is None


def test_without_chromium_a_developer_skips_and_ci_fails():
    assert missing_browser(None, True, ci=False) == (
        "skip",
        "browser tests need chromium (apt-get install chromium chromium-driver)",
    )
    kind, why = missing_browser(None, True, ci=True)
    assert kind == "fail" and "CI=true" in why and ".ci/run installs it" in why


def test_without_playwright_the_same():
    skipped = ("skip", "browser tests need the playwright package")
    assert missing_browser("/usr/bin/chromium", False, ci=False) == skipped
    assert missing_browser("/usr/bin/chromium", False, ci=True)[0] == "fail"


def test_perpx_chromium_names_another_browser(monkeypatch, tmp_path):
    browser = tmp_path / "my-chromium"
    browser.write_text("")
    monkeypatch.setenv("PERPX_CHROMIUM", str(browser))
    assert find_chromium() == str(browser)
    monkeypatch.setenv("PERPX_CHROMIUM", str(tmp_path / "absent"))
    assert find_chromium() != str(tmp_path / "absent")
