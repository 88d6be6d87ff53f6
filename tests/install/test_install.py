# SPDX-License-Identifier: GPL-3.0-or-later
"""Vestibule's desktop integration and packaging, as tests/install/meson.build
runs them:

  validate  the validators on the built files: desktop-file-validate,
            appstreamcli validate --no-net (no error, warning or info),
            glib-compile-schemas --strict, the man pages through groff -ww,
            the icons through rsvg-convert, the Flatpak manifest
  destdir   `meson install` into a fresh DESTDIR: the file list against
            expected-files.txt, the installed files validated again, the
            systemd unit through `systemd-analyze verify`, the installed
            header and pkg-config file compiled against
  launch    the wizard started from the installed desktop file's Exec= line
            under Xvfb, with everything taken from the DESTDIR: its window
            appears with its title, in English and in French, and its icon

A check that cannot run because a tool is missing fails: CI installs them all
(build-aux/install-deps.sh).
"""

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SOURCE = os.environ["VESTIBULE_SOURCE_ROOT"]
BUILD = os.environ["VESTIBULE_BUILD_ROOT"]
APP_ID = "io.github.vestibule.Vestibule"
PARTS = {
    "server": os.environ.get("VESTIBULE_SERVER") == "1",
    "admin": os.environ.get("VESTIBULE_ADMIN") == "1",
    "man": os.environ.get("VESTIBULE_MAN") == "1",
}
TITLES = {"en": "Access your collaborative space",
          "fr": "Accéder à votre espace collaboratif"}
ARTIFACTS = os.path.join(BUILD, "tests", "install", "artifacts")
failures = []


def log(*args):
    print("#", *args, flush=True)


def check(ok, what):
    """Reports @what: its first line is the check, the rest what the tools
    said, shown when the check fails."""
    print(("ok    " + what.split("\n", 1)[0]) if ok else ("FAIL  " + what.rstrip()), flush=True)
    if not ok:
        failures.append(what)
    return ok


def run(argv, **kwargs):
    """Runs @argv and returns (exit code, stdout + stderr)."""
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.STDOUT)
    proc = subprocess.run(argv, text=True, **kwargs)
    return proc.returncode, proc.stdout or ""


def need(tool):
    path = shutil.which(tool)
    if path is None:
        check(False, f"{tool} is installed (build-aux/install-deps.sh)")
    return path


def directory(name):
    """<prefix>/<option>, as meson joins them."""
    prefix = os.environ["VESTIBULE_PREFIX"]
    if name == "prefix":
        return prefix
    return os.path.join(prefix, os.environ["VESTIBULE_" + name.upper()])


# Validators -------------------------------------------------------------

def validate_desktop_file(path):
    if not need("desktop-file-validate"):
        return
    code, out = run(["desktop-file-validate", path])
    check(code == 0 and out.strip() == "",
          f"desktop-file-validate {os.path.basename(path)}: silent\n{out}")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    check("\nMimeType=x-scheme-handler/vestibule;\n" in text,
          "the desktop file handles vestibule:// links")
    for key in ("Name", "Comment", "Keywords"):
        check(re.search(rf"^{key}\[fr\]=.+$", text, re.M) is not None,
              f"the desktop file has a French {key}")


def validate_metainfo(path):
    if not need("appstreamcli"):
        return
    code, out = run(["appstreamcli", "validate", "--no-net", "--explain", path])
    # Without --pedantic, any E:, W: or I: line is a finding.
    findings = [line for line in out.splitlines() if re.match(r"^[EWI]: ", line)]
    check(code == 0 and not findings,
          f"appstreamcli validate --no-net {os.path.basename(path)}: "
          f"no error, warning or info\n{out}")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    check('<summary xml:lang="fr">' in text and '<p xml:lang="fr">' in text,
          "the metainfo has a French summary and description")
    for shot in re.findall(r"<image>https://raw\.githubusercontent\.com/[^/]+/[^/]+/[^/]+/"
                           r"(data/screenshots/[^<]+)</image>", text):
        check(os.path.isfile(os.path.join(SOURCE, shot)),
              f"the screenshot {shot} is in the source tree")


