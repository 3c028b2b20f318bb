"""Fixtures of the browser tests: one `foundry serve` and two independent
Chromium sessions for the whole run (starting them is most of the cost),
each test in projects of its own."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness import Browser, Server


@pytest.fixture(scope="session")
def server():
    server = Server()
    yield server
    server.stop()
    server.cleanup()


@pytest.fixture(scope="session")
def _browsers(server):
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda name: Browser(server, name), ["first", "second"])
    yield first, second
    first.quit()
    second.quit()


@pytest.fixture
def browsers(_browsers, request):
    """The two sessions, named after the test for their screenshots; a
    script error or a refusal by the Content-Security-Policy fails the test."""
    for browser in _browsers:
        browser.test = request.node.name
        browser.page_errors()  # drop what earlier tests logged
    yield _browsers
    for browser in _browsers:
        browser.shot("end")
        errors = browser.page_errors()
        assert not errors, f"{browser.name}: {errors}"
