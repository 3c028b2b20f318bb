"""The parts of a loopback foundry cluster, for scripts/cluster-test and
scripts/cluster-demo: foundry nodes, HAProxy with its stats socket, lsyncd,
and small HTTP and WebSocket clients. Everything listens on 127.0.0.1.

Every wait is bounded and waits for a condition (a /health answer, a state
on HAProxy's stats socket, a file appearing); none is a bare sleep.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import websockets.sync.client

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


def wait_until(condition, what, timeout=30.0, interval=0.02):
    """Polls `condition` until it returns a truthy value (returned); raises after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(interval)


def free_port():
    """A port the kernel had free a moment ago; callers retry if someone else took it since."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return {}

    @property
    def node(self):
        """The server HAProxy chose (its X-Foundry-Node header)."""
        return self.headers.get("x-foundry-node")


def request(port, method, path, token=None, body=None, timeout=10):
    """One HTTP request on a fresh connection; a refused connection raises OSError."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


class Socket:
    """A WebSocket on /ws/project/{id}: keeps the last seq and epoch to resume with."""

    def __init__(self, port, project, token, since=None, epoch=None):
        query = f"token={token}" + (f"&since={since}&epoch={epoch}" if since is not None else "")
        self.ws = websockets.sync.client.connect(f"ws://127.0.0.1:{port}/ws/project/{project}?{query}", open_timeout=10)
        self.node = self.ws.response.headers.get("X-Foundry-Node")
        self.project, self.seq, self.epoch = project, since, epoch

    def next(self, timeout=15):
        """The next frame; remembers seq/epoch. Raises when the socket closes."""
        frame = json.loads(self.ws.recv(timeout=timeout))
        if frame["type"] in ("SNAPSHOT", "RESYNC"):
            self.epoch = frame["data"]["epoch"]
            self.seq = frame["data"]["seq"]
        elif frame.get("seq") is not None:
            self.seq = frame["seq"]
        return frame

    def next_of(self, kind, timeout=15):
        """Frames until one of type `kind` (bounded by the socket's timeout per frame and 1000 frames)."""
        for _ in range(1000):
            frame = self.next(timeout)
            if frame["type"] == kind:
                return frame
        raise AssertionError(f"no {kind} frame in 1000")

    def close(self):
        self.ws.close()


class Process:
    """A child in its own process group, so that a kill takes its children too."""

    def __init__(self, argv, log, env=None):
        self.argv, self.log = argv, log
        with open(log, "ab") as output:
            self.popen = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, env=env, start_new_session=True)

    @property
    def alive(self):
        return self.popen.poll() is None

    def kill(self):
        """SIGKILL to the whole group: what a machine's death does to it."""
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.popen.wait(timeout=30)

    def stop(self):
        if self.alive:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class Node:
    """`foundry serve` on a root, on a free loopback port."""

    def __init__(self, cluster, name, root, standby=False, port=None):
        self.cluster, self.name, self.root, self.standby = cluster, name, Path(root), standby
        self.root.mkdir(parents=True, exist_ok=True)
        self.process, self.port, self.wanted = None, None, port

    def start(self):
        """Binds port 0 (the kernel picks) unless a port is wanted (a restart on the same address);
        the port is read from the server's own log line, so no other process's server is mistaken for it."""
        for port in ([self.wanted] if self.wanted else []) + [0]:
            log = self.cluster.logs / f"{self.name}.log"
            offset = log.stat().st_size if log.exists() else 0
            argv = [self.cluster.foundry, "serve", "--root", str(self.root), "--host", "127.0.0.1", "--port", str(port),
                    "--log-level", "info", "--lock-ttl", "60"] + (["--standby"] if self.standby else [])
            self.process = self.cluster.spawn(argv, log.name)
            try:
                self.port = wait_until(lambda: self.bound(log, offset) or (not self.process.alive and -1), f"{self.name} to listen", timeout=60)
            except TimeoutError:
                self.process.kill()
                raise
            if self.port > 0:
                wait_until(self.healthy, f"{self.name} /health", timeout=60)
                return self
        raise RuntimeError(f"{self.name} could not start (see {self.cluster.logs / (self.name + '.log')})")

    @staticmethod
    def bound(log, offset):
        """The port of the 'listening on 127.0.0.1:PORT' line this start wrote, or None."""
        with open(log, "rb") as text:
            text.seek(offset)
            for line in text:
                if b"listening on 127.0.0.1:" in line:
                    return int(line.split(b"listening on 127.0.0.1:")[1].split(b'"')[0])
        return None

    def healthy(self):
        try:
            return request(self.port, "GET", "/health", timeout=2).status == 200
        except OSError:
            return False

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"


