#!/usr/bin/env python3
"""A stand-in for the image endpoints of the Docker Engine API, for the berth
CLI's tests while berthd does not serve them yet (cli.bats).

    fakeapi.py SOCKET LOG FIXTURES

Answers on a unix socket with the shapes recorded from dockerd in
shared/docker-api (API 1.41): /_ping, /images/json, /images/create (pull
progress stream, or 404 JSON for a name containing "missing", or an
errorDetail in the stream for "broken"), /images/{name}/json|history|tag|push,
DELETE /images/{name}, /images/get, /images/load, /images/prune, /auth,
/system/df. Every request is appended to LOG as one JSON line
{method, path, auth (X-Registry-Auth), body}.
"""
import json
import os
import sys
import urllib.parse

import fakehttp

SOCK, LOG, FIXTURES = sys.argv[1], sys.argv[2], sys.argv[3]
ID = "sha256:ff41d169493d77bcde5ac2d87838d99958ed020a9cf75b8bf273eb3f9d2b55f6"
ID2 = "sha256:2bcc518c6d341f86ad852ca5cca5074cb572d9ed85881e2026a38979e94413c1"
IMAGES = [
    {"Containers": -1, "Created": 1700000000, "Id": ID, "Labels": None, "ParentId": "",
     "RepoDigests": ["127.0.0.1:5000/busybox@sha256:" + "3" * 64],
     "RepoTags": ["busybox:latest", "127.0.0.1:5000/busybox:latest"],
     "SharedSize": -1, "Size": 1985722, "VirtualSize": 1985722},
    {"Containers": -1, "Created": 1700000100, "Id": ID2, "Labels": {}, "ParentId": "",
     "RepoDigests": [], "RepoTags": [], "SharedSize": -1, "Size": 20,
     "VirtualSize": 20},
]


class Handler(fakehttp.Handler):
    LOG = LOG

    def entry(self, body):
        return dict(super().entry(body), auth=self.headers.get("X-Registry-Auth"))

    def handle_any(self):
        body = self.body()
        self.record(body)
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        p = u.path
        if p.startswith("/v1."):
            p = p[p.index("/", 1):]
        m = self.command
        if p == "/_ping":
            return self.reply(200, raw=b"" if m == "HEAD" else b"OK")
        if m == "GET" and p == "/images/json":
            return self.reply(200, IMAGES)
        if m == "POST" and p == "/images/create":
            name = q.get("fromImage", [""])[0]
            if "fromSrc" in q:
                return self.stream([json.dumps({"status": ID})])
            if "missing" in name:
                return self.reply(404, {"message": "manifest for %s:%s not found: manifest unknown" % (name, q.get("tag", [""])[0])})
            with open(os.path.join(FIXTURES, "pull-progress.jsonl")) as f:
                lines = f.readlines()
            if "broken" in name:
                lines = lines[:3] + [json.dumps({"errorDetail": {"message": "unexpected EOF"}, "error": "unexpected EOF"})]
            return self.stream(lines)
        if m == "POST" and p.endswith("/push"):
            with open(os.path.join(FIXTURES, "push-error.jsonl")) as f:
                lines = f.readlines()
            if self.headers.get("X-Registry-Auth", "e30=") != "e30=":
                lines = lines[:3] + [json.dumps({"status": "latest: digest: sha256:%s size: 527" % ("4" * 64)})]
            return self.stream(lines)
        if m == "POST" and p == "/images/load":
            return self.stream([json.dumps({"stream": "Loaded image: busybox:latest (%d bytes)\n" % len(body)})])
        if m == "GET" and p == "/images/get":
            return self.reply(200, raw=b"TAR:" + ",".join(q.get("names", [])).encode())
        if m == "POST" and p == "/images/prune":
            return self.reply(200, {"ImagesDeleted": [{"Untagged": "x:1"}, {"Deleted": ID2}], "SpaceReclaimed": 20})
        if m == "POST" and p == "/auth":
            req = json.loads(body)
            if req.get("password") != "secret":
                return self.reply(401, {"message": "login attempt to %s failed with status: 401 Unauthorized" % req.get("serveraddress")})
            return self.reply(200, {"Status": "Login Succeeded", "IdentityToken": ""})
        if m == "GET" and p == "/system/df":
            return self.reply(200, {"LayersSize": 1985742, "Images": IMAGES, "Containers": [], "Volumes": [], "BuildCache": []})
        if p.startswith("/images/"):
            name, _, verb = p[len("/images/"):].rpartition("/")
            if m == "DELETE":
                name, verb = p[len("/images/"):], ""
            known = name in ("busybox", "busybox:latest", ID, "mybuild:1")
            if not known:
                return self.reply(404, {"message": "No such image: %s" % name})
            if m == "GET" and verb == "json":
                return self.reply(200, {"Id": ID, "RepoTags": ["busybox:latest"], "Size": 1985722, "Config": {"Cmd": ["sh"], "Env": None}, "RootFS": {"Type": "layers", "Layers": []}})
            if m == "GET" and verb == "history":
                return self.reply(200, [
                    {"Comment": "", "Created": 1700000100, "CreatedBy": "/bin/sh -c #(nop) COPY file:7371c6f790c840ae5a6f6d0b in /hello.txt", "Id": ID2, "Size": 20, "Tags": ["mybuild:1"]},
                    {"Comment": "busybox rootfs", "Created": 1700000000, "CreatedBy": "", "Id": "<missing>", "Size": 1985722, "Tags": None}])
            if m == "POST" and verb == "tag":
                return self.reply(201, raw=b"")
            if m == "DELETE":
                return self.reply(200, [{"Untagged": name}, {"Deleted": ID}])
        return self.reply(404, {"message": "page not found"})

    do_GET = do_POST = do_DELETE = do_HEAD = handle_any


fakehttp.serve(SOCK, Handler)
