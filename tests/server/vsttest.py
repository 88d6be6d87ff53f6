# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers for the vestibule-server integration tests.

Everything is real and on loopback: the server binary from the build, a
temporary SQLite file, an aiosmtpd SMTP sink, HTTP through urllib. The
server's clock can be moved forward through a file that it reads only in
testing mode (VESTIBULE_TESTING=1 and [testing] clock-offset-file), so that
expiries, lock-outs and the next TOTP step need no sleeping.
"""

import ctypes
import email
import email.policy
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

from aiosmtpd.controller import Controller

SERVER = os.environ.get("VESTIBULE_SERVER_BINARY", "vestibule-server")
# Which store the server keeps its accounts in: "sqlite" (the default) or
# "ldap", a real slapd of its own (slapdtest.py) started for each server.
STORE = os.environ.get("VESTIBULE_TEST_STORE", "sqlite")
ADMIN_TOKEN = "test-admin-token-" + os.urandom(12).hex()
# What only reset e-mails hold in their text part.
RESET_MARK = "vestibule://reset?"


def _die_with_parent():
    # PR_SET_PDEATHSIG: if the test is killed (a timeout), its server goes too.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collect:
    def __init__(self, sink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.sink.cond:
            self.sink.messages.append((envelope, msg))
            self.sink.cond.notify_all()
        return "250 Message accepted"


class MailSink:
    """An SMTP server on 127.0.0.1 that keeps every message."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.messages = []
        self.cond = threading.Condition()
        self.controller = None

    def start(self):
        self.controller = Controller(_Collect(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait(self, count=1, timeout=20, to=None, containing=None):
        """Waits until @count messages (to @to, whose text part holds
        @containing, if given) have arrived and returns them as (envelope,
        parsed message) pairs."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = [m for m in self.messages
                         if (to is None or to in m[0].rcpt_tos)
                         and (containing is None or containing in parts(m[1])[0])]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} e-mail(s) to {to}, got {len(found)}")
                self.cond.wait(left)

    def count(self, to=None, containing=None):
        with self.cond:
            return len([m for m in self.messages
                        if (to is None or to in m[0].rcpt_tos)
                        and (containing is None or containing in parts(m[1])[0])])


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body.decode("utf-8")) if body else None
        except ValueError:
            self.json = None

    def __repr__(self):
        return f"<Response {self.status} {self.raw[:300]!r}>"


class Server:
    """A vestibule-server process with its own directory, database and
    configuration."""

    def __init__(self, smtp_port, extra_config="", threads=None):
        self.dir = tempfile.TemporaryDirectory(prefix="vst-server-test-")
        self.path = self.dir.name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database = os.path.join(self.path, "vestibule.db")
        self.token_file = os.path.join(self.path, "admin-token")
        self.clock_file = os.path.join(self.path, "clock-offset")
        self.config_file = os.path.join(self.path, "server.conf")
        self.log_file = os.path.join(self.path, "server.log")
        self.offset = 0
        self.process = None
        self.smtp_port = smtp_port
        self.slapd = None
        store_config = ""
        if STORE == "ldap":
            import slapdtest
            self.slapd = slapdtest.Slapd()
            self.slapd.start()
            store_config = self.slapd.server_config()

        fd = os.open(self.token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(ADMIN_TOKEN + "\n")
        self.set_clock_offset(0)
        with open(self.config_file, "w", encoding="utf-8") as f:
            f.write(f"""[server]
listen=127.0.0.1:{self.port}
{f"threads={threads}" if threads is not None else ""}
database={self.database}
admin-token-file={self.token_file}

[organisation]
name=Conseil de l’Europe
issuer=Council of Europe
space-name=Expert group on AI
space-url=https://spaces.example.org/ai
password-policy=default
password-lifetime-days=183

[mail]
smtp-url=smtp://127.0.0.1:{smtp_port}
from=Conseil de l’Europe <noreply@example.org>
retry-base-seconds=1
retry-max-seconds=2

[testing]
clock-offset-file={self.clock_file}
{extra_config}
{store_config}
""")

    # The clock ---------------------------------------------------------

    def set_clock_offset(self, seconds):
        self.offset = seconds
        with open(self.clock_file, "w") as f:
            f.write(f"{seconds}\n")

    def advance(self, seconds):
        self.set_clock_offset(self.offset + seconds)

    def now(self):
        return int(time.time()) + self.offset

    # The process -------------------------------------------------------

    def start(self, timeout=30):
        env = dict(os.environ)
        env["VESTIBULE_TESTING"] = "1"
        env.setdefault("G_MESSAGES_DEBUG", "all")
        log = open(self.log_file, "ab")
        self.process = subprocess.Popen([SERVER, "--config", self.config_file],
                                        stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                                        preexec_fn=_die_with_parent)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.request("GET", "/api/v1/info").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("the server did not answer /api/v1/info in time")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.process is None:
            return None
        self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.process = None
        return code

    def kill(self):
        return self.stop(signal.SIGKILL)

    def restart(self):
        self.kill()
        self.start()

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def log(self):
        with open(self.log_file, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def cleanup(self):
        self.stop()
        if self.slapd is not None:
            self.slapd.cleanup()
            self.slapd = None
        self.dir.cleanup()

    # HTTP --------------------------------------------------------------

    def request(self, method, path, body=None, token=None, lang=None, raw=None, headers=None):
        data = raw
        all_headers = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode("utf-8")
        if data is not None:
            all_headers.setdefault("Content-Type", "application/json")
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        if lang is not None:
            all_headers["Accept-Language"] = lang
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return Response(r.status, r.headers, r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, e.headers, e.read())

    def admin(self, method, path, body=None):
        return self.request(method, "/api/v1/admin" + path, body, token=ADMIN_TOKEN)


def totp(secret, at):
    """The code of @secret at Unix time @at, from oathtool."""
    out = subprocess.run(["oathtool", "--totp", "-b", secret, "--now", f"@{at}"],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def other_code(secret, at):
    """A well-formed code that matches no step of the window around @at."""
    valid = {totp(secret, at + d * 30) for d in (-2, -1, 0, 1, 2)}
    for n in range(1000000):
        code = f"{(n * 7919 + 13) % 1000000:06d}"
        if code not in valid:
            return code
    raise AssertionError("no wrong code found")


def parts(msg):
    """The decoded text/plain and text/html parts of a message."""
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    # The parts have CRLF line ends, as RFC 5322 wants.
    return (text.get_content().replace("\r\n", "\n"),
            html.get_content().replace("\r\n", "\n"))


def reset_token(msg):
    text, _ = parts(msg)
    m = re.search(r"vestibule://reset\?login=([a-z0-9._-]+)&token=([A-Z2-7]+)", text)
    assert m, text
    return m.group(2)


# What a sanitizer or GLib writes when something went wrong: under the
# ASan+UBSan build (build-aux/run-tests.sh), leaks found by LeakSanitizer at
# exit, memory errors and undefined behaviour all end up in the server's log.
# A library's warning (GLib, json-glib, libsoup) is a fault too; the
# server's own warnings are operational and may be expected.
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "CRITICAL")
LIBRARY_WARNING = re.compile(r" WARNING (?!vestibule-server:)\S+: ")


def check_clean_exit(code, log):
    """Fails unless a graceful stop (SIGTERM) exited 0 with nothing in @log
    that a sanitizer or a library writes on a fault."""
    assert code == 0, f"the server exited with {code}:\n{log[-4000:]}"
    for mark in SANITIZER_MARKS:
        assert mark not in log, f"{mark!r} in the server's log:\n{log[-4000:]}"
    m = LIBRARY_WARNING.search(log)
    assert m is None, f"a library's warning in the server's log:\n{log[max(0, m.start() - 200):m.start() + 800] if m else ''}"


class ServerTestCase(unittest.TestCase):
    """Starts a mail sink and a server for each test class."""

    extra_config = ""
    threads = None

    @classmethod
    def setUpClass(cls):
        cls.sink = MailSink()
        cls.sink.start()
        cls.server = Server(cls.sink.port, cls.extra_config, cls.threads)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        log = cls.server.log()
        cls.server.cleanup()
        cls.sink.stop()
        check_clean_exit(code, log)

    def invite(self, login, language="en", display_name="Jean Dupont", email_address=None):
        email_address = email_address or f"{login}@example.org"
        r = self.server.admin("POST", "/accounts", {
            "login": login, "email": email_address, "display_name": display_name,
            "language": language})
        self.assertEqual(r.status, 201, r)
        # Wait for the invitation, so that later counts are not racing it.
        self.sink.wait(1, to=email_address)
        return email_address

    def set_password(self, login, email_address, password):
        before = self.sink.count(email_address, RESET_MARK)
        r = self.server.request("POST", "/api/v1/password-resets", {"login": login})
        self.assertEqual(r.status, 202, r)
        _, msg = self.sink.wait(before + 1, to=email_address, containing=RESET_MARK)[-1]
        token = reset_token(msg)
        return self.server.request("POST", "/api/v1/password",
                                   {"login": login, "token": token, "password": password})
