#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The whole life of an account, as the issue describes it: invitation,
reset, policy, password, sign-in, TOTP enrolment and activation, replay,
lock-out, a kill -9 and restart, helpdesk unlock and reset-2fa."""

import os
import re
import sqlite3
import stat
import time
import unittest

from vsttest import ADMIN_TOKEN, STORE, ServerTestCase, other_code, parts, reset_token, totp

PASSWORD = "Velo-Rouge-Montagne-42"


class Lifecycle(ServerTestCase):

    def wait_last_email(self, login, status, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            account = self.server.admin("GET", f"/accounts/{login}").json
            if account["last_email"] and account["last_email"]["status"] == status:
                return account
            if time.monotonic() > deadline:
                self.fail(f"last_email never became {status}: {account}")
            time.sleep(0.1)

    def test_whole_life(self):
        s = self.server
        secrets = [ADMIN_TOKEN, PASSWORD]
        codes = []

        # The helpdesk invites a French-speaking person; the login is case-folded.
        r = s.admin("POST", "/accounts", {
            "login": "JDupont", "email": "jean@example.org", "display_name": "Jean Dupönt",
            "language": "fr", "space_name": "Groupe d’experts <IA> & co",
            "space_url": "https://spaces.example.org/ia"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["login"], "jdupont")
        self.assertFalse(r.json["password_set"])
        self.assertIsNone(r.json["password_expires_at"])
        self.assertEqual(r.json["totp"], "none")
        self.assertEqual(r.json["space"], {"name": "Groupe d’experts <IA> & co",
                                           "url": "https://spaces.example.org/ia"})
        self.assertEqual(r.json["last_email"]["kind"], "invitation")
        self.assertEqual(s.admin("POST", "/accounts", {
            "login": "jdupont", "email": "x@example.org", "display_name": "X",
            "language": "en"}).json["error"], "account_exists")

        # The invitation arrives: MIME, UTF-8, French, both parts, the link.
        envelope, msg = self.sink.wait(1, to="jean@example.org")[0]
        self.assertEqual(envelope.mail_from, "noreply@example.org")
        self.assertIn(b"Subject: =?UTF-8?B?", envelope.content)
        self.assertEqual(msg["Subject"], "Votre accès à Groupe d’experts <IA> & co (Conseil de l’Europe)")
        self.assertIn("noreply@example.org", msg["From"])
        self.assertEqual(msg["From"].addresses[0].display_name, "Conseil de l’Europe")
        self.assertEqual(msg["To"].addresses[0].display_name, "Jean Dupönt")
        self.assertTrue(msg["Message-ID"].startswith("<") and "@example.org>" in msg["Message-ID"])
        self.assertIsNotNone(msg["Date"].datetime)
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        for part in msg.iter_parts():
            self.assertEqual(part.get_content_charset(), "utf-8")
        text, html = parts(msg)
        self.assertIn("vestibule://invite?login=jdupont", text)
        self.assertIn('href="vestibule://invite?login=jdupont"', html)
        self.assertIn("Votre identifiant : jdupont", text)
        self.assertIn("https://spaces.example.org/ia", text)
        self.assertIn("Bonjour Jean Dupönt", text)
        # Values are escaped in the HTML part, as they are not in the text one.
        self.assertIn("Groupe d’experts &lt;IA&gt; &amp; co", html)
        self.assertNotIn("<IA>", html)
        self.wait_last_email("jdupont", "sent")

        # A reset request: always 202; the e-mail carries link and code.
        r = s.request("POST", "/api/v1/password-resets", {"login": "JDUPONT"})
        self.assertEqual((r.status, r.json), (202, {"status": "sent"}))
        _, msg = self.sink.wait(2, to="jean@example.org")[1]
        self.assertEqual(msg["Subject"], "Choisissez votre mot de passe pour Conseil de l’Europe")
        token = reset_token(msg)
        secrets.append(token)
        self.assertEqual(len(token), 26)
        text, html = parts(msg)
        self.assertIn(f"vestibule://reset?login=jdupont&token={token}", text)
        self.assertIn(f"\n  {token}\n", text)
        self.assertIn("24 heures", text)
        self.assertIn(token, html)

        # The policy: the right rule ids, in the request's language.
        r = s.request("POST", "/api/v1/password", {"login": "jdupont", "token": token, "password": "court"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"], "password_policy")
        self.assertIn("min-length", r.json["violations"])
        self.assertEqual(r.json["message"], "This password does not follow the rules.")
        r = s.request("POST", "/api/v1/password",
                      {"login": "jdupont", "token": token, "password": "xx-jdupont-XX-2024"}, lang="fr-FR, en;q=0.5")
        self.assertEqual(r.status, 422, r)
        self.assertIn("no-login", r.json["violations"])
        self.assertNotIn("min-length", r.json["violations"])
        self.assertEqual(r.json["message"], "Ce mot de passe ne respecte pas les règles.")
        r = s.request("POST", "/api/v1/password", {"login": "jdupont", "token": token, "password": "password"})
        self.assertIn("not-common", r.json["violations"])

        # The password is set; a session comes with it; the token is spent.
        before = s.now()
        r = s.request("POST", "/api/v1/password", {"login": "jdupont", "token": token, "password": PASSWORD})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["totp"], "none")
        self.assertAlmostEqual(r.json["password_expires_at"], before + 183 * 86400, delta=120)
        secrets.append(r.json["session"])
        r = s.request("POST", "/api/v1/password",
                      {"login": "jdupont", "token": token, "password": "Autre-Mot-De-Passe-77"})
        self.assertEqual((r.status, r.json["error"]), (400, "invalid_token"))

        # The confirmation e-mail says until when.
        _, msg = self.sink.wait(3, to="jean@example.org")[2]
        text, _ = parts(msg)
        self.assertIn("valable jusqu’au", text)
        self.assertRegex(text, r"jusqu’au \d{1,2} [a-zéû]+ \d{4}")

        # Sign in.
        r = s.request("POST", "/api/v1/sessions", {"login": "jdupont", "password": PASSWORD + "x"})
        self.assertEqual((r.status, r.json["error"]), (401, "invalid_credentials"))
        r = s.request("POST", "/api/v1/sessions", {"login": "jdupont", "password": PASSWORD})
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json["password_expired"])
        self.assertEqual(r.json["totp"], "none")
        session = r.json["session"]
        secrets.append(session)
        r = s.request("GET", "/api/v1/account", token=session)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["login"], "jdupont")
        self.assertEqual(r.json["display_name"], "Jean Dupönt")
        self.assertEqual(r.json["language"], "fr")
        self.assertEqual(r.json["space"]["url"], "https://spaces.example.org/ia")
        self.assertEqual(s.request("GET", "/api/v1/account").status, 401)
        self.assertEqual(s.request("GET", "/api/v1/account", token="AAAA" * 13).status, 401)

        # Enrol TOTP.
        r = s.request("POST", "/api/v1/totp", token=session)
        self.assertEqual(r.status, 201, r)
        secret = r.json["secret"]
        secrets.append(secret)
        self.assertRegex(secret, r"^[A-Z2-7]{32}$")
        self.assertEqual((r.json["algorithm"], r.json["digits"], r.json["period"]), ("SHA1", 6, 30))
        self.assertTrue(r.json["uri"].startswith("otpauth://totp/"))
        self.assertIn(f"secret={secret}", r.json["uri"])
        self.assertIn("Council", r.json["uri"])
        self.assertEqual(s.request("GET", "/api/v1/account", token=session).json["totp"], "pending")

        r = s.request("POST", "/api/v1/totp/activate", {"code": "12ab56", "password": PASSWORD}, token=session)
        self.assertEqual((r.status, r.json["error"], r.json["reason"]), (422, "invalid_code", "malformed"))
        r = s.request("POST", "/api/v1/totp/activate", {"code": other_code(secret, s.now()), "password": PASSWORD}, token=session)
        self.assertEqual((r.status, r.json["reason"]), (422, "mismatch"))

        # A code computed by oathtool from the returned secret activates it.
        code = totp(secret, s.now())
        codes.append(code)
        # The password comes along: a directory store proves the pairing
        # with a password-and-code sign-in of its own (docs/api.md).
        r = s.request("POST", "/api/v1/totp/activate", {"code": code, "password": PASSWORD}, token=session)
        self.assertEqual((r.status, r.json), (200, {"totp": "active"}))

        # The same code again is refused, everywhere.
        r = s.request("POST", "/api/v1/totp/activate", {"code": code, "password": PASSWORD}, token=session)
        self.assertEqual((r.status, r.json["error"]), (409, "totp_not_pending"))
        r = s.request("POST", "/api/v1/totp/verify", {"code": code}, token=session)
        self.assertEqual((r.status, r.json["error"], r.json["reason"]), (422, "invalid_code", "replayed"))
        r = s.request("POST", "/api/v1/totp", token=session)
        self.assertEqual((r.status, r.json["error"]), (409, "totp_active"))

        # Wrong codes lock: 5 (the replay above did not count).
        wrong = other_code(secret, s.now())
        for i in range(4):
            r = s.request("POST", "/api/v1/totp/verify", {"code": wrong}, token=session)
            self.assertEqual((r.status, r.json["reason"]), (422, "mismatch"), i)
        r = s.request("POST", "/api/v1/totp/verify", {"code": wrong}, token=session)
        self.assertEqual((r.status, r.json["error"]), (429, "locked"), r)
        self.assertEqual(r.json["retry_after"], 60)
        self.assertEqual(r.headers["Retry-After"], "60")
        # Locked: even a right code waits.
        r = s.request("POST", "/api/v1/totp/verify", {"code": totp(secret, s.now() + 30)}, token=session)
        self.assertEqual((r.status, r.json["error"]), (429, "locked"))
        # Code failures are not password failures: signing in still works.
        self.assertEqual(s.request("POST", "/api/v1/sessions",
                                   {"login": "jdupont", "password": PASSWORD}).status, 200)
        self.assertIsNotNone(s.admin("GET", "/accounts/jdupont").json["locked_until"])

        # kill -9 and restart: every state is still there.
        s.kill()
        s.start()
        account = s.admin("GET", "/accounts/jdupont").json
        self.assertTrue(account["password_set"])
        self.assertEqual(account["totp"], "active")
        self.assertIsNotNone(account["locked_until"])
        self.assertEqual(account["last_email"]["kind"], "password-set")
        r = s.request("GET", "/api/v1/account", token=session)
        self.assertEqual((r.status, r.json["totp"]), (200, "active"))
        r = s.request("POST", "/api/v1/sessions", {"login": "jdupont", "password": PASSWORD})
        self.assertEqual((r.status, r.json["totp"]), (200, "active"))
        r = s.request("POST", "/api/v1/totp/verify", {"code": totp(secret, s.now())}, token=session)
        self.assertEqual((r.status, r.json["error"]), (429, "locked"))
        r = s.request("POST", "/api/v1/totp/verify", {"code": code}, token=session)
        self.assertEqual(r.status, 429)

        # The lock ends after 60 s; the next step's code is accepted.
        s.advance(61)
        code = totp(secret, s.now())
        codes.append(code)
        r = s.request("POST", "/api/v1/totp/verify", {"code": code}, token=session)
        self.assertEqual((r.status, r.json), (200, {"totp": "active"}))

        # Each lock in a row doubles.
        wrong = other_code(secret, s.now())
        for _ in range(4):
            self.assertEqual(s.request("POST", "/api/v1/totp/verify", {"code": wrong}, token=session).status, 422)
        r = s.request("POST", "/api/v1/totp/verify", {"code": wrong}, token=session)
        self.assertEqual((r.status, r.json["retry_after"]), (429, 60))
        s.advance(61)
        wrong = other_code(secret, s.now())
        for _ in range(4):
            self.assertEqual(s.request("POST", "/api/v1/totp/verify", {"code": wrong}, token=session).status, 422)
        r = s.request("POST", "/api/v1/totp/verify", {"code": wrong}, token=session)
        self.assertEqual((r.status, r.json["retry_after"]), (429, 120))

        # The helpdesk lifts the lock.
        r = s.admin("POST", "/accounts/jdupont/unlock")
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.json["locked_until"])
        s.advance(30)
        code = totp(secret, s.now())
        codes.append(code)
        self.assertEqual(s.request("POST", "/api/v1/totp/verify", {"code": code}, token=session).status, 200)

        # Lost phone: the helpdesk removes the second factor; enrol again.
        r = s.admin("POST", "/accounts/jdupont/reset-2fa")
        self.assertEqual((r.status, r.json["totp"]), (200, "none"))
        self.assertEqual(s.request("GET", "/api/v1/account", token=session).json["totp"], "none")
        r = s.request("POST", "/api/v1/totp/verify", {"code": code}, token=session)
        self.assertEqual((r.status, r.json["error"]), (409, "totp_not_active"))
        r = s.request("POST", "/api/v1/totp", token=session)
        self.assertEqual(r.status, 201, r)
        new_secret = r.json["secret"]
        secrets.append(new_secret)
        self.assertNotEqual(new_secret, secret)
        code = totp(new_secret, s.now())
        codes.append(code)
        # The password comes along: a directory store proves the pairing
        # with a password-and-code sign-in of its own (docs/api.md).
        r = s.request("POST", "/api/v1/totp/activate", {"code": code, "password": PASSWORD}, token=session)
        self.assertEqual((r.status, r.json), (200, {"totp": "active"}))
        self.assertEqual(s.admin("GET", "/accounts/jdupont").json["totp"], "active")
        listed = s.admin("GET", "/accounts").json["accounts"]
        self.assertEqual([a["login"] for a in listed], ["jdupont"])

        if STORE == "ldap":
            self.check_directory(s, secrets, new_secret)
        else:
            self.check_database(s, token, session)

        # The log: structured, and without a secret.
        log = s.log()
        self.assertIn("EVENT=totp-activated", log)
        self.assertIn("LOGIN=jdupont", log)
        for value in secrets:
            self.assertNotIn(value, log)
        bare = re.sub(r"^\S+ ", "", log, flags=re.M)  # without the time stamps
        for value in codes:
            self.assertNotRegex(bare, rf"(?<!\d){value}(?!\d)")

    def check_directory(self, s, secrets, secret):
        """The directory holds the account, the hashed password and the
        active key; the service's own file holds neither."""
        import base64
        import slapdtest
        r = s.slapd.root("ldapsearch", "-LLL", "-b", s.slapd.user_dn("jdupont"), "*", "+")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("mail: jean@example.org", r.stdout)
        self.assertIn("preferredLanguage: fr", r.stdout)
        self.assertIn("objectClass: oathTOTPUser", r.stdout)
        self.assertIn(f"oathTOTPToken: cn=jdupont,{slapdtest.TOKENS_DN}", r.stdout)
        self.assertIn("userPassword:: ", r.stdout)
        stored = re.search(r"^userPassword:: (\S+)", r.stdout, re.M).group(1)
        self.assertTrue(base64.b64decode(stored).startswith(b"{SSHA}"))
        r = s.slapd.root("ldapsearch", "-LLL", "-b", f"cn=jdupont,{slapdtest.TOKENS_DN}", "oathSecret")
        raw = base64.b64decode(re.search(r"^oathSecret:: (\S+)", r.stdout, re.M).group(1))
        self.assertEqual(base64.b32encode(raw).decode().rstrip("="), secret)
        db = sqlite3.connect(f"file:{s.database}?mode=ro", uri=True)
        dump = "\n".join(db.iterdump())
        db.close()
        for value in secrets:
            self.assertNotIn(value, dump)

    def check_database(self, s, token, session):
        # The database: 0600, write-ahead logging, no secret in clear.
        self.assertEqual(stat.S_IMODE(os.stat(s.database).st_mode), 0o600)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(s.database + suffix):
                self.assertEqual(stat.S_IMODE(os.stat(s.database + suffix).st_mode), 0o600)
        db = sqlite3.connect(f"file:{s.database}?mode=ro", uri=True)
        self.assertEqual(db.execute("PRAGMA journal_mode").fetchone()[0], "wal")
        self.assertGreaterEqual(db.execute("PRAGMA user_version").fetchone()[0], 1)
        (stored,) = db.execute("SELECT password_hash FROM accounts WHERE login = 'jdupont'").fetchone()
        self.assertTrue(stored.startswith("$scrypt$ln=15,r=8,p=1$"), stored)
        self.assertEqual(db.execute("SELECT count(*) FROM outbox WHERE message IS NOT NULL"
                                    " AND status = 1").fetchone()[0], 0)
        dump = "\n".join(db.iterdump())
        db.close()
        for value in (PASSWORD, token, session, ADMIN_TOKEN):
            self.assertNotIn(value, dump)


if __name__ == "__main__":
    unittest.main(verbosity=2)
