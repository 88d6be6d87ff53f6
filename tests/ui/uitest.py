# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the wizard's UI tests: the real vestibule-server (through the
server tests' vsttest harness), the real wizard, driven through AT-SPI.

The tests run under `xvfb-run -a dbus-run-session`, so they have their own X
display and session bus. There is no window manager: windows are focused
with `xdotool windowfocus` (windowactivate needs a WM).

GTK 4 registers with the accessibility bus by itself as soon as one is
running on the session bus: unlike GTK 3 it does not look at the
org.gnome.desktop.interface toolkit-accessibility key, so nothing has to be
set in GSettings (the wizard runs with the memory backend anyway).
"""

import gettext
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import warnings

# pyatspi wraps calls that libatspi has deprecated; nothing to act on here.
warnings.filterwarnings("ignore", category=DeprecationWarning)

import pyatspi  # noqa: E402

import vsttest
from vsttest import RESET_MARK, MailSink, Server, reset_token

WIZARD = os.environ.get("VESTIBULE_WIZARD_BINARY", "vestibule")
ARTIFACTS = os.environ.get("VESTIBULE_UI_ARTIFACTS",
                           os.path.join(tempfile.gettempdir(), "vestibule-ui-artifacts"))
LOCALEDIR = os.environ.get("VESTIBULE_LOCALEDIR", "")
PO_FILE = os.environ.get("VESTIBULE_FR_PO", "")
WINDOW_TITLE_EN = "Access your collaborative space"

# Generous: two shared cores, and a build under AddressSanitizer.
TIMEOUT = float(os.environ.get("VESTIBULE_UI_TIMEOUT", "40"))


def log(*args):
    print("#", *args, file=sys.stderr, flush=True)


# Waiting ---------------------------------------------------------------

def wait_until(predicate, timeout=TIMEOUT, what="a condition", interval=0.1):
    """Polls @predicate until it returns something true, and returns that.
    AT-SPI errors while the tree changes count as "not yet"."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # noqa: BLE001 - a changing tree throws anything
            last_error = e
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}"
                                 + (f" (last error: {last_error!r})" if last_error else ""))
        time.sleep(interval)


# Translations ----------------------------------------------------------

class Catalog:
    """The wizard's strings in one language, from the .mo files of the
    build, so that the French test does not hard-code what the translator
    may still be changing."""

    def __init__(self, language):
        self.language = language
        if language == "en":
            self.t = gettext.NullTranslations()
        else:
            self.t = gettext.translation("vestibule", localedir=LOCALEDIR, languages=[language])

    def _(self, msgid):
        return self.t.gettext(msgid)

    def C(self, context, msgid):
        return self.t.pgettext(context, msgid)

    def N(self, singular, plural, n):
        return self.t.ngettext(singular, plural, n)

    def english_leftovers(self, texts):
        """Texts shown as their English msgid although the catalogue has a
        different translation: a string that is not translated at run time
        (missing _(), or not updated after a language change)."""
        if self.language == "en":
            return []
        catalog = getattr(self.t, "_catalog", {})
        translated = {k for k, v in catalog.items()
                      if isinstance(k, str) and k and v and v != k and "\x04" not in k}
        translated |= {k.split("\x04", 1)[1] for k, v in catalog.items()
                       if isinstance(k, str) and "\x04" in k and v and v != k.split("\x04", 1)[1]}
        return sorted({t for t in texts if t in translated})


