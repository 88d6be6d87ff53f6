#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Brute force and replay: 10,000 wrong codes on one account never succeed
and lock it as documented (the 5th wrong code locks; 60 s, doubling, capped
at 1 hour); a code accepted once is refused every time after; one
account's lock does not slow the others. With VESTIBULE_TEST_STORE=ldap
the same through a directory, where the wrong codes stop at the service's
own check: the directory never counts them against the password."""

import base64
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import unittest

from robust import PASSWORD, Client, totp, window
from vsttest import ServerTestCase

WRONG_CODES = int(os.environ.get("VST_BRUTE_FORCE_CODES", "10000"))
LOCKS_PER_SERIES = 10
EXPECTED_LOCKS = [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600]

# An attacker in a process of its own (no GIL shared with the timing):
# wrong codes on one account as fast as one connection goes.
ATTACKER = r"""
import http.client, json, sys, time
port, session, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
counts = {}
end = time.monotonic() + seconds
n = 0
while time.monotonic() < end:
    code = f"{(n * 7919 + 1) % 1000000:06d}"
    n += 1
    conn.request("POST", "/api/v1/totp/verify", body=json.dumps({"code": code}),
                 headers={"Authorization": "Bearer " + session, "Content-Type": "application/json"})
    r = conn.getresponse()
    body = json.loads(r.read())
    key = f"{r.status}:{body.get('reason', body.get('error', body.get('totp')))}"
    counts[key] = counts.get(key, 0) + 1
