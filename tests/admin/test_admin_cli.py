#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""vestibule-admin end to end: the real binary against the real server, with
a temporary database and an SMTP sink, through tests/server/vsttest.py."""

import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "server"))

from vsttest import ServerTestCase, free_port, parts, totp  # noqa: E402

ADMIN = os.environ.get("VESTIBULE_ADMIN", "vestibule-admin")

# The exit statuses documented in vestibule-admin --help.
OK, REFUSED, USAGE, UNAVAILABLE = 0, 1, 2, 3

PASSWORD = "Velo-Rouge-Montagne-42"


def width(text):
    """Terminal columns of @text, as vestibule-admin counts them."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


class AdminCli(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A home of our own, so that the tester's ~/.config is never read.
        cls.home = tempfile.TemporaryDirectory(prefix="vst-admin-test-")

    @classmethod
    def tearDownClass(cls):
        cls.home.cleanup()
        super().tearDownClass()

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("LANG", "LC_", "VESTIBULE_"))}
        env.update({
            "LC_ALL": "C.UTF-8",
            "HOME": self.home.name,
            "XDG_CONFIG_HOME": os.path.join(self.home.name, "config"),
            "TZ": "UTC",
        })
        env.update(extra)
        return env

    def admin(self, *args, server=True, token_file=True, env=None):
        """Runs vestibule-admin; --server and --token-file point at the test
        server unless told otherwise."""
        argv = [ADMIN]
        if server is True:
            argv += ["--server", self.server.base]
        elif server:
            argv += ["--server", server]
        if token_file is True:
            argv += ["--token-file", self.server.token_file]
        elif token_file:
            argv += ["--token-file", token_file]
        argv += list(args)
        return subprocess.run(argv, capture_output=True, text=True, encoding="utf-8",
                              env=env or self.env(), timeout=60, stdin=subprocess.DEVNULL)

    def assertExit(self, result, status):
        self.assertEqual(result.returncode, status,
                         f"exit {result.returncode}\nstdout:\n{result.stdout}\n"
                         f"stderr:\n{result.stderr}")

    def assertSucceeds(self, *args, **kwargs):
        result = self.admin(*args, **kwargs)
        self.assertExit(result, OK)
        self.assertEqual(result.stderr, "")
        return result.stdout

    def invite_cli(self, login, name="Jean Dupont", language="en", *extra):
        address = f"{login}@example.org"
        out = self.assertSucceeds("invite", login, "--email", address, "--name", name,
                                  "--language", language, *extra)
        self.sink.wait(1, to=address)
        return address, out

    @staticmethod
    def details(text):
        """The `show` block as a dict."""
        pairs = {}
        for line in text.splitlines():
            key, sep, value = line.partition(":")
            if sep and value.startswith(" "):
                pairs[key] = value.strip()
        return pairs

    def show(self, login):
        return self.details(self.assertSucceeds("show", login))

    def sign_in(self, login, password=PASSWORD):
        return self.server.request("POST", "/api/v1/sessions",
                                   {"login": login, "password": password})

    # The commands ----------------------------------------------------

    def test_invite(self):
        address, out = self.invite_cli("emuller", "Élodie Müller", "fr",
                                       "--space-name", "Groupe d’experts",
                                       "--space-url", "https://spaces.example.org/ge")
        self.assertIn("emuller", out)
        self.assertIn(address, out)
        details = self.details(out)
        self.assertEqual(details["Name"], "Élodie Müller")
        self.assertEqual(details["Language"], "French")
        self.assertEqual(details["Space"], "Groupe d’experts")
        self.assertEqual(details["Password"], "not set")
        self.assertEqual(details["2FA"], "none")

        # The invitation reaches the person, with their login.
        _, msg = self.sink.wait(1, to=address)[0]
        text, html = parts(msg)
        self.assertIn("emuller", text)
        self.assertIn("login=emuller", html)

        # What the server stored is what was typed.
        account = self.server.admin("GET", "/accounts/emuller").json
        self.assertEqual(account["display_name"], "Élodie Müller")
        self.assertEqual(account["language"], "fr")
        self.assertEqual(account["space"], {"name": "Groupe d’experts",
                                            "url": "https://spaces.example.org/ge"})

    def test_invite_json(self):
        out = self.assertSucceeds("--json", "invite", "scripted", "--email", "s@example.org",
                                  "--name", "Script", "--language", "EN")
        account = json.loads(out)
        self.assertEqual(account["login"], "scripted")
        self.assertEqual(account["language"], "en")
        self.sink.wait(1, to="s@example.org")

    def test_list(self):
        self.invite_cli("alist", "Élodie Müller")
        self.invite_cli("blist", "E\u0301lodie Mu\u0308ller-Schmidt")
        self.invite_cli("clist", "山田太郎")
        out = self.assertSucceeds("list")
        lines = out.splitlines()
        header = lines[0]
        self.assertRegex(header, r"^LOGIN +NAME +E-MAIL +PASSWORD +2FA +LOCKED +LAST E-MAIL$")
        rows = {line.split()[0]: line for line in lines[1:]}
        for login in ("alist", "blist", "clist"):
            self.assertIn(login, rows)

        # Every cell starts under its header, counted in terminal columns.
        def column(line, needle):
            return width(line[:line.index(needle)])

        for login, name in (("alist", "Élodie Müller"),
                            ("blist", "E\u0301lodie Mu\u0308ller-Schmidt"),
                            ("clist", "山田太郎")):
            row = rows[login]
            self.assertEqual(column(row, name), column(header, "NAME"), out)
            self.assertEqual(column(row, f"{login}@example.org"), column(header, "E-MAIL"), out)
            self.assertEqual(column(row, "not set"), column(header, "PASSWORD"), out)
            self.assertEqual(column(row, "none"), column(header, "2FA"), out)
            self.assertEqual(column(row, "invitation"), column(header, "LAST E-MAIL"), out)
            self.assertRegex(row, r"invitation (sent|queued), (just now|\d+ minutes? ago)$")
            self.assertFalse(row.endswith(" "))

        # The same accounts for scripts.
        data = json.loads(self.assertSucceeds("list", "--json"))
        logins = {a["login"]: a for a in data["accounts"]}
        self.assertEqual(logins["clist"]["display_name"], "山田太郎")
        self.assertEqual(logins["blist"]["email"], "blist@example.org")

    def test_show(self):
        self.invite_cli("showme", "Jean Dupont", "fr")
        details = self.show("showme")
        self.assertEqual(details["Login"], "showme")
        self.assertEqual(details["Name"], "Jean Dupont")
        self.assertEqual(details["E-mail"], "showme@example.org")
        self.assertEqual(details["Password"], "not set")
        self.assertEqual(details["2FA"], "none")
        self.assertEqual(details["Locked"], "no")
        self.assertRegex(details["Last e-mail"],
                         r"^invitation (sent|queued), \d{4}-\d\d-\d\d \d\d:\d\d \(")
        # The organisation's space, for an account invited without one.
        self.assertEqual(details["Space"], "Expert group on AI")

        # Logins are case-folded by the server; the CLI finds them either way.
        self.assertEqual(self.show("ShowMe")["Login"], "showme")

        account = json.loads(self.assertSucceeds("show", "showme", "--json"))
        self.assertEqual(account, self.server.admin("GET", "/accounts/showme").json)

        # Once the password is set, with its expiry.
        self.assertEqual(self.set_password("showme", "showme@example.org", PASSWORD).status, 200)
        self.assertRegex(self.show("showme")["Password"],
                         r"^set, expires \d{4}-\d\d-\d\d \d\d:\d\d \(in 18[23] days\)$")

    def test_resend(self):
        address, _ = self.invite_cli("again")
        out = self.assertSucceeds("resend", "again")
        self.assertIn("again", out)
        self.assertIn(address, out)
        # A second invitation arrives.
        second = self.sink.wait(2, to=address)[1][1]
        self.assertIn("again", parts(second)[0])
        self.assertEqual(json.loads(self.assertSucceeds("--json", "resend", "again")),
                         {"status": "queued"})
        self.sink.wait(3, to=address)

    def test_reset_2fa(self):
        address, _ = self.invite_cli("lostphone")
        self.assertEqual(self.set_password("lostphone", address, PASSWORD).status, 200)
        session = self.sign_in("lostphone").json["session"]
        secret = self.server.request("POST", "/api/v1/totp", token=session).json["secret"]
        r = self.server.request("POST", "/api/v1/totp/activate",
                                {"code": totp(secret, self.server.now())}, token=session)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.show("lostphone")["2FA"], "active")

        out = self.assertSucceeds("reset-2fa", "lostphone")
        self.assertIn("lostphone", out)
        self.assertEqual(self.details(out)["2FA"], "none")
        self.assertEqual(self.server.admin("GET", "/accounts/lostphone").json["totp"], "none")
        # Pairing can start again.
        r = self.sign_in("lostphone")
        self.assertEqual(r.json["totp"], "none")
        self.assertEqual(self.server.request("POST", "/api/v1/totp",
                                             token=r.json["session"]).status, 201)

        account = json.loads(self.assertSucceeds("--json", "reset-2fa", "lostphone"))
        self.assertEqual(account["totp"], "none")

    def test_unlock(self):
        address, _ = self.invite_cli("locked")
        self.assertEqual(self.set_password("locked", address, PASSWORD).status, 200)
        for _ in range(5):
            self.sign_in("locked", "wrong")
        self.assertEqual(self.sign_in("locked").status, 429)

        self.assertRegex(self.show("locked")["Locked"],
                         r"^until \d{4}-\d\d-\d\d \d\d:\d\d \(in 1[45] minutes\)$")
        row = [line for line in self.assertSucceeds("list").splitlines()
               if line.startswith("locked ")][0]
        self.assertRegex(row, r" until (\d\d:\d\d|\d{4}-\d\d-\d\d \d\d:\d\d) ")

        out = self.assertSucceeds("unlock", "locked")
        self.assertEqual(self.details(out)["Locked"], "no")
        self.assertEqual(self.sign_in("locked").status, 200)

        account = json.loads(self.assertSucceeds("unlock", "--json", "locked"))
        self.assertIsNone(account["locked_until"])

    # Where the server and the token come from -------------------------

    def test_defaults_from_environment(self):
        self.invite_cli("envuser")
        # VESTIBULE_SERVER and VESTIBULE_ADMIN_TOKEN_FILE stand in for the options.
        env = self.env(VESTIBULE_SERVER=self.server.base,
                       VESTIBULE_ADMIN_TOKEN_FILE=self.server.token_file)
        out = self.assertSucceeds("show", "envuser", server=False, token_file=False, env=env)
        self.assertIn("envuser", out)

        # Else $XDG_CONFIG_HOME/vestibule/admin-token.
        env = self.env(VESTIBULE_SERVER=self.server.base)
        directory = os.path.join(env["XDG_CONFIG_HOME"], "vestibule")
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, "admin-token")
        with open(self.server.token_file) as f:
            token = f.read()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(token)
        try:
            self.assertSucceeds("show", "envuser", server=False, token_file=False, env=env)
        finally:
            os.unlink(path)

        # No token file anywhere: say where it was looked for.
        r = self.admin("list", server=False, token_file=False, env=env)
        self.assertExit(r, UNAVAILABLE)
        self.assertIn(path, r.stderr)
        self.assertIn("--token-file", r.stderr)

    def test_exposed_token_file(self):
        with tempfile.NamedTemporaryFile("w", dir=self.home.name, delete=False) as f:
            with open(self.server.token_file) as t:
                f.write(t.read())
        try:
            os.chmod(f.name, 0o644)
            r = self.admin("list", token_file=f.name)
            # A warning, and the command still runs.
            self.assertExit(r, OK)
            self.assertIn("warning", r.stderr)
            self.assertIn(f.name, r.stderr)
            self.assertIn("chmod 600", r.stderr)
            os.chmod(f.name, 0o600)
            self.assertEqual(self.admin("list", token_file=f.name).stderr, "")
        finally:
            os.unlink(f.name)

    def test_token_never_in_argv(self):
        # There is no option that takes the token itself.
        r = self.admin("list", "--token", "x")
        self.assertExit(r, USAGE)
        r = self.admin("--help", server=False, token_file=False)
        self.assertNotRegex(r.stdout, r"--token[ =]")

    # Errors ------------------------------------------------------------

    def test_unknown_login(self):
        for command in ("show", "resend", "reset-2fa", "unlock"):
            r = self.admin(command, "ghost")
            self.assertExit(r, REFUSED)
            self.assertEqual(r.stdout, "")
            self.assertIn("No account with login “ghost”", r.stderr)

    def test_server_refusals(self):
        self.invite_cli("taken")
        r = self.admin("invite", "taken", "--email", "t2@example.org", "--name", "T",
                       "--language", "en")
        self.assertExit(r, REFUSED)
        self.assertIn("An account with this login already exists.", r.stderr)

        r = self.admin("invite", "Bad Login", "--email", "b@example.org", "--name", "B",
                       "--language", "en")
        self.assertExit(r, REFUSED)
        self.assertIn("The login must have 2 to 64 letters", r.stderr)

    def test_french_server_messages(self):
        self.invite_cli("dejapris")
        # The server's own messages come in the agent's language. (LANG and
        # LC_ALL would need a French locale installed for the output to stay
        # UTF-8; LANGUAGE is read the same way and needs none.)
        for language in ("fr", "fr_CA:en"):
            env = self.env(LANGUAGE=language)
            r = self.admin("invite", "dejapris", "--email", "d@example.org", "--name", "D",
                           "--language", "fr", env=env)
            self.assertExit(r, REFUSED)
            self.assertIn("Un compte avec cet identifiant existe déjà.", r.stderr)

    def test_wrong_token(self):
        with tempfile.NamedTemporaryFile("w", dir=self.home.name) as f:
            f.write("not-the-admin-token-at-all\n")
            f.flush()
            for args in (["list"], ["show", "ghost"], ["invite", "x1", "--email", "x@example.org",
                                                       "--name", "X", "--language", "en"]):
                r = self.admin(*args, token_file=f.name)
                self.assertExit(r, UNAVAILABLE)
                self.assertIn("The admin token was refused", r.stderr)
        self.assertEqual(self.sink.count("x@example.org"), 0)

    def test_server_down(self):
        url = f"http://127.0.0.1:{free_port()}"
        r = self.admin("list", server=url)
        self.assertExit(r, UNAVAILABLE)
        self.assertIn(f"Cannot reach the Vestibule server at {url}", r.stderr)

        r = self.admin("show", "x", server=None,
                       env=self.env(VESTIBULE_SERVER=url))
        self.assertExit(r, UNAVAILABLE)
        self.assertIn("Cannot reach the Vestibule server", r.stderr)

    def test_not_a_vestibule_server(self):
        # The server's own address with a path under which nothing lives.
        r = self.admin("list", server=self.server.base + "/elsewhere")
        self.assertExit(r, UNAVAILABLE)
        self.assertIn("does not offer the Vestibule helpdesk API", r.stderr)

    def test_usage_errors(self):
        cases = [
            ([], "Give a command"),
            (["frobnicate"], "Unknown command “frobnicate”"),
            (["show"], "show needs a login"),
            (["show", "a", "b"], "show takes one login"),
            (["list", "extra"], "list takes no arguments"),
            (["invite", "x"], "invite needs --email"),
            (["invite", "x", "--email", "x@example.org"], "invite needs --name"),
            (["invite", "x", "--email", "x@example.org", "--name", "X"], "invite needs --language"),
            (["invite", "x", "--email", "x@example.org", "--name", "X", "--language", "de"],
             "--language must be “en” or “fr”"),
            (["--frobnicate", "list"], "Unknown option --frobnicate"),
            (["list", "--frobnicate"], "Unknown option --frobnicate"),
        ]
        for args, message in cases:
            with self.subTest(args=args):
                r = self.admin(*args)
                self.assertExit(r, USAGE)
                self.assertIn(message, r.stderr)
                self.assertIn("--help", r.stderr)
                self.assertEqual(r.stdout, "")

        for url in ("ftp://example.org", "127.0.0.1:8080", "https://user:pw@example.org"):
            r = self.admin("list", server=url)
            self.assertExit(r, USAGE)
            self.assertIn("server address", r.stderr)

    def test_help(self):
        r = self.admin("--help", server=False, token_file=False)
        self.assertExit(r, OK)
        for command in ("invite LOGIN", "list", "show LOGIN", "resend LOGIN", "reset-2fa LOGIN",
                        "unlock LOGIN"):
            self.assertRegex(r.stdout, rf"(?m)^  {re.escape(command)} ")
        self.assertIn("Exit status:", r.stdout)
        for status in range(4):
            self.assertRegex(r.stdout, rf"(?m)^  {status}  ")

        r = self.admin("invite", "--help", server=False, token_file=False)
        self.assertExit(r, OK)
        for option in ("--email", "--name", "--language", "--space-name", "--space-url",
                       "--json", "--server", "--token-file"):
            self.assertIn(option, r.stdout)
        r = self.admin("help", "unlock", server=False, token_file=False)
        self.assertExit(r, OK)
        self.assertIn("Lift the password and code lockouts", r.stdout)

        r = self.admin("--version", server=False, token_file=False)
        self.assertExit(r, OK)
        self.assertRegex(r.stdout, r"^vestibule-admin \d+\.\d+")


if __name__ == "__main__":
    unittest.main(verbosity=2)