def untranslated_msgids(po_file):
    """The msgids of @po_file that have no translation yet (empty or
    fuzzy): the translator's to-do, reported but not a test failure."""
    if not po_file or not os.path.exists(po_file):
        return set()
    result = set()
    entry = {}
    key = None
    fuzzy = False

    def flush():
        if "msgid" in entry and entry["msgid"]:
            strs = [v for k, v in entry.items() if k.startswith("msgstr")]
            if fuzzy or not any(strs):
                result.add(entry["msgid"])

    def unquote(s):
        return s.replace('\\n', '\n').replace('\\"', '"').replace('\\\\', '\\')

    with open(po_file, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                flush()
                entry, key, fuzzy = {}, None, False
                continue
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith("#"):
                continue
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$', line)
            if m:
                key = m.group(1)
                entry[key] = unquote(m.group(2))
            elif line.startswith('"') and key is not None:
                entry[key] += unquote(line[1:-1])
    flush()
    return result


# AT-SPI ----------------------------------------------------------------

def role(acc):
    return acc.getRoleName()


def states(acc):
    return acc.getState()


def _visible(acc):
    try:
        return acc.getState().contains(pyatspi.STATE_VISIBLE)
    except Exception:  # noqa: BLE001
        return False


def is_sensitive(acc):
    return states(acc).contains(pyatspi.STATE_SENSITIVE)


def walk(acc, depth=0):
    """@acc and what it holds, leaving out what is not visible: the
    assistant hides the pages that are not on screen from assistive
    technologies (GTK_ACCESSIBLE_STATE_HIDDEN), so this is the page shown."""
    if depth and not _visible(acc):
        return
    yield acc
    if depth > 60:
        return
    try:
        n = acc.childCount
    except Exception:  # noqa: BLE001
        return
    for i in range(n):
        try:
            child = acc.getChildAtIndex(i)
        except Exception:  # noqa: BLE001
            continue
        if child is not None:
            yield from walk(child, depth + 1)


def text_of(acc):
    try:
        t = acc.queryText()
        return t.getText(0, t.characterCount)
    except NotImplementedError:
        return None


def _matches(value, name):
    if name is None:
        return True
    if isinstance(name, str):
        return value == name
    if hasattr(name, "search"):
        return name.search(value) is not None
    return bool(name(value))


class Wizard:
    """A running `vestibule` process and its accessible tree."""

    def __init__(self, process, title, log_path):
        self.process = process
        self.title = title
        self.log_path = log_path
        self.app = wait_until(self._find_app, what="the wizard on the accessibility bus")

    def _find_app(self):
        if self.process.poll() is not None:
            raise AssertionError(f"the wizard exited with {self.process.returncode}:\n{self.log()}")
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.name == "vestibule" and app.childCount > 0:
                return app
        return None

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def window(self):
        return wait_until(lambda: next((w for w in walk(self.app) if role(w) == "frame"), None),
                          what="the wizard's window")

    # Looking -------------------------------------------------------------

    def all(self, role_name=None, name=None, root=None):
        """Every visible accessible with @role_name (such as "push button")
        whose name matches @name (a string, a compiled regex or a test)."""
        found = []
        for acc in walk(root if root is not None else self.app):
            try:
                if role_name is not None and role(acc) != role_name:
                    continue
                if not _matches(acc.name or "", name):
                    # A label's name may lag behind its text, or be empty.
                    if name is None or role(acc) not in ("label", "heading", "alert") \
                            or not _matches(text_of(acc) or "", name):
                        continue
            except Exception:  # noqa: BLE001
                continue
            found.append(acc)
        return found

    def find(self, role_name=None, name=None, root=None, timeout=TIMEOUT):
        return wait_until(lambda: (self.all(role_name, name, root) or [None])[0], timeout,
                          what=f"a visible {role_name or 'control'} named {name!r}")

    def texts(self, root=None):
        """Everything there is to read: names, descriptions, label texts."""
        out = []
        for acc in walk(root if root is not None else self.app):
            try:
                for s in (acc.name, acc.description):
                    if s:
                        out.append(s)
                if role(acc) in ("label", "heading", "alert"):
                    t = text_of(acc)
                    if t:
                        out.append(t)
            except Exception:  # noqa: BLE001
                continue
        return out

    def wait_text(self, pattern, timeout=TIMEOUT):
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        return wait_until(lambda: next((t for t in self.texts() if rx.search(t)), None), timeout,
                          what=f"text matching {rx.pattern!r}")

    def dump(self):
        lines = []

        def rec(acc, depth):
            try:
                if depth and not _visible(acc):
                    return
                st = acc.getState()
                flags = "".join(f for f, s in (("S", pyatspi.STATE_SENSITIVE),
                                               ("F", pyatspi.STATE_FOCUSED),
                                               ("C", pyatspi.STATE_CHECKED),
                                               ("B", pyatspi.STATE_BUSY)) if st.contains(s))
                lines.append("  " * depth + f"[{acc.getRoleName()}] {acc.name!r} {flags}"
                             + (f" ({acc.description!r})" if acc.description else ""))
                for i in range(acc.childCount):
                    rec(acc.getChildAtIndex(i), depth + 1)
            except Exception:  # noqa: BLE001
                return
        rec(self.app, 0)
        return "\n".join(lines)

    # The window's parts -------------------------------------------------

    def page(self):
        """The type name of the page on screen ("VstPasswordPage"): GTK
        names an unlabelled widget after its type."""
        return wait_until(lambda: next((a.name for a in self.all("filler")
                                        if re.fullmatch(r"Vst\w+Page", a.name or "")), None),
                          what="a page on screen")

    def wait_page(self, type_name, timeout=TIMEOUT):
        def there():
            if self.process.poll() is not None:
                raise AssertionError(f"the wizard exited with {self.process.returncode}")
            pages = [a.name for a in self.all("filler") if re.fullmatch(r"Vst\w+Page", a.name or "")]
            return pages == [type_name]
        wait_until(there, timeout, what=f"the page {type_name}")
        return self.find("filler", type_name)

    def step_text(self):
        """What the header says: "Three steps", "Step 2 of 3"."""
        for acc in self.all("panel"):
            if acc.name and acc.childCount >= 1:
                first = acc.getChildAtIndex(0)
                if first is not None and role(first) == "label" and first.name == acc.name:
                    return acc.name
        return None

    def next_button(self):
        """The window's Next button: the last push button of the window
        outside the assistant."""
        window = self.window()
        buttons = []

        def rec(acc, depth):
            if depth and not _visible(acc):
                return
            if acc.name == "VstAssistant" or role(acc) == "alert":
                return
            if role(acc) == "push button":
                buttons.append(acc)
                return
            for i in range(acc.childCount):
                c = acc.getChildAtIndex(i)
                if c is not None:
                    rec(c, depth + 1)
        rec(window, 0)
        return buttons[-1] if buttons else None

    # Acting ----------------------------------------------------------------

    def click(self, acc):
        """Activates @acc through its AT-SPI action, or clicks it with the
        mouse when it has none."""
        # GTK 4.8 gives a check button (or a radio button) no action, and
        # asking it for its number of actions leaks: the generic widget
        # action interface (gtk/a11y/gtkatspiaction.c,
        # widget_handle_get_property) lists the widget's actions and never
        # frees the list, which LeakSanitizer then reports at the wizard's
        # exit. There is nothing to ask: click it.
        if role(acc) in ("check box", "radio button"):
            self.mouse_click(acc)
            return acc
        try:
            action = acc.queryAction()
            n = action.nActions
        except NotImplementedError:
            n = 0
        if n:
            for i in range(n):
                if action.getName(i) in ("click", "activate", "press", "toggle"):
                    action.doAction(i)
                    return acc
            action.doAction(0)
            return acc
        self.mouse_click(acc)
        return acc

    def mouse_click(self, acc):
        """A click in the middle of @acc (GTK 4.8 implements neither an
        action for every control nor Component.GrabFocus). GTK on X11 only
        knows positions in its window, which is at the origin of the screen
        with no window manager."""
        x, y, width, height = acc.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        if width <= 0 or height <= 0:
            raise AssertionError(f"{acc.name!r} has no place on screen")
        self.focus_window()
        subprocess.run(["xdotool", "mousemove", "--sync", str(x + width // 2), str(y + height // 2),
                        "click", "1"], check=True, timeout=30)

    def press(self, name, role_name="push button", timeout=TIMEOUT):
        def sensitive_button():
            for acc in self.all(role_name, name):
                if is_sensitive(acc):
                    return acc
            return None
        button = wait_until(sensitive_button, timeout, what=f"a sensitive {role_name} named {name!r}")
        return self.click(button)

    def press_next(self, label=None, timeout=TIMEOUT):
        """Presses Next once it is sensitive (and reads @label)."""
        def ready():
            b = self.next_button()
            if b is None or not is_sensitive(b) or states(b).contains(pyatspi.STATE_BUSY):
                return None
            return b if label is None or b.name == label else None
        return self.click(wait_until(ready, timeout, what=f"a sensitive Next button {label!r}"))

    def entry(self, name, timeout=TIMEOUT):
        """The editable text of the row or field named @name: an
        AdwEntryRow is itself the text; a row may also hold a GtkText."""
        def editable():
            for acc in self.all(None, name):
                for sub in walk(acc):
                    try:
                        if role(sub) in ("text", "entry", "password text"):
                            sub.queryEditableText()
                            return sub
                    except Exception:  # noqa: BLE001
                        continue
            return None
        return wait_until(editable, timeout, what=f"a text field named {name!r}")

    def close(self, name="Close"):
        """Closes the window with the Close button of its title bar (named
        @name, GTK's translation of "Close"), as a person does: the
        application quits with its last window and main() returns, which
        is when LeakSanitizer checks the heap. Returns the exit status."""
        self.press(name)
        return wait_until(lambda: self.process.poll() is not None and (self.process.returncode,),
                          what="the wizard to exit once its window is closed")[0]

    def focus_window(self):
        subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", self.title,
                        "windowfocus", "--sync"], check=False, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def type_into(self, name, text):
        """Replaces the text of the field named @name with @text: through
        EditableText, or, where GTK does not do it, by focusing the field
        and typing with xdotool."""
        field = self.entry(name)
        try:
            if field.queryEditableText().setTextContents(text) and self._holds(field, text):
                return field
        except Exception:  # noqa: BLE001
            pass
        self.mouse_click(field)
        wait_until(lambda: states(field).contains(pyatspi.STATE_FOCUSED), 15,
                   f"the focus in {name!r}")
        subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+a", "BackSpace"], check=True)
        subprocess.run(["xdotool", "type", "--clearmodifiers", "--delay", "15", text], check=True)
        wait_until(lambda: self._holds(field, text), 20, f"{name!r} to hold what was typed")
        return field

    @staticmethod
    def _holds(field, text):
        t = text_of(field)
        # A password field answers with bullets: compare the length then.
        return t == text or (t is not None and len(t) == len(text) and set(t) <= set("●•*"))


class LeakCheckCrashed(Exception):
    """LeakSanitizer's own tracer crashed while it stopped the wizard's
    threads at exit, so no leak check ran: an intermittent fault of the tool
    (google/sanitizers#1353), not a report. test_wizard_flow.py runs such a
    test once more, so that the check runs after all."""


def leak_check_crashed(code, text):
    """Whether the wizard's exit @code and log @text are LeakSanitizer's
    tracer crash, and nothing else went wrong."""
    return (code != 0 and not sanitizer_reports(text)
            and "Tracer caught signal" in text
            and "LeakSanitizer has encountered a fatal error" in text)


def sanitizer_reports(text):
    """The reports of AddressSanitizer, LeakSanitizer and UBSan in @text,
    each whole: from its "==PID==ERROR:" or "runtime error:" line to its
    "SUMMARY:" line."""
    reports = []
    lines = text.splitlines()
    start = None
    for i, line in enumerate(lines):
        if start is None and (re.search(r"==\d+==ERROR: \w+Sanitizer", line)
                              or "runtime error:" in line):
            start = i
        elif start is not None and line.startswith("SUMMARY:"):
            reports.append("\n".join(lines[start:i + 1]))
            start = None
    if start is not None:
        reports.append("\n".join(lines[start:]))
    return reports


def zbar(path):
    """The texts of the QR codes in the image @path."""
    out = subprocess.run(["zbarimg", "--raw", "--nodbus", "-q", path],
                         capture_output=True, text=True, timeout=60)
    return [line for line in out.stdout.splitlines() if line.strip()]


# The harness -----------------------------------------------------------

class UITestCase(unittest.TestCase):
    """A mail sink, a server, the accessibility bus and, per test, the
    wizard; screenshots go to ARTIFACTS/<test>/."""

    language = "en"

    @classmethod
    def setUpClass(cls):
        cls.atspi = None
        if not os.environ.get("VESTIBULE_UI_NO_BUS_LAUNCHER"):
            cls.atspi = subprocess.Popen(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"],
                                         stdin=subprocess.DEVNULL)
            wait_until(cls._a11y_bus_up, 30, "the accessibility bus")
        cls.sink = MailSink()
        cls.sink.start()
        cls.server = Server(cls.sink.port)
        cls.server.start(timeout=60)
        cls.tr = Catalog(cls.language)

    @staticmethod
    def _a11y_bus_up():
        out = subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.a11y.Bus",
                              "/org/a11y/bus", "org.a11y.Bus.GetAddress"],
                             capture_output=True, text=True)
        return out.returncode == 0

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        server_log = cls.server.log()
        cls.server.cleanup()
        cls.sink.stop()
        if cls.atspi is not None:
            cls.atspi.terminate()
            try:
                cls.atspi.wait(10)
            except subprocess.TimeoutExpired:
                cls.atspi.kill()
        # A graceful stop exits 0; under AddressSanitizer a leak makes it fail.
        if code is None:  # already stopped (and checked) by the test
            code = 0
        if hasattr(vsttest, "check_clean_exit"):
            vsttest.check_clean_exit(code, server_log)
        else:
            assert code == 0, f"the server exited with {code}:\n{server_log[-4000:]}"
            assert "AddressSanitizer" not in server_log, server_log[-4000:]

    def setUp(self):
        # test_flow_en keeps its screenshots in ARTIFACTS/flow-en/.
        name = self.id().split(".")[-1].removeprefix("test_").replace("_", "-")
        self.artifacts = os.path.join(ARTIFACTS, name)
        shutil.rmtree(self.artifacts, ignore_errors=True)
        os.makedirs(self.artifacts)
        self.scratch = tempfile.TemporaryDirectory(prefix="vst-ui-test-")
        self.addCleanup(self.scratch.cleanup)
        self.shot_index = 0
        self.wizard = None
        self.wizard_process = None
        self.exit_checked = False
        self.finished = False
        self.wizard_log = os.path.join(self.artifacts, "wizard.log")

    def tearDown(self):
        process = self.wizard_process
        if process is None:
            return
        still_running = process.poll() is None
        if still_running:
            # The test failed before the wizard quit: a SIGTERM ends it with
            # no leak check (LeakSanitizer only runs when main() returns).
            if not self.finished and self.wizard is not None:
                self.shoot("at-failure")
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with open(self.wizard_log, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        self.assertNotIn("CRITICAL", text, text[-4000:])
        if self.exit_checked:
            return
        self.assertFalse(self.finished and still_running,
                         "the test ended with the wizard still running: close it with "
                         "close_wizard() (or let it finish) so that its exit status and "
                         "leaks are checked")
        # Sanitizer reports fail the test, whatever stopped the wizard.
        reports = sanitizer_reports(text)
        self.assertFalse(reports, "\n\n".join(reports)[:20000])

    def check_wizard_exit(self, code):
        """Fails unless the wizard, now gone by itself, exited 0 and wrote no
        sanitizer report. Under AddressSanitizer, LeakSanitizer checks the
        heap when main() returns: a leak makes the exit status non-zero (23,
        or SIGABRT with abort_on_error=1), and its report is shown here
        whole, not just the end of the log."""
        self.exit_checked = True
        text = self.wizard.log()
        reports = sanitizer_reports(text)
        if code == 0 and not reports:
            return
        if leak_check_crashed(code, text):
            raise LeakCheckCrashed(text[-2000:])
        detail = "\n\n".join(reports) if reports else text[-4000:]
        if len(detail) > 20000:
            detail = detail[:20000] + f"\n[… cut: the whole log is {self.wizard_log}]"
        self.fail(f"the wizard exited with {code}:\n{detail}")

    def close_wizard(self):
        """Closes the wizard's window as a person does, and checks its exit
        (see check_wizard_exit())."""
        # GTK's own translation of its Close button's accessible name.
        close = gettext.translation("gtk40", languages=[self.language],
                                    fallback=True).gettext("Close")
        self.check_wizard_exit(self.wizard.close(close))

    # The people and the wizard ------------------------------------------

    def invite(self, login, language=None):
        address = f"{login}@example.org"
        r = self.server.admin("POST", "/accounts", {
            "login": login, "email": address, "display_name": "Jean Dupont",
            "language": language or self.language})
        self.assertEqual(r.status, 201, r)
        self.sink.wait(1, to=address)
        return address

    def start_wizard(self, *args):
        env = dict(os.environ)
        env["GSETTINGS_BACKEND"] = "memory"
        env.pop("VESTIBULE_SERVER_URL", None)
        if self.language == "fr":
            # No fr_FR locale needs to be generated: the wizard turns the
            # plain C locale into C.UTF-8, where gettext honours LANGUAGE.
            env["LANGUAGE"] = "fr"
            env["LANG"] = env["LC_ALL"] = "C.UTF-8"
        else:
            env["LANGUAGE"] = "en"
            env["LANG"] = env["LC_ALL"] = "C.UTF-8"
        # No animations: a screenshot taken once the page is there shows it
        # whole, not half-way through a cross-fade.
        config = os.path.join(self.scratch.name, "config")
        os.makedirs(os.path.join(config, "gtk-4.0"), exist_ok=True)
        with open(os.path.join(config, "gtk-4.0", "settings.ini"), "w") as f:
            f.write("[Settings]\ngtk-enable-animations=0\n")
        env["XDG_CONFIG_HOME"] = config
        env.pop("NO_AT_BRIDGE", None)
        env.pop("G_DEBUG", None)
        out = open(self.wizard_log, "ab")
        process = subprocess.Popen([WIZARD, "--server", self.server.base, *args],
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env)
        out.close()
        # Kept apart, so that tearDown() stops it even if it never shows up.
        self.wizard_process = process
        self.wizard = Wizard(process, self.tr._(WINDOW_TITLE_EN), self.wizard_log)
        self.wizard.window()
        self.wizard.focus_window()
        return self.wizard

    # Screenshots and the QR code ----------------------------------------

    def shoot(self, name):
        """The whole screen into the artifact directory, numbered in order."""
        self.shot_index += 1
        path = os.path.join(self.artifacts, f"{self.shot_index:02d}-{name}.png")
        # Let GTK paint what the accessibility tree already has.
        time.sleep(0.3)
        subprocess.run(["import", "-window", "root", path], check=True, timeout=60)
        # Kept as the window alone (with no window manager it is at the
        # origin), which is easier to look at than a mostly black screen.
        try:
            x, y, width, height = self.wizard.window().queryComponent().getExtents(pyatspi.WINDOW_COORDS)
            if width > 0 and height > 0 and x >= 0 and y >= 0:
                subprocess.run(["mogrify", "-crop", f"{width}x{height}+{x}+{y}", "+repage", path],
                               check=True, timeout=60)
        except Exception as e:  # noqa: BLE001 - the whole screen will do
            log("screenshot not cropped:", e)
        log("screenshot", path)
        return path

    # Mail ---------------------------------------------------------------

    def wait_reset_mail(self, address, before):
        _, msg = self.sink.wait(before + 1, to=address, containing=RESET_MARK, timeout=60)[-1]
        return msg, reset_token(msg)


def otpauth_params(uri):
    parsed = urllib.parse.urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp", uri
    params = dict(urllib.parse.parse_qsl(parsed.query))
    label = urllib.parse.unquote(parsed.path.lstrip("/"))
    return label, params


def oathtool(secret, at=None):
    cmd = ["oathtool", "--totp", "-b"]
    if at is not None:
        cmd += ["--now", f"@{int(at)}"]
    out = subprocess.run(cmd + [secret], check=True, capture_output=True, text=True)
    return out.stdout.strip()
