#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What only the LDAP store does, against a real slapd (slapdtest.py): the
directory itself confirms the TOTP pairing and refuses a replayed code,
enforces its password policy when our check is bypassed, and its lock-out
reaches the user as "locked, try again later"; the service survives a
restart of slapd, says so while it is down, and lists every account of the
directory, whoever made it."""

import json
import os
import signal
import subprocess
import threading
import time
import unittest

import slapdtest
from vsttest import STORE, ServerTestCase, totp

ADMIN = os.environ.get("VESTIBULE_ADMIN")

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

    def assertDirectoryDown(self, r):
        """The answer to a request that needs the directory while it is
        down: the server's fault, said as JSON, never the user's (not 401
        "wrong password", not 404 "no such account")."""
        self.assertEqual((r.status, r.json["error"]), (503, "unavailable"), r)
        self.assertEqual(r.headers["Retry-After"], "30", r.headers)
        self.assertTrue(r.json["message"], r)

    def test_slapd_restart(self):
        s = self.server
        d = s.slapd
        session = self.signed_in("restart")

        def works():
            r = s.request("POST", "/api/v1/sessions", {"login": "restart", "password": PASSWORD})
            self.assertEqual((r.status, r.json["totp"]), (200, "none"), r)
            r = s.request("GET", "/api/v1/account", token=session)
            self.assertEqual((r.status, r.json["login"]), (200, "restart"), r)
            r = s.admin("GET", "/accounts/restart")
            self.assertEqual((r.status, r.json["password_set"]), (200, True), r)
            r = s.admin("GET", "/accounts")
            self.assertIn("restart", [a["login"] for a in r.json["accounts"]], r)

        # A few requests at once, so that the pool holds several handles,
        # every one of which the restart kills.
        failures = []

        def works_in_thread():
            try:
                works()
            except Exception as e:  # noqa: BLE001 (reported below)
                failures.append(e)

        threads = [threading.Thread(target=works_in_thread) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(failures, [])

        # Restarted (gracefully, then as a crash): the very next requests
        # work, each kind of them, the first one on a dead handle that is
        # dropped and replaced.
        for sig in (signal.SIGTERM, signal.SIGKILL):
            reconnects = s.log().count("EVENT=ldap-reconnect")
            d.restart(sig)
            works()
            login = "after-" + sig.name.lower()
            r = s.admin("POST", "/accounts", {"login": login, "email": f"{login}@example.org",
                                             "display_name": "After", "language": "en"})
            self.assertEqual(r.status, 201, r)
            self.assertGreater(s.log().count("EVENT=ldap-reconnect"), reconnects)

        # Down: a clear error for every request that needs the directory,
        # and nothing counted against the user; the server stays up.
        d.stop()
        try:
            before = s.log().count("EVENT=signin-failed")
            self.assertDirectoryDown(s.request("POST", "/api/v1/sessions",
                                               {"login": "restart", "password": PASSWORD}))
            self.assertDirectoryDown(s.request("POST", "/api/v1/sessions",
                                               {"login": "restart", "password": "wrong-" + PASSWORD}))
            self.assertEqual(s.log().count("EVENT=signin-failed"), before)
            self.assertDirectoryDown(s.request("GET", "/api/v1/account", token=session))
            self.assertDirectoryDown(s.admin("GET", "/accounts/restart"))
            self.assertDirectoryDown(s.admin("GET", "/accounts"))
            self.assertDirectoryDown(s.admin("POST", "/accounts", {
                "login": "during", "email": "during@example.org", "display_name": "D", "language": "en"}))
            self.assertTrue(s.alive(), s.log()[-3000:])
            self.assertEqual(s.request("GET", "/api/v1/info").status, 200)
        finally:
            d.launch()
        works()
        # What failed while it was down did not happen, and can be done now.
        self.assertEqual(s.admin("GET", "/accounts/during").status, 404)
        self.assertEqual(s.admin("POST", "/accounts", {
            "login": "during", "email": "during@example.org", "display_name": "D", "language": "en"}).status, 201)

    def test_list_reads_the_directory(self):
        s = self.server
        d = s.slapd
        self.invite("ours")
        # People this instance never saw: added by another tool (or another
        # instance), one with a capital in its uid, which matches without
        # case; and an entry that is not named uid=LOGIN, which the service
        # cannot reach and does not list.
        d.add(f"""dn: uid=outsider,{slapdtest.PEOPLE_DN}
