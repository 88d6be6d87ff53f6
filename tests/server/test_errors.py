#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Everything that must be refused, clearly, without bringing the server
down: malformed requests, unknown logins, throttling, spent and expired
tokens, reused passwords, wrong credentials, French messages."""

import socket
import time
import unittest

from vsttest import ADMIN_TOKEN, ServerTestCase, reset_token


class Errors(ServerTestCase):

    def assertError(self, r, status, code):
        self.assertEqual(r.status, status, r)
        self.assertIsNotNone(r.json, r)
        self.assertEqual(r.json["error"], code, r)
        self.assertIsInstance(r.json["message"], str)
        self.assertTrue(r.json["message"])
        self.assertTrue(r.headers["Content-Type"].startswith("application/json"), r.headers)

    def tearDown(self):
        # Whatever a test sent, the server is still up.
        self.assertTrue(self.server.alive())
        self.assertEqual(self.server.request("GET", "/api/v1/info").status, 200)

    def test_info(self):
        r = self.server.request("GET", "/api/v1/info")
        self.assertEqual(r.json["organisation"], "Conseil de l’Europe")
        self.assertEqual(r.json["issuer"], "Council of Europe")
        self.assertEqual(r.json["languages"], ["en", "fr"])
        self.assertAlmostEqual(r.json["server_time"], time.time(), delta=5)
        self.assertEqual(r.json["password_policy"]["preset"], "default")
        self.assertEqual(r.json["password_lifetime_days"], 183)
        self.assertEqual(r.json["totp"], {"algorithm": "SHA1", "digits": 6, "period": 30})

    def test_malformed_requests(self):
        s = self.server
        for raw in (b"{", b"", b"\xff\xfe", b"null", b"[1, 2]", b'"login"', b"{'login': 'x'}"):
            self.assertError(s.request("POST", "/api/v1/sessions", raw=raw), 400, "bad_request")
        r = s.request("POST", "/api/v1/sessions", {"login": 42, "password": "x"})
        self.assertError(r, 400, "bad_request")
        self.assertEqual(r.json["member"], "login")
        r = s.request("POST", "/api/v1/sessions", {"login": "x"})
        self.assertEqual(r.json["member"], "password")
        r = s.request("POST", "/api/v1/password-resets", {"login": ["a"]})
        self.assertError(r, 400, "bad_request")
        r = s.request("POST", "/api/v1/password", {"login": "a", "token": None, "password": "x"})
        self.assertError(r, 400, "bad_request")
        self.assertError(s.request("POST", "/api/v1/sessions", raw=b"x" * (64 * 1024 + 1)),
                         413, "payload_too_large")
        self.assertError(s.request("POST", "/api/v1/sessions",
                                   {"login": "a", "password": "b" * 70000}), 413, "payload_too_large")
        self.assertError(s.request("GET", "/api/v1/nothing"), 404, "not_found")
        self.assertError(s.request("GET", "/"), 404, "not_found")
        self.assertError(s.request("GET", "/api/v1/admin/accounts/a/b/c", token=ADMIN_TOKEN), 404, "not_found")
        r = s.request("DELETE", "/api/v1/info")
        self.assertError(r, 405, "method_not_allowed")
        self.assertEqual(r.headers["Allow"], "GET")
        r = s.request("GET", "/api/v1/sessions")
        self.assertError(r, 405, "method_not_allowed")
        self.assertEqual(r.headers["Allow"], "POST")

    def test_garbage_on_the_socket(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as c:
            c.sendall(b"\x00\x01garbage\r\n\r\n")
            c.recv(1000)
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as c:
            c.sendall(b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        self.assertEqual(self.server.request("GET", "/api/v1/info").status, 200)

    def test_french_messages(self):
        s = self.server
        r = s.request("POST", "/api/v1/sessions", {"login": "personne", "password": "x"}, lang="fr")
        self.assertError(r, 401, "invalid_credentials")
        self.assertEqual(r.json["message"], "L’identifiant ou le mot de passe est incorrect.")
        self.assertEqual(r.headers["Content-Language"], "fr")
        r = s.request("POST", "/api/v1/sessions", {"login": "personne", "password": "x"}, lang="en-GB,fr;q=0.8")
        self.assertEqual(r.json["message"], "The login or the password is wrong.")
        r = s.request("POST", "/api/v1/sessions", {"login": "personne", "password": "x"}, lang="de, fr-CA;q=0.9")
        self.assertEqual(r.json["message"], "L’identifiant ou le mot de passe est incorrect.")
        r = s.request("GET", "/api/v1/nothing", lang="fr")
        self.assertEqual(r.json["message"], "Il n’y a rien à cette adresse.")
        r = s.request("POST", "/api/v1/sessions", raw=b"{", lang="fr")
        self.assertEqual(r.json["message"], "La requête n’est pas du JSON valide.")

    def test_unknown_login(self):
        s = self.server
        r = s.request("POST", "/api/v1/password-resets", {"login": "nobody"})
        self.assertEqual((r.status, r.json), (202, {"status": "sent"}))
        r = s.request("POST", "/api/v1/sessions", {"login": "nobody", "password": "Whatever-123456"})
        self.assertError(r, 401, "invalid_credentials")
        r = s.request("POST", "/api/v1/password",
                      {"login": "nobody", "token": "A" * 26, "password": "Whatever-123456"})
        self.assertError(r, 400, "invalid_token")
        self.assertError(s.admin("GET", "/accounts/nobody"), 404, "not_found")
        self.assertError(s.admin("POST", "/accounts/nobody/unlock"), 404, "not_found")
        time.sleep(1.5)
        for envelope, _ in self.sink.messages:
            self.assertNotIn(b"login=nobody", envelope.content)
        self.assertNotIn("EVENT=reset-sent LOGIN=nobody", s.log())
        self.assertIn("EVENT=reset-unknown-login", s.log())

    def test_account_without_password(self):
        email_address = self.invite("nopassword")
        r = self.server.request("POST", "/api/v1/sessions", {"login": "nopassword", "password": ""})
        self.assertError(r, 401, "invalid_credentials")
        self.sink.wait(1, to=email_address)

    def test_admin_validation(self):
        s = self.server
        good = {"login": "valid.login", "email": "v@example.org", "display_name": "V", "language": "en"}
        self.assertError(s.request("GET", "/api/v1/admin/accounts"), 401, "unauthorized")
        self.assertError(s.request("GET", "/api/v1/admin/accounts", token=ADMIN_TOKEN + "x"), 401, "unauthorized")
        self.assertError(s.request("POST", "/api/v1/admin/accounts", good, token="wrong"), 401, "unauthorized")
        for change in ({"login": "a"}, {"login": "has space"}, {"login": "x" * 65}, {"login": "é-accent"},
                       {"email": "no-at"}, {"email": "a@b@c.org"}, {"email": "a b@example.org"},
                       {"email": "<a@example.org>"}, {"language": "de"}, {"display_name": ""},
                       {"display_name": "line\nbreak"}, {"space_url": "ftp://x"}, {"language": 1}):
            r = s.admin("POST", "/accounts", dict(good, **change))
            self.assertError(r, 400, "bad_request")
        self.assertEqual(s.admin("GET", "/accounts/valid.login").status, 404)

    def test_token_rules(self):
        s = self.server
        email_address = self.invite("tokens")
        s.request("POST", "/api/v1/password-resets", {"login": "tokens"})
        old = reset_token(self.sink.wait(2, to=email_address)[1][1])
        s.request("POST", "/api/v1/password-resets", {"login": "tokens"})
        new = reset_token(self.sink.wait(3, to=email_address)[2][1])
        self.assertNotEqual(old, new)
        # A newer token supersedes the older one.
        r = s.request("POST", "/api/v1/password", {"login": "tokens", "token": old, "password": "Velo-Rouge-Montagne-42"})
        self.assertError(r, 400, "invalid_token")
        # A token is for its own login only.
        other = self.invite("other")
        r = s.request("POST", "/api/v1/password", {"login": "other", "token": new, "password": "Velo-Rouge-Montagne-42"})
        self.assertError(r, 400, "invalid_token")
        # Typed in lower case with spaces, it still works.
        typed = " ".join(new[i:i + 4] for i in range(0, len(new), 4)).lower()
        r = s.request("POST", "/api/v1/password", {"login": "tokens", "token": typed, "password": "Velo-Rouge-Montagne-42"})
        self.assertEqual(r.status, 200, r)

    def test_expired_token(self):
        s = self.server
        email_address = self.invite("expiry")
        s.request("POST", "/api/v1/password-resets", {"login": "expiry"})
        token = reset_token(self.sink.wait(2, to=email_address)[1][1])
        s.advance(24 * 3600 + 1)
        try:
            r = s.request("POST", "/api/v1/password", {"login": "expiry", "token": token, "password": "Velo-Rouge-Montagne-42"})
            self.assertError(r, 400, "invalid_token")
        finally:
            s.advance(-(24 * 3600 + 1))

    def test_reset_rate_limit(self):
        s = self.server
        email_address = self.invite("ratelimit")
        self.sink.wait(1, to=email_address)
        for _ in range(7):
            self.assertEqual(s.request("POST", "/api/v1/password-resets", {"login": "ratelimit"}).status, 202)
        self.sink.wait(6, to=email_address)
        time.sleep(1.5)
        self.assertEqual(self.sink.count(email_address), 6)

    def test_password_reuse_and_expiry(self):
        s = self.server
        email_address = self.invite("reuse")
        first, second = "Velo-Rouge-Montagne-42", "Train-Bleu-Riviere-17"
        self.assertEqual(self.set_password("reuse", email_address, first).status, 200)
        r = self.set_password("reuse", email_address, first)
        self.assertError(r, 422, "password_reused")
        r = self.set_password("reuse", email_address, second)
        self.assertEqual(r.status, 200, r)
        r = self.set_password("reuse", email_address, first)
        self.assertError(r, 422, "password_reused")
        # A new password closed the older sessions.
        r = s.request("POST", "/api/v1/sessions", {"login": "reuse", "password": first})
        self.assertError(r, 401, "invalid_credentials")
        r = s.request("POST", "/api/v1/sessions", {"login": "reuse", "password": second})
        self.assertEqual((r.status, r.json["password_expired"]), (200, False))
        # After the lifetime, the password is expired (sign-in still says so).
        s.advance(184 * 86400)
        try:
            r = s.request("POST", "/api/v1/sessions", {"login": "reuse", "password": second})
            self.assertEqual((r.status, r.json["password_expired"]), (200, True))
            self.assertTrue(s.admin("GET", "/accounts/reuse").json["password_expired"])
        finally:
            s.advance(-184 * 86400)

    def test_signin_throttle(self):
        s = self.server
        email_address = self.invite("throttle")
        password = "Velo-Rouge-Montagne-42"
        self.assertEqual(self.set_password("throttle", email_address, password).status, 200)
        for _ in range(5):
            self.assertError(s.request("POST", "/api/v1/sessions", {"login": "throttle", "password": "wrong"}),
                             401, "invalid_credentials")
        r = s.request("POST", "/api/v1/sessions", {"login": "Throttle", "password": password})
        self.assertError(r, 429, "throttled")
        self.assertGreater(int(r.headers["Retry-After"]), 800)
        self.assertEqual(r.json["retry_after"], int(r.headers["Retry-After"]))
        self.assertIsNotNone(s.admin("GET", "/accounts/throttle").json["locked_until"])
        # Unknown logins are throttled the same way.
        for _ in range(5):
            s.request("POST", "/api/v1/sessions", {"login": "ghost", "password": "wrong"})
        self.assertError(s.request("POST", "/api/v1/sessions", {"login": "ghost", "password": "x"}), 429, "throttled")
        # The helpdesk lifts it.
        self.assertIsNone(s.admin("POST", "/accounts/throttle/unlock").json["locked_until"])
        self.assertEqual(s.request("POST", "/api/v1/sessions", {"login": "throttle", "password": password}).status, 200)
        # Or the window passes.
        for _ in range(5):
            s.request("POST", "/api/v1/sessions", {"login": "throttle", "password": "wrong"})
        self.assertEqual(s.request("POST", "/api/v1/sessions", {"login": "throttle", "password": password}).status, 429)
        s.advance(15 * 60 + 1)
        try:
            self.assertEqual(s.request("POST", "/api/v1/sessions", {"login": "throttle", "password": password}).status, 200)
        finally:
            s.advance(-(15 * 60 + 1))

    def test_session_and_totp_errors(self):
        s = self.server
        for path in ("/api/v1/totp", "/api/v1/totp/activate", "/api/v1/totp/verify"):
            self.assertError(s.request("POST", path, {"code": "123456"}), 401, "unauthorized")
            self.assertError(s.request("POST", path, {"code": "123456"}, token="not-base32!"), 401, "unauthorized")
        email_address = self.invite("totperr")
        r = self.set_password("totperr", email_address, "Velo-Rouge-Montagne-42")
        session = r.json["session"]
        self.assertError(s.request("POST", "/api/v1/totp/activate", {"code": "123456"}, token=session),
                         409, "totp_not_pending")
        s.request("POST", "/api/v1/totp", token=session)
        self.assertError(s.request("POST", "/api/v1/totp/activate", {"code": 123456}, token=session),
                         400, "bad_request")
        self.assertError(s.request("POST", "/api/v1/totp/activate", raw=b"[]", token=session),
                         400, "bad_request")
        # Sessions expire after 12 hours.
        s.advance(12 * 3600 + 1)
        try:
            self.assertError(s.request("GET", "/api/v1/account", token=session), 401, "unauthorized")
        finally:
            s.advance(-(12 * 3600 + 1))


if __name__ == "__main__":
    unittest.main(verbosity=2)
