#!/usr/bin/env python3
"""Run a command on a pseudo-terminal and drive it like a user (cli-run.bats).

    ptyrun.py [--rows R] [--cols C] [--timeout S] [--log FILE] STEP... -- CMD [ARG...]

Steps, in order:
    expect:REGEX    wait until the output so far (since the last expect) matches
    send:TEXT       type TEXT (Python escapes: \\r, \\x10 ...)
    sleep:SECONDS
    resize:RxC      set the window size (the command gets SIGWINCH)

Then waits for the command to end. Prints the output (all bytes, \\r removed)
on stdout and exits with the command's status (128+N for a signal, 124 when
an expect or the end timed out).
"""
import argparse
import codecs
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    argv = sys.argv[1:]
    if "--" not in argv:
        sys.exit("usage: ptyrun.py [opts] STEP... -- CMD...")
    i = argv.index("--")
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=24)
    ap.add_argument("--cols", type=int, default=80)
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--log")
    ap.add_argument("steps", nargs="*")
    opts = ap.parse_args(argv[:i])
    cmd = argv[i + 1:]

    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    set_size(fd, opts.rows, opts.cols)
    out = bytearray()
    mark = 0
    deadline_all = time.time() + opts.timeout * 3

    def pump(timeout):
        r, _, _ = select.select([fd], [], [], timeout)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            out.extend(data)
        return True

    status = None
    for step in opts.steps:
        kind, _, arg = step.partition(":")
        if kind == "expect":
            rx = re.compile(arg.encode())
            end = time.time() + opts.timeout
            while not rx.search(out, mark):
                if time.time() > end or not pump(0.1) and not rx.search(out, mark):
                    if time.time() > end:
                        sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
                        sys.stderr.write("ptyrun: timed out waiting for %r\n" % arg)
                        os.kill(pid, signal.SIGKILL)
                        os.waitpid(pid, 0)
                        sys.exit(124)
                    time.sleep(0.05)
            mark = rx.search(out, mark).end()
        elif kind == "send":
            os.write(fd, codecs.decode(arg, "unicode_escape").encode("latin-1"))
        elif kind == "sleep":
            end = time.time() + float(arg)
            while time.time() < end:
                pump(max(0, end - time.time()))
        elif kind == "resize":
            r, c = arg.split("x")
            set_size(fd, int(r), int(c))
            os.kill(pid, signal.SIGWINCH)
        else:
            sys.exit("ptyrun: unknown step %r" % step)
    while time.time() < deadline_all:
        if not pump(0.1):
            break
        wp, st = os.waitpid(pid, os.WNOHANG)
        if wp:
            status = st
            while pump(0.05):
                pass
            break
    while status is None and time.time() < deadline_all:
        wp, st = os.waitpid(pid, os.WNOHANG)
        if wp:
            status = st
        else:
            time.sleep(0.05)
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
        sys.stderr.write("ptyrun: the command did not end\n")
        sys.exit(124)
    text = out.decode(errors="replace")
    if opts.log:
        with open(opts.log, "wb") as f:
            f.write(bytes(out))
    sys.stdout.write(text.replace("\r", ""))
    if os.WIFSIGNALED(status):
        sys.exit(128 + os.WTERMSIG(status))
    sys.exit(os.WEXITSTATUS(status))


if __name__ == "__main__":
    main()
