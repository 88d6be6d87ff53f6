#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrecy: the whole flow (invitation through vestibule-admin, reset,
password, sign-in, TOTP enrolment and activation, a verification) runs with
G_MESSAGES_DEBUG=all, and then no password, TOTP secret, reset token,
session token, TOTP code or admin token is found

- in the server's log (stdout and stderr), nor in vestibule-admin's output;
- in the argv or the environment of the server, of any process it spawns,
  or of vestibule-admin while it runs;
- in the e-mails, except the reset token in the reset e-mail (that is what
  the e-mail is for);
- in the SQLite database, its -wal or its -shm, read as bytes, in any form
  (base32 in either case, grouped, hexadecimal, raw bytes): except the TOTP
  secret, which the database must hold to check codes (it is the store).

With the LDAP store (VESTIBULE_TEST_STORE=ldap) the service's own bind
password (the content of bind-password-file) is one more secret that must
not show up anywhere, and the SQLite file, which then only keeps tokens,
sessions and the outbox, must not hold the TOTP secret either: the
directory keeps it.

And the database files and the admin token file are mode 0600; the server
refuses a secret file (the admin token's, the bind password's) that others
can read."""

import base64
import os
import re
import stat
import subprocess
import time
import unittest

from vsttest import ADMIN_TOKEN, RESET_MARK, SERVER, ServerTestCase, parts, reset_token, totp

ADMIN = os.environ.get("VESTIBULE_ADMIN")
PASSWORD = "Secret-Velo-Rouge-Montagne-42"
WRONG_PASSWORD = "Secret-Velo-Rouge-Montagne-43"  # a typo is as secret as the password


def b32_bytes(text):
    text = text.replace(" ", "").replace("-", "").upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def forms(secret, base32=True):
    """The ways @secret could show up as text."""
    out = {secret, secret.lower(), secret.upper()}
    if base32:
        raw = b32_bytes(secret)
        out |= {raw.hex(), raw.hex().upper()}
        for sep in (" ", "-"):
            grouped = sep.join(secret[i:i + 4] for i in range(0, len(secret), 4))
            out |= {grouped, grouped.lower()}
    return out


def process_tree(pid):
    """@pid and its descendants."""
    pids = [pid]
    for p in pids:
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    pids += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return pids


def proc_text(pid):
    """The argv and the environment of @pid, as text ("" once it is gone)."""
    out = []
    for name in ("cmdline", "environ"):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as f:
                out.append(f.read().replace(b"\0", b" ").decode("utf-8", "replace"))
        except OSError:
            pass
    return "\n".join(out)


class Secrecy(ServerTestCase):

    def setUp(self):
        self.seen = []  # (where, text) of every /proc sample

    def sample_server(self, when):
        for pid in process_tree(self.server.process.pid):
            self.seen.append((f"/proc/{pid} ({when})", proc_text(pid)))

    def invite_with_admin(self, login, address):
        """Invites through vestibule-admin, sampling its /proc while it runs."""
        if ADMIN is None:
            r = self.server.admin("POST", "/accounts", {"login": login, "email": address,
                                                       "display_name": "Jean Dupont", "language": "en"})
            self.assertEqual(r.status, 201, r)
            return ""
        env = {k: v for k, v in os.environ.items() if not k.startswith("VESTIBULE_")}
        env["G_MESSAGES_DEBUG"] = "all"
        argv = [ADMIN, "--server", self.server.base, "--token-file", self.server.token_file,
                "invite", login, "--email", address, "--name", "Jean Dupont", "--language", "en"]
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env)
        samples = 0
        while p.poll() is None:
            for pid in process_tree(p.pid):
                text = proc_text(pid)
                if text:
                    self.seen.append((f"vestibule-admin /proc/{pid}", text))
                    samples += 1
            time.sleep(0.001)
        out, err = p.communicate()
        self.assertEqual(p.returncode, 0, err)
        # The argv we gave it names the token's file, never the token.
        self.seen.append(("vestibule-admin argv", " ".join(argv)))
        self.assertGreater(samples, 0, "vestibule-admin ended before it could be looked at")
        return out.decode("utf-8", "replace") + err.decode("utf-8", "replace")

    def test_whole_flow(self):
        s = self.server
        login, address = "secrecy", "secrecy@example.org"
        self.sample_server("start")

        admin_output = self.invite_with_admin(login, address)
        self.sink.wait(1, to=address)

        r = s.request("POST", "/api/v1/password-resets", {"login": login})
        self.assertEqual(r.status, 202, r)
        _, msg = self.sink.wait(1, to=address, containing=RESET_MARK)[0]
        token = reset_token(msg)
        self.sample_server("after the reset")

        r = s.request("POST", "/api/v1/password", {"login": login, "token": token, "password": PASSWORD})
        self.assertEqual(r.status, 200, r)
        first_session = r.json["session"]

        r = s.request("POST", "/api/v1/sessions", {"login": login, "password": WRONG_PASSWORD})
        self.assertEqual(r.status, 401, r)
        r = s.request("POST", "/api/v1/sessions", {"login": login, "password": PASSWORD})
        self.assertEqual(r.status, 200, r)
        session = r.json["session"]
        self.sample_server("after the sign-in")

        r = s.request("POST", "/api/v1/totp", token=session)
        self.assertEqual(r.status, 201, r)
        secret = r.json["secret"]
        codes = [totp(secret, s.now())]
        # The password comes along: a directory store proves the pairing
        # with a sign-in of its own (docs/api.md); one more place where it
        # must not leak from.
        r = s.request("POST", "/api/v1/totp/activate", {"code": codes[0], "password": PASSWORD},
                      token=session)
        self.assertEqual(r.status, 200, r)
        s.advance(30)
        codes.append(totp(secret, s.now()))
        r = s.request("POST", "/api/v1/totp/verify", {"code": codes[1]}, token=session)
        self.assertEqual(r.status, 200, r)
        self.sample_server("after the TOTP activation")
        # Let the password-set e-mail go out before looking at the mail.
        self.sink.wait(3, to=address)

        # Everything that must stay secret, in every form it could take.
        no_logs = {
            "password": forms(PASSWORD, base32=False),
            "wrong password": forms(WRONG_PASSWORD, base32=False),
            "admin token": forms(ADMIN_TOKEN, base32=False),
            "TOTP secret": forms(secret),
            "reset token": forms(token),
            "first session token": forms(first_session),
            "session token": forms(session),
        }
        if s.slapd is not None:
            no_logs["directory bind password"] = forms(self.bind_password(), base32=False)
        # The codes: six digits alone, not inside a longer number.
        code_patterns = [re.compile(rf"(?<!\d){c}(?!\d)") for c in codes]

        # Logs and /proc.
        log = s.log()
        self.assertIn("EVENT=totp-activated", log, "the flow did not run with logging on")
        server_env = [text for where, text in self.seen if where.startswith(f"/proc/{s.process.pid} ")]
        self.assertIn("G_MESSAGES_DEBUG=all", server_env[0], "the server did not run with debug logging")
        bare_log = re.sub(r"^\S+ ", "", log, flags=re.M)  # without the time stamps
        texts = [("server log", log), ("vestibule-admin output", admin_output)] + self.seen
        for where, text in texts:
            for what, values in no_logs.items():
                for value in values:
                    self.assertNotIn(value, text, f"the {what} is in the {where}")
        for where, text in [("server log", bare_log), ("vestibule-admin output", admin_output)] + self.seen:
            for pattern in code_patterns:
                self.assertIsNone(pattern.search(text), f"a TOTP code is in the {where}")

        # E-mails: the reset token in the reset e-mail only.
        for envelope, message in self.sink.messages:
            raw = envelope.content.decode("utf-8", "replace")
            text, html = parts(message)
            is_reset = RESET_MARK in text
            for what, values in no_logs.items():
                if what == "reset token" and is_reset:
                    continue
                for value in values:
                    for where, content in (("raw", raw), ("text", text), ("HTML", html)):
                        self.assertNotIn(value, content, f"the {what} is in an e-mail ({where})")
            for pattern in code_patterns:
                self.assertIsNone(pattern.search(text + html), "a TOTP code is in an e-mail")

        # The database, as bytes, while the server runs (-wal and -shm
        # exist) and after a graceful stop.
        self.check_database(secret, token, [first_session, session])
        code = s.stop()
        self.assertEqual(code, 0)
        self.check_database(secret, token, [first_session, session])
        s.start()

    def check_database(self, secret, token, sessions):
        s = self.server
        files = [s.database] + [s.database + x for x in ("-wal", "-shm") if os.path.exists(s.database + x)]
        contents = b""
        for path in files:
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, path)
            with open(path, "rb") as f:
                contents += f.read()
        self.assertEqual(stat.S_IMODE(os.stat(s.token_file).st_mode), 0o600)
        if s.slapd is not None:
            self.assertEqual(stat.S_IMODE(os.stat(s.slapd.service_pw_file).st_mode), 0o600)

        never = {"password": [v.encode() for v in forms(PASSWORD, base32=False)],
                 "wrong password": [v.encode() for v in forms(WRONG_PASSWORD, base32=False)],
                 "admin token": [ADMIN_TOKEN.encode()],
                 "reset token": [v.encode() for v in forms(token)] + [b32_bytes(token)]}
        for n, session in enumerate(sessions):
            never[f"session token {n}"] = [v.encode() for v in forms(session)] + [b32_bytes(session)]
        if s.slapd is not None:
            never["directory bind password"] = [v.encode() for v in forms(self.bind_password(), base32=False)]
            # The directory holds the key (and checks the codes with it).
            never["TOTP secret"] = [v.encode() for v in forms(secret)] + [b32_bytes(secret)]
        for what, values in never.items():
            for value in values:
                self.assertNotIn(value, contents, f"the {what} is in the database files ({files})")
        if s.slapd is None:
            # The TOTP secret is there: the server needs it to check codes.
            # This is the one secret the database holds, and why the file
            # is 0600.
            self.assertIn(secret.encode(), contents)

    def bind_password(self):
        """What the LDAP store's bind-password-file holds."""
        with open(self.server.slapd.service_pw_file, encoding="utf-8") as f:
            password = f.read().strip()
        self.assertTrue(password)
        return password

    def test_secret_files_must_be_private(self):
        s = self.server
        secret_files = [(s.token_file, ADMIN_TOKEN)]
        if s.slapd is not None:
            secret_files.append((s.slapd.service_pw_file, self.bind_password()))
        for (path, secret), mode in [(f, m) for f in secret_files for m in (0o640, 0o604, 0o620)]:
            os.chmod(path, mode)
            try:
                env = dict(os.environ, VESTIBULE_TESTING="1")
                config = s.config_file
                # Another port, the same files: it must not start.
                with open(config, encoding="utf-8") as f:
                    text = f.read()
                other = config + ".other"
                with open(other, "w", encoding="utf-8") as f:
                    f.write(re.sub(r"listen=127\.0\.0\.1:\d+", "listen=127.0.0.1:1", text))
                r = subprocess.run([SERVER, "--config", other], capture_output=True, timeout=60,
                                   env=env, stdin=subprocess.DEVNULL)
                self.assertNotEqual(r.returncode, 0)
                self.assertIn(b"chmod 600", r.stdout + r.stderr)
                self.assertIn(os.path.basename(path).encode(), r.stdout + r.stderr)
                self.assertNotIn(secret.encode(), r.stdout + r.stderr)
            finally:
                os.chmod(path, 0o600)
        # The running server was not disturbed.
        self.assertEqual(s.request("GET", "/api/v1/info").status, 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
