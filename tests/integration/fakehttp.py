"""What the fake Docker Engine API servers of the CLI tests share (fakeapi.py
for cli.bats, fakectr.py for cli-containers.bats): an HTTP/1.1 handler on a
unix socket that reads plain or chunked bodies, appends every request to a
log as one JSON line, and answers with the Api-Version header dockerd sends.

A server subclasses Handler, sets LOG (the log's path), may extend entry()
(the logged fields), routes in handle_any(), and calls serve(SOCKET, cls).
"""
import json
import os
import socketserver
from http.server import BaseHTTPRequestHandler


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    LOG = None

    def log_message(self, *args):
        pass

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def entry(self, body):
        """The request's line in LOG."""
        return {"method": self.command, "path": self.path,
                "ctype": self.headers.get("Content-Type"), "body": body.decode("latin-1")}

    def record(self, body):
        with open(self.LOG, "a") as f:
            f.write(json.dumps(self.entry(body)) + "\n")

    def head(self, status, ctype=None, length=None, chunked=False, extra=None):
        self.send_response(status)
        self.send_header("Api-Version", "1.41")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        if ctype:
            self.send_header("Content-Type", ctype)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def reply(self, status, obj=None, raw=None, ctype=None, extra=None):
        """obj as JSON (application/json), or raw bytes; no body for HEAD."""
        data = raw if raw is not None else (json.dumps(obj) + "\n").encode() if obj is not None else b""
        if ctype is None and obj is not None:
            ctype = "application/json"
        self.head(status, ctype, len(data), extra=extra)
        if self.command != "HEAD":
            self.wfile.write(data)

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def stream(self, lines):
        """A chunked JSON stream, one chunk a line (pull, push, load)."""
        self.head(200, "application/json", chunked=True)
        for line in lines:
            self.chunk(line.rstrip("\r\n").encode() + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        conn, _ = super().get_request()
        return conn, ("local", 0)


def serve(sock, handler):
    if os.path.exists(sock):
        os.unlink(sock)
    Server(sock, handler).serve_forever()
