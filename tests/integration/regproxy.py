#!/usr/bin/env python3
"""A reverse proxy in front of docker-registry for tests/integration/registry.bats.

    regproxy.py --upstream 127.0.0.1:PORT --port-file F --log F [--mode M]...

Listens on 127.0.0.1 (a free port, written to --port-file) and forwards every
request to the upstream registry, Host header unchanged (so the registry's
Location headers point back here). Modes inject the faults the client must
survive or report; each request is logged as "METHOD PATH range=R auth=A".

  cut           the first GET of each blob sends half the body, then closes
  stall         the first GET of each blob sends half the body, then hangs
  ignore-range  as cut, and later requests lose their Range header
  corrupt       blob bodies get their last byte flipped
  corrupt-manifest  manifest GET bodies get a trailing space
  fail500:N     the first N requests answer 500
  fail500put:N  the first N PUT requests answer 500
  tags-page:N   tags lists are paged here (N a page, or the client's ?n=),
                ?last= honoured, the next page in a Link header
  token         Bearer auth: /token issues tokens (pull for anyone, push with
                user:pass), /v2/ wants a token with the right scope
"""
import argparse
import base64
import http.client
import http.server
import json
import re
import secrets
import sys
import threading
import time
import urllib.parse

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-authorization", "proxy-authenticate"}


class State:
    def __init__(self, args):
        self.args = args
        self.modes = set()
        self.fail500 = 0
        self.fail500put = 0
        for m in args.mode:
            if m.startswith("fail500:"):
                self.fail500 = int(m.split(":", 1)[1])
            elif m.startswith("fail500put:"):
                self.fail500put = int(m.split(":", 1)[1])
            elif m.startswith("tags-page:"):
                self.tags_page = int(m.split(":", 1)[1])
            else:
                self.modes.add(m)
        self.seen_blobs = set()
        self.tokens = {}
        self.lock = threading.Lock()
        self.log = open(args.log, "a", buffering=1)
        self.port = 0


def blob_get(method, path):
    return method == "GET" and re.match(r"^/v2/.+/blobs/sha256:[0-9a-f]{64}$", path)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    st = None

    def log_message(self, fmt, *a):
        pass

    def tags_paged(self, path):
        """GET <name>/tags/list, paged as distribution 3 does."""
        st = self.st
        conn = http.client.HTTPConnection(st.args.upstream, timeout=60)
        conn.request("GET", path)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        if resp.status != 200:
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.getheader("Content-Type", "application/json"))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        doc = json.loads(data)
        tags = sorted(doc.get("tags") or [])
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        n = int(q.get("n", [st.tags_page])[0])
        last = q.get("last", [""])[0]
        rest = [t for t in tags if t > last] if last else tags
        page = rest[:n]
        extra = {}
        if len(rest) > n:
            extra["Link"] = '<%s?n=%d&last=%s>; rel="next"' % (path, n, page[-1])
        self.send_json(200, {"name": doc.get("name"), "tags": page}, extra)

    def send_json(self, code, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    # --- token mode -------------------------------------------------------
    def token_endpoint(self):
        st = self.st
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        scopes = q.get("scope", [])
        auth = self.headers.get("Authorization", "")
        user = None
        if auth.startswith("Basic "):
            up = base64.b64decode(auth[6:]).decode()
            if up != "user:pass":
                st.log.write("TOKEN denied %s\n" % up.split(":")[0])
                return self.send_json(401, {"details": "incorrect username or password"})
            user = "user"
        granted = set()
        for s in scopes:
            for one in s.split(" "):
                parts = one.split(":")
                if len(parts) != 3 or parts[0] != "repository":
                    continue
                for act in parts[2].split(","):
                    if act == "pull" or (act == "push" and user):
                        granted.add((parts[1], act))
        tok = secrets.token_hex(16)
        with st.lock:
            st.tokens[tok] = granted
        st.log.write("TOKEN service=%s scope=%s user=%s\n" % (
            ",".join(q.get("service", [])), " ".join(scopes), user or "-"))
        self.send_json(200, {"token": tok, "access_token": tok, "expires_in": 300})

    def token_check(self):
        """True when the request may go on; else a 401 was sent."""
        st = self.st
        path = urllib.parse.urlparse(self.path).path
        m = re.match(r"^/v2/(.+?)/(manifests|blobs|tags)/", path)
        need = None
        if m:
            need = (m.group(1), "pull" if self.command in ("GET", "HEAD") else "push")
        auth = self.headers.get("Authorization", "")
        ok = False
        if auth.startswith("Bearer "):
            with st.lock:
                g = st.tokens.get(auth[7:])
            ok = g is not None and (need is None or need in g)
        if ok:
            return True
        realm = "http://127.0.0.1:%d/token" % st.port
        chal = 'Bearer realm="%s",service="regproxy"' % realm
        if need:
            chal += ',scope="repository:%s:%s"' % need
        self.send_json(401, {"errors": [{"code": "UNAUTHORIZED",
                                         "message": "authentication required"}]},
                       {"WWW-Authenticate": chal})
        return False

    # --- forwarding -------------------------------------------------------
    def handle_any(self):
        st = self.st
        path = urllib.parse.urlparse(self.path).path
        st.log.write("%s %s range=%s auth=%s\n" % (
            self.command, self.path, self.headers.get("Range", "-"),
            self.headers.get("Authorization", "-").split(" ")[0]))
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(length) if length else None
        if "token" in st.modes:
            if path == "/token":
                return self.token_endpoint()
            if not self.token_check():
                return
        with st.lock:
            if st.fail500 > 0:
                st.fail500 -= 1
                fail = True
            else:
                fail = False
            if not fail and self.command == "PUT" and st.fail500put > 0:
                st.fail500put -= 1
                fail = True
        if fail:
            return self.send_json(500, {"errors": [{"code": "UNKNOWN",
                                                    "message": "injected failure"}]})
        if getattr(st, "tags_page", 0) and self.command == "GET" and path.endswith("/tags/list"):
            return self.tags_paged(path)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in HOP and k.lower() != "authorization"}
        first_blob = False
        if blob_get(self.command, path):
            with st.lock:
                first_blob = path not in st.seen_blobs
                st.seen_blobs.add(path)
            if not first_blob and "ignore-range" in st.modes:
                headers.pop("Range", None)
        conn = http.client.HTTPConnection(st.args.upstream, timeout=60)
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        if resp.status in (200, 206) and blob_get(self.command, path) and "corrupt" in st.modes and data:
            data = data[:-1] + bytes([data[-1] ^ 1])
        if (resp.status == 200 and self.command == "GET" and "/manifests/" in path
                and "corrupt-manifest" in st.modes):
            data = data + b" "
        cut = first_blob and resp.status == 200 and (
            st.modes & {"cut", "stall", "ignore-range"}) and len(data) > 1
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() in HOP or k.lower() == "content-length":
                continue
            self.send_header(k, v)
        if self.command == "HEAD":
            self.send_header("Content-Length", resp.getheader("Content-Length", "0"))
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if cut:
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            if "stall" in st.modes:
                time.sleep(30)
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(data)

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--upstream", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--mode", action="append", default=[])
    args = p.parse_args()
    st = State(args)
    Handler.st = st
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    st.port = srv.server_address[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(st.port))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
