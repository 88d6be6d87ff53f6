#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Load figures for vestibule-server: the real server on loopback, driven by
wrk (bench/load.lua). Run through bench/run-load.sh, which builds the
release binary first; see docs/reliability.md for what it measures.

Usage: run-load.py SERVER_BINARY [--quick]

The server runs with a production configuration (no testing clock) on a
temporary database. /info and activation attempts are measured twice: the
server pinned to one core with one HTTP thread (wrk on the other core), and
the server on every core with one HTTP thread per core, sharing them with
wrk. Sign-ins use every core: their KDF runs on worker threads.
"""

import base64
import hashlib
import hmac
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import json

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "server"))

from vsttest import MailSink, free_port, reset_token  # noqa: E402

PASSWORD = "Velo-Rouge-Montagne-42"
ADMIN_TOKEN = "bench-admin-token-" + os.urandom(12).hex()
LUA = os.path.join(HERE, "load.lua")
NCPU = os.cpu_count() or 1


def totp(secret_b32, at, period=30, digits=6):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", at // period), hashlib.sha1).digest()
    o = mac[-1] & 15
    return f"{(struct.unpack('>I', mac[o:o + 4])[0] & 0x7fffffff) % 10 ** digits:0{digits}d}"


class BenchServer:

    def __init__(self, binary, smtp_port):
        self.binary = binary
        self.dir = tempfile.TemporaryDirectory(prefix="vst-bench-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database = os.path.join(self.dir.name, "vestibule.db")
        token_file = os.path.join(self.dir.name, "admin-token")
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(ADMIN_TOKEN + "\n")
        self.config = os.path.join(self.dir.name, "server.conf")
        self.config_text = (f"""[server]
listen=127.0.0.1:{self.port}
threads=THREADS
database={self.database}
admin-token-file={token_file}

[organisation]
name=Bench
issuer=Bench
space-name=Bench space
space-url=https://spaces.example.org/bench

