/* The berth-shim control protocol (berthd <-> one berth-shim per container).
 * The full description is docs/shim.md; this header is the contract.
 *
 * Transport: a unix SOCK_STREAM socket, <shim-dir>/shim.sock, where
 * <shim-dir> = <exec-root>/shims/<ns>/<id>/ (also the OCI bundle: config.json,
 * rootfs/). Each connection carries request/reply frames:
 *
 *   frame = 4-byte big-endian length N (1 <= N <= SHIM_FRAME_MAX) + N bytes of
 *           one JSON object (UTF-8, compact)
 *
 * A request is {"op": "<name>", ...}; its reply is {"ok": true, ...} or
 * {"ok": false, "code": <errno>, "error": "<message naming what failed>"}.
 * Requests on one connection are answered in order. Several connections may be
 * open at once (berthd keeps one for events, opens others for calls/attach).
 *
 * Ops (fields besides "op"; "exec_id" absent = the container's init process):
 *   state     {} -> {"ok", "id", "shim_pid", "pid", "status":
 *             "created"|"running"|"paused"|"stopped", "exit_code", "signal",
 *             "started_at", "exited_at" (ns since the epoch, 0 = never),
 *             "oom_killed", "runtime", "execs": [{"exec_id","pid","status",
 *             "exit_code","exited_at"}]}
 *   start     {"exec_id"?} -> {"ok","pid"}      runtime start (init) / nothing
 *                                                 for execs (they start at exec)
 *   kill      {"signal": n, "all": bool, "exec_id"?} -> {"ok"}
 *   pause / resume {} -> {"ok"}
 *   update    {"resources": <OCI linux.resources>} -> {"ok"}
 *   stats     {} -> {"ok", "stats": <the runtime's `events --stats` data>}
 *   exec      {"exec_id", "process": <OCI process>, "terminal": bool,
 *             "stdin": bool} -> {"ok","pid"}   (runtime exec --detach; the
 *             process's stdio is held by the shim like the init's)
 *   resize    {"exec_id"?, "width", "height"} -> {"ok"}
 *   close_stdin {"exec_id"?} -> {"ok"}
 *   attach    {"exec_id"?, "stdin","stdout","stderr": bool, "stdin_once": bool}
 *             -> {"ok"}, then the connection leaves framing mode:
 *             shim -> client: stream frames exactly as Docker multiplexes them
 *               (8-byte header [stream(1=stdout,2=stderr),0,0,0,size BE32] +
 *               payload), also for a terminal (stream 1);
 *             client -> shim: raw stdin bytes; the client's shutdown(SHUT_WR)
 *               closes the process's stdin when stdin_once.
 *             The shim closes the connection after the process exited and its
 *             output was delivered. Attaching does not replay older output
 *             (that is the log's job) but nothing produced after the attach
 *             reply is lost for that client.
 *   subscribe {} -> {"ok"}, then the shim sends frames (JSON, same framing):
 *             {"event":"exit","exec_id"?,"pid","exit_code","signal",
 *              "exited_at","oom_killed"} and {"event":"oom"}; the first frames
 *             after the reply repeat exits that already happened.
 *   delete    {"exec_id"?} -> {"ok", "exit_code", "exited_at"}: for init:
 *             runtime delete, unmount <shim-dir>/rootfs, remove the runtime
 *             state; the shim exits after replying (the shim dir is left to
 *             berthd). EBUSY while the process runs. For an exec: forget it.
 *   shutdown  {} -> {"ok"}; the shim exits (only when init is not running).
 *
 * Files in <shim-dir>: shim.json (the start options, written by berthd),
 * shim.sock, shim.pid, exit.json (written with fsync before the exit event:
 * {"pid","exit_code","signal","exited_at","oom_killed"}), log.json (the
 * runtime's --log). The container log goes where shim.json says. */
#ifndef BERTH_SHIM_PROTO_H
#define BERTH_SHIM_PROTO_H

#include "common/error.h"

#include <jansson.h>

#define SHIM_FRAME_MAX (4u << 20)

/* Write one frame (v is not stolen). -1 with errno set on failure. */
int shim_frame_write(int fd, json_t *v);
/* Read one frame. 0 and *out = NULL at a clean EOF before a frame; -1 with
 * *err on a short read, an oversized frame or bad JSON. */
int shim_frame_read(int fd, json_t **out, struct berth_error **err);

#endif
