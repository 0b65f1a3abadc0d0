#!/usr/bin/env python3
"""A stand-in for the container endpoints of the Docker API, for the CLI's
wire behaviour (cli-run.bats): it logs every request head and body and
answers with the shapes and framing of the recorded transcripts
(../shared/docker-api): 101 UPGRADED attach/exec with 8-byte frames (or raw
bytes with a tty), wait as a long poll (head at once, body at exit), 204
start, chunked logs without Content-Type.

    fakerun.py --socket PATH --log FILE

The "containers" run a tiny language given as their Cmd:
    ["echo", WORDS...]     prints WORDS on stdout
    ["err", WORDS...]      prints WORDS on stderr
    ["cat"]                copies stdin to stdout until EOF
    ["sleep", S]           waits S seconds or for a kill (then "got SIGNAL", status 130)
    ["exit", N]            exit status N (after the above, as a last word: "...;exit;N")
    ["shell"] or ["sh"]    (tty) echoes lines typed, "exit [N]" ends it
Image "missing" gives 404 on create until a pull of it was made.
"""
import argparse
import json
import os
import socket
import socketserver
import threading
import time
import uuid

LOCK = threading.Lock()
CTRS = {}
EXECS = {}
PULLED = set()
LOG = None


def log(line):
    with LOCK:
        with open(LOG, "a") as f:
            f.write(line + "\n")


class Ctr:
    def __init__(self, cid, name, body):
        self.id = cid
        self.name = name
        self.body = body
        self.started = threading.Event()
        self.exited = threading.Event()
        self.status = 0
        self.attached = threading.Event()
        self.conn = None
        self.removed = False
        self.killed = threading.Event()
        self.signal = None


def find(ref):
    with LOCK:
        for c in list(CTRS.values()) + list(EXECS.values()):
            if c.id == ref or c.name == ref or c.id.startswith(ref):
                return c
    return None


def frame(stream, data):
    return bytes([stream, 0, 0, 0]) + len(data).to_bytes(4, "big") + data


def run_program(c, conn):
    """The 'process': writes to conn (frames unless tty), reads stdin."""
    cfg = c.body
    tty = cfg.get("Tty", False)
    cmd = cfg.get("Cmd") or ["echo", "hello"]

    def out(stream, data):
        if conn is None:
            return
        try:
            conn.sendall(data.replace(b"\n", b"\r\n") if tty else frame(stream, data))
        except OSError:
            pass

    status = 0
    words = cmd[1:]
    if cmd[0] == "echo":
        out(1, (" ".join(words) + "\n").encode())
    elif cmd[0] == "err":
        out(2, (" ".join(words) + "\n").encode())
    elif cmd[0] == "exit":
        status = int(words[0])
    elif cmd[0] == "sleep":
        if c.killed.wait(float(words[0])):
            out(1, ("got %s\n" % c.signal).encode())
            status = 130
    elif cmd[0] == "cat" and conn is not None:
        while True:
            d = conn.recv(65536)
            if not d:
                break
            out(1, d)
    elif cmd[0] in ("shell", "sh") and conn is not None:
        out(1, b"/ # ")
        line = b""
        while True:
            d = conn.recv(1)
            if not d:
                break
            log("STDIN %02x" % d[0])
            if d == b"\r":
                out(1, b"\r\n")
                if line == b"exit":
                    break
                if line.startswith(b"exit "):
                    status = int(line[5:])
                    break
                out(1, b"you said " + line + b"\r\n/ # ")
                line = b""
            else:
                out(1, d)
                line += d
    if "exit" in cmd[1:]:
        status = int(cmd[cmd.index("exit", 1) + 1])
    c.status = status


