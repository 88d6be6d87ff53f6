#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The outbox: nothing is lost when the relay is down or the server stops."""

import time
import unittest

from vsttest import MailSink, Server, parts


class Outbox(unittest.TestCase):

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

    def account(self, login):
        return self.server.admin("GET", f"/accounts/{login}").json

    def invite(self, login):
        r = self.server.admin("POST", "/accounts", {
            "login": login, "email": f"{login}@example.org", "display_name": "Zoë Ørsted",
            "language": "en"})
        self.assertEqual(r.status, 201, r)

    def test_relay_down_then_up(self):
        self.invite("late")
        # A few attempts fail while the relay is down; the e-mail waits.
        deadline = time.monotonic() + 10
        while "EVENT=mail-retry" not in self.server.log():
            self.assertLess(time.monotonic(), deadline, self.server.log())
            time.sleep(0.1)
        self.assertEqual(self.account("late")["last_email"]["status"], "pending")
        self.sink.start()
        _, msg = self.sink.wait(1, to="late@example.org")[0]
        self.assertEqual(msg["Subject"], "Your access to Expert group on AI (Conseil de l’Europe)")
        text, html = parts(msg)
        self.assertIn("Hello Zoë Ørsted", text)
        self.assertIn("vestibule://invite?login=late", html)
        deadline = time.monotonic() + 10
        while self.account("late")["last_email"]["status"] != "sent":
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.1)
        # Sent once, not once per attempt.
        time.sleep(1.5)
        self.assertEqual(self.sink.count("late@example.org"), 1)

    def test_pending_mail_survives_a_restart(self):
        self.invite("survivor")
        r = self.server.request("POST", "/api/v1/password-resets", {"login": "survivor"})
        self.assertEqual(r.status, 202)
        self.server.kill()
        self.sink.start()
        time.sleep(0.5)
        self.assertEqual(self.sink.count(), 0)
        self.server.start()
        messages = self.sink.wait(2, to="survivor@example.org")
        kinds = sorted(m[1]["Subject"] for m in messages)
        self.assertEqual(kinds, ["Choose your password for Conseil de l’Europe",
                                 "Your access to Expert group on AI (Conseil de l’Europe)"])
        # The admin API can resend an invitation.
        r = self.server.admin("POST", "/accounts/survivor/invitation")
        self.assertEqual((r.status, r.json), (202, {"status": "queued"}))
        self.sink.wait(3, to="survivor@example.org")
        self.assertEqual(self.server.admin("POST", "/accounts/nobody/invitation").status, 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
