#!/usr/bin/env bats
# global options: --log, --log-format, --debug, --systemd-cgroup, --root;
# the spec command; version/help

load helpers

@test "global: --log with --log-format json writes JSON lines on failure" {
	set_args /nosuch-binary-xyz
	rt --log "$TESTDIR/log.json" --log-format json run --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	[[ -s $TESTDIR/log.json ]] || fail "log file is empty"
	cat "$TESTDIR/log.json"
	local line n=0
	while IFS= read -r line; do
		[[ -n $line ]] || continue
		jq -e 'type == "object" and has("level") and has("msg") and has("time")' <<<"$line" >/dev/null ||
			fail "not a JSON log line with level/msg/time: $line"
		n=$((n + 1))
	done <"$TESTDIR/log.json"
	((n > 0))
	jq -se 'map(select(.level == "error")) | length > 0' "$TESTDIR/log.json" >/dev/null ||
		fail "no error level line"
	jq -rs 'map(select(.level == "error") | .msg) | join("\n")' "$TESTDIR/log.json" | grep -q nosuch-binary-xyz ||
		fail "the error does not name the binary"
	# time is RFC3339
	local t
	t=$(jq -rs 'map(select(.level == "error"))[0].time' "$TESTDIR/log.json")
	[[ $t =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2} ]] || fail "time: $t"
	assert_no_state "$CT"
}

@test "global: --log with --log-format text" {
	set_args /nosuch-binary-xyz
	rt --log "$TESTDIR/log.txt" --log-format text run --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	[[ -s $TESTDIR/log.txt ]] || fail "log file is empty"
	cat "$TESTDIR/log.txt"
	grep -q 'level=error' "$TESTDIR/log.txt" || fail "no level=error"
	grep -q nosuch-binary-xyz "$TESTDIR/log.txt"
	! head -n 1 "$TESTDIR/log.txt" | jq -e . >/dev/null 2>&1 || fail "text log is JSON"
}

@test "global: the log file is appended to, not truncated" {
	echo "previous line" >"$TESTDIR/log.txt"
	rt --log "$TESTDIR/log.txt" state "nosuch-$SUFFIX"
	[[ $status -ne 0 ]]
	assert_eq "$(head -n 1 "$TESTDIR/log.txt")" "previous line"
	(($(wc -l <"$TESTDIR/log.txt") > 1)) || fail "nothing logged"
}

@test "global: an invalid --log-format is rejected" {
	rt --log-format yaml list
	[[ $status -ne 0 ]]
}

@test "global: --debug logs debug messages" {
	set_args /bin/true
	rt --debug --log "$TESTDIR/log.json" --log-format json run --bundle "$BUNDLE" "$CT"
	[[ $status -eq 0 ]]
	cat "$TESTDIR/log.json"
	jq -se 'map(select(.level == "debug")) | length > 0' "$TESTDIR/log.json" >/dev/null ||
		fail "no debug lines"
}

@test "global: without --debug there are no debug messages" {
	set_args /bin/true
	rt --log "$TESTDIR/log.json" --log-format json run --bundle "$BUNDLE" "$CT"
	[[ $status -eq 0 ]]
	if [[ -s $TESTDIR/log.json ]]; then
		jq -se 'map(select(.level == "debug")) | length == 0' "$TESTDIR/log.json" >/dev/null ||
			fail "debug lines without --debug"
	fi
}

@test "global: --systemd-cgroup gives a clear error" {
	skip_if_runc "runc supports the systemd cgroup driver"
	set_args /bin/true
	rt --systemd-cgroup create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_contains "$output" systemd
	assert_no_state "$CT"
}

