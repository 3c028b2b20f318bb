"""A real `foundry serve` on a loopback port and real headless Chromium
sessions driving the web workspace, for the browser tests.

Every wait is a condition on the page (WebDriverWait on an element's state)
or on a file the server makes; the timeouts only detect failures and are
generous on purpose. Nothing sleeps.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", REPO / "Tests/Browser/screenshots"))
#: Upper bounds that only catch failures (a loaded two-core machine is slow, not this slow).
PATIENCE = float(os.environ.get("BROWSER_PATIENCE", "30"))
SECRET = "browser-tests-secret-0123456789abcdef0123"


def foundry_binary():
    if os.environ.get("FOUNDRY"):
        return os.environ["FOUNDRY"]
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    return str(Path(bin_path) / "foundry")


def wait_until(condition, what, timeout=PATIENCE):
    """Waits for a condition that is not on a page (a file the server makes)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)  # a poll of a condition, not a wait for time to pass


class Server:
    """`foundry serve --port 0` over a scratch root, with the FIFO runner."""

    def __init__(self, *arguments):
        self.binary = foundry_binary()
        self.scratch = Path(tempfile.mkdtemp(prefix="foundry-browser-"))
        self.root = self.scratch / "root"
        self.fifos = self.scratch / "fifos"
        self.fifos.mkdir()
        self.env = dict(os.environ, FOUNDRY_JWT_SECRET=SECRET, BROWSER_FIFO_DIR=str(self.fifos), FOUNDRY_LOG_FORMAT="text")
        self.arguments = list(arguments)
        self.log = open(self.scratch / "server.log", "a")
        self.tokens = {}
        self.start(port=0)

    def start(self, port):
        """Starts `foundry serve` (port 0: a free one) and reads the port from the sign-in link it prints."""
        runner = f"sh {REPO / 'Tests/Browser/fifo-runner.sh'}"
        self.process = subprocess.Popen(
            [self.binary, "serve", "--root", str(self.root), "--port", str(port), "--runner", runner, "--runner-grace", "2",
             "--login-user", "alice", "--log-level", os.environ.get("BROWSER_SERVER_LOG_LEVEL", "warning"), *self.arguments],
            env=self.env, stdout=subprocess.PIPE, stderr=self.log, text=True)
        first = self.process.stdout.readline()
        match = re.search(r"Open the web workspace as alice: (http://127\.0\.0\.1:(\d+))/#token=(\S+)", first)
        if not match:
            self.stop()
            raise AssertionError(f"foundry serve printed no sign-in link: {first!r}; log: {(self.scratch / 'server.log').read_text()}")
        self.base, self.port = match.group(1), int(match.group(2))
        self.serve_link_token = match.group(3)

    def restart(self):
        """Stops the server and starts a new process on the same root and port (a new epoch)."""
        self.stop(close_log=False)
        self.start(port=self.port)

    def stop(self, close_log=True):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        if close_log:
            self.log.close()

    def cleanup(self):
        shutil.rmtree(self.scratch, ignore_errors=True)

    def cli(self, *args):
        return subprocess.run([self.binary, *args, "--root", str(self.root)], env=self.env, capture_output=True, text=True, check=True).stdout

    def link(self, user, hours=None):
        """The sign-in link `foundry login-link` prints for `user`."""
        line = self.cli("login-link", "--user", user, "--url", self.base, *(["--hours", str(hours)] if hours else [])).strip()
        assert line.startswith(self.base + "/#token="), line
        self.tokens[user] = line.split("#token=", 1)[1]
        return line

    def token(self, user):
        if user not in self.tokens:
            self.link(user)
        return self.tokens[user]

    def api(self, user, method, path, body=None, raw=False):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token(user)}", "Content-Type": "application/json", "X-Foundry-Session": f"api-{user}"})
        try:
            with urllib.request.urlopen(request, timeout=PATIENCE) as response:
                payload = response.read()
                return payload if raw else json.loads(payload or b"null")
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{method} {path} as {user}: {error.code} {error.read().decode()}") from None

    def project(self, project, owner="alice", members=None, fixture="oncology-agent"):
        """Imports the fixture agent as `project`, owned by `owner`, with `members` {user: role}."""
        self.cli("import", str(FIXTURES / fixture), "--project", project, "--user", owner, "--name", f"Oncology agent ({project})")
        for user, role in (members or {}).items():
            self.api(owner, "PUT", f"/projects/{project}/members/{user}", {"role": role})

    def save(self, user, project, field, text, message=None):
        """Locks and saves one field over HTTP, as another client would."""
        self.api(user, "PUT", f"/projects/{project}/locks/{field}")
        head = self.api(user, "GET", f"/projects/{project}")["head_version"]
        return self.api(user, "POST", f"/projects/{project}/drafts", {"base_version": head, "fields": {field: text}, "message": message})


