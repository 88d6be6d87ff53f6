#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What only the LDAP store does, against a real slapd (slapdtest.py): the
directory itself confirms the TOTP pairing and refuses a replayed code,
enforces its password policy when our check is bypassed, and its lock-out
reaches the user as "locked, try again later"."""

import os
import time
import unittest

import slapdtest
from vsttest import STORE, ServerTestCase, totp

PASSWORD = "Velo-Rouge-Montagne-42"


@unittest.skipUnless(STORE == "ldap", "needs VESTIBULE_TEST_STORE=ldap")
class Directory(ServerTestCase):

    def signed_in(self, login):
        email_address = self.invite(login)
        r = self.set_password(login, email_address, PASSWORD)
        self.assertEqual(r.status, 200, r)
        return r.json["session"]

    def test_pairing_proven_by_the_directory(self):
        s = self.server
        d = s.slapd
        session = self.signed_in("paired")
        self.assertEqual(d.whoami("paired", PASSWORD).returncode, 0)

        r = s.request("POST", "/api/v1/totp", token=session)
        self.assertEqual(r.status, 201, r)
        secret = r.json["secret"]
        # Pending: the token is written, but no LDAP client asks for codes yet.
        self.assertEqual(d.whoami("paired", PASSWORD).returncode, 0)

        # Without the password, a directory cannot prove the pairing.
        now = int(time.time())
        r = s.request("POST", "/api/v1/totp/activate", {"code": totp(secret, now - 30)}, token=session)
        self.assertEqual((r.status, r.json["error"]), (422, "password_required"))
        r = s.request("POST", "/api/v1/totp/activate",
                      {"code": totp(secret, now - 30), "password": PASSWORD + "x"}, token=session)
        self.assertEqual((r.status, r.json["error"]), (422, "invalid_password"))

        # The previous step's code activates it (ours and the directory's
        # window both take one step back), which leaves the current one for
        # ldapwhoami: slapo-otp takes one code per step.
        r = s.request("POST", "/api/v1/totp/activate",
                      {"code": totp(secret, now - 30), "password": PASSWORD}, token=session)
        self.assertEqual((r.status, r.json), (200, {"totp": "active"}), r)

        # Now every LDAP client needs password and code, and a code once.
        self.assertNotEqual(d.whoami("paired", PASSWORD).returncode, 0)
        code = totp(secret, int(time.time()))
        self.assertEqual(d.whoami("paired", PASSWORD + code).returncode, 0)
        self.assertNotEqual(d.whoami("paired", PASSWORD + code).returncode, 0)

        # Signing in to the service still takes the password alone; the code
        # follows through /totp/verify.
        r = s.request("POST", "/api/v1/sessions", {"login": "paired", "password": PASSWORD})
        self.assertEqual((r.status, r.json["totp"]), (200, "active"), r)
        r = s.request("POST", "/api/v1/sessions", {"login": "paired", "password": "wrong-" + PASSWORD})
        self.assertEqual(r.status, 401, r)

        # The helpdesk's reset-2fa unlinks the key in the directory too.
        self.assertEqual(s.admin("POST", "/accounts/paired/reset-2fa").status, 200)
        self.assertEqual(d.whoami("paired", PASSWORD).returncode, 0)

    def test_directory_enforces_its_policy(self):
        s = self.server
        d = s.slapd
        self.signed_in("policy")
        # Our check bypassed: the service's identity sets a short password
        # straight through the Password Modify operation, and slapd refuses.
        r = d.run("ldappasswd", "-D", slapdtest.SERVICE_DN, "-w", d.service_pw,
                  "-e", "ppolicy", "-s", "Court-1", d.user_dn("policy"))
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn("Constraint violation", r.stdout + r.stderr)
        self.assertIn("too short", r.stdout + r.stderr)
        self.assertEqual(d.whoami("policy", PASSWORD).returncode, 0)

        # Reuse goes through the directory's history: the same answer as
        # with SQLite.
        email_address = "policy@example.org"
        r = self.set_password("policy", email_address, PASSWORD)
        self.assertEqual((r.status, r.json["error"]), (422, "password_reused"), r)

    def test_directory_lockout(self):
        s = self.server
        d = s.slapd
        self.signed_in("locked")
        # Another LDAP client (a VPN, say) is fed wrong passwords.
        for _ in range(slapdtest.MAX_FAILURE):
            self.assertNotEqual(d.whoami("locked", "wrong-password").returncode, 0)
        r = s.request("POST", "/api/v1/sessions", {"login": "locked", "password": PASSWORD})
        self.assertEqual((r.status, r.json["error"]), (429, "locked"), r)
        self.assertEqual(r.json["message"], "This account is locked. Try again later.")
        self.assertGreater(r.json["retry_after"], 0)
        self.assertLessEqual(r.json["retry_after"], slapdtest.LOCKOUT_DURATION)
        r = s.request("POST", "/api/v1/sessions", {"login": "locked", "password": PASSWORD}, lang="fr")
        self.assertEqual((r.status, r.json["error"]), (429, "locked"), r)
        self.assertEqual(r.json["message"], "Ce compte est bloqué. Réessayez plus tard.")


if __name__ == "__main__":
    unittest.main(verbosity=2)
