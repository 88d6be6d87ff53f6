#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A full disk: writes answer 503 storage_full (translated), the server
stays up and keeps reading, writes work again once there is room, and the
database passes PRAGMA integrity_check. With VESTIBULE_TEST_STORE=ldap the
disk that fills up is the one of the service's own file (slapd's is
elsewhere): an account refused for want of room is not left in the
directory either. Needs root to mount a small tmpfs
(CI runs as root); without it the test fails and says why."""

import os
import subprocess
import tempfile
import unittest

from robust import Client, integrity
from vsttest import ADMIN_TOKEN, MailSink, Server

SIZE = "3M"


class SmallDiskServer(Server):
    """A Server whose database lives in @directory."""

    def __init__(self, smtp_port, directory):
        super().__init__(smtp_port)
        old = self.database
        self.database = os.path.join(directory, "vestibule.db")
        with open(self.config_file, encoding="utf-8") as f:
            text = f.read()
        with open(self.config_file, "w", encoding="utf-8") as f:
            f.write(text.replace(f"database={old}\n", f"database={self.database}\n"))


class DiskFull(unittest.TestCase):

    def setUp(self):
        self.mount = tempfile.mkdtemp(prefix="vst-small-disk-")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0700", "tmpfs", self.mount],
                           capture_output=True, text=True)
        if r.returncode != 0:
            os.rmdir(self.mount)
            self.fail("this test mounts a small tmpfs and needs root (CI runs as root): "
                      f"mount failed: {r.stderr.strip()}")
        self.sink = MailSink()
        self.sink.start()
        self.server = SmallDiskServer(self.sink.port, self.mount)
        self.server.start()

    def tearDown(self):
        code = self.server.stop()
        log = self.server.log()
        self.server.cleanup()
        self.sink.stop()
        subprocess.run(["umount", self.mount], check=True)
        os.rmdir(self.mount)
        self.assertEqual(code, 0, log[-4000:])
        self.assertNotIn("CRITICAL", log)
        self.assertNotIn("AddressSanitizer", log)

    def create(self, c, login):
        return c.admin("POST", "/accounts", {"login": login, "email": f"{login}@example.org",
                                             "display_name": "D" * 200, "language": "en"})

    def test_full_disk(self):
        c = Client(self.server)
        acked = []
        for i in range(20):
            r = self.create(c, f"before{i:02d}")
            self.assertEqual(r.status, 201, r)
            acked.append(f"before{i:02d}")

        filler = os.path.join(self.mount, "filler")
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
        os.close(fd)

        # SQLite may still fit a few changes in pages it already has; then
        # every write fails cleanly.
        full = None
        for i in range(500):
            login = f"full{i:03d}"
            r = self.create(c, login)
            if r.status == 201:
                acked.append(login)
                continue
            self.assertEqual(r.status, 503, r)
            self.assertEqual(r.json["error"], "storage_full", r)
            self.assertEqual(r.headers["Retry-After"], "60")
            full = login
            break
        self.assertIsNotNone(full, "the disk never became full")
        self.assertEqual(c.admin("GET", f"/accounts/{full}").status, 404)
        # The message follows Accept-Language, as every error's does.
        r = self.server.request("POST", "/api/v1/admin/accounts",
                                {"login": full, "email": f"{full}@example.org",
                                 "display_name": "D", "language": "en"},
                                token=ADMIN_TOKEN, lang="fr")
        self.assertEqual((r.status, r.json["error"]), (503, "storage_full"))
        self.assertEqual(r.headers["Content-Language"], "fr")
        self.assertNotEqual(r.json["message"],
                            "The server cannot save anything at the moment. Try again later.")
        # Reads go on; the server is up.
        self.assertTrue(self.server.alive())
        self.assertEqual(c.request("GET", "/api/v1/info").status, 200)
        self.assertEqual(c.admin("GET", f"/accounts/{acked[-1]}").status, 200)
        self.assertIn("EVENT=storage-full", self.server.log())

        os.unlink(filler)
        r = self.create(c, full)
        self.assertEqual(r.status, 201, r)
        acked.append(full)
        r = c.admin("GET", "/accounts")
        self.assertEqual(sorted(a["login"] for a in r.json["accounts"]), sorted(acked))
        c.close()
        self.assertEqual(self.server.stop(), 0)
        self.assertEqual(integrity(self.server.database, self.server.slapd), [])
        self.server.start()


if __name__ == "__main__":
    unittest.main(verbosity=2)
