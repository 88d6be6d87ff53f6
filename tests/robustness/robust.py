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

    def connect(self, attempts=20, timeout=5):
        """Opens the connection and makes sure that the server took it
        (GET /api/v1/info), trying again on a new one if not. Hundreds of
        clients connecting at once overflow the server's listen backlog
        (GSocket's default, 10): the kernel then drops a handshake, and a
        connection the client believes open may never be served, which
        would hang the first request until its timeout."""
        for _ in range(attempts):
            self.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
            try:
                self.conn.request("GET", "/api/v1/info")
                r = self.conn.getresponse()
                r.read()
                if r.status == 200:
                    self.conn.sock.settimeout(self.timeout)
                    return
            except (OSError, http.client.HTTPException):
                pass
        self.close()
        raise ConnectionError("the server did not take a connection")

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


# What the SQLite file holds for a password when the directory keeps it
# (src/server/vst-ldap-store.c).
PASSWORD_IN_DIRECTORY = "{LDAP}"


def integrity(database, slapd=None):
    """PRAGMA integrity_check and foreign_key_check of a stopped server's
    database, and the invariants that say no change was left half-done.
    With the LDAP store (@slapd, slapdtest.Slapd), the database is the
    service's own file beside the directory: it must hold neither a
    password hash nor a TOTP key, and every account it has is in the
    directory at least as far along (see directory_problems())."""
    db = sqlite3.connect(database)
    try:
        problems = []
        check = [r[0] for r in db.execute("PRAGMA integrity_check")]
        if check != ["ok"]:
            problems.append(f"integrity_check: {check}")
        fk = db.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk}")
        if slapd is None:
            store_invariants = [
                ("SELECT login FROM accounts WHERE totp_state != 0 AND totp_secret IS NULL",
                 "a pending or active key without a secret"),
                ("SELECT a.login FROM accounts a WHERE password_hash IS NOT NULL AND NOT EXISTS"
                 " (SELECT 1 FROM password_history h WHERE h.account_id = a.id AND h.hash = a.password_hash)",
                 "a password missing from its history"),
            ]
        else:
            # The directory keeps the key, the password and its history.
            store_invariants = [
                ("SELECT login FROM accounts WHERE totp_secret IS NOT NULL", "a TOTP key in the local file"),
                (f"SELECT login FROM accounts WHERE password_hash != '{PASSWORD_IN_DIRECTORY}'",
                 "a password hash in the local file"),
                ("SELECT DISTINCT a.login FROM accounts a JOIN password_history h ON h.account_id = a.id",
                 "a password history in the local file"),
            ]
        for sql, what in store_invariants + [
            ("SELECT login FROM accounts WHERE totp_state = 2 AND totp_last_step < 0",
             "an active key that never accepted a code"),
            ("SELECT login FROM accounts WHERE totp_state NOT IN (0, 1, 2)", "an unknown TOTP state"),
            ("SELECT login FROM accounts WHERE (password_hash IS NULL) != (password_set_at = 0)",
             "a password without its date, or the reverse"),
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
        if slapd is not None:
            rows = db.execute("SELECT login, password_hash IS NOT NULL, totp_state FROM accounts").fetchall()
            problems += directory_problems(slapd, rows)
        return problems
    finally:
        db.close()


def directory_entries(slapd, base, attributes):
    """{RDN value: {attribute: [values]}} of the entries right under @base,
    read as the rootdn."""
    r = slapd.root("ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-s", "one", "-b", base,
                   "(objectClass=*)", *attributes)
    assert r.returncode == 0, r
    entries = {}
    for block in r.stdout.strip().split("\n\n"):
        lines = block.splitlines()
        if not lines or not lines[0].startswith("dn: "):
            continue
        name = lines[0][4:].split(",", 1)[0].split("=", 1)[1].lower()
        values = {}
        for line in lines[1:]:
            key, _, value = line.partition(": ")
            values.setdefault(key.rstrip(":"), []).append(value)
        entries[name] = values
    return entries


def directory_problems(slapd, rows):
    """What the service's own file says that the directory does not: the
    directory is always written first (the entry before the local record,
    the password before its local date, the token and its link before the
    local state), so for @rows, (login, password set, TOTP state) of the
    local file, the directory can be ahead, never behind."""
    import slapdtest
    users = directory_entries(slapd, slapdtest.PEOPLE_DN, ["pwdChangedTime", "oathTOTPToken"])
    tokens = directory_entries(slapd, slapdtest.TOKENS_DN, ["cn"])
    problems = []
    for login, password_set, totp_state in rows:
        user = users.get(login)
        if user is None:
            problems.append(f"{login}: in the local file, not in the directory")
            continue
        if password_set and "pwdChangedTime" not in user:
            problems.append(f"{login}: a password locally, none in the directory")
        if totp_state >= 1 and login not in tokens:
            problems.append(f"{login}: a pending or active key locally, no token in the directory")
        if totp_state == 2 and "oathTOTPToken" not in user:
            problems.append(f"{login}: active locally, not linked in the directory")
    return problems