print(json.dumps(counts))
"""


class BruteForce(ServerTestCase):

    def enrol(self, login, activate):
        """An account with a session and a pending (or active) key."""
        self.invite(login)
        r = self.set_password(login, f"{login}@example.org", PASSWORD)
        self.assertEqual(r.status, 200, r)
        session = r.json["session"]
        c = Client(self.server)
        r = c.request("POST", "/api/v1/totp", token=session)
        self.assertEqual(r.status, 201, r)
        secret = r.json["secret"]
        if activate:
            # The password comes along: a directory store proves the
            # pairing with a sign-in of its own (docs/api.md).
            r = c.request("POST", "/api/v1/totp/activate",
                          {"code": totp(secret, self.server.now()), "password": PASSWORD}, token=session)
            self.assertEqual(r.status, 200, r)
        c.close()
        return session, secret

    def wrong(self, secret, n):
        """The n-th well-formed code that the server would refuse now."""
        valid = window(secret, self.server.now(), span=2)
        while True:
            code = f"{(n * 7919 + 13) % 1000000:06d}"
            if code not in valid:
                return code
            n += 1

    def row(self, login):
        """The TOTP state, last step and key of @login where the store
        keeps them: with LDAP the key and whether it is active are the
        directory's, which must agree with the service's own file."""
        db = sqlite3.connect(self.server.database)
        try:
            state, last_step, secret = db.execute(
                "SELECT totp_state, totp_last_step, totp_secret FROM accounts WHERE login = ?",
                (login,)).fetchone()
        finally:
            db.close()
        d = self.server.slapd
        if d is None:
            return state, last_step, secret
        import slapdtest
        self.assertIsNone(secret, "the TOTP key is in the local file")
        r = d.root("ldapsearch", "-LLL", "-b", f"cn={login},{slapdtest.TOKENS_DN}", "oathSecret")
        self.assertEqual(r.returncode, 0, r)
        raw = base64.b64decode(re.search(r"^oathSecret:: (\S+)", r.stdout, re.M).group(1))
        r = d.root("ldapsearch", "-LLL", "-b", d.user_dn(login), "oathTOTPToken")
        linked = "oathTOTPToken:" in r.stdout
        self.assertEqual(linked, state == 2, r.stdout)
        return state, last_step, base64.b32encode(raw).decode().rstrip("=")

    def test_1_replay(self):
        s = self.server
        # From just after a step begins: the code that activates the key
        # must still be the current one below (and the last one after one
        # step), however slow the build (ASan, a directory) makes the rest.
        s.advance(30 - s.now() % 30 + 1)
        session, secret = self.enrol("replay", activate=True)
        c = Client(self.server)
        used = totp(secret, s.now())
        # The code that activated the key, 100 times, now and one step later.
        for advance in (0, 30):
            s.advance(advance)
            for _ in range(100):
                r = c.request("POST", "/api/v1/totp/verify", {"code": used}, token=session)
                self.assertEqual((r.status, r.json.get("reason")), (422, "replayed"), r)
        # A fresh code sent by 20 connections at once: accepted exactly once.
        # A hundred rounds, each with the next step's code: the window in which
        # two HTTP threads could both read the account before either writes
        # it back is a few microseconds, too narrow to meet in one round.
        clients = [Client(s) for _ in range(20)]
        barrier = threading.Barrier(20)
        rounds = []

        def send(cc, code, results):
            barrier.wait()
            r = cc.request("POST", "/api/v1/totp/verify", {"code": code}, token=session)
            results.append((r.status, r.json.get("reason") or r.json.get("totp")))

        for _ in range(100):
            s.advance(30)
            fresh = totp(secret, s.now())
            results = []
            threads = [threading.Thread(target=send, args=(cc, fresh, results)) for cc in clients]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            rounds.append(sorted(results))
        for cc in clients:
            cc.close()
        self.assertEqual(rounds, [[(200, "active")] + [(422, "replayed")] * 19] * 100)
        # Replays never count towards a lock-out: the next fresh code works.
        s.advance(30)
        r = c.request("POST", "/api/v1/totp/verify", {"code": totp(secret, s.now())}, token=session)
        self.assertEqual(r.status, 200, r)
        c.close()
        # Back to slapd's time for the next tests: its TOTP window is
        # 10 minutes, and these rounds moved the service's clock by 51.
        s.set_clock_offset(0)

    def test_2_lock_does_not_slow_others(self):
        s = self.server
        attacker_session, _ = self.enrol("victim", activate=True)
        others = [self.enrol(f"other{i}", activate=True) for i in range(4)]
        c = Client(s)

        def measure(rounds=8):
            """Wrong codes from the other accounts (4 each, under the lock),
            then a right one to clear their count; returns the latencies."""
            times = []
            for _ in range(rounds):
                s.advance(30)
                for session, secret in others:
                    for k in range(4):
                        code = self.wrong(secret, k)
                        t0 = time.perf_counter()
                        r = c.request("POST", "/api/v1/totp/verify", {"code": code}, token=session)
                        times.append(time.perf_counter() - t0)
                        self.assertEqual(r.json.get("reason"), "mismatch", r)
                    r = c.request("POST", "/api/v1/totp/verify", {"code": totp(secret, s.now())},
                                  token=session)
                    self.assertEqual(r.status, 200, r)
            return sorted(times)

        measure(1)  # warm up
        alone = measure()
        attacker = subprocess.Popen([sys.executable, "-c", ATTACKER, str(s.port), attacker_session, "600"],
                                    stdout=subprocess.PIPE, text=True)
        try:
            time.sleep(0.5)
            during = measure()
        finally:
            attacker.terminate()
            attacker.wait(30)
        r = c.admin("GET", "/accounts/victim")
        self.assertIsNotNone(r.json["locked_until"])
        c.close()

        def p(times, q):
            return times[min(len(times) - 1, int(q * len(times)))] * 1000

        print(f"other accounts' wrong codes, ms: alone p50 {p(alone, .5):.2f} p90 {p(alone, .9):.2f};"
              f" while one account is brute-forced and locked p50 {p(during, .5):.2f}"
              f" p90 {p(during, .9):.2f}", flush=True)
        # One connection hammers the server, so a request may wait for one
        # of the attacker's: a small factor, never the lock's seconds.
        self.assertLess(statistics.median(during), 3 * statistics.median(alone) + 0.005)
        self.assertLess(p(during, .9), 3 * p(alone, .9) + 5)

    def test_3_ten_thousand_wrong_codes(self):
        s = self.server
        session, secret = self.enrol("target", activate=False)
        c = Client(s)
        base = s.offset
        n = 0
        locks = 0
        statuses = {}
        while n < WRONG_CODES:
            for expected in EXPECTED_LOCKS:
                for k in range(5):
                    r = c.request("POST", "/api/v1/totp/activate",
                                  {"code": self.wrong(secret, n), "password": PASSWORD}, token=session)
                    n += 1
                    statuses[r.status] = statuses.get(r.status, 0) + 1
                    if k < 4:
                        self.assertEqual((r.status, r.json.get("reason")), (422, "mismatch"), r)
                    else:
                        # The 5th wrong code locks, for 60 s, doubling, capped at 1 hour.
                        self.assertEqual((r.status, r.json["error"]), (429, "locked"), r)
                        self.assertEqual(r.headers["Retry-After"], str(expected))
                        self.assertEqual(r.json["retry_after"], expected)
                        locks += 1
                # While locked even the right code is refused, and not counted
                # (10 s before the end: the real clock ticks on meanwhile).
                s.advance(expected - 10)
                r = c.request("POST", "/api/v1/totp/activate",
                              {"code": totp(secret, s.now()), "password": PASSWORD}, token=session)
                self.assertEqual((r.status, r.json["error"]), (429, "locked"), r)
                self.assertLessEqual(int(r.headers["Retry-After"]), 10)
                s.advance(10)
                if n >= WRONG_CODES:
                    break
            # The helpdesk lifts the lock (the doubling starts again from
            # 60 s) and the clock goes back, so that the session stays valid.
            self.assertEqual(c.admin("POST", "/accounts/target/unlock").status, 200)
            s.set_clock_offset(base)
        self.assertEqual(statuses.get(200, 0), 0)
        self.assertEqual(locks, WRONG_CODES // 5)
        c.close()
        # At the store: no code was ever accepted for this key.
        state, last_step, stored = self.row("target")
        self.assertEqual((state, last_step, stored), (1, -1, secret))
        log = s.log()
        self.assertEqual(len(re.findall(r"EVENT=totp-code-mismatch LOGIN=target\b", log)), WRONG_CODES * 4 // 5)
        self.assertEqual(len(re.findall(r"EVENT=totp-locked LOGIN=target\b", log)), WRONG_CODES // 5)
        self.assertNotRegex(log, r"EVENT=totp-activated LOGIN=target\b")
        if s.slapd is not None:
            r = s.slapd.root("ldapsearch", "-LLL", "-b", s.slapd.user_dn("target"), "pwdFailureTime")
            self.assertEqual(r.returncode, 0, r)
            self.assertNotIn("pwdFailureTime", r.stdout)
        # The right code, once the lock is lifted, still works: the key was not damaged.
        r = Client(s).request("POST", "/api/v1/totp/activate",
                              {"code": totp(secret, s.now()), "password": PASSWORD}, token=session)
        self.assertEqual(r.status, 200, r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
