# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the robustness suite, on top of tests/server/vsttest.py:
a keep-alive HTTP client, TOTP codes computed here (the core's codes are
checked against oathtool elsewhere), and the store checks that say nothing
is half-done."""

import base64
import hashlib
import hmac
import http.client
import json
import sqlite3
import struct

from vsttest import ADMIN_TOKEN, Response

PASSWORD = "Velo-Rouge-Montagne-42"


def totp(secret, at):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", at // 30), hashlib.sha1).digest()
    o = mac[-1] & 15
    return f"{(struct.unpack('>I', mac[o:o + 4])[0] & 0x7fffffff) % 1000000:06d}"


def window(secret, at, span=1):
    """Every code the server accepts at @at (one step back, one ahead); a
    wider @span leaves room for the real clock ticking on."""
    return {totp(secret, at + d * 30) for d in range(-span, span + 1)}


class Client:
    """One keep-alive connection to the server; reconnects when it drops."""

    def __init__(self, server, timeout=60):
        self.server = server
        self.timeout = timeout
        self.conn = None

    def request(self, method, path, body=None, token=None):
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.server.port,
                                                       timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                return Response(r.status, r.headers, r.read())
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server closed: once more, new.
                self.close()
                if attempt == 1 or method != "GET":
                    raise
        raise AssertionError("unreachable")

    def admin(self, method, path, body=None):
        return self.request(method, "/api/v1/admin" + path, body, token=ADMIN_TOKEN)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def integrity(database):
    """PRAGMA integrity_check and foreign_key_check of a stopped server's
    database, and the invariants that say no change was left half-done."""
    db = sqlite3.connect(database)
    try:
        problems = []
        check = [r[0] for r in db.execute("PRAGMA integrity_check")]
        if check != ["ok"]:
            problems.append(f"integrity_check: {check}")
        fk = db.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk}")
        for sql, what in [
            ("SELECT login FROM accounts WHERE totp_state != 0 AND totp_secret IS NULL",
             "a pending or active key without a secret"),
            ("SELECT login FROM accounts WHERE totp_state = 2 AND totp_last_step < 0",
             "an active key that never accepted a code"),
            ("SELECT login FROM accounts WHERE totp_state NOT IN (0, 1, 2)", "an unknown TOTP state"),
            ("SELECT login FROM accounts WHERE (password_hash IS NULL) != (password_set_at = 0)",
             "a password without its date, or the reverse"),
            ("SELECT a.login FROM accounts a WHERE password_hash IS NOT NULL AND NOT EXISTS"
             " (SELECT 1 FROM password_history h WHERE h.account_id = a.id AND h.hash = a.password_hash)",
             "a password missing from its history"),
            ("SELECT a.login FROM accounts a WHERE password_hash IS NOT NULL AND NOT EXISTS"
             " (SELECT 1 FROM reset_tokens t WHERE t.account_id = a.id AND t.state = 1)",
             "a password set without a spent token"),
            ("SELECT a.login FROM accounts a WHERE password_hash IS NULL AND EXISTS"
             " (SELECT 1 FROM reset_tokens t WHERE t.account_id = a.id AND t.state = 1)",
             "a spent token without a password"),
            ("SELECT a.login FROM accounts a WHERE NOT EXISTS"
             " (SELECT 1 FROM outbox o WHERE o.account_id = a.id AND o.kind = 'invitation')",
             "an account without its invitation"),
            ("SELECT a.login FROM accounts a WHERE password_hash IS NOT NULL AND NOT EXISTS"
             " (SELECT 1 FROM outbox o WHERE o.account_id = a.id AND o.kind = 'password-set')",
             "a password set without its confirmation e-mail"),
        ]:
            rows = [r[0] for r in db.execute(sql)]
            if rows:
                problems.append(f"{what}: {rows[:10]}")
        return problems
    finally:
        db.close()
