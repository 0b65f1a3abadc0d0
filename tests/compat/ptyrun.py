#!/usr/bin/env python3
"""Run a command on a fresh pseudo-terminal (its controlling tty), like a
person typing at a terminal, and print what it wrote to the terminal.

    ptyrun.py [-t SECS] [-e REGEX] [-s TEXT] ... -- CMD [ARG...]

-e REGEX   wait until the output so far matches REGEX (python re, searched
           in the output with \\r removed)
-s TEXT    type TEXT (backslash escapes: \\n \\r \\t \\x04 ...)
           -e and -s are done in the order given; after the last one the
           output is read until the command exits.
-t SECS    give up after SECS (default 60): the command gets SIGKILL, the
           exit status is 124 and a message goes to stderr.
--rows R --cols C   terminal size (default 24x80)

The exit status is the command's (128+N if killed by signal N). The
terminal output goes to stdout with \\r\\n turned into \\n.
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-t", "--timeout", type=float, default=60.0)
    ap.add_argument("--rows", type=int, default=24)
    ap.add_argument("--cols", type=int, default=80)
    ap.add_argument("-e", dest="steps", action="append",
                    type=lambda v: ("expect", v))
    ap.add_argument("-s", dest="steps", action="append",
                    type=lambda v: ("send", v))
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command")
    steps = a.steps or []

    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        except OSError as e:
            os.write(2, ("ptyrun: %s: %s\n" % (cmd[0], e)).encode())
        os._exit(127)

    fcntl.ioctl(fd, termios.TIOCSWINSZ,
                struct.pack("HHHH", a.rows, a.cols, 0, 0))
    deadline = time.monotonic() + a.timeout
    out = bytearray()
    step = 0
    status = None
    eof = False

    def text():
        return out.decode("utf-8", "replace").replace("\r", "")

    while True:
        # process the scripted steps that can go now
        while step < len(steps):
            kind, val = steps[step]
            if kind == "send":
                data = codecs.decode(val, "unicode_escape").encode("latin-1")
                try:
                    os.write(fd, data)
                except OSError:
                    pass
                step += 1
            elif re.search(val, text()):
                step += 1
            else:
                break
        if status is None:
            wpid, st = os.waitpid(pid, os.WNOHANG)
            if wpid == pid:
                status = st
        if eof and status is not None:
            break
        left = deadline - time.monotonic()
        if left <= 0:
            break
        if eof:
            time.sleep(min(0.05, left))
            continue
        r, _, _ = select.select([fd], [], [], min(0.1, left))
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the other side is closed
                chunk = b""
            if chunk:
                out += chunk
            else:
                eof = True
        elif status is not None:
            # the command exited; drain what is left, then stop
            eof = True

    sys.stdout.write(text())
    sys.stdout.flush()
    if status is None:
        pending = ""
        if step < len(steps):
            pending = " (still waiting for %r)" % (steps[step][1],)
        sys.stderr.write("ptyrun: timed out after %gs%s: %s\n"
                         % (a.timeout, pending, " ".join(cmd)))
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        return 124
    if step < len(steps):
        sys.stderr.write("ptyrun: command exited before %r was seen\n"
                         % (steps[step][1],))
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main())
