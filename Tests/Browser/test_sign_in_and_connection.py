"""Signing in and out (a pasted token, an expiring one, an IDE embedding the
page and handing it a token by postMessage), and a dropped connection that
comes back after a server restart: RESYNC reloads the page's state and the
text typed into a held field stays."""
import http.server
import shutil
import threading
from urllib.parse import quote

import pytest

from harness import FIXTURES, Keys, Server, wait_until

HOST_PAGE = """<!doctype html><title>IDE</title>
<iframe id="workspace" width="1200" height="700"></iframe>
<script>
  const query = new URLSearchParams(location.search);
  const foundry = query.get('foundry');
  window.received = [];
  window.addEventListener('message', (event) => {
    if (event.origin !== foundry) return;
    window.received.push(event.data);
    if (event.data.type === 'foundry:ready') {
      document.getElementById('workspace').contentWindow.postMessage({ type: 'foundry:token', token: query.get('token') }, foundry);
    }
  });
  document.getElementById('workspace').src = foundry + '/';
</script>"""


@pytest.fixture(scope="module")
def ide():
    """A stand-in for the IDE: a page on another origin that embeds the workspace."""
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = HOST_PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_):
            pass

    page = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=page.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{page.server_address[1]}"
    page.shutdown()


@pytest.fixture(scope="module")
def own_server(ide):
    """A server of this module's own (it is restarted), which lets the IDE's origin frame the page."""
    server = Server("--web-frame-ancestor", ide)
    yield server
    server.stop()
    server.cleanup()


@pytest.fixture
def browser(own_server, browsers):
    """The first browser, pointed at this module's server."""
    first, _ = browsers
    shared = first.server
    first.server = own_server
    yield first
    first.server = shared


def test_a_pasted_token_signs_in_a_bad_one_is_refused_with_the_reason_and_sign_out_forgets_it(own_server, browser):
    browser.driver.get("about:blank")
    browser.driver.get(own_server.base + "/")
    browser.wait(lambda: browser.find_all("#token-input"), "the sign-in page")
    browser.find("#token-input").send_keys("not-a-token")
    browser.button("Sign in").click()
    browser.wait(lambda: "This token was refused: invalid bearer token: not a compact JWT" in browser.find("main .notice.error").text, "the reason")
    box = browser.find("#token-input")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(own_server.token("alice"))
    browser.button("Sign in").click()
    browser.wait(lambda: browser.find_all(".topbar [data-user='alice']"), "signed in as alice")
    browser.button("Sign out").click()
    browser.wait(lambda: browser.find_all("#token-input"), "back on the sign-in page")
    assert browser.js("return localStorage.getItem('foundry.token')") is None
    browser.driver.refresh()
    browser.wait(lambda: browser.find_all("#token-input"), "still signed out after a reload")


def test_an_expired_token_leads_back_to_sign_in_with_the_reason(own_server, browser):
    browser.driver.get("about:blank")
    browser.driver.get(own_server.link("eve", hours=0.001))  # 3.6 seconds
    browser.wait(lambda: browser.find_all("#token-input") and "expired" in browser.find("main .notice").text,
                 "the sign-in page says the token expired")


def test_a_signature_with_a_stale_sign_in_is_refused_with_what_to_do_and_keeps_the_session(own_server, browser):
    own_server.project("stepup")
    stale = own_server.cli("token", "--user", "alice", "--auth-age", "3600").strip()  # signed in an hour ago
    browser.driver.get("about:blank")
    browser.driver.get(f"{own_server.base}/#token={stale}")
    browser.wait(lambda: browser.find_all(".topbar [data-user='alice']"), "signed in with the older token")
    browser.open_project("stepup", tab="history")
    browser.wait(lambda: browser.find_all("tr[data-version='1']"), "the history")
    browser.button("Sign v0.1.1…").click()
    browser.button("Sign v0.1.1", "dialog[open]").click()
    browser.wait(lambda: "need a fresh sign-in from the last 5 minute(s)" in browser.find("dialog[open] .notice.error").text, "the step-up explained")
    assert "foundry login-link --user <you>" in browser.find("dialog[open] .notice.error").text
    assert browser.find_all(".topbar [data-user='alice']"), "still signed in"
    browser.button("Cancel", "dialog[open]").click()
    assert own_server.api("alice", "GET", "/projects/stepup/signatures")["signatures"] == []


def test_an_ide_embedding_the_page_signs_it_in_by_post_message(own_server, ide, browser):
    own_server.project("embedded")
    # This origin's storage is shared with the frame (same site): start from none.
    browser.driver.get(own_server.base + "/web/icon.svg")
    browser.js("localStorage.clear()")
    browser.driver.get("about:blank")
    browser.driver.get(f"{ide}/?foundry={quote(own_server.base)}&token={own_server.token('alice')}")
    browser.wait(lambda: {"type": "foundry:signed-in", "user": "alice"} in browser.js("return window.received"), "the page tells the IDE who signed in")
    browser.driver.switch_to.frame(browser.find("#workspace"))
    try:
        browser.wait(lambda: browser.find_all("tr[data-project='embedded']"), "the projects list inside the frame")
        assert browser.js("return localStorage.getItem('foundry.token')") is None, "a host's token is kept in memory only"
    finally:
        browser.driver.switch_to.default_content()


def test_a_dropped_connection_reconnects_and_resync_keeps_the_text_typed_into_a_held_field(own_server, browser):
    own_server.project("resync")
    browser.driver.get("about:blank")
    browser.sign_in("alice")
    browser.open_project("resync")
    browser.click_editor("system_prompt")
    browser.wait(lambda: browser.lock_state("system_prompt") == "mine", "alice holds the lock")
    browser.keys("system_prompt", Keys.CONTROL, Keys.END)
    browser.keys("system_prompt", "Typed before the server restarted.")
    typed = browser.editor_text("system_prompt")

    # The server goes away; while it is down, the CLI changes another field.
    own_server.stop(close_log=False)
    browser.wait(lambda: browser.find(".connection").get_attribute("data-state") == "reconnecting", "the page shows it is reconnecting")
    assert browser.find(".connection").text.startswith("Reconnecting")
    changed = own_server.scratch / "changed-agent"
    shutil.copytree(FIXTURES / "oncology-agent", changed)
    (changed / "topology.yaml").write_text("entry: router\n# changed while the server was down\n")
    own_server.cli("import", str(changed), "--project", "resync", "--user", "bob")

    # A new server process (a new epoch): the page resumes with ?since=&epoch=, gets RESYNC and reloads.
    own_server.restart()
    browser.wait(lambda: browser.find(".connection").get_attribute("data-state") == "live", "live again")
    browser.wait(lambda: browser.editor_text("topology.yaml") == "entry: router\n# changed while the server was down\n", "the change made while away is shown")
    assert browser.editor_text("system_prompt") == typed, "the typed text is still there"
    browser.shot("after-resync")

    # Alice locks the field again (her old lock ended with her socket) and saves what she typed.
    browser.click_editor("topology.yaml")
    browser.click_editor("system_prompt")
    browser.wait(lambda: browser.lock_state("system_prompt") == "mine", "alice holds the lock again")
    browser.field_button("system_prompt", "Save").click()
    wait_until(lambda: own_server.api("alice", "GET", "/projects/resync/drafts/current")["contents"]["system_prompt"] == typed, "the typed text saved")
