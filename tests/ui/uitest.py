"""Drives the real Vestibule wizard through AT-SPI under Xvfb.

The test runs inside `xvfb-run dbus-run-session`; this module starts the
accessibility bus, the wizard, and offers what a person does: find a control
by its role and accessible name, press it, type into it, read what is shown,
and take a screenshot of the screen.
"""

import os
import re
import subprocess
import time

import pyatspi

WIZARD = os.environ.get("VESTIBULE_WIZARD_BINARY", "vestibule")
ARTIFACTS = os.environ.get("VESTIBULE_UI_ARTIFACTS", "/tmp/vestibule-ui-artifacts")
DEFAULT_TIMEOUT = float(os.environ.get("VESTIBULE_UI_TIMEOUT", "20"))


class UIError(AssertionError):
    pass


def wait_until(predicate, timeout=DEFAULT_TIMEOUT, what="a condition"):
    """Polls @predicate until it returns something true, and returns it."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # the tree changes under our feet
            last_error = e
        time.sleep(0.1)
    raise UIError(f"timed out waiting for {what}" + (f" (last error: {last_error})" if last_error else ""))


def start_accessibility_bus():
    # GTK 4 finds the accessibility bus through org.a11y.Bus on the session bus.
    return subprocess.Popen(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _showing(acc):
    try:
        return acc.getState().contains(pyatspi.STATE_VISIBLE)
    except Exception:
        return False


def _walk(acc, depth=0):
    """@acc and what it holds, leaving out what is not visible: the
    assistant hides the pages that are not on screen."""
    if depth and not _showing(acc):
        return
    yield acc
    if depth > 60:
        return
    try:
        n = acc.childCount
    except Exception:
        return
    for i in range(n):
        try:
            child = acc.getChildAtIndex(i)
        except Exception:
            continue
        if child is not None:
            yield from _walk(child, depth + 1)


class Wizard:
    """A running `vestibule` process and its accessible tree."""

    def __init__(self, server_url, args=(), env=None, name="wizard"):
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.env["VESTIBULE_SERVER_URL"] = server_url
        self.artifacts = os.path.join(ARTIFACTS, name)
        os.makedirs(self.artifacts, exist_ok=True)
        self.log_path = os.path.join(self.artifacts, "wizard.log")
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([WIZARD, "--server", server_url, *args],
                                        stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                        env=self.env)
        log.close()
        self.app = wait_until(self._find_app, what="the wizard on the accessibility bus")
        self.shots = 0

    def _find_app(self):
        if self.process.poll() is not None:
            raise UIError(f"the wizard exited with {self.process.returncode}:\n{self.log()}")
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.name == "vestibule":
                return app
        return None

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def close(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    # Looking -------------------------------------------------------------

    def all(self, role=None, name=None, showing=True):
        """Every accessible with @role (a role name such as "push button")
        whose name matches @name (a regex, or an exact string)."""
        found = []
        for acc in _walk(self.app):
            try:
                if role is not None and acc.getRoleName() != role:
                    continue
                if name is not None:
                    n = acc.name or ""
                    if isinstance(name, str):
                        if n != name:
                            continue
                    elif not name.search(n):
                        continue
                if showing and not _showing(acc):
                    continue
            except Exception:
                continue
            found.append(acc)
        return found

    def find(self, role=None, name=None, timeout=DEFAULT_TIMEOUT):
        return wait_until(lambda: (self.all(role, name) or [None])[0], timeout,
                          what=f"a showing {role or 'control'} named {name!r}")

    def texts(self):
        """All the text shown: labels' names and descriptions."""
        out = []
        for acc in _walk(self.app):
            try:
                if not _showing(acc):
                    continue
                if acc.name:
                    out.append(acc.name)
                if acc.description:
                    out.append(acc.description)
            except Exception:
                continue
        return "\n".join(out)

    def wait_text(self, pattern, timeout=DEFAULT_TIMEOUT):
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        return wait_until(lambda: rx.search(self.texts()), timeout, what=f"text matching {rx.pattern!r}")

    def dump(self):
        lines = []
        def rec(acc, depth):
            try:
                if depth and not _showing(acc):
                    return
                lines.append("  " * depth + f"[{acc.getRoleName()}] {acc.name!r}"
                             + (f" ({acc.description!r})" if acc.description else ""))
                for i in range(acc.childCount):
                    rec(acc.getChildAtIndex(i), depth + 1)
            except Exception:
                return
        rec(self.app, 0)
        return "\n".join(lines)

    # Acting ----------------------------------------------------------------

    def press(self, name, role="push button", timeout=DEFAULT_TIMEOUT):
        def sensitive_button():
            for acc in self.all(role, name):
                if acc.getState().contains(pyatspi.STATE_SENSITIVE):
                    return acc
            return None
        button = wait_until(sensitive_button, timeout, what=f"a sensitive {role} named {name!r}")
        action = button.queryAction()
        for i in range(action.nActions):
            if action.getName(i) in ("click", "activate", "press"):
                action.doAction(i)
                return button
        action.doAction(0)
        return button

    def entry(self, name, timeout=DEFAULT_TIMEOUT):
        """The editable text inside the row or field named @name."""
        def editable():
            for acc in self.all(None, name):
                for sub in _walk(acc):
                    try:
                        if sub.getRoleName() in ("text", "entry", "password text") and _showing(sub):
                            sub.queryEditableText()
                            return sub
                    except Exception:
                        continue
            return None
        return wait_until(editable, timeout, what=f"a text field named {name!r}")

    def type_into(self, name, text):
        field = self.entry(name)
        field.queryEditableText().setTextContents(text)
        return field

    def text_of(self, acc):
        t = acc.queryText()
        return t.getText(0, t.characterCount)

    def screenshot(self, label):
        self.shots += 1
        path = os.path.join(self.artifacts, f"{self.shots:02d}-{label}.png")
        # The whole screen: there is no window manager, so the window is at
        # the origin, and the QR code's quiet zone is on screen with it.
        subprocess.run(["import", "-window", "root", path], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return path


def zbar(path):
    """The text of the one QR code in the image @path."""
    out = subprocess.run(["zbarimg", "--raw", "--nodbus", "-q", path],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise UIError(f"zbarimg found no QR code in {path} (exit {out.returncode}): {out.stderr}")
    return out.stdout.strip()
