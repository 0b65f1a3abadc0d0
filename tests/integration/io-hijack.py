#!/usr/bin/env python3
"""A hijacked API request on berthd's unix socket (containers-io.bats):

usage: io-hijack.py SOCK METHOD PATH BODY STEPS

Sends METHOD PATH with Upgrade: tcp (and BODY as JSON when not empty),
prints the response head (CRLFs shown as \\n), then runs STEPS (a JSON list):
  ["send", "text"]       raw bytes to the daemon
  ["expect", "text"]     wait (10 s) until the bytes received contain text
  ["shut"]               shutdown(SHUT_WR): the client's EOF
  ["eof"]                wait (10 s) until the daemon closes the connection
Prints "BODY:" and the received bytes as a Python bytes literal at the end.
Exits 1 when a step timed out."""
import json
import socket
import sys
import time


def main():
    sock_path, method, path, body, steps = sys.argv[1:6]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    head = "%s %s HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n" % (method, path)
    data = body.encode()
    if data:
        head += "Content-Type: application/json\r\n"
    head += "Content-Length: %d\r\n\r\n" % len(data)
    s.sendall(head.encode() + data)
    buf = b""
    s.settimeout(10)
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    hdr, _, rest = buf.partition(b"\r\n\r\n")
    print(hdr.decode().replace("\r\n", "\n"))
    got = bytearray(rest)
    pos = 0
    ok = True
    for step in json.loads(steps):
        if step[0] == "send":
            s.sendall(step[1].encode("latin-1"))
        elif step[0] == "shut":
            s.shutdown(socket.SHUT_WR)
        elif step[0] in ("expect", "eof"):
            want = step[1].encode("latin-1") if step[0] == "expect" else None
            deadline = time.monotonic() + 10
            while True:
                if want is not None and got.find(want, pos) >= 0:
                    pos = got.find(want, pos) + len(want)
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    print("TIMEOUT in step %r" % (step,))
                    ok = False
                    break
                s.settimeout(left)
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    continue
                if not chunk:
                    if want is None:
                        break
                    print("EOF in step %r" % (step,))
                    ok = False
                    break
                got.extend(chunk)
            if not ok:
                break
    print("BODY:", repr(bytes(got)))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