class Handler(socketserver.StreamRequestHandler):
    def send(self, status, reason, headers, body=b""):
        h = "HTTP/1.1 %d %s\r\n" % (status, reason)
        for k, v in headers:
            h += "%s: %s\r\n" % (k, v)
        self.wfile.write(h.encode() + b"\r\n" + body)
        self.wfile.flush()

    def json(self, status, reason, obj):
        b = (json.dumps(obj, separators=(",", ":")) + "\n").encode()
        self.send(status, reason, [("Api-Version", "1.41"), ("Content-Type", "application/json"),
                                   ("Content-Length", str(len(b)))], b)

    def empty(self, status, reason):
        self.send(status, reason, [("Api-Version", "1.41"), ("Content-Length", "0")])

    def chunked_head(self, ctype=True):
        hs = [("Api-Version", "1.41")]
        if ctype:
            hs.append(("Content-Type", "application/json"))
        hs.append(("Transfer-Encoding", "chunked"))
        self.send(200, "OK", hs)

    def chunk(self, data):
        self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
        self.wfile.flush()

    def handle(self):
        while True:
            line = self.rfile.readline()
            if not line:
                return
            head = [line.decode().rstrip("\r\n")]
            while True:
                h = self.rfile.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                head.append(h.decode().rstrip("\r\n"))
            hdrs = {}
            for h in head[1:]:
                k, _, v = h.partition(":")
                hdrs[k.strip().lower()] = v.strip()
            body = b""
            if "content-length" in hdrs:
                body = self.rfile.read(int(hdrs["content-length"]))
            log("REQ " + head[0])
            for h in head[1:]:
                log("HDR " + h)
            if body:
                log("BODY " + body.decode(errors="replace").rstrip("\n"))
            method, target, _ = head[0].split(" ", 2)
            if not self.route(method, target, hdrs, body):
                return

    def route(self, method, target, hdrs, body):
        path, _, query = target.partition("?")
        q = dict(p.partition("=")[::2] for p in query.split("&") if p)
        parts = path.split("/")
        if parts[1].startswith("v1."):
            parts = [""] + parts[2:]
        p = "/".join(parts)
        if p == "/_ping":
            self.send(200, "OK", [("Api-Version", "1.41"), ("Content-Length", "2" if method == "GET" else "0")],
                      b"OK" if method == "GET" else b"")
            return True
        if p == "/images/create" and method == "POST":
            img = q.get("fromImage", "")
            if "nosuch" in img:
                self.json(404, "Not Found", {"message": "manifest for %s not found" % img})
                return True
            PULLED.add(img)
            self.chunked_head()
            for m in [{"status": "Pulling from " + img, "id": q.get("tag", "latest")},
                      {"status": "Pull complete", "progressDetail": {}, "id": "0123456789ab"},
                      {"status": "Status: Downloaded newer image for %s:%s" % (img, q.get("tag"))}]:
                self.chunk((json.dumps(m) + "\r\n").encode())
            self.chunk(b"")
            return True
        if p == "/containers/create" and method == "POST":
            b = json.loads(body)
            if b["Image"].startswith("missing") and "missing" not in PULLED:
                self.json(404, "Not Found", {"message": "No such image: " + b["Image"]})
                return True
            cid = uuid.uuid4().hex + uuid.uuid4().hex
            c = Ctr(cid, q.get("name", cid[:12]), b)
            with LOCK:
                CTRS[cid] = c
            self.json(201, "Created", {"Id": cid, "Warnings": []})
            return True
        if parts[1] == "containers" and len(parts) >= 3:
            c = find(parts[2])
            if c is None:
                self.json(404, "Not Found", {"message": "No such container: " + parts[2]})
                return True
            verb = parts[3] if len(parts) > 3 else ""
            return self.container(method, verb, c, q, body)
        if parts[1] == "exec" and len(parts) >= 4:
            e = find(parts[2])
            if e is None:
                self.json(404, "Not Found", {"message": "No such exec instance: " + parts[2]})
                return True
            return self.exec(method, parts[3], e, body)
        self.json(404, "Not Found", {"message": "page not found"})
        return True

    def hijack(self):
        self.send(101, "UPGRADED", [("Content-Type", "application/vnd.docker.raw-stream"),
                                    ("Connection", "Upgrade"), ("Upgrade", "tcp")])

    def container(self, method, verb, c, q, body):
        if verb == "json":
            self.json(200, "OK", {"Id": c.id, "Name": "/" + c.name, "Config": c.body,
                                  "HostConfig": c.body.get("HostConfig", {}),
                                  "State": {"Running": c.started.is_set() and not c.exited.is_set(),
                                            "Paused": False}})
            return True
        if verb == "attach":
            self.hijack()
            c.conn = self.connection
            c.attached.set()
            if c.started.is_set():
                return self.attached_run(c)
            c.started.wait()
            return self.attached_run(c)
        if verb == "wait":
            self.chunked_head()
            c.exited.wait()
            self.chunk(b'{"Error":null,"StatusCode":%d}\n' % c.status)
            self.chunk(b"")
            return True
        if verb == "start":
            if c.body.get("Cmd") and c.body["Cmd"][0] == "nosuchprog":
                self.json(400, "Bad Request", {"message": 'failed to create task: exec: "nosuchprog": executable file not found in $PATH'})
                return True
            c.started.set()
            self.empty(204, "No Content")
            if not c.body.get("AttachStdout") and not c.body.get("AttachStderr") and not c.body.get("AttachStdin"):
                threading.Thread(target=self.detached_run, args=(c,), daemon=True).start()
            return True
        if verb == "resize":
            self.empty(200, "OK")
            return True
        if verb == "kill":
            c.signal = q.get("signal", "KILL")
            c.killed.set()
            self.empty(204, "No Content")
            return True
        if verb == "logs":
            self.send(200, "OK", [("Api-Version", "1.41"), ("Transfer-Encoding", "chunked")])
            tty = c.body.get("Tty")
            for i, (s, t) in enumerate([(1, b"tick 1\n"), (2, b"err 1\n"), (1, b"tick 2\n")]):
                if q.get("timestamps") == "1":
                    t = b"2026-11-23T16:25:19.42670879%dZ " % i + t
                self.chunk(t.replace(b"\n", b"\r\n") if tty else frame(s, t))
            self.chunk(b"")
            return True
        if verb == "exec" and method == "POST":
            b = json.loads(body)
            eid = uuid.uuid4().hex + uuid.uuid4().hex
            e = Ctr(eid, eid, b)
            with LOCK:
                EXECS[eid] = e
            self.json(201, "Created", {"Id": eid})
            return True
        if verb == "" and method == "DELETE":
            c.removed = True
            self.empty(204, "No Content")
            return True
        self.json(404, "Not Found", {"message": "page not found"})
        return True

    def detached_run(self, c):
        run_program(c, None)
        c.exited.set()

    def attached_run(self, c):
        run_program(c, self.connection)
        c.exited.set()
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return False

    def exec(self, method, verb, e, body):
        if verb == "start":
            b = json.loads(body) if body else {}
            if b.get("Detach"):
                self.empty(200, "OK")
                return True
            self.hijack()
            run_program(e, self.connection)
            e.exited.set()
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return False
        if verb == "resize":
            self.empty(200, "OK")
            return True
        if verb == "json":
            self.json(200, "OK", {"ID": e.id, "Running": False, "ExitCode": e.status})
            return True
        return True


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    global LOG
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    LOG = a.log
    if os.path.exists(a.socket):
        os.unlink(a.socket)
    Server(a.socket, Handler).serve_forever()


if __name__ == "__main__":
    main()
