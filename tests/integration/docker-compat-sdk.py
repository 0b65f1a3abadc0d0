#!/usr/bin/env python3
# docker-compat.bats: the same docker SDK calls against an engine (argv[1], a
# unix:// URL); prints what a client sees as JSON, to diff dockerd and berthd.
import docker, sys, json
c = docker.DockerClient(base_url=sys.argv[1], timeout=30)
out = {}
ct = c.containers.run("busybox", ["sh", "-c", "echo hello; sleep 0.3; echo oops >&2; sleep 30"], detach=True, name="sdk1", labels={"t": "sdk"})
import time; time.sleep(1)
out["logs"] = ct.logs().decode()
out["logs_stdout"] = ct.logs(stderr=False).decode()
r = ct.exec_run(["sh", "-c", "echo ex; exit 4"])
out["exec"] = [r.exit_code, r.output.decode()]
r = ct.exec_run("id", user="1000")
out["exec_user"] = [r.exit_code, r.output.decode()]
out["list_label"] = [x.name for x in c.containers.list(filters={"label": "t=sdk"})]
out["list_status"] = [x.name for x in c.containers.list(all=True, filters={"status": "running", "name": "sdk1"})]
ct.reload(); out["status"] = ct.status
ct.stop(timeout=1)
out["wait"] = ct.wait()
ct.reload(); out["status2"] = ct.status
out["run_out"] = c.containers.run("busybox", "echo direct", remove=True).decode()
try:
    c.containers.run("busybox", "sh -c 'exit 5'", remove=True)
except docker.errors.ContainerError as e:
    out["run_err"] = [e.exit_status]
try:
    c.containers.get("nosuch")
except docker.errors.NotFound as e:
    out["notfound"] = str(e.explanation)
try:
    c.containers.run("busybox", "true", name="sdk1", detach=True)
except docker.errors.APIError as e:
    out["conflict"] = [e.status_code]
ct.remove()
out["after_rm"] = [x.name for x in c.containers.list(all=True, filters={"name": "sdk1"})]
print(json.dumps(out, indent=1, sort_keys=True))
