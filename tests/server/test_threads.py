#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP on several threads ([server] threads): every thread answers, a
burst of concurrent clients gets only right answers, and a port that is
already held fails the start even though the threads share theirs with
SO_REUSEPORT."""

import http.client
import json
import os
import subprocess
import threading
import time
import unittest

from vsttest import SERVER, ServerTestCase

THREADS = 3
CLIENTS = 24
REQUESTS = 100
PASSWORD = "Velo-Rouge-Montagne-42"


def http_threads(pid):
    """{name: nanoseconds on a CPU} of the server's extra HTTP threads."""
    found = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            name = f.read().strip()
        if name.startswith("vst-http-"):
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                found[name] = int(f.read().split()[0])
    return found


class Threads(ServerTestCase):
    threads = THREADS

    def test_every_thread_answers_and_answers_right(self):
        s = self.server
        email_address = self.invite("threads")
        r = self.set_password("threads", email_address, PASSWORD)
        self.assertEqual(r.status, 200, r)
        session = r.json["session"]
        self.assertEqual(sorted(http_threads(s.process.pid)), ["vst-http-1", "vst-http-2"])

        failures = []

        def client(k):
            # One keep-alive connection each: the kernel spreads connections,
            # not requests, over the threads.
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
            try:
                for i in range(REQUESTS):
                    if i % 2:
                        conn.request("GET", "/api/v1/info")
                        r = conn.getresponse()
                        body = json.loads(r.read())
                        if r.status != 200 or body["organisation"] != "Conseil de l’Europe":
                            failures.append((k, i, r.status, body))
                    else:
                        conn.request("GET", "/api/v1/account",
                                     headers={"Authorization": f"Bearer {session}",
                                              "Accept-Language": "fr" if k % 2 else "en"})
                        r = conn.getresponse()
                        body = json.loads(r.read())
                        language = r.getheader("Content-Language")
                        if (r.status != 200 or body["login"] != "threads" or
                                language != ("fr" if k % 2 else "en")):
                            failures.append((k, i, r.status, body, language))
            except OSError as e:
                failures.append((k, repr(e)))
            finally:
                conn.close()

        before = http_threads(s.process.pid)
        clients = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
        for t in clients:
            t.start()
        for t in clients:
            t.join(120)
        self.assertEqual(failures, [])
        after = http_threads(s.process.pid)
        # The extra threads did their share of the work (the main thread is
        # the first listener): at least a millisecond each.
        self.assertTrue(all(after[name] - before[name] > 1_000_000 for name in after), (before, after))

    def test_a_held_port_fails_the_start(self):
        s = self.server
        second = subprocess.run([SERVER, "--config", s.config_file, "--database",
                                 os.path.join(s.path, "second.db")],
                                capture_output=True, text=True, timeout=30,
                                env=dict(os.environ, VESTIBULE_TESTING="1"))
        self.assertEqual(second.returncode, 1, second)
        self.assertIn("Address already in use", second.stderr)
        # The first one goes on, alone on its port.
        for _ in range(20):
            self.assertEqual(s.request("GET", "/api/v1/info").status, 200)
        self.assertTrue(s.alive())


if __name__ == "__main__":
    unittest.main()
