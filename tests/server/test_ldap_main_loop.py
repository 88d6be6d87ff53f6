#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A directory that stops answering must not stop the service: every call
to it runs in a worker thread, so requests that need no directory (GET
/api/v1/info, the one a load balancer polls) keep their speed while others
wait for it. slapd is frozen with SIGSTOP, which is what a hung or
unreachable directory looks like from the service."""

import signal
import threading
import time
import unittest

from vsttest import STORE, ServerTestCase

PASSWORD = "Velo-Rouge-Montagne-42"
FROZEN_FOR = 2.0


@unittest.skipUnless(STORE == "ldap", "needs VESTIBULE_TEST_STORE=ldap")
class FrozenDirectory(ServerTestCase):

    def test_info_answers_while_the_directory_hangs(self):
        s = self.server
        email_address = self.invite("frozen")
        r = self.set_password("frozen", email_address, PASSWORD)
        self.assertEqual(r.status, 200, r)
        session = r.json["session"]

        waiting = {}

        def ask_account():
            started = time.monotonic()
            waiting["response"] = s.request("GET", "/api/v1/account", token=session)
            waiting["took"] = time.monotonic() - started

        slapd = s.slapd.process
        slapd.send_signal(signal.SIGSTOP)
        try:
            # GET /api/v1/account reads the entry from the directory.
            worker = threading.Thread(target=ask_account)
            worker.start()
            time.sleep(0.3)
            self.assertTrue(worker.is_alive(), "the account was read without the directory")
            slowest = 0.0
            deadline = time.monotonic() + FROZEN_FOR
            while time.monotonic() < deadline:
                started = time.monotonic()
                r = s.request("GET", "/api/v1/info")
                slowest = max(slowest, time.monotonic() - started)
                self.assertEqual(r.status, 200, r)
            self.assertLess(slowest, 0.5, "GET /api/v1/info waited for the directory")
        finally:
            slapd.send_signal(signal.SIGCONT)

        worker.join(30)
        self.assertFalse(worker.is_alive())
        # It waited for the directory, then got its answer.
        self.assertGreaterEqual(waiting["took"], FROZEN_FOR)
        self.assertEqual(waiting["response"].status, 200, waiting["response"])
        self.assertEqual(waiting["response"].json["login"], "frozen")
        self.assertTrue(s.alive())


if __name__ == "__main__":
    unittest.main()