class HAProxy:
    """HAProxy from a checked-in configuration, its settings in the environment."""

    def __init__(self, cluster, name, config, settings):
        self.cluster, self.name, self.config, self.settings = cluster, name, config, settings
        self.socket = str(cluster.run / f"{name}.sock")
        self.process, self.port = None, None

    def start(self):
        for _ in range(5):
            self.port = free_port()
            env = dict(os.environ, FOUNDRY_PROXY_BIND=f"127.0.0.1:{self.port}", FOUNDRY_HAPROXY_SOCKET=self.socket, **self.settings)
            self.process = self.cluster.spawn(["haproxy", "-f", str(self.config), "-db"], f"{self.name}.log", env=env)
            wait_until(lambda: not self.process.alive or self.answers(), f"{self.name} to start", timeout=30)
            if self.process.alive:
                return self
        raise RuntimeError(f"{self.name} could not start (see its log)")

    def answers(self):
        """Our stats socket answers only once HAProxy bound every listener (it exits when one is taken)."""
        try:
            return "Pid:" in self.command("show info")
        except OSError:
            return False

    def command(self, line):
        """One command on the stats socket (the runtime API); returns its answer."""
        with socket.socket(socket.AF_UNIX) as unix:
            unix.settimeout(10)
            unix.connect(self.socket)
            unix.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := unix.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def servers(self, backend):
        """{server: (operational state, admin state)} from `show servers state`: 2 is running, admin 0 is enabled."""
        states = {}
        for line in self.command(f"show servers state {backend}").splitlines()[2:]:
            fields = line.split()
            if len(fields) > 7:
                states[fields[3]] = (int(fields[5]), int(fields[6]))
        return states

    def wait_server(self, backend, server, up, timeout=30):
        return wait_until(lambda: (self.servers(backend).get(server, (None,))[0] == 2) == up,
                          f"{server} {'UP' if up else 'DOWN'} in {self.name}", timeout=timeout)


class Cluster:
    """Owns a scratch directory and every process started in it; stops them all on exit."""

    def __init__(self, base, foundry, secret):
        self.base, self.foundry, self.secret = Path(base), foundry, secret
        self.logs, self.run = self.base / "logs", self.base / "run"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.run.mkdir(parents=True, exist_ok=True)
        # Every node signs with one server key, as they share the HS256 secret: a project moved to
        # another node, or served by a promoted standby, keeps signatures and checkpoints that verify there.
        self.signing_key = self.base / "signing-key"
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(self.signing_key)], check=True, capture_output=True)
        os.chmod(self.signing_key, 0o600)
        self.processes = []
        self.lock = threading.Lock()

    def spawn(self, argv, log, env=None):
        env = dict(env or os.environ, FOUNDRY_JWT_SECRET=self.secret, FOUNDRY_SIGNING_KEY=str(self.signing_key))
        process = Process(argv, self.logs / log, env)
        with self.lock:
            self.processes.append(process)
        return process

    def node(self, name, root=None, standby=False, port=None):
        """A started node; `port` is tried first (a restart on the same address)."""
        return Node(self, name, root or self.base / name, standby, port).start()

    def haproxy(self, name, config, settings):
        return HAProxy(self, name, config, settings).start()

    def lsyncd(self, source, target, name="lsyncd"):
        state = self.run / name
        state.mkdir(exist_ok=True)
        env = dict(os.environ, FOUNDRY_REPLICA_SOURCE=str(source), FOUNDRY_REPLICA_TARGET=str(target),
                   FOUNDRY_REPLICATE=str(DEPLOY / "lsyncd" / "foundry-replicate"), FOUNDRY_REPLICA_STATE=str(state))
        return self.spawn(["lsyncd", "-nodaemon", str(DEPLOY / "lsyncd" / "foundry.lua")], f"{name}.log", env=env)

    def token(self, user):
        return subprocess.run([self.foundry, "token", "--user", user, "--root", str(self.run / "tokens")],
                              env=dict(os.environ, FOUNDRY_JWT_SECRET=self.secret), check=True,
                              capture_output=True, text=True).stdout.strip()

    def foundry_cli(self, *arguments, check=True):
        return subprocess.run([self.foundry, *arguments], env=dict(os.environ, FOUNDRY_JWT_SECRET=self.secret, FOUNDRY_SIGNING_KEY=str(self.signing_key)),
                              check=check, capture_output=True, text=True)

    def __enter__(self):
        return self

    def __exit__(self, *_):
        for process in reversed(self.processes):
            process.stop()