def validate_schema(schema_xml):
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(schema_xml, tmp)
        code, out = run(["glib-compile-schemas", "--strict", "--dry-run", tmp])
        check(code == 0 and out.strip() == "",
              f"glib-compile-schemas --strict {os.path.basename(schema_xml)}\n{out}")


def validate_man_pages(mandir, expected):
    if not PARTS["man"]:
        log("help2man was not found: no man pages to check")
        return
    if not need("groff"):
        return
    for name in expected:
        path = os.path.join(mandir, name + ".1")
        if not check(os.path.isfile(path), f"the man page {name}.1 is built"):
            continue
        # -k: the pages hold UTF-8 (the … and quotes of --help).
        code, out = run(["groff", "-k", "-man", "-Tutf8", "-ww", "-z", path],
                        env=dict(os.environ, LC_ALL="C.UTF-8"))
        check(code == 0 and out.strip() == "", f"groff -ww {name}.1: no warning\n{out}")
        with open(path, encoding="utf-8") as f:
            page = f.read()
        for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "SEE ALSO"):
            check(f'.SH {section}' in page or f'.SH "{section}"' in page,
                  f"{name}.1 has a {section} section")
        check("Application Options" in page and "--version" in page.replace("\\-", "-"),
              f"{name}.1 lists the options of --help")


