#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Load figures for vestibule-server: the real server on loopback, driven by
wrk (bench/load.lua). Run through bench/run-load.sh, which builds the
release binary first; see docs/reliability.md for what it measures.

Usage: run-load.py SERVER_BINARY [--quick] [--repeat N]

Besides requests/s and latency, each row gives the CPU the server used
while wrk ran (in cores, all its threads; from /proc) and that CPU time per
request in microseconds: on a machine shared with other work, where the
throughput and the p99 move with the neighbours' load, the CPU time per
request is the steadier figure to compare two builds by. --repeat runs the
one-core rows N times (medians after them).

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
import shutil
import signal
import sqlite3
import statistics
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

    def save(self):
        """Keeps a copy of the (stopped) server's database for restore()."""
        shutil.copy(self.database, self.database + ".prepared")

    def restore(self):
        for suffix in ("-wal", "-shm"):
            if os.path.exists(self.database + suffix):
                os.unlink(self.database + suffix)
        shutil.copy(self.database + ".prepared", self.database)

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


def server_cpu_seconds(server):
    """User + system CPU time of the server process (all its threads)."""
    with open(f"/proc/{server.process.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(server, mode, connections, seconds, cpus, lines=None, threads=1):
    args = ["taskset", "-c", cpus, "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
            "--timeout", "30s", "-s", LUA, server.base, "--", mode]
    if lines is not None:
        path = os.path.join(server.dir.name, f"{mode}.txt")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        args.append(path)
    cpu0, t0 = server_cpu_seconds(server), time.monotonic()
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    cpu1, t1 = server_cpu_seconds(server), time.monotonic()
    line = next(l for l in out.splitlines() if l.startswith("RESULT "))
    _, requests, duration, p50, p99, errors, statuses = line.split()
    return {"requests": int(requests), "rps": int(requests) / float(duration),
            "p50": int(p50) / 1000, "p99": int(p99) / 1000, "errors": int(errors),
            "statuses": statuses, "cpu": (cpu1 - cpu0) / (t1 - t0),
            "us_per_req": (cpu1 - cpu0) * 1e6 / max(int(requests), 1)}


def row(name, cores, r):
    print(f"{name:<38} {cores:>5} {r['rps']:>9.0f} {r['p50']:>9.2f} {r['p99']:>9.2f} "
          f"{r['cpu']:>8.2f} {r['us_per_req']:>7.1f}  "
          f"{r['requests']} requests, {r['errors']} socket errors, statuses {r['statuses']}",
          flush=True)


def median_row(name, cores, results):
    if len(results) < 2:
        return
    med = {k: statistics.median(r[k] for r in results)
           for k in ("rps", "p50", "p99", "cpu", "us_per_req")}
    print(f"{name + ' (median)':<38} {cores:>5} {med['rps']:>9.0f} {med['p50']:>9.2f} "
          f"{med['p99']:>9.2f} {med['cpu']:>8.2f} {med['us_per_req']:>7.1f}  "
          f"of {len(results)} runs", flush=True)


def main():
    binary = sys.argv[1]
    quick = "--quick" in sys.argv
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 1
    seconds = 3 if quick else 10
    if NCPU < 2:
        raise SystemExit("needs at least 2 CPUs: one for the server, one for wrk")
    server_cpu, client_cpu, all_cpus = "0", "1", f"0-{NCPU - 1}"

    sink = MailSink()
    sink.start()
    server = BenchServer(binary, sink.port)
    try:
        server.start(all_cpus)
        n_accounts = 10000 if quick else 30000
        activate_lines, signin_lines = prepare(server, sink, n_accounts)
        server.save()

        print(f"vestibule-server load, {time.strftime('%Y-%m-%d %H:%M')}, {NCPU} CPUs online,"
              f" load average before: {os.getloadavg()[0]:.2f}")
        print(f"{'endpoint':<38} {'cores':>5} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} "
              f"{'srv cpu':>8} {'us/req':>7}")

        # One core with one HTTP thread (wrk on the other core), then every
        # core with one HTTP thread each (wrk shares them). Each repetition
        # on a fresh copy of the prepared database, so that no account meets
        # its fifth wrong code (a lock-out, which answers without writing).
        for cores, cpus, client, threads in ((1, server_cpu, client_cpu, 1),
                                             (NCPU, all_cpus, all_cpus, 0)):
            runs = {"info": [], "activate": []}
            for _ in range(repeat):
                server.restore()
                server.start(cpus, threads)
                wrk(server, "info", 32, 1, client)  # warm-up
                r = wrk(server, "info", 32, seconds, client)
                runs["info"].append(r)
                row("GET /api/v1/info (32 conn)", cores, r)
                r = wrk(server, "activate", 32, seconds, client, activate_lines)
                runs["activate"].append(r)
                row("POST /totp/activate, wrong code", cores, r)
                server.stop()
            median_row("GET /api/v1/info (32 conn)", cores, runs["info"])
            median_row("POST /totp/activate, wrong code", cores, runs["activate"])

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
