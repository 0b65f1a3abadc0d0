#!/usr/bin/env bats
# spec --rootless, run by a user who is not root

load helpers

RL_USER=berth-rootless

setup() {
	setup_common
	id "$RL_USER" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /usr/sbin/nologin "$RL_USER" ||
		skip "cannot create user $RL_USER"
	RL_UID=$(id -u "$RL_USER")
	# everything the user touches lives in a dir it owns
	RLDIR=$TESTDIR/rootless
	mkdir -p "$RLDIR/bundle" "$RLDIR/xdg"
	cp -a "$BUNDLE/rootfs" "$RLDIR/bundle/"
	cp "$RUNTIME" "$RLDIR/runtime"
	chown -R "$RL_USER" "$RLDIR"
	chmod 711 "$TESTDIR"
}

teardown() {
	as_user "$RLDIR/runtime" delete --force "$CT" >/dev/null 2>&1 || true
	teardown_common
}

as_user() {
	timeout 60 setpriv --reuid "$RL_UID" --regid "$(id -g "$RL_USER")" --init-groups \
		env XDG_RUNTIME_DIR="$RLDIR/xdg" HOME="$RLDIR" "$@"
}

@test "rootless: spec --rootless writes a user namespace mapping the caller" {
	run as_user "$RLDIR/runtime" spec --rootless --bundle "$RLDIR/bundle"
	[[ $status -eq 0 ]]
	local cfg=$RLDIR/bundle/config.json
	jq -e '.linux.namespaces | map(.type) | index("user")' "$cfg"
	assert_eq "$(jq -r '.linux.uidMappings[0].hostID' "$cfg")" "$RL_UID" "uid mapping"
	assert_eq "$(jq -r '.linux.uidMappings[0].containerID' "$cfg")" 0 "container root"
	! jq -e '.linux.namespaces | map(.type) | index("network")' "$cfg"
}

@test "rootless: a non-root user runs the rootless spec" {
	as_user "$RLDIR/runtime" spec --rootless --bundle "$RLDIR/bundle"
	local cfg=$RLDIR/bundle/config.json
	jq '.process.terminal = false | .process.args = ["/bin/sh", "-c", "echo uid=$(id -u); cat /proc/self/uid_map; echo host=$(hostname)"]' \
		"$cfg" >"$cfg.new" && mv "$cfg.new" "$cfg" && chown "$RL_USER" "$cfg"
	run as_user "$RLDIR/runtime" run --bundle "$RLDIR/bundle" "$CT"
	echo "$output"
	[[ $status -eq 0 ]]
	[[ $output == *uid=0* ]]
	[[ $output =~ 0[[:space:]]+$RL_UID[[:space:]]+1 ]]
	# state went to $XDG_RUNTIME_DIR/berth-runtime, and is gone after run
	[[ -d $RLDIR/xdg/berth-runtime ]]
	[[ -z $(ls -A "$RLDIR/xdg/berth-runtime") ]]
}

@test "rootless: create, state, exec, delete as a non-root user" {
	as_user "$RLDIR/runtime" spec --rootless --bundle "$RLDIR/bundle"
	local cfg=$RLDIR/bundle/config.json
	jq '.process.terminal = false | .process.args = ["/bin/sleep", "1000"]' "$cfg" >"$cfg.new" &&
		mv "$cfg.new" "$cfg" && chown "$RL_USER" "$cfg"
	# the container inherits stdio: keep it off bats' pipe
	as_user "$RLDIR/runtime" create --bundle "$RLDIR/bundle" "$CT" \
		>"$TESTDIR/create.out" 2>&1 </dev/null || fail "create: $(cat "$TESTDIR/create.out")"
	run as_user "$RLDIR/runtime" start "$CT"
	[[ $status -eq 0 ]]
	run as_user "$RLDIR/runtime" state "$CT"
	[[ $(jq -r .status <<<"$output") == running ]]
	local pid
	pid=$(jq -r .pid <<<"$output")
	assert_eq "$(stat -c %u "/proc/$pid")" "$RL_UID" "container init owned by the user"
	run as_user "$RLDIR/runtime" exec "$CT" /bin/sh -c 'id -u'
	[[ $status -eq 0 ]]
	[[ $output == 0 ]]
	run as_user "$RLDIR/runtime" delete --force "$CT"
	[[ $status -eq 0 ]]
	[[ ! -d /proc/$pid ]] || retry 50 0.1 test ! -d "/proc/$pid"
}
