#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input at the HTTP level, on every endpoint that reads a body: huge
bodies, bodies that are not JSON or not UTF-8, wrong member types, NULs,
deep nesting, very long values, bad headers and half-sent requests. Each
gets a 4xx JSON error (or, for HTTP that cannot be parsed, a closed
connection), and the server answers /api/v1/info afterwards. Under the
ASan+UBSan build the harness also fails on any sanitizer report at exit.
test_errors.py covers the basic cases (a few malformed bodies on
/sessions, 64 KiB + 1, unknown paths, methods); this file covers the rest."""

import itertools
import socket
import time
import unittest

from vsttest import ADMIN_TOKEN, ServerTestCase

PASSWORD = "Velo-Rouge-Montagne-42"
# Sign-in is throttled per login after 5 failures: each attempt that should
# fail on the password gets a login of its own.
_numbers = itertools.count()


def stranger():
    return f"stranger{next(_numbers)}"


class BadInput(ServerTestCase):

    session = None

    def setUp(self):
        # Once: a signed-in session with a pending key, so that the TOTP
        # endpoints get as far as reading their body.
        if BadInput.session is None:
            email_address = self.invite("badinput")
            r = self.set_password("badinput", email_address, PASSWORD)
            self.assertEqual(r.status, 200, r)
            BadInput.session = r.json["session"]
            self.assertEqual(self.server.request("POST", "/api/v1/totp", token=self.session).status, 201)

    # Every endpoint with a body: (path, token, a good body).
    def endpoints(self):
        return [
            ("/api/v1/password-resets", None, {"login": "badinput"}),
            ("/api/v1/password", None, {"login": "badinput", "token": "A" * 26, "password": PASSWORD}),
            ("/api/v1/sessions", None, {"login": "badinput", "password": "wrong"}),
            ("/api/v1/totp/activate", self.session, {"code": "000000"}),
            ("/api/v1/totp/verify", self.session, {"code": "000000"}),
            ("/api/v1/admin/accounts", ADMIN_TOKEN,
             {"login": "new.one", "email": "n@example.org", "display_name": "N", "language": "en"}),
        ]

    def assertError(self, r, status, code=None):
        self.assertEqual(r.status, status, r)
        self.assertIsNotNone(r.json, r)
        if code is not None:
            self.assertEqual(r.json["error"], code, r)
        self.assertTrue(r.json["message"], r)
        self.assertTrue(r.headers["Content-Type"].startswith("application/json"), r.headers)

    def assertUp(self):
        self.assertTrue(self.server.alive(), self.server.log()[-3000:])
        self.assertEqual(self.server.request("GET", "/api/v1/info").status, 200)

    def tearDown(self):
        self.assertUp()

    # Raw HTTP ------------------------------------------------------------

    def exchange(self, head, body_chunks=(), timeout=30):
        """Sends @head and then @body_chunks on a new connection for as long
        as the server reads, and returns what it answered (b"" when it
        closed without a word)."""
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=timeout) as c:
            try:
                c.sendall(head)
                for chunk in body_chunks:
                    c.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            answer = b""
            try:
                while True:
                    data = c.recv(65536)
                    if not data:
                        break
                    answer += data
                    if b"\r\n\r\n" in answer:
                        head_part, _, rest = answer.partition(b"\r\n\r\n")
                        length = [int(line.split(b":")[1]) for line in head_part.split(b"\r\n")
                                  if line.lower().startswith(b"content-length:")]
                        if length and len(rest) >= length[0]:
                            break
            except (ConnectionResetError, socket.timeout):
                pass
            return answer

    def status_of(self, answer):
        return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.") else None

    # Size ----------------------------------------------------------------

    def test_ten_megabytes(self):
        # Declared: refused from the headers, before a handler runs.
        size = 10 * 1024 * 1024
        head = (f"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {size}\r\n\r\n").encode()
        answer = self.exchange(head, (b"x" * 65536 for _ in range(size // 65536)))
        self.assertEqual(self.status_of(answer), 413, answer[:300])
        self.assertIn(b'"payload_too_large"', answer)
        # Chunked, so not declared: refused once read.
        chunk = b"x" * 65536
        head = (b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        body = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * 16 + [b"0\r\n\r\n"]
        answer = self.exchange(head, body)
        self.assertEqual(self.status_of(answer), 413, answer[:300])
        # Through every endpoint, just over the limit.
        for path, token, _ in self.endpoints():
            r = self.server.request("POST", path, raw=b"{" + b" " * (64 * 1024) + b"}", token=token)
            self.assertError(r, 413, "payload_too_large")

    # Not JSON, not an object, not UTF-8, NUL -----------------------------

    def test_not_a_json_object(self):
        bodies = [b"42", b"-1e999", b"true", b"null", b"[]", b'["login"]', b'"login"', b"{", b"}",
                  b" ", b"\n", b" \t\r\n",  # blanks: json-glib gives no root (found by fuzzing)
                  b'{"login": "a",}', b'{"login" "a"}', b"\xef\xbb\xbf{}",
                  # Not JSON, though json-glib 1.6 takes them: the server
                  # checks RFC 8259 syntax first.
                  b"{'login': 'a'}", b'{"login": "a"} {"login": "b"}', b'{login: "a"}',
                  b'{"login": "a", "n": 01}', b'{"login": "a", "n": NaN}', b'{"login": "a"} x']
        for path, token, _ in self.endpoints():
            for raw in bodies:
                with self.subTest(path=path, body=raw):
                    self.assertError(self.server.request("POST", path, raw=raw, token=token),
                                     400, "bad_request")

    def test_invalid_utf8(self):
        bad = [b"\xff", b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82"]
        for path, token, good in self.endpoints():
            member = next(iter(good))
            for seq in bad:
                # In a string, and in a member's name.
                raw = b'{"' + member.encode() + b'": "a' + seq + b'b"}'
                with self.subTest(path=path, raw=raw):
                    self.assertError(self.server.request("POST", path, raw=raw, token=token), 400, "bad_request")
                raw = b'{"' + seq + b'": "a"}'
                self.assertError(self.server.request("POST", path, raw=raw, token=token), 400, "bad_request")
        # A lone surrogate, escaped: valid bytes, but json-glib would make a
        # string that is not UTF-8 of it (found by fuzz-api-bodies).
        for escape in (b"\\ud800", b"\\udc00x", b"\\ud800\\ud800", b"\\ud800("):
            raw = b'{"login": "a' + escape + b'", "password": "p"}'
            self.assertError(self.server.request("POST", "/api/v1/sessions", raw=raw), 400, "bad_request")
        # A pair is a character like any other.
        raw = b'{"login": "\\ud83d\\ude00", "password": "p"}'
        self.assertError(self.server.request("POST", "/api/v1/sessions", raw=raw), 401, "invalid_credentials")

    def test_nul_bytes(self):
        for path, token, good in self.endpoints():
            member = next(iter(good))
            # Raw: not valid JSON text.
            raw = b'{"' + member.encode() + b'": "a\x00b"}'
            self.assertError(self.server.request("POST", path, raw=raw, token=token), 400, "bad_request")
            # Escaped: refused too, so that "secret\u0000more" is not read
            # as "secret".
            body = dict(good)
            body[member] = body[member] + "\u0000more"
            r = self.server.request("POST", path, body, token=token)
            self.assertError(r, 400, "bad_request")
        # A password cut at a NUL would be a different password: no account
        # gets one.
        r = self.server.request("POST", "/api/v1/sessions", {"login": "badinput", "password": PASSWORD + "\u0000x"})
        self.assertError(r, 400, "bad_request")
        # An escaped backslash followed by "u0000" is text, not a NUL.
        r = self.server.request("POST", "/api/v1/sessions", {"login": stranger(), "password": "\\u0000"})
        self.assertError(r, 401, "invalid_credentials")

    def test_deep_nesting(self):
        for path, token, _ in self.endpoints():
            for raw in (b"[" * 65000, b'{"a":' * 13000, b"[" * 32000 + b"]" * 32000):
                r = self.server.request("POST", path, raw=raw, token=token)
                self.assertError(r, 400, "bad_request")

    # Members ---------------------------------------------------------------

    def test_wrong_member_types(self):
        for path, token, good in self.endpoints():
            for member in good:
                for value in (1, 1.5, True, [], ["a"], {}, {"a": "b"}, None):
                    body = dict(good)
                    body[member] = value
                    with self.subTest(path=path, member=member, value=value):
                        r = self.server.request("POST", path, body, token=token)
                        self.assertError(r, 400, "bad_request")
                        self.assertEqual(r.json["member"], member, r)
                body = {k: v for k, v in good.items() if k != member}
                r = self.server.request("POST", path, body, token=token)
                self.assertError(r, 400, "bad_request")
                self.assertEqual(r.json["member"], member, r)
        # Optional members are checked too.
        _, _, good = self.endpoints()[-1]
        for member in ("space_name", "space_url"):
            r = self.server.admin("POST", "/accounts", dict(good, **{member: 7}))
            self.assertError(r, 400, "bad_request")
            self.assertEqual(r.json["member"], member)
        self.assertEqual(self.server.admin("GET", "/accounts/new.one").status, 404)

    def test_very_long_values(self):
        s = self.server
        login = "a" * 60000
        r = s.request("POST", "/api/v1/password-resets", {"login": login})
        self.assertEqual((r.status, r.json), (202, {"status": "sent"}))  # as for any unknown login
        self.assertError(s.request("POST", "/api/v1/sessions", {"login": login, "password": "x"}),
                         401, "invalid_credentials")
        self.assertError(s.request("POST", "/api/v1/password", {"login": login, "token": "A" * 26, "password": "x"}),
                         400, "invalid_token")
        self.assertError(s.admin("POST", "/accounts", {"login": login, "email": "l@example.org",
                                                      "display_name": "L", "language": "en"}), 400, "bad_request")
        self.assertError(s.admin("POST", "/accounts", {"login": "longname", "email": "l@example.org",
                                                      "display_name": "L" * 201, "language": "en"}), 400, "bad_request")
        self.assertError(s.admin("POST", "/accounts", {"login": "longmail", "email": "l" * 250 + "@example.org",
                                                      "display_name": "L", "language": "en"}), 400, "bad_request")
        self.assertError(s.request("POST", "/api/v1/totp/verify", {"code": "1" * 60000}, token=self.session),
                         409, "totp_not_active")
        # With the password, which a directory store needs first (docs/api.md),
        # so that the code itself is what is refused.
        r = s.request("POST", "/api/v1/totp/activate", {"code": "1" * 60000, "password": PASSWORD},
                      token=self.session)
        self.assertError(r, 422, "invalid_code")
        self.assertEqual(r.json["reason"], "malformed")
        r = s.request("POST", "/api/v1/password", {"login": "badinput", "token": "A" * 60000, "password": "x"})
        self.assertError(r, 400, "invalid_token")
        self.assertError(s.request("GET", "/api/v1/admin/accounts/" + "a" * 8000, token=ADMIN_TOKEN), 404, "not_found")

    def test_directory_metacharacters(self):
        # What means something in an LDAP DN or filter is only text here,
        # whichever store: no other account is reached, nothing is
        # matched by pattern, and values come back as they were sent.
        s = self.server
        for login in ("*", "badinput*", "*)(uid=*", "badinput)(|(uid=*", "uid=badinput,ou=people",
                      "badinput,ou=people", "badinput\\2a", "\\00", "badinput\u00a0", "badinput\t*"):
            with self.subTest(login=login):
                r = s.request("POST", "/api/v1/sessions", {"login": login, "password": PASSWORD})
                self.assertError(r, 401, "invalid_credentials")
                r = s.request("POST", "/api/v1/password-resets", {"login": login})
                self.assertEqual((r.status, r.json), (202, {"status": "sent"}))
                r = s.admin("POST", "/accounts", {"login": login, "email": "m@example.org",
                                                 "display_name": "M", "language": "en"})
                self.assertError(r, 400, "bad_request")
        name = 'Jean, "Dupont" + cn=admin; <x> #1 \\ *)(uid=*'
        r = s.admin("POST", "/accounts", {"login": "meta.chars", "email": "meta@example.org",
                                         "display_name": name, "language": "en"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(s.admin("GET", "/accounts/meta.chars").json["display_name"], name)
        listed = {a["login"]: a for a in s.admin("GET", "/accounts").json["accounts"]}
        self.assertEqual(listed["meta.chars"]["display_name"], name)

    # Headers ---------------------------------------------------------------

    def test_authorization_header(self):
        s = self.server
        for value in ("Bearer " + "A" * 8000, "Bearer " + "A" * 52, "Bearer", "Bearer ", "Basic YTpi",
                      "Bearer \u00e9\u00e9", "Bearer " + "a b c", "bearer"):
            with self.subTest(value=value[:20]):
                r = s.request("GET", "/api/v1/account", headers={"Authorization": value})
                self.assertError(r, 401, "unauthorized")
                r = s.request("GET", "/api/v1/admin/accounts", headers={"Authorization": value})
                self.assertError(r, 401, "unauthorized")
        # Beyond what libsoup reads as a header: a 4xx or a closed connection.
        for size in (100_000, 1_000_000):
            head = (b"GET /api/v1/account HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + b"A" * size + b"\r\n\r\n")
            answer = self.exchange(head)
            status = self.status_of(answer)
            self.assertTrue(status is None or 400 <= status < 500, answer[:300])
            self.assertUp()

    def test_bogus_content_length(self):
        body = b'{"login": "badinput", "password": "wrong"}'
        for length in (b"abc", b"-1", b"1e3", b"0x10", b"99999999999999999999999", b"%d, %d" % (len(body), len(body) + 1)):
            head = (b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: " + length + b"\r\nConnection: close\r\n\r\n")
            with self.subTest(length=length):
                answer = self.exchange(head, [body], timeout=10)
                status = self.status_of(answer)
                self.assertTrue(status is None or 400 <= status < 500, answer[:300])
                self.assertUp()
        # Two Content-Length headers that disagree.
        head = (b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
        answer = self.exchange(head, [body], timeout=10)
        status = self.status_of(answer)
        self.assertTrue(status is None or 400 <= status < 500, answer[:300])
        # Shorter than the body: the rest is the next request, which is garbage.
        head = (b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 5\r\nConnection: close\r\n\r\n")
        answer = self.exchange(head, [body], timeout=10)
        self.assertEqual(self.status_of(answer), 400, answer[:300])

    def test_content_type(self):
        s = self.server
        good = {"login": "badinput", "password": "wrong"}  # refused before the sign-in
        for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                      "application/json; charset=iso-8859-1", "application/jsonx", "garbage", ""):
            with self.subTest(ctype=ctype):
                r = s.request("POST", "/api/v1/sessions", good, headers={"Content-Type": ctype})
                self.assertError(r, 415, "unsupported_media_type")
        r = s.request("POST", "/api/v1/sessions", good, lang="fr", headers={"Content-Type": "text/plain"})
        self.assertEqual(r.json["message"],
                         "La requête doit être envoyée en JSON (Content-Type: application/json).")
        for ctype in ("application/json", "application/json; charset=utf-8", "Application/JSON; charset=UTF-8"):
            r = s.request("POST", "/api/v1/sessions", dict(good, login=stranger()), headers={"Content-Type": ctype})
            self.assertError(r, 401, "invalid_credentials")
        # No Content-Type at all: read as JSON, as docs/api.md says.
        body = b'{"login": "%s", "password": "wrong"}' % stranger().encode()
        head = (b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
                b"Connection: close\r\n\r\n%s" % (len(body), body))
        self.assertEqual(self.status_of(self.exchange(head, timeout=10)), 401)

    # Half-sent requests ----------------------------------------------------

    def test_slow_and_abandoned_requests(self):
        port = self.server.port
        # Requests cut at every stage, then closed.
        pieces = [b"POS", b"POST /api/v1/sess", b"POST /api/v1/sessions HTTP/1.1\r\nHo",
                  b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n{\"login\"",
                  b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"lo"]
        for piece in pieces:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
                c.sendall(piece)
        self.assertUp()
        # Slowloris: connections that hold half a request open do not keep
        # others from being served.
        held = []
        try:
            for i in range(50):
                c = socket.create_connection(("127.0.0.1", port), timeout=10)
                c.sendall(b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nX-Slow-%d: " % i)
                held.append(c)
            start = time.monotonic()
            for _ in range(5):
                self.assertEqual(self.server.request("GET", "/api/v1/info").status, 200)
            self.assertLess(time.monotonic() - start, 5)
            # A byte at a time, still served.
            c = held.pop()
            for byte in b"1\r\nContent-Length: 2\r\n\r\n{}":
                c.sendall(bytes([byte]))
                time.sleep(0.01)
            answer = c.recv(65536)
            self.assertEqual(self.status_of(answer), 400, answer[:300])
            c.close()
        finally:
            for c in held:
                c.close()
        self.assertUp()


if __name__ == "__main__":
    unittest.main(verbosity=2)