@test "global: --root is used for state, not the default root" {
	set_args /bin/sleep 1000
	create_ct
	[[ -n $(find "$ROOT" -name "*$SUFFIX*") ]] || fail "no state under --root"
	local d
	for d in /run/runc /run/berth /run/berth-runtime /run/crun "${XDG_RUNTIME_DIR:-/nonexistent}"; do
		[[ -z $(find "$d" -maxdepth 3 -name "*$SUFFIX*" 2>/dev/null) ]] || fail "state in $d"
	done
	# another root does not know the container
	mkdir "$TESTDIR/other-root"
	status=0
	timeout 10 "$RUNTIME" --root "$TESTDIR/other-root" state "$CT" >/dev/null 2>&1 || status=$?
	[[ $status -ne 0 ]]
}

@test "global: --root that does not exist yet is created" {
	ROOT=$TESTDIR/new/nested/root
	set_args /bin/true
	create_ct
	[[ -d $ROOT ]]
	rt_ok delete --force "$CT"
}

@test "global: spec --bundle writes a config.json that runs" {
	local b=$TESTDIR/spec-bundle
	mkdir "$b"
	rt_ok spec --bundle "$b"
	[[ -s $b/config.json ]]
	jq -e . "$b/config.json" >/dev/null
	[[ $(jq -r .ociVersion "$b/config.json") =~ ^1\. ]]
	assert_eq "$(jq -r .root.path "$b/config.json")" rootfs root.path
	jq -e '.process.args | length > 0' "$b/config.json" >/dev/null
	jq -e '.linux.namespaces | map(.type) | (index("pid") != null and index("mount") != null)' "$b/config.json" >/dev/null
	# run it (terminal off, our args)
	cp -a "$BUNDLE/rootfs" "$b/rootfs"
	CONFIG=$b/config.json bundle_set '.process.terminal = false | .process.args = ["/bin/echo", "spec-ok"]'
	rt run --bundle "$b" "$CT"
	[[ $status -eq 0 ]]
	assert_eq "$output" spec-ok
}

@test "global: spec without --bundle writes ./config.json" {
	mkdir "$TESTDIR/cwd"
	cd "$TESTDIR/cwd"
	rt_ok spec
	jq -e .ociVersion "$TESTDIR/cwd/config.json" >/dev/null
}

@test "global: spec does not overwrite an existing config.json" {
	echo '{"keep": true}' >"$TESTDIR/config.json"
	rt spec --bundle "$TESTDIR"
	[[ $status -ne 0 ]]
	assert_eq "$(cat "$TESTDIR/config.json")" '{"keep": true}'
}

@test "global: spec --rootless has a user namespace and id mappings" {
	local b=$TESTDIR/rootless
	mkdir "$b"
	rt_ok spec --rootless --bundle "$b"
	jq -e '.linux.namespaces | map(.type) | index("user") != null' "$b/config.json" >/dev/null ||
		fail "no user namespace"
	jq -e '.linux.uidMappings | length > 0' "$b/config.json" >/dev/null || fail "no uidMappings"
	jq -e '.linux.gidMappings | length > 0' "$b/config.json" >/dev/null || fail "no gidMappings"
	assert_eq "$(jq -r '.linux.uidMappings[0].hostID' "$b/config.json")" "$(id -u)" "uid mapping hostID"
	assert_eq "$(jq -r '.linux.uidMappings[0].containerID' "$b/config.json")" 0 "uid mapping containerID"
	assert_eq "$(jq -r '.linux.gidMappings[0].hostID' "$b/config.json")" "$(id -g)" "gid mapping hostID"
}

@test "global: --version" {
	rt --version
	[[ $status -eq 0 ]]
	assert_contains "$output" version
	assert_contains "$output" spec
}

@test "global: --help lists the commands" {
	rt --help
	[[ $status -eq 0 ]]
	local c
	for c in create start state kill delete list run spec; do
		[[ $output == *"$c"* ]] || fail "--help does not mention $c"
	done
}

@test "global: an unknown command fails" {
	rt no-such-command
	[[ $status -ne 0 ]]
}

@test "global: a command without the container id fails" {
	local c
	for c in start state kill delete; do
		rt "$c"
		[[ $status -ne 0 ]] || fail "$c without id succeeded"
	done
	rt create --bundle "$BUNDLE"
	[[ $status -ne 0 ]]
}