objectClass: inetOrgPerson
uid: outsider
cn: Olga Outsider
sn: Outsider
displayName: Olga Outsider
mail: olga@example.org
preferredLanguage: fr

dn: uid=MixedCase,{slapdtest.PEOPLE_DN}
objectClass: inetOrgPerson
uid: MixedCase
cn: Max Case
sn: Case
mail: max@example.org

dn: cn=Not A Login,{slapdtest.PEOPLE_DN}
objectClass: inetOrgPerson
cn: Not A Login
sn: Login
""")
        r = s.admin("GET", "/accounts")
        self.assertEqual(r.status, 200, r)
        listed = {a["login"]: a for a in r.json["accounts"]}
        self.assertEqual([a["login"] for a in r.json["accounts"]], sorted(listed))
        self.assertTrue({"ours", "outsider", "mixedcase"} <= set(listed), listed)
        self.assertFalse([login for login in listed if "not" in login], listed)
        outsider = listed["outsider"]
        self.assertEqual((outsider["email"], outsider["display_name"], outsider["language"]),
                         ("olga@example.org", "Olga Outsider", "fr"))
        self.assertEqual((outsider["password_set"], outsider["totp"], outsider["last_email"]),
                         (False, "none", None))
        self.assertGreater(outsider["created_at"], 0)
        self.assertEqual(listed["mixedcase"]["email"], "max@example.org")
        self.assertEqual(listed["mixedcase"]["display_name"], "mixedcase")

        # The first use adds it to this instance's own file, once, however
        # many requests ask at the same moment; the list stays the same.
        results = []

        def show():
            results.append(s.admin("GET", "/accounts/outsider").status)

        threads = [threading.Thread(target=show) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(results, [200] * 8)
        again = s.admin("GET", "/accounts").json["accounts"]
        self.assertEqual([a["login"] for a in again].count("outsider"), 1)

        # vestibule-admin list shows them too.
        if ADMIN is not None:
            # Without G_MESSAGES_DEBUG: GLib would print debug records on stdout.
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("VESTIBULE_", "G_MESSAGES_DEBUG"))}
            r = subprocess.run([ADMIN, "--server", s.base, "--token-file", s.token_file, "list", "--json"],
                               capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
            self.assertEqual(r.returncode, 0, r.stderr)
            logins = [a["login"] for a in json.loads(r.stdout)["accounts"]]
            self.assertTrue({"ours", "outsider", "mixedcase"} <= set(logins), logins)

    def test_list_reads_a_large_directory(self):
        # More people than slapd's default size limit (500) answers at
        # once: the list pages through them all.
        s = self.server
        n = 520
        dns = [f"uid=bulk{i:04d},{slapdtest.PEOPLE_DN}" for i in range(n)]
        s.slapd.add("".join(f"""dn: {dn}
objectClass: inetOrgPerson
uid: bulk{i:04d}
cn: Bulk {i}
sn: Bulk
mail: bulk{i:04d}@example.org

""" for i, dn in enumerate(dns)))
        try:
            r = s.admin("GET", "/accounts")
            self.assertEqual(r.status, 200, r)
            logins = [a["login"] for a in r.json["accounts"]]
            self.assertEqual(logins, sorted(logins))
            self.assertEqual([x for x in logins if x.startswith("bulk")], [f"bulk{i:04d}" for i in range(n)])
        finally:
            # The other tests share this directory: a list of 500 people
            # would only slow them down.
            r = s.slapd.root("ldapdelete", input="\n".join(dns) + "\n")
            self.assertEqual(r.returncode, 0, r)


if __name__ == "__main__":
    unittest.main(verbosity=2)