[mail]
smtp-url=smtp://127.0.0.1:{smtp_port}
from=Bench <noreply@example.org>
""")
        self.process = None
        self.cpus = None

    def start(self, cpus, threads=0):
        """Pinned to @cpus, with @threads HTTP threads (0: one per core)."""
        self.cpus = cpus
        with open(self.config, "w") as f:
            f.write(self.config_text.replace("THREADS", str(threads)))
        env = dict(os.environ)
        env.pop("G_MESSAGES_DEBUG", None)
        env.pop("VESTIBULE_TESTING", None)
        log = open(os.path.join(self.dir.name, "server.log"), "ab")
        self.process = subprocess.Popen(
            ["taskset", "-c", cpus, self.binary, "--config", self.config],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/api/v1/info")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("the server did not start")

    def stop(self):
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(30)
            self.process = None

    def request(self, method, path, body=None, token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")


def prepare(server, sink, n_accounts):
    """One account through the API (invitation, reset e-mail, password,
    session, pending key); then @n_accounts copies of it written straight
    into SQLite, each with its own session, key and a code that is wrong
    for it now and for the next few minutes. Returns the lines for the
    activate and sign-in scripts."""
    status, _ = server.request("POST", "/api/v1/admin/accounts", {
        "login": "template", "email": "template@example.org", "display_name": "T",
        "language": "en"}, token=ADMIN_TOKEN)
    assert status == 201, status
    server.request("POST", "/api/v1/password-resets", {"login": "template"})
    _, msg = sink.wait(1, to="template@example.org", containing="vestibule://reset?")[-1]
    status, body = server.request("POST", "/api/v1/password", {
        "login": "template", "token": reset_token(msg), "password": PASSWORD})
    assert status == 200, (status, body)
    status, _ = server.request("POST", "/api/v1/totp", token=body["session"])
    assert status == 201, status
    server.stop()

    now = int(time.time())
    db = sqlite3.connect(server.database)
    (pw_hash, set_at, expires_at) = db.execute(
        "SELECT password_hash, password_set_at, password_expires_at FROM accounts"
        " WHERE login = 'template'").fetchone()
    activate_lines, signin_lines = [], []
    with db:
        for k in range(n_accounts):
            login = f"bench{k:06d}"
            secret = base64.b32encode(os.urandom(20)).decode()
            cur = db.execute(
                "INSERT INTO accounts (login, email, display_name, language, created_at,"
                " password_hash, password_set_at, password_expires_at, totp_state, totp_secret)"
                " VALUES (?, ?, 'Bench', 'en', ?, ?, ?, ?, 1, ?)",
                (login, f"{login}@example.org", now, pw_hash, set_at, expires_at, secret))
            token = os.urandom(32)
            db.execute("INSERT INTO sessions (token_hash, account_id, created_at, expires_at)"
                       " VALUES (?, ?, ?, ?)",
                       (hashlib.sha256(token).digest(), cur.lastrowid, now, now + 12 * 3600))
            # Wrong for every step the run can meet: never activates.
            valid = {totp(secret, now + d * 30) for d in range(-2, 20)}
            code = next(c for c in (f"{(k * 7919 + j) % 10 ** 6:06d}" for j in range(100))
                        if c not in valid)
            activate_lines.append(f"{base64.b32encode(token).decode().rstrip('=')} {code}")
            signin_lines.append(f"{login} {PASSWORD}")
    db.close()
    return activate_lines, signin_lines


def wrk(server, mode, connections, seconds, cpus, lines=None, threads=1):
    args = ["taskset", "-c", cpus, "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
            "--timeout", "30s", "-s", LUA, server.base, "--", mode]
    if lines is not None:
        path = os.path.join(server.dir.name, f"{mode}.txt")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        args.append(path)
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("RESULT "))
    _, requests, duration, p50, p99, errors, statuses = line.split()
    return {"requests": int(requests), "rps": int(requests) / float(duration),
            "p50": int(p50) / 1000, "p99": int(p99) / 1000, "errors": int(errors),
            "statuses": statuses}


def row(name, cores, r):
    print(f"{name:<38} {cores:>5} {r['rps']:>9.0f} {r['p50']:>9.2f} {r['p99']:>9.2f}  "
          f"{r['requests']} requests, {r['errors']} socket errors, statuses {r['statuses']}",
          flush=True)


def main():
    binary = sys.argv[1]
    quick = "--quick" in sys.argv
    seconds = 3 if quick else 10
    if NCPU < 2:
        raise SystemExit("needs at least 2 CPUs: one for the server, one for wrk")
    server_cpu, client_cpu, all_cpus = "0", "1", f"0-{NCPU - 1}"

    sink = MailSink()
    sink.start()
    server = BenchServer(binary, sink.port)
    try:
        server.start(all_cpus)
        # Two halves, one per activation run, so that no account meets its
        # fifth wrong code (a lock-out, which answers without writing).
        n_accounts = 10000 if quick else 60000
        activate_lines, signin_lines = prepare(server, sink, n_accounts)

        print(f"vestibule-server load, {time.strftime('%Y-%m-%d %H:%M')}, {NCPU} CPUs online,"
              f" load average before: {os.getloadavg()[0]:.2f}")
        print(f"{'endpoint':<38} {'cores':>5} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}")

        server.start(server_cpu, threads=1)
        wrk(server, "info", 32, 1, client_cpu)  # warm-up
        row("GET /api/v1/info (32 conn)", 1, wrk(server, "info", 32, seconds, client_cpu))
        row("POST /totp/activate, wrong code", 1,
            wrk(server, "activate", 32, seconds, client_cpu, activate_lines[:n_accounts // 2]))
        server.stop()

        # Every core, one HTTP thread each; wrk shares the cores.
        server.start(all_cpus)
        wrk(server, "info", 32, 1, all_cpus)  # warm-up
        row("GET /api/v1/info (32 conn)", NCPU, wrk(server, "info", 32, seconds, all_cpus))
        row("POST /totp/activate, wrong code", NCPU,
            wrk(server, "activate", 32, seconds, all_cpus, activate_lines[n_accounts // 2:]))
        server.stop()

        # A sign-in whose client went away still runs its KDF: a fresh
        # server for each phase, so that none inherits the last one's queue.
        server.start(all_cpus)
        n_cores = NCPU
        row("POST /sessions (50 in flight)", n_cores,
            wrk(server, "signin", 50, seconds * 2, all_cpus, signin_lines))
        server.stop()
        server.start(all_cpus)
        row("GET /api/v1/info (4 conn), alone", n_cores,
            wrk(server, "info", 4, seconds, all_cpus))
        # The same /info load while 50 sign-ins are in flight.
        signins = subprocess.Popen(
            ["taskset", "-c", all_cpus, "wrk", "-t1", "-c50", f"-d{seconds * 2 + 4}s",
             "--timeout", "60s", "-s", LUA, server.base, "--", "signin",
             os.path.join(server.dir.name, "signin.txt")],
            stdout=subprocess.PIPE, text=True)
        time.sleep(2)
        row("GET /api/v1/info (4 conn), 50 sign-ins", n_cores,
            wrk(server, "info", 4, seconds, all_cpus))
        out = signins.communicate(timeout=seconds * 4 + 60)[0]
        line = next(l for l in out.splitlines() if l.startswith("RESULT "))
        print(f"  (sign-ins meanwhile: {line[len('RESULT '):]})")
        server.stop()
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        server.stop()
        sink.stop()
        server.dir.cleanup()


if __name__ == "__main__":
    main()
