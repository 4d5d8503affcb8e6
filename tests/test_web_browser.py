"""`catalog serve` in a real browser: headless Chromium, driven by selenium, against
the real server in a subprocess. Searches from the home page, follows the best match
to its paper and on to an author, and takes the screenshot of the README.

Set CATALOG_SCREENSHOT=docs/serve.png to write the README's screenshot as well."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
QUERY = "reinforcement learning"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(seeds_db, tmp_path):
    pytest.importorskip("datasette", reason="the web extra is not installed")
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "catalog", "--db", str(seeds_db), "serve",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(300):
            if proc.poll() is not None:
                pytest.fail("catalog serve exited: " + (tmp_path / "serve.log").read_text())
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("catalog serve did not answer: " + (tmp_path / "serve.log").read_text())
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium "
                    "chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1200,760",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(10)
    try:
        yield driver
    finally:
        driver.quit()


def _cli_json(invoke, db, *args):
    result = invoke("--db", db, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_search_then_paper_then_author_in_a_real_browser(server, browser, invoke, seeds_db,
                                                          tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    best = _cli_json(invoke, seeds_db, "search", QUERY, "--limit", "1")[0]
    browser.get(server)
    assert "Paper catalog" in browser.title
    box = browser.find_element(By.CSS_SELECTOR, "form.searchbox input[name=q]")
    box.send_keys(QUERY, Keys.ENTER)

    first = browser.find_element(By.CSS_SELECTOR, "#results li.paper a.paper-title")
    assert first.text == best["title"]
    assert browser.find_elements(By.CSS_SELECTOR, "#results li.paper mark")
    assert browser.find_element(By.ID, "facets").is_displayed()
    shot = tmp_path / "serve.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    if os.environ.get("CATALOG_SCREENSHOT"):
        shutil.copyfile(shot, ROOT / os.environ["CATALOG_SCREENSHOT"])

    first.click()
    assert browser.find_element(By.TAG_NAME, "h1").text == best["title"]
    name = best["authors"][1]  # a person, not the organisation that comes first
    browser.find_element(By.CSS_SELECTOR, "#authors").find_element(
        By.LINK_TEXT, name).click()

    assert browser.find_element(By.TAG_NAME, "h1").text == name
    expected = _cli_json(invoke, seeds_db, "author", name)["papers"]
    shown = [a.text for a in browser.find_elements(By.CSS_SELECTOR,
                                                   "#papers li.paper a.paper-title")]
    assert shown == [p["title"] for p in expected]  # newest first, as on the CLI
    assert best["title"] in shown
    assert Path(shot).exists()