class Browser:
    """One independent headless Chromium session (its own profile) on the workspace."""

    def __init__(self, server, name):
        self.server = server
        self.name = name
        options = webdriver.ChromeOptions()
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800",
                         "--disable-gpu", "--no-first-run", "--no-default-browser-check"):
            options.add_argument(argument)
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"} if os.environ.get("BROWSER_NETLOG") else {"browser": "ALL"})
        service = webdriver.ChromeService(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
        self.driver = webdriver.Chrome(options=options, service=service)
        self.viewport(1280, 800)
        self.test = "session"

    def viewport(self, width, height):
        """The page's viewport, exactly (a headless window's size includes browser chrome)."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def quit(self):
        self.driver.quit()

    # -- waiting and looking --------------------------------------------------

    def wait(self, condition, what, timeout=PATIENCE):
        try:
            # A list redrawn between finding an element and reading it is read again.
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
                                 ).until(lambda _: condition(), message=what)
        except Exception:
            self.shot("failure")
            raise

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def visible(self, css):
        return [element for element in self.find_all(css) if element.is_displayed()]

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def shot(self, moment):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.test}-{self.name}-{moment}.png"
        self.driver.save_screenshot(str(path))
        return path

    def page_errors(self):
        """Console messages that mean the page is broken: script errors and CSP refusals."""
        return [entry["message"] for entry in self.driver.get_log("browser")
                if "Content Security Policy" in entry["message"] or "Uncaught" in entry["message"]]

    # -- signing in and opening ----------------------------------------------

    def sign_in(self, user):
        self.driver.get(self.server.link(user))
        self.wait(lambda: self.find_all(f".topbar [data-user='{user}']") and self.find_all("main h1")
                  and self.find("main h1").text == "Projects", f"{self.name} signed in as {user}")

    def open_project(self, project, tab="fields", fresh=True):
        """Opens a project in a new page load (fresh) and waits until its socket's snapshot is applied."""
        if fresh:
            self.driver.get("about:blank")
        self.driver.get(f"{self.server.base}/#/p/{project}/{tab}")
        self.wait(lambda: self.find_all(".project[data-ready='true']"), f"{self.name}: project {project} ready")

    def enter(self, user, project, tab="fields"):
        """Signs in as `user` and opens `project`."""
        self.sign_in(user)
        self.open_project(project, tab=tab)

    def tab(self, name):
        self.find(f".tabs a[data-tab='{name}']").click()
        self.wait(lambda: self.find(f".tabs a[data-tab='{name}']").get_attribute("aria-current") == "page", f"tab {name}")

    # -- field editors --------------------------------------------------------

    def card(self, field):
        return self.find(f".field-card[data-field='{field}']")

    def lock_state(self, field):
        return self.card(field).get_attribute("data-lock")

    def badge(self, field):
        return self.card(field).find_element(By.CSS_SELECTOR, ".lock-badge").text

    def editor_text(self, field):
        return self.js("return arguments[0].querySelector('.CodeMirror').CodeMirror.getValue()", self.card(field))

    def shown_text(self, field):
        """The lines CodeMirror has drawn (its visible part), as a person sees them."""
        return "\n".join(line.text for line in self.card(field).find_elements(By.CSS_SELECTOR, ".CodeMirror-code .CodeMirror-line"))

    def click_editor(self, field):
        self.card(field).find_element(By.CSS_SELECTOR, ".CodeMirror-lines").click()

    def keys(self, field, *keys):
        """Types into the editor's input (CodeMirror's textarea), as a keyboard does."""
        self.card(field).find_element(By.CSS_SELECTOR, ".CodeMirror textarea").send_keys(*keys)

    def field_button(self, field, label):
        return [b for b in self.card(field).find_elements(By.CSS_SELECTOR, "button") if b.text == label][0]

    def button(self, label, within="body"):
        matches = [b for b in self.find(within).find_elements(By.CSS_SELECTOR, "button") if b.text == label and b.is_displayed()]
        assert matches, f"no visible button '{label}' in {within}"
        return matches[0]

    # -- the run console -------------------------------------------------------

    def terminal_lines(self):
        """The rows of the console's terminal as xterm.js offers them to screen readers."""
        rows = self.js("return [...document.querySelectorAll('.dock .xterm-accessibility-tree > div')].map(r => r.textContent)")
        return [row.rstrip() for row in rows if row.strip() and row.strip() != "Blank line"]

    def run_status(self):
        status = self.find(".dock .run-status")
        return status.get_attribute("data-state"), status.text


def sha256(data):
    return hashlib.sha256(data).hexdigest()


__all__ = ["Browser", "Server", "Keys", "By", "FIXTURES", "sha256", "wait_until", "PATIENCE"]