def validate_icons(datadir):
    icons = {
        os.path.join(datadir, "icons/hicolor/scalable/apps", APP_ID + ".svg"): "128",
        os.path.join(datadir, "icons/hicolor/symbolic/apps", APP_ID + "-symbolic.svg"): "16",
    }
    for path, size in icons.items():
        if not check(os.path.isfile(path), f"{os.path.basename(path)} exists"):
            continue
        with open(path, encoding="utf-8") as f:
            svg = f.read()
        check(f'viewBox="0 0 {size} {size}"' in svg,
              f"{os.path.basename(path)} is drawn on a {size} px canvas")
        if need("rsvg-convert"):
            proc = subprocess.run(["rsvg-convert", "-w", "64", "-h", "64", path],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            check(proc.returncode == 0 and proc.stdout.startswith(b"\x89PNG") and not proc.stderr,
                  f"{os.path.basename(path)} renders\n{proc.stderr.decode(errors='replace')}")


def validate_flatpak_manifest():
    manifest = os.path.join(SOURCE, "flatpak", APP_ID + ".json")
    with open(manifest, encoding="utf-8") as f:
        data = json.load(f)
    args = data.get("finish-args", [])
    check(data.get("id") == APP_ID and data.get("command") == "vestibule",
          "the Flatpak manifest builds the wizard")
    for arg in ("--share=network", "--socket=wayland", "--socket=fallback-x11"):
        check(arg in args, f"the Flatpak has {arg}")
    check(not any(a.startswith("--filesystem") for a in args),
          "the Flatpak has no filesystem access")
    with open(os.path.join(SOURCE, "meson_options.txt"), encoding="utf-8") as f:
        options = set(re.findall(r"option\('([\w-]+)'", f.read()))
    ours = [m for m in data.get("modules", [])
            if isinstance(m, dict) and m.get("name") == "vestibule"]
    for opt in (ours[0].get("config-opts", []) if ours else []):
        if opt.startswith("-D"):
            name = opt[2:].split("=", 1)[0]
            check(name in options, f"the Flatpak's -D{name} is an option of meson_options.txt")
    if need("flatpak-builder"):
        # flatpak-builder keeps a state directory where it runs: not the tree.
        with tempfile.TemporaryDirectory() as tmp:
            code, out = run(["flatpak-builder", "--show-manifest", manifest], cwd=tmp)
        check(code == 0, f"flatpak-builder --show-manifest parses it\n{out}")


def programs():
    return ["vestibule"] + [p for p, part in (("vestibule-server", "server"),
                                              ("vestibule-admin", "admin")) if PARTS[part]]


def cmd_validate():
    validate_desktop_file(os.environ["VESTIBULE_DESKTOP_FILE"])
    validate_metainfo(os.environ["VESTIBULE_METAINFO_FILE"])
    validate_schema(os.path.join(SOURCE, "data", APP_ID + ".gschema.xml"))
    validate_man_pages(os.environ["VESTIBULE_MAN_DIR"], programs())
    validate_icons(os.path.join(SOURCE, "data"))
    validate_flatpak_manifest()


# The DESTDIR install ----------------------------------------------------

def install(destdir):
    code, out = run([os.environ["MESON"], "install", "-C", BUILD, "--destdir", destdir,
                     "--no-rebuild", "--quiet"])
    check(code == 0, f"meson install --destdir {destdir}\n{out}")
    return code == 0


def in_destdir(destdir, path):
    return destdir + path if os.path.isabs(path) else os.path.join(destdir, path)


def expected_files():
    names = ("prefix", "bindir", "libdir", "includedir", "datadir", "localedir", "mandir")
    dirs = {name: directory(name) for name in names}
    expected = set()
    with open(os.path.join(SOURCE, "tests", "install", "expected-files.txt"),
              encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            tags = []
            while line.startswith("["):
                tag, line = re.match(r"^\[(\w+)\]\s*(.*)$", line).groups()
                tags.append(tag)
            if all(PARTS[t] for t in tags):
                expected.add(re.sub(r"@(\w+)@", lambda m: dirs[m.group(1)], line))
    return {os.path.normpath(p) for p in expected}


def installed_files(destdir):
    found = set()
    for root, dirs, files in os.walk(destdir):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            found.add("/" + os.path.relpath(os.path.join(root, name), destdir))
    return found


def check_systemd_unit(destdir):
    unit = in_destdir(destdir, os.path.join(directory("prefix"),
                                            "lib/systemd/system/vestibule-server.service"))
    if not os.path.isfile(unit) or not need("systemd-analyze"):
        return
    with open(unit, encoding="utf-8") as f:
        text = f.read()
    for setting in ("User=vestibule", "StateDirectory=vestibule", "ProtectSystem=strict",
                    "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes",
                    "NoNewPrivileges=yes", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                    "SystemCallFilter=@system-service", "CapabilityBoundingSet=\n",
                    "MemoryDenyWriteExecute=yes", "UMask=0077"):
        check(setting in text, f"the unit sets {setting.strip()}")
    # `systemd-analyze verify` wants the ExecStart= program to exist: verify
    # a copy whose path points into the DESTDIR. The man: link is checked
    # against the installed man pages.
    server = os.path.join(directory("bindir"), "vestibule-server")
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "vestibule-server.service")
        with open(copy, "w", encoding="utf-8") as f:
            f.write(text.replace(server, in_destdir(destdir, server)))
        argv = ["systemd-analyze", "verify"]
        env = dict(os.environ, SYSTEMD_LOG_COLOR="0")
        if PARTS["man"]:
            env["MANPATH"] = in_destdir(destdir, directory("mandir"))
        else:
            argv.append("--man=no")
        code, out = run(argv + [copy], env=env)
        check(code == 0 and out.strip() == "", f"systemd-analyze verify: silent\n{out}")
    users = in_destdir(destdir, os.path.join(directory("prefix"),
                                             "lib/sysusers.d/vestibule-server.conf"))
    if os.path.isfile(users) and shutil.which("systemd-sysusers"):
        with tempfile.TemporaryDirectory() as root:
            code, out = run(["systemd-sysusers", "--dry-run", "--root", root, users])
            check(code == 0 and "vestibule" in out,
                  f"systemd-sysusers reads the service's user\n{out}")


def check_pkg_config(destdir):
    if not need("pkg-config") or not need("cc"):
        return
    with tempfile.TemporaryDirectory() as tmp:
        # The installed .pc file, its prefix moved into the DESTDIR (a sysroot
        # would move GLib's too).
        pc = in_destdir(destdir, os.path.join(directory("libdir"), "pkgconfig",
                                              "vestibule-1.pc"))
        with open(pc, encoding="utf-8") as f:
            text = f.read()
        with open(os.path.join(tmp, "vestibule-1.pc"), "w", encoding="utf-8") as f:
            f.write(re.sub(r"^prefix=(.*)$", lambda m: "prefix=" + in_destdir(destdir, m.group(1)),
                           text, count=1, flags=re.M))
        env = dict(os.environ, PKG_CONFIG_PATH=tmp)
        code, flags = run(["pkg-config", "--cflags", "--libs", "vestibule-1"], env=env,
                          stderr=subprocess.PIPE)
        if not check(code == 0 and destdir in flags, f"pkg-config vestibule-1\n{flags}"):
            return
        source = os.path.join(tmp, "use-core.c")
        with open(source, "w", encoding="utf-8") as f:
            f.write('#include <vestibule.h>\n'
                    'int main (void) {\n'
                    '  g_autofree char *s = vst_base32_encode ((const guint8 *) "hi", 2);\n'
                    '  return g_strcmp0 (s, "NBUQ") != 0;\n}\n')
        exe = os.path.join(tmp, "use-core")
        sanitize = os.environ.get("VESTIBULE_SANITIZE", "none")
        extra = [f"-fsanitize={sanitize}"] if sanitize not in ("", "none") else []
        code, out = run(["cc", "-o", exe, source] + extra + shlex.split(flags))
        if check(code == 0, f"a program builds against the installed core\n{out}"):
            libdir = in_destdir(destdir, directory("libdir"))
            code, out = run([exe], env=dict(os.environ, LD_LIBRARY_PATH=libdir))
            check(code == 0, f"and runs with the installed library\n{out}")


def cmd_destdir():
    destdir = tempfile.mkdtemp(prefix="vestibule-destdir-")
    try:
        if not install(destdir):
            return
        expected, found = expected_files(), installed_files(destdir)
        check(found == expected,
              "the DESTDIR holds exactly tests/install/expected-files.txt\n"
              + "".join(f"  missing: {p}\n" for p in sorted(expected - found))
              + "".join(f"  unexpected: {p}\n" for p in sorted(found - expected)))
        datadir = in_destdir(destdir, directory("datadir"))
        validate_desktop_file(os.path.join(datadir, "applications", APP_ID + ".desktop"))
        validate_metainfo(os.path.join(datadir, "metainfo", APP_ID + ".metainfo.xml"))
        validate_schema(os.path.join(datadir, "glib-2.0", "schemas", APP_ID + ".gschema.xml"))
        validate_icons(datadir)
        validate_man_pages(os.path.join(in_destdir(destdir, directory("mandir")), "man1"),
                           programs())
        if PARTS["server"]:
            check_systemd_unit(destdir)
        check_pkg_config(destdir)
    finally:
        shutil.rmtree(destdir, ignore_errors=True)


# Starting the installed wizard ------------------------------------------

def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def exec_line(desktop):
    with open(desktop, encoding="utf-8") as f:
        line = re.search(r"^Exec=(.*)$", f.read(), re.M).group(1)
    # The field codes (%u) stand for the links given; there are none here.
    return [arg for arg in shlex.split(line) if not re.fullmatch(r"%[fFuUick]", arg)]


def cmd_launch():
    for tool in ("xvfb-run", "dbus-run-session", "xdotool", "xprop", "import"):
        if not need(tool):
            return
    destdir = tempfile.mkdtemp(prefix="vestibule-launch-")
    try:
        if not install(destdir):
            return
        datadir = in_destdir(destdir, directory("datadir"))
        schemas = os.path.join(destdir, "compiled-schemas")
        os.makedirs(schemas)
        code, out = run(["glib-compile-schemas", "--targetdir", schemas,
                         os.path.join(datadir, "glib-2.0", "schemas")])
        check(code == 0, f"the installed schema compiles\n{out}")
        env = dict(os.environ,
                   PATH=in_destdir(destdir, directory("bindir")) + ":" + os.environ["PATH"],
                   LD_LIBRARY_PATH=in_destdir(destdir, directory("libdir")),
                   XDG_DATA_DIRS=datadir + ":/usr/local/share:/usr/share",
                   GSETTINGS_SCHEMA_DIR=schemas,
                   GSETTINGS_BACKEND="memory",
                   VESTIBULE_LOCALEDIR=in_destdir(destdir, directory("localedir")),
                   VESTIBULE_SERVER_URL=f"http://127.0.0.1:{closed_port()}",
                   VESTIBULE_EXEC=json.dumps(exec_line(os.path.join(datadir, "applications",
                                                                    APP_ID + ".desktop"))),
                   GDK_BACKEND="x11", NO_AT_BRIDGE="1", LC_ALL="C.UTF-8")
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        proc = subprocess.run(["xvfb-run", "-a", "-n", "220", "-s", "-screen 0 1280x900x24 -noreset",
                               "dbus-run-session", "--", sys.executable, __file__,
                               "launch-inside"], env=env, timeout=240)
        check(proc.returncode == 0, "the installed wizard starts from its desktop file")
    finally:
        shutil.rmtree(destdir, ignore_errors=True)


def window_icon_is_ours(wid):
    """Whether the window's _NET_WM_ICON is the app icon: its doorway's yellow
    and its shield's green, which GTK's image-missing fallback has not."""
    code, out = run(["xprop", "-id", wid, "-notype", "-f", "_NET_WM_ICON", "32c",
                     "_NET_WM_ICON"])
    values = [int(v) for v in re.findall(r"\d+", out.split("=", 1)[-1])] if "=" in out else []
    if len(values) < 2:
        return False
    width, height = values[0], values[1]
    yellow = green = 0
    for argb in values[2:2 + width * height]:
        a, r, g, b = argb >> 24 & 255, argb >> 16 & 255, argb >> 8 & 255, argb & 255
        if a > 128 and r > 200 and g > 170 and b < 120:
            yellow += 1
        if a > 128 and g > 140 and r < 100 and b < 150:
            green += 1
    log(f"window icon {width}x{height}: {yellow} yellow and {green} green pixels")
    return yellow > width * height // 50 and green > width * height // 50


def cmd_launch_inside():
    argv = json.loads(os.environ["VESTIBULE_EXEC"])
    os.makedirs(ARTIFACTS, exist_ok=True)
    for lang, title in TITLES.items():
        proc = subprocess.Popen(argv, env=dict(os.environ, LANGUAGE=lang))
        try:
            wid = None
            deadline = time.monotonic() + 90
            while wid is None and time.monotonic() < deadline and proc.poll() is None:
                code, out = run(["xdotool", "search", "--onlyvisible", "--name", "."],
                                stderr=subprocess.DEVNULL)
                for w in out.split():
                    _, name = run(["xdotool", "getwindowname", w])
                    if name.strip() == title:
                        wid = w
                if wid is None:
                    time.sleep(0.5)
            if not check(wid is not None, f"[{lang}] a window titled “{title}” appears"):
                continue
            # Let it draw its first page before the screenshot.
            time.sleep(3)
            check(proc.poll() is None, f"[{lang}] the wizard keeps running")
            _, wm_class = run(["xprop", "-id", wid, "WM_CLASS"])
            log(wm_class.strip())
            check(window_icon_is_ours(wid), f"[{lang}] the window shows the app icon")
            shot = os.path.join(ARTIFACTS, f"installed-wizard-{lang}.png")
            code, out = run(["import", "-window", "root", shot])
            check(code == 0, f"[{lang}] screenshot {shot}\n{out}")
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def main():
    commands = {"validate": cmd_validate, "destdir": cmd_destdir, "launch": cmd_launch,
                "launch-inside": cmd_launch_inside}
    commands[sys.argv[1]]()
    if failures:
        print(f"# {len(failures)} check(s) failed", flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
