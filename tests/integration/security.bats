#!/usr/bin/env bats
# security: the runtime binary cannot be overwritten through the container
# init's /proc/PID/exe (CVE-2019-5736 class)

load helpers

# These tests try to overwrite the runtime binary. So that a vulnerable
# runtime only destroys a throw-away copy, they run a copy of it from
# $TESTDIR/bin (the runtime links only system libraries).
setup() {
	setup_common
	ORIG_RUNTIME=$RUNTIME
	mkdir -p "$TESTDIR/bin"
	cp "$RUNTIME" "$TESTDIR/bin/"
	RUNTIME=$TESTDIR/bin/$(basename "$ORIG_RUNTIME")
	RUNTIME_SUM=$(sha256sum <"$RUNTIME")
}

teardown() {
	local copy=$RUNTIME
	# clean up with the pristine binary in case the copy got damaged
	RUNTIME=$ORIG_RUNTIME
	teardown_common
	[[ -n ${copy:-} ]] || return 0
}

assert_runtime_intact() {
	assert_eq "$(sha256sum <"$RUNTIME")" "$RUNTIME_SUM" "runtime binary checksum"
}

# device:inode of a file (following symlinks, so /proc/PID/exe works even
# when readlink only shows "/" for a process in another mount namespace)
file_id() { stat -L -c '%d:%i' "$1"; }

# ro_mount FILE: the file lives on a read-only mount (statvfs ST_RDONLY)
ro_mount() {
	python3 -c 'import os, sys; sys.exit(0 if os.statvfs(sys.argv[1]).f_flag & os.ST_RDONLY else 1)' "$1"
}

@test "security: the created init's /proc/PID/exe is not the writable on-disk runtime binary" {
	set_args /bin/sleep 1000
	create_ct
	local pid exe
	pid=$(pid_of "$CT")
	exe=$(readlink "/proc/$pid/exe")
	echo "init exe: $exe ($(file_id "/proc/$pid/exe")), runtime: $(file_id "$RUNTIME")"
	# acceptable: a memfd / private copy, or the binary behind a read-only mount
	if [[ $exe == /memfd:* ]]; then
		:
	elif [[ $(file_id "/proc/$pid/exe") != "$(file_id "$RUNTIME")" ]]; then
		:
	else
		command -v python3 >/dev/null || skip "python3 needed to check the mount flags"
		ro_mount "/proc/$pid/exe" || fail "init runs the writable on-disk runtime binary"
	fi
	assert_runtime_intact
}

@test "security: a handle to the created init's exe cannot be written through after start" {
	set_args /bin/sleep 1000
	create_ct
	local pid
	pid=$(pid_of "$CT")
	# grab the exe while the init still runs it (CVE-2019-5736 first step)
	exec 8<"/proc/$pid/exe"
	start_ct
	retry 50 0.1 grep -q sleep "/proc/$pid/cmdline"
	# the init has exec'd the user process: the runtime binary is no longer
	# busy (no ETXTBSY), so only a sealed private copy (EPERM on write) or a
	# read-only mount (EROFS on open) stops this. We really try to append a
	# byte: this is a throw-away copy of the runtime.
	local wrote=0
	if (echo x >>/proc/self/fd/8) 2>/dev/null; then
		wrote=1
	fi
	exec 8<&-
	assert_runtime_intact
	[[ $wrote -eq 0 ]] || fail "could write through a handle to the init exe"
}

@test "security: the created init's exe cannot be opened for writing from the host" {
	set_args /bin/sleep 1000
	create_ct
	local pid
	pid=$(pid_of "$CT")
	if (exec 9>>"/proc/$pid/exe") 2>/dev/null; then
		fail "/proc/$pid/exe ($(readlink "/proc/$pid/exe")) is writable"
	fi
	# truncating open must fail too and must not damage the runtime
	if (: >"/proc/$pid/exe") 2>/dev/null; then
		fail "/proc/$pid/exe could be truncated"
	fi
	assert_runtime_intact
	# the container still works
	start_ct
	assert_eq "$(status_of "$CT")" running
}

@test "security: container-namespace hooks cannot overwrite the runtime via /proc/PPID/exe" {
	mkdir -p "$TESTDIR/hooks"
	add_bind "$TESTDIR/hooks" "$TESTDIR/hooks"
	local script='readlink /proc/$PPID/exe >> "$1/exe-$0"; (cat /bin/busybox > /proc/$PPID/exe) 2>/dev/null && echo WROTE >> "$1/exe-$0"; exit 0'
	bundle_set '.hooks.createContainer = [{path: "/bin/sh", args: ["sh", "-c", $s, "createContainer", $d]}]
		| .hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", $s, "startContainer", $d]}]
		| .hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", $s, "createRuntime", $d]}]' \
		--arg s "$script" --arg d "$TESTDIR/hooks"
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -eq 0 ]]
	rt start "$CT"
	head "$TESTDIR"/hooks/exe-* || true
	assert_runtime_intact
	! grep -q WROTE "$TESTDIR"/hooks/exe-* || fail "a hook could write to its parent's exe"
}

@test "security: the container process cannot write to the init exe of a created sibling" {
	# container A is created (its init waits for start). Container B runs
	# in the host pid namespace (so it can see A's init in /proc), with
	# CAP_SYS_PTRACE and CAP_DAC_OVERRIDE, and tries to overwrite A's init
	# exe through /proc/PID/exe
	set_args /bin/sleep 1000
	local a b
	a=$(new_id a)
	b=$(new_id b)
	create_ct "$a"
	local pid
	pid=$(pid_of "$a")
	local b2=$TESTDIR/bundle-b
	make_bundle "$b2"
	CONFIG=$b2/config.json bundle_set '.linux.namespaces |= map(select(.type != "pid"))
		| .process.capabilities = {bounding: ["CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE"], effective: ["CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE"], permitted: ["CAP_SYS_PTRACE", "CAP_DAC_OVERRIDE"]}
		| .process.args = ["/bin/sh", "-c", $s]' \
		--arg s "(cat /bin/busybox > /proc/$pid/exe) 2>/dev/null && echo WROTE; readlink /proc/$pid/exe; exit 0"
	rt run --bundle "$b2" "$b"
	[[ $status -eq 0 ]]
	[[ $output != *WROTE* ]] || fail "wrote through /proc/$pid/exe: $output"
	assert_runtime_intact
}

@test "security: the runtime binary is unchanged after a full lifecycle" {
	set_args /bin/true
	run_ct
	[[ $status -eq 0 ]]
	assert_runtime_intact
}
