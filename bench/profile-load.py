#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Per-request costs of vestibule-server, for comparing two builds on a
machine whose other load makes requests/s too noisy to compare.

Usage: profile-load.py SERVER_BINARY MODE [--callgrind | --strace] [-n N]
       MODE is info or activate (a wrong code, as in bench/load.lua)

Prepares the accounts as bench/run-load.py does (5,000 of them), then:

  --callgrind  runs the server under valgrind --tool=callgrind twice, for
               N/10 and then N + N/10 requests sent one after the other on
               one keep-alive connection, and prints the instructions
               (Ir) per request of the functions that cost most, from the
               difference of the two runs (start-up and shut-down cancel
               out). Deterministic: the same build gives the same figures
               whatever else runs on the machine.
  --strace     attaches strace -c -f for N requests and prints the system
               calls per request.

Without either, prints the server's CPU time per request for N requests
(from /proc, all its threads). Needs valgrind or strace, and
VESTIBULE_DATADIR/VESTIBULE_LOCALEDIR as bench/run-load.sh sets them:

  VESTIBULE_DATADIR=$PWD/data VESTIBULE_LOCALEDIR=$BUILD/po \\
    bench/profile-load.py $BUILD/src/server/vestibule-server activate --callgrind
"""

import argparse
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("run_load", os.path.join(HERE, "run-load.py"))
rl = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rl)


def send_requests(server, mode, lines, n):
    """@n requests, one after the other, on one keep-alive connection;
    returns {status: count}."""
    statuses = {}
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        for i in range(n):
            if mode == "info":
                req = b"GET /api/v1/info HTTP/1.1\r\nHost: bench\r\n\r\n"
            else:
                token, code = lines[i % len(lines)].split()
                body = ('{"code":"%s"}' % code).encode()
                req = (b"POST /api/v1/totp/activate HTTP/1.1\r\nHost: bench\r\n"
                       b"Authorization: Bearer " + token.encode() + b"\r\n"
                       b"Content-Type: application/json\r\n"
                       b"Content-Length: %d\r\n\r\n" % len(body) + body)
            s.sendall(req)
            buf = b""
            while b"\r\n\r\n" not in buf:
                buf += s.recv(65536)
            head, rest = buf.split(b"\r\n\r\n", 1)
            length = next(int(h.split(b":")[1]) for h in head.split(b"\r\n")
                          if h.lower().startswith(b"content-length:"))
            while len(rest) < length:
                rest += s.recv(65536)
            status = head.split()[1].decode()
            statuses[status] = statuses.get(status, 0) + 1
    return statuses


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def callgrind_totals(path):
    """{(function, object): inclusive Ir} from callgrind_annotate."""
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", path],
                         check=True, capture_output=True, text=True).stdout
    totals = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(.*?):(.*) \[(.*)\]$", line)
        if m:
            key = (m.group(3), os.path.basename(m.group(4)))
            totals[key] = totals.get(key, 0) + int(m.group(1).replace(",", ""))
    return totals


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary")
    ap.add_argument("mode", choices=("info", "activate"))
    ap.add_argument("--callgrind", action="store_true")
    ap.add_argument("--strace", action="store_true")
    ap.add_argument("-n", type=int, default=2000, help="requests (default 2000)")
    ap.add_argument("--top", type=int, default=40, help="functions to print (default 40)")
    args = ap.parse_args()

    sink = rl.MailSink()
    sink.start()
    work = tempfile.TemporaryDirectory(prefix="vst-profile-")
    server = rl.BenchServer(os.path.abspath(args.binary), sink.port)
    try:
        server.start("0-%d" % (rl.NCPU - 1))
        lines, _ = rl.prepare(server, sink, 5000)
        pristine = os.path.join(work.name, "prepared.db")
        shutil.copy(server.database, pristine)

        def run(n, wrapper=None):
            for suffix in ("-wal", "-shm"):
                if os.path.exists(server.database + suffix):
                    os.unlink(server.database + suffix)
            shutil.copy(pristine, server.database)
            if wrapper:
                script = os.path.join(work.name, "wrap.sh")
                with open(script, "w") as f:
                    f.write(f"#!/bin/sh\nexec {wrapper} {server.binary} \"$@\"\n")
                os.chmod(script, 0o755)
                binary, server.binary = server.binary, script
            try:
                server.start("0-%d" % (rl.NCPU - 1))
                pid = server.process.pid
                tool = None
                if args.strace:
                    out = os.path.join(work.name, "strace.txt")
                    tool = subprocess.Popen(["strace", "-c", "-f", "-o", out, "-p", str(pid)],
                                            stderr=subprocess.DEVNULL)
                    rl.time.sleep(1)
                cpu0 = cpu_seconds(pid)
                statuses = send_requests(server, args.mode, lines, n)
                cpu1 = cpu_seconds(pid)
                if tool:
                    tool.send_signal(rl.signal.SIGINT)
                    tool.wait(60)
                    with open(out) as f:
                        syscalls = f.read()
                    return statuses, cpu1 - cpu0, syscalls
                return statuses, cpu1 - cpu0, None
            finally:
                server.stop()
                if wrapper:
                    server.binary = binary

        if args.callgrind:
            counts = (args.n // 10, args.n + args.n // 10)
            totals = []
            for n in counts:
                out = os.path.join(work.name, f"callgrind-{n}.out")
                statuses, _, _ = run(n, f"valgrind --tool=callgrind --callgrind-out-file={out}")
                totals.append(callgrind_totals(out))
            per = {k: (totals[1].get(k, 0) - totals[0].get(k, 0)) / args.n for k in totals[1]}
            dispatch = per.get(("g_main_context_dispatch", next(
                (lib for (fn, lib) in per if fn == "g_main_context_dispatch"), "")), 0) or 1
            print(f"{args.mode}: {dispatch:,.0f} instructions per request in the main loop's "
                  f"dispatch (callgrind, {args.n} requests, statuses {statuses})")
            print(f"{'Ir/req':>10} {'%':>6}  function [object], inclusive")
            shown = 0
            for (fn, lib), ir in sorted(per.items(), key=lambda kv: -kv[1]):
                if fn.startswith("0x") or fn.startswith("(below") or ir <= 0:
                    continue
                print(f"{ir:>10,.0f} {100 * ir / dispatch:>5.1f}%  {fn} [{lib}]")
                shown += 1
                if shown == args.top:
                    break
        else:
            statuses, cpu, syscalls = run(args.n)
            print(f"{args.mode}: {args.n} requests, statuses {statuses}, server CPU "
                  f"{cpu * 1e6 / args.n:.1f} us per request (one connection, /proc ticks)")
            if syscalls:
                print(f"{'calls/req':>10}  syscall")
                for line in syscalls.splitlines():
                    f = line.split()
                    if len(f) >= 5 and f[3].isdigit():
                        print(f"{int(f[3]) / args.n:>10.2f}  {f[-1]}")
    finally:
        server.stop()
        sink.stop()
        server.dir.cleanup()
        work.cleanup()


if __name__ == "__main__":
    main()
