#!/usr/bin/env python3
"""Drive a command on a pseudo-terminal (containers-io.bats: docker run -it,
exec -it, attach with detach keys).

usage: io-pty.py [--rows R] [--cols C] [--timeout S] STEPS -- CMD [ARGS...]

STEPS is a JSON list of steps, run in order:
  ["expect", "text"]      wait until text appears in the output (after the
                          previous expect's match)
  ["send", "bytes"]       write to the terminal (JSON escapes: "\\u0010")
  ["resize", rows, cols]  set the window size (the kernel sends SIGWINCH)
  ["sleep", seconds]
Then the command's exit is awaited. Prints the whole output (as received,
with \\r) on stdout and exits with the command's status; 124 when an expect
or the exit timed out (the command is killed then)."""
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import fcntl
import time


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    args = sys.argv[1:]
    rows, cols, timeout = 24, 80, 20.0
    while args and args[0].startswith("--") and args[0] != "--":
        opt = args.pop(0)
        val = args.pop(0)
        if opt == "--rows":
            rows = int(val)
        elif opt == "--cols":
            cols = int(val)
        elif opt == "--timeout":
            timeout = float(val)
    steps = json.loads(args.pop(0))
    assert args.pop(0) == "--"
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(args[0], args)
    set_size(fd, rows, cols)
    out = bytearray()
    pos = 0
    eof = False

    def pump(until):
        nonlocal eof
        while not eof:
            left = until - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([fd], [], [], min(left, 0.05))
            if fd in r:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    data = b""
                if not data:
                    eof = True
                    return
                out.extend(data)
            else:
                return

    def fail(msg):
        sys.stdout.write(out.decode("utf-8", "replace"))
        sys.stdout.write("\n[io-pty: %s]\n" % msg)
        sys.stdout.flush()
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        sys.exit(124)

    for step in steps:
        kind = step[0]
        if kind == "expect":
            want = step[1].encode()
            deadline = time.monotonic() + timeout
            while True:
                i = out.find(want, pos)
                if i >= 0:
                    pos = i + len(want)
                    break
                if eof or time.monotonic() > deadline:
                    fail("timed out waiting for %r" % step[1])
                pump(time.monotonic() + 0.2)
        elif kind == "send":
            os.write(fd, step[1].encode("latin-1"))
        elif kind == "resize":
            set_size(fd, step[1], step[2])
        elif kind == "sleep":
            end = time.monotonic() + float(step[1])
            while time.monotonic() < end:
                pump(end)
    deadline = time.monotonic() + timeout
    status = None
    while status is None:
        pump(time.monotonic() + 0.1)
        wpid, st = os.waitpid(pid, os.WNOHANG)
        if wpid == pid:
            status = os.waitstatus_to_exitcode(st)
        elif time.monotonic() > deadline:
            fail("timed out waiting for the exit")
    pump(time.monotonic() + 0.2)
    sys.stdout.write(out.decode("utf-8", "replace"))
    sys.stdout.flush()
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main()
