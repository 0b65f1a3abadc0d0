#!/usr/bin/env python3
"""A stand-in for the container endpoints of the Docker Engine API, for the
tests of the berth CLI's container commands (cli-containers.bats): exact
request shapes and output formatting, whatever berthd serves yet.

    fakectr.py SOCKET LOG DIR

Replies with the shapes recorded from dockerd 20.10 in shared/docker-api
(API 1.41): containers "web" (running, ports, from transcripts/ps.txt) and
"dead1" (exited); any name starting with "nosuch" is missing (404 "No such
container: NAME"). Every request is appended to LOG as one JSON line
{method, path, ctype, len, body}; PUT archive bodies are saved as
DIR/put-<n>.tar.
"""
import base64
import io
import json
import os
import sys
import tarfile
import time
import urllib.parse

import fakehttp

SOCK, LOG, DIR = sys.argv[1], sys.argv[2], sys.argv[3]
WEB = "9e5a9cced3812d1d211088f2694ded0611c96c89f08480f06b89bbbe944a62d4"
DEAD = "34ad9c75b5de354f735f48da78625c3ada8ff0e71b8fc0694e1f6407ab21559f"
IMG = "sha256:ff41d169493d77bcde5ac2d87838d99958ed020a9cf75b8bf273eb3f9d2b55f6"
NET = {"bridge": {"IPAMConfig": None, "Links": None, "Aliases": None, "NetworkID": "e29a", "EndpointID": "20cb",
                  "Gateway": "172.31.250.1", "IPAddress": "172.31.250.2", "IPPrefixLen": 24, "IPv6Gateway": "",
                  "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "MacAddress": "02:42:ac:1f:fa:02", "DriverOpts": None}}


def containers():
    now = int(time.time())
    return [
        {"Id": WEB, "Names": ["/web"], "Image": "busybox", "ImageID": IMG, "Command": "httpd -f -p 80",
         "Created": now - 8, "Ports": [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"},
                                       {"IP": "::", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"}],
         "Labels": {}, "State": "running", "Status": "Up 8 seconds", "HostConfig": {"NetworkMode": "default"},
         "NetworkSettings": {"Networks": NET}, "Mounts": [], "SizeRw": 12, "SizeRootFs": 1985722},
        {"Id": DEAD, "Names": ["/dead1"], "Image": IMG, "ImageID": IMG,
         "Command": "sh -c 'while true; do date; sleep 1; done'", "Created": now - 3600,
         "Ports": [], "Labels": {"b": "2", "a": "1"}, "State": "exited", "Status": "Exited (0) 59 minutes ago",
         "HostConfig": {"NetworkMode": "none"}, "NetworkSettings": {"Networks": {"none": {}}},
         "Mounts": [{"Type": "volume", "Name": "0123456789abcdef0123", "Driver": "local", "Source": "/x"}],
         "SizeRw": 0, "SizeRootFs": 0},
    ]


def stats(name, n=0):
    """web's sample of transcripts/stats_no_stream.txt (n=0); stream samples
    n=1.. have 0.5 s of CPU over 2 s of system time on 2 CPUs (50%)."""
    web = name in ("web", WEB[:12])
    return {"read": "2026-11-23T16:36:25.493963529Z", "preread": "2026-11-23T16:36:24.477898022Z",
            "pids_stats": {"current": 1},
            "blkio_stats": {"io_service_bytes_recursive": [
                {"major": 8, "minor": 0, "op": "read", "value": 4096 * n},
                {"major": 8, "minor": 0, "op": "write", "value": 0}]},
            "num_procs": 0, "storage_stats": {},
            "cpu_stats": {"cpu_usage": {"total_usage": 82510569 + 500000000 * n, "percpu_usage": [1, 2]},
                          "system_cpu_usage": 2449490000000 + 2000000000 * n, "online_cpus": 2},
            "precpu_stats": {"cpu_usage": {"total_usage": 82510569 + 500000000 * (n - 1) if n else 82510569},
                             "system_cpu_usage": 2449490000000 + 2000000000 * (n - 1) if n else 2447460000000,
                             "online_cpus": 2},
            "memory_stats": {"usage": 348160, "stats": {"total_inactive_file": 0}, "limit": 25276514304},
            "name": "/web" if web else "/" + name, "id": WEB if web else DEAD,
            "networks": {"eth0": {"rx_bytes": 1810, "tx_bytes": 731}}}


EVENTS = [
    {"status": "create", "id": WEB, "from": "busybox", "Type": "container", "Action": "create",
     "Actor": {"ID": WEB, "Attributes": {"image": "busybox", "name": "web"}}, "scope": "local",
     "time": 1795451859, "timeNano": 1795451859365629973},
    {"status": "die", "id": WEB, "from": "busybox", "Type": "container", "Action": "die",
     "Actor": {"ID": WEB, "Attributes": {"name": "web", "image": "busybox", "exitCode": "0"}}, "scope": "local",
     "time": 1795451859, "timeNano": 1795451859943559114},
    {"Type": "volume", "Action": "create", "Actor": {"ID": "evvol", "Attributes": {"driver": "local"}},
     "scope": "local", "time": 1795451862, "timeNano": 1795451862715603287},
]


def tar_of(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = 1795451000
            if data is None:
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
                t.addfile(ti)
            elif isinstance(data, tuple):  # ("symlink" | "hardlink", target)
                ti.type = tarfile.SYMTYPE if data[0] == "symlink" else tarfile.LNKTYPE
                ti.linkname = data[1]
                t.addfile(ti)
            else:
                ti.size = len(data)
                ti.mode = 0o644
                t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


PASSWD = b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n"
ARCHIVES = {
    "/etc/passwd": ({"name": "passwd", "size": len(PASSWD), "mode": 0o644, "mtime": "2026-11-23T16:22:19Z",
                     "linkTarget": ""}, [("passwd", PASSWD)]),
    "/var/www": ({"name": "www", "size": 4096, "mode": (1 << 31) | 0o755, "mtime": "2026-11-23T16:22:19Z",
                  "linkTarget": ""}, [("www", None), ("www/index.html", b"<h1>hi</h1>\n"),
                                      ("www/sub", None), ("www/sub/a.txt", b"a\n")]),
    # a hostile container: members that climb out, a symlink to follow, a
    # hard link to a file outside
    "/evil": ({"name": "evil", "size": 4096, "mode": (1 << 31) | 0o755, "mtime": "2026-11-23T16:22:19Z",
               "linkTarget": ""}, [("evil", None), ("evil/../escaped", b"x\n"),
                                   ("evil/link", ("symlink", os.path.join(DIR, "outside"))),
                                   ("evil/link/pwned", b"x\n"),
                                   ("evil/hard", ("hardlink", "evil/../../../../../etc/hostname")),
                                   ("evil/ok", b"fine\n")]),
    "/evil2": ({"name": "evil2", "size": 4096, "mode": (1 << 31) | 0o755, "mtime": "2026-11-23T16:22:19Z",
                "linkTarget": ""}, [("evil2", None), ("evil2/../escaped2", b"x\n"),
                                    ("evil2/hard", ("hardlink", "evil2/../../../../../etc/hostname")),
                                    ("evil2/ok", b"fine\n")]),
    "/tmp": ({"name": "tmp", "size": 4096, "mode": 2148532735, "mtime": "2026-11-23T16:22:19Z",
              "linkTarget": ""}, [("tmp", None)]),
}
PUTS = [0]


class Handler(fakehttp.Handler):
    LOG = LOG

    def entry(self, body):
        # archives are long: their length only
        return dict(super().entry(body), len=len(body),
                    body=body.decode("latin-1") if len(body) < 4096 else "")

    def handle_any(self):
        body = self.body()
        self.record(body)
        u = urllib.parse.urlsplit(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(u.query, keep_blank_values=True).items()}
        p = u.path
        if p.startswith("/v1."):
            p = p[p.index("/", 1):]
        m = self.command
        if p == "/_ping":
            return self.reply(200, raw=b"" if m == "HEAD" else b"OK", ctype="text/plain; charset=utf-8")
        if m == "GET" and p == "/containers/json":
            lst = containers()
            if q.get("all") != "1" and int(q.get("limit", "-1")) <= 0:
                lst = [c for c in lst if c["State"] == "running"]
            f = json.loads(q.get("filters", "{}"))
            for name in f.get("name", {}):
                lst = [c for c in lst if any(name in n for n in c["Names"])]
            if int(q.get("limit", "-1")) > 0:
                lst = lst[:int(q["limit"])]
            if q.get("size") != "1":
                for c in lst:
                    del c["SizeRw"], c["SizeRootFs"]
            return self.reply(200, lst)
        if m == "POST" and p == "/containers/prune":
            return self.reply(200, {"ContainersDeleted": [DEAD], "SpaceReclaimed": 0})
        if m == "GET" and p == "/events":
            self.head(200, "application/json", chunked=True)
            f = json.loads(q.get("filters", "{}"))
            for ev in EVENTS:
                if "type" in f and ev["Type"] not in f["type"]:
                    continue
                self.chunk((json.dumps(ev) + "\n").encode())
            if "until" not in q:
                time.sleep(30)
            return self.wfile.write(b"0\r\n\r\n")
        if p.startswith("/images/"):
            return self.reply(404, {"message": "No such image: %s" % p.split("/")[2]})
        if not p.startswith("/containers/"):
            return self.reply(404, {"message": "page not found"})
        name, _, verb = p[len("/containers/"):].partition("/")
        if name.startswith("nosuch"):
            return self.reply(404, {"message": "No such container: %s" % name})
        if m == "DELETE" and verb == "":
            return self.reply(204)
        if m == "POST" and verb in ("stop", "kill", "restart", "pause", "unpause", "rename"):
            if verb == "rename" and q.get("name") == "taken":
                return self.reply(409, {"message": "Conflict. The container name \"/taken\" is already in use"})
            return self.reply(204)
        if m == "POST" and verb == "update":
            return self.reply(200, {"Warnings": ["fake warning"] if "PidsLimit" in json.loads(body) else []})
        if m == "GET" and verb == "json":
            c = containers()[0 if name in ("web", WEB[:12], WEB) else 1]
            return self.reply(200, {"Id": c["Id"], "Name": c["Names"][0], "State": {"Status": c["State"]},
                                    "SizeRw": 12 if q.get("size") == "1" else None})
        if m == "GET" and verb == "top":
            return self.reply(200, {"Processes": [["root", "29244", "29204", "0", "16:25", "?", "00:00:00",
                                                   "httpd -f -p 80"]],
                                    "Titles": ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]})
        if m == "GET" and verb == "stats":
            if q.get("stream") == "0":
                return self.reply(200, stats(name))
            self.head(200, None, chunked=True)  # as dockerd: no Content-Type
            for n in range(3):
                self.chunk((json.dumps(stats(name, n + 1)) + "\n").encode())
                time.sleep(0.3)
            return self.wfile.write(b"0\r\n\r\n")
        if m == "GET" and verb == "changes":
            return self.reply(200, [{"Path": "/tmp", "Kind": 0}, {"Path": "/tmp/new", "Kind": 1},
                                    {"Path": "/etc/motd", "Kind": 2}])
        if m == "GET" and verb == "export":
            return self.reply(200, raw=tar_of([("etc", None), ("etc/hostname", b"web\n")]),
                              ctype="application/x-tar")
        if verb == "archive":
            path = q.get("path", "")
            key = path[:-2] if path.endswith("/.") else path.rstrip("/") or "/"
            if m == "PUT":
                PUTS[0] += 1
                with open(os.path.join(DIR, "put-%d.tar" % PUTS[0]), "wb") as f:
                    f.write(body)
                return self.reply(200, raw=b"")
            if key not in ARCHIVES:
                return self.reply(404, {"message": "Could not find the file %s in container %s" % (path, name)})
            st, entries = ARCHIVES[key]
            if path.endswith("/.") and st["mode"] & (1 << 31):
                # dockerd rebases DIR/. on "." (members "./x")
                top = entries[0][0]
                entries = [("." + n[len(top):], d) for n, d in entries]
            hdr = {"X-Docker-Container-Path-Stat": base64.b64encode(json.dumps(st).encode()).decode()}
            if m == "HEAD":
                return self.reply(200, raw=b"", ctype="application/json", extra=hdr)
            return self.reply(200, raw=tar_of(entries), ctype="application/x-tar", extra=hdr)
        return self.reply(404, {"message": "page not found"})

    do_GET = do_POST = do_DELETE = do_HEAD = do_PUT = handle_any


fakehttp.serve(SOCK, Handler)
