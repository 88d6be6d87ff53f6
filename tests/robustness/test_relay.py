#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The SMTP relay down for a while, and the server killed meanwhile: every
e-mail arrives once it is back, exactly once. (tests/server/test_mail.py
covers one message; this is many, across a kill -9.)"""

import time
import unittest

from robust import Client
from vsttest import MailSink, Server

N = 40


class RelayDown(unittest.TestCase):

    def setUp(self):
        self.sink = MailSink()  # not started: the relay is down
        self.server = Server(self.sink.port)
        self.server.start()

    def tearDown(self):
        code = self.server.stop()
        log = self.server.log()
        self.server.cleanup()
        self.sink.stop()
        self.assertEqual(code, 0, log[-4000:])
        self.assertNotIn("CRITICAL", log)

    def test_many_mails_across_an_outage_and_a_kill(self):
        c = Client(self.server)
        logins = [f"m{i:02d}" for i in range(N)]
        for login in logins[:N // 2]:
            r = c.admin("POST", "/accounts", {"login": login, "email": f"{login}@example.org",
                                              "display_name": "M", "language": "en"})
            self.assertEqual(r.status, 201, r)
        deadline = time.monotonic() + 30
        while "EVENT=mail-retry" not in self.server.log():
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.1)
        # Killed while the relay is down, with every message pending.
        c.close()
        self.server.kill()
        self.server.start()
        for login in logins[N // 2:]:
            r = c.admin("POST", "/accounts", {"login": login, "email": f"{login}@example.org",
                                              "display_name": "M", "language": "en"})
            self.assertEqual(r.status, 201, r)
        time.sleep(3)  # more failed attempts
        self.assertEqual(c.admin("GET", f"/accounts/{logins[0]}").json["last_email"]["status"], "pending")
        self.sink.start()
        self.sink.wait(N, timeout=120)
        deadline = time.monotonic() + 60
        for login in logins:
            while c.admin("GET", f"/accounts/{login}").json["last_email"]["status"] != "sent":
                self.assertLess(time.monotonic(), deadline, login)
                time.sleep(0.1)
        # Retries are 1 to 2 s apart here: a duplicate would have come by now.
        time.sleep(3)
        for login in logins:
            self.assertEqual(self.sink.count(f"{login}@example.org"), 1, login)
        self.assertEqual(len(self.sink.messages), N)
        c.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
