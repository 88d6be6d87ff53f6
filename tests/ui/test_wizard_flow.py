#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The wizard's whole flow, as a person goes through it, with the real
server: an invitation link, the reset e-mail, the password checklist, the QR
code read off the screen with zbarimg, codes from oathtool (one from three
minutes ago first), then the space. Once in English, once in French; and
what a person sees when the server goes away in the middle.

Run under `xvfb-session.sh` (see meson.build); every page's screenshot is
kept in $VESTIBULE_UI_ARTIFACTS/<test>/ (flow-en, flow-fr, server-down), with
the wizard's output in wizard.log. Every test ends with the wizard quitting
by itself (Finish, or its window's Close button) and checks that it exited
0 with no sanitizer report: in the AddressSanitizer build, that is the
LeakSanitizer check of the whole flow.
"""

import re
import sqlite3
import sys
import time
import unittest

from uitest import (PO_FILE, TIMEOUT, UITestCase, log, oathtool, otpauth_params, text_of,
                    untranslated_msgids, wait_until, zbar)

GOOD_PASSWORD = "Velo-Rouge-Montagne-42"
WEAK_PASSWORD = "password1"
SPACE_URL = "https://spaces.example.org/ai"
ISSUER = "Council of Europe"


class FlowTests(UITestCase):
    """The whole flow; the subclasses set the language."""

    __test__ = False

    def setUp(self):
        super().setUp()
        self.untranslated = untranslated_msgids(PO_FILE) if self.language != "en" else set()
        self.seen_untranslated = set()

    # Checks on every page ------------------------------------------------

    def page_shot(self, name):
        """A screenshot, and in French, no English left on the page."""
        path = self.shoot(name)
        if self.language != "en":
            texts = self.wizard.texts()
            leftovers = self.tr.english_leftovers(texts)
            self.assertEqual(leftovers, [], f"English text in the {self.language} wizard on {name}")
            # Strings the translator has not done yet: worth saying, not failing.
            self.seen_untranslated |= {t for t in texts if t in self.untranslated}
        return path

    def assert_step(self, step):
        _ = self.tr._
        want = _("Three steps") if step == 0 else _("Step %u of 3") % step
        wait_until(lambda: self.wizard.step_text() == want, what=f"the header to say {want!r}")

    def admin_account(self, login):
        r = self.server.admin("GET", f"/accounts/{login}")
        self.assertEqual(r.status, 200, r)
        return r.json

    def rules(self):
        """The password checklist: {rule text: met?}, from the rule rows and
        their icons' accessible labels."""
        _ = self.tr._
        w = self.wizard
        lst = w.find("list", _("Password rules"))
        result = {}
        for item in w.all("list item", None, root=lst):
            icons = [a.name for a in w.all("image", None, root=item)
                     if a.name in (_("Met"), _("Not met yet"))]
            if icons:
                result[item.name] = icons[0] == _("Met")
        return result

    # The flow ---------------------------------------------------------------

    def run_flow(self, login, paste_whole_link):
        _ = self.tr._
        C = self.tr.C
        w = None
        address = self.invite(login)

        # Welcome, from the link in the invitation.
        w = self.start_wizard(f"vestibule://invite?login={login}")
        w.wait_page("VstWelcomePage")
        self.assert_step(0)
        w.find("heading", _("Welcome"))
        w.find("push button", _("Start"))
        self.page_shot("welcome")
        w.press_next(_("Start"))

        # The login, filled in from the link.
        w.wait_page("VstLoginPage")
        self.assert_step(1)
        field = w.entry(re.compile(re.escape(_("Login"))))
        self.assertEqual(text_of(field), login)
        self.page_shot("login")
        before = self.sink.count(address, "vestibule://reset?")
        w.press_next(_("Send Me a Reset Link"))

        # The reset e-mail arrives in the sink; its link (or code) is pasted.
        w.wait_page("VstInboxPage")
        w.wait_text(re.escape(login))
        msg, token = self.wait_reset_mail(address, before)
        self.page_shot("inbox")
        pasted = f"vestibule://reset?login={login}&token={token}" if paste_whole_link \
            else " ".join(token[i:i + 4] for i in range(0, len(token), 4)).lower()
        w.type_into(re.compile(re.escape(_("Link or code from the e-mail"))), pasted)
        self.page_shot("inbox-pasted")
        w.press_next(_("Continue"))

        # The password, with its live checklist.
        w.wait_page("VstPasswordPage")
        w.find("heading", _("Choose your password"))
        rules = wait_until(self.rules, what="the password rules")
        self.assertTrue(rules, "no password rule shown")
        self.assertFalse(any(rules.values()), f"a rule is met before typing: {rules}")
        self.assertFalse(w.next_button().getState().contains(self.SENSITIVE))
        self.page_shot("password-empty")

        new_row = re.compile("^" + re.escape(_("New password")))
        confirm_row = re.compile("^" + re.escape(_("Confirm the password")))

        # A weak password is refused here, before the server sees it.
        w.type_into(new_row, WEAK_PASSWORD)
        w.type_into(confirm_row, WEAK_PASSWORD)
        w.find("label", _("Strength: weak"))
        weak_rules = wait_until(lambda: (lambda r: r if any(r.values()) else None)(self.rules()),
                                what="some rule met by the weak password")
        unmet = [k for k, ok in weak_rules.items() if not ok]
        self.assertTrue(unmet, f"the weak password meets every rule: {weak_rules}")
        self.assertFalse(w.next_button().getState().contains(self.SENSITIVE),
                         "the weak password can be sent")
        self.assertFalse(self.admin_account(login)["password_set"])
        self.page_shot("password-weak")

        # Two different passwords are named as such.
        w.type_into(new_row, GOOD_PASSWORD)
        w.type_into(confirm_row, GOOD_PASSWORD[:-2] + "99")
        w.wait_text(re.escape(_("The two passwords are not the same. Type the same password twice.")))
        self.assertFalse(w.next_button().getState().contains(self.SENSITIVE))
        self.page_shot("password-mismatch")

        # The good one: what was unticked is ticked, and it can be sent.
        w.type_into(confirm_row, GOOD_PASSWORD)
        good_rules = wait_until(lambda: (lambda r: r if all(r.values()) else None)(self.rules()),
                                what="every rule met")
        for rule in unmet:
            self.assertTrue(good_rules[rule], rule)
        wait_until(lambda: w.next_button().getState().contains(self.SENSITIVE),
                   what="Next to be sensitive with a good password")
        self.page_shot("password-good")
        w.press_next(_("Set Password"))

        # Done: the server has it.
        w.wait_page("VstPasswordDonePage")
        w.find("heading", _("Your password is set"))
        self.assertTrue(self.admin_account(login)["password_set"])
        self.page_shot("password-done")
        w.press_next(_("Continue to Step 2"))

        # The app.
        w.wait_page("VstTotpAppPage")
        self.assert_step(2)
        self.assertFalse(w.next_button().getState().contains(self.SENSITIVE))
        google = w.press(re.compile("Google Authenticator"), "check box")
        wait_until(lambda: google.getState().contains(self.CHECKED), what="Google Authenticator chosen")
        self.page_shot("totp-app")
        w.press_next(_("Continue"))

        # The QR code: read off the screen, it is what the server enrolled.
        w.wait_page("VstTotpPairPage")
        w.find("image", _("QR code for your account"))
        shot = self.page_shot("totp-qr")
        uris = zbar(shot)
        self.assertEqual(len(uris), 1, f"zbarimg read {uris} from {shot}")
        label, params = otpauth_params(uris[0])
        log("QR code:", re.sub(r"secret=[A-Z2-7]+", "secret=…", uris[0]))
        secret = params["secret"]
        self.assertEqual(label, f"{ISSUER}:{login}")
        self.assertEqual(params.get("issuer"), ISSUER)
        self.assertEqual(self.admin_account(login)["totp"], "pending")
        with sqlite3.connect(f"file:{self.server.database}?mode=ro", uri=True) as db:
            (enrolled,) = db.execute("SELECT totp_secret FROM accounts WHERE login = ?",
                                     (login,)).fetchone()
        self.assertEqual(secret, enrolled, "the QR code does not hold the enrolled secret")

        # The same key, typed by hand, under "Can't scan it?".
        w.press(re.compile("^" + re.escape(_("Can’t scan it?"))), "push button") \
            if w.all("push button", re.compile("^" + re.escape(_("Can’t scan it?")))) \
            else w.click(w.find(None, re.compile("^" + re.escape(_("Can’t scan it?")))))
        key_texts = wait_until(lambda: [t for t in w.texts() if t.replace(" ", "") == secret],
                               what="the key shown under “Can’t scan it?”")
        self.assertTrue(key_texts)
        self.page_shot("totp-key")
        w.press_next(_("Continue"))

        # A code from three minutes ago: the phone's clock is behind.
        w.wait_page("VstTotpVerifyPage")
        code_row = re.compile(re.escape(_("Code from the authenticator app")))
        self.page_shot("totp-verify")
        # The wizard knows the server's clock to a second: keep away from
        # the edges of a 30-second step, so that "3 minutes" is 6 steps.
        wait_until(lambda: 3 <= self.server.now() % 30 <= 20, 30, "the middle of a TOTP step",
                   interval=0.25)
        now = self.server.now()
        old = oathtool(secret, now - 180)
        self.assertNotIn(old, {oathtool(secret, now + d * 30) for d in (-1, 0, 1)},
                         "the code from 3 minutes ago happens to be valid now")
        w.type_into(code_row, old)
        w.press_next(_("Verify"))
        skew = self.tr.N("This code was right about %d minute ago: your phone’s clock is behind.",
                         "This code was right about %d minutes ago: your phone’s clock is behind.",
                         3) % 3
        alert = w.find("alert", re.compile(re.escape(skew)))
        self.assertIn(skew, text_of(alert) or alert.name)
        self.assertEqual(self.admin_account(login)["totp"], "pending",
                         "the code from three minutes ago reached the server")
        self.page_shot("totp-clock-skew")

        # The right code: on, and the server says so.
        w.type_into(code_row, oathtool(secret))
        w.press_next(_("Verify"))
        w.wait_page("VstTotpDonePage")
        w.find("heading", _("Two-factor authentication is on"))
        self.assertEqual(self.admin_account(login)["totp"], "active")
        self.page_shot("totp-done")
        w.press_next(_("Continue to Step 3"))

        # The space.
        w.wait_page("VstSpacePage")
        self.assert_step(3)
        w.wait_text(re.escape(SPACE_URL))
        w.find("push button", re.compile(re.escape(_("_Open in the Browser").replace("_", ""))))
        self.page_shot("space")
        w.press_next(_("Finish"))
        code = wait_until(lambda: w.process.poll() is not None and (w.process.returncode,),
                          what="the wizard to quit after Finish")[0]
        # Exit 0 and no sanitizer report: under AddressSanitizer, no leak.
        self.check_wizard_exit(code)

        self.finished = True
        if self.seen_untranslated:
            log("untranslated in po/fr.po and on screen:", sorted(self.seen_untranslated))


class FlowEnglish(FlowTests):
    __test__ = True
    language = "en"

    def test_flow_en(self):
        self.run_flow("jdupont", paste_whole_link=True)


class FlowFrench(FlowTests):
    __test__ = True
    language = "fr"

    def test_flow_fr(self):
        # A few strings that must be French, looked up in the build's
        # catalogue (the translator may still reword them).
        _ = self.tr._
        for msgid in ("Step %u of 3", "Welcome", "Two-factor authentication is on",
                      "Choose your password"):
            self.assertNotEqual(_(msgid), msgid, f"{msgid!r} has no French translation")
        self.assertNotEqual(self.tr.C("navigation", "Next"), "Next")
        self.run_flow("mmartin", paste_whole_link=False)
        self.assertIn("Étape", _("Step %u of 3"))


class ServerDown(UITestCase):
    language = "en"

    def test_server_down(self):
        _ = self.tr._
        login = "pdurand"
        address = self.invite(login)
        w = self.start_wizard(f"vestibule://invite?login={login}")
        w.wait_page("VstWelcomePage")
        w.press_next(_("Start"))
        w.wait_page("VstLoginPage")
        field = w.entry(re.compile(re.escape(_("Login"))))
        self.assertEqual(text_of(field), login)
        self.shoot("login")

        # The server stops; asking for the e-mail fails, clearly.
        message = _("The server cannot be reached. Check that this computer is connected to the "
                    "Internet and try again.")
        self.assertFalse(w.all("push button", _("Retry")), "a Retry button before any error")
        self.assertFalse(w.all("alert", re.compile(re.escape(message.split(".")[0]))))
        self.assertEqual(self.server.stop(), 0, self.server.log()[-4000:])
        w.press_next(_("Send Me a Reset Link"))
        alert = w.find("alert", re.compile(re.escape(message.split(".")[0])))
        self.assertEqual(text_of(alert), message)
        retry = w.find("push button", _("Retry"))
        self.assertTrue(retry.getState().contains(self.SENSITIVE))
        self.assertEqual(w.page(), "VstLoginPage")
        self.assertEqual(text_of(w.entry(re.compile(re.escape(_("Login"))))), login,
                         "the login typed is lost")
        self.shoot("server-down")

        # Back on the same port with the same database: Retry goes on.
        before = self.sink.count(address, "vestibule://reset?")
        self.server.start(timeout=60)
        w.press(_("Retry"))
        w.wait_page("VstInboxPage")
        self.assertFalse(w.all("alert", re.compile(re.escape(message.split(".")[0]))),
                         "the error is still shown")
        self.wait_reset_mail(address, before)
        self.shoot("after-retry")

        # Closed half-way, after an error: it quits cleanly, leaking nothing.
        self.close_wizard()
        self.finished = True


UITestCase.SENSITIVE = __import__("pyatspi").STATE_SENSITIVE
UITestCase.CHECKED = __import__("pyatspi").STATE_CHECKED

if __name__ == "__main__":
    started = time.monotonic()
    # warnings=False: keep the filter of uitest (pyatspi calls deprecated libatspi API).
    result = unittest.main(argv=sys.argv, verbosity=2, exit=False, warnings=False).result
    # Only when every error is LeakSanitizer's tracer crash (see
    # uitest.LeakCheckCrashed): once more, where a second crash fails.
    if (result.errors and not result.failures
            and all("LeakCheckCrashed" in text for _, text in result.errors)):
        log("LeakSanitizer's tracer crashed at the wizard's exit, so its leak check did not run: "
            "running the test once more")
        result = unittest.main(argv=sys.argv, verbosity=2, exit=False, warnings=False).result
    log(f"UI tests took {time.monotonic() - started:.0f} s (timeout per wait: {TIMEOUT:.0f} s)")
    sys.exit(0 if result.wasSuccessful() else 1)
