#!/usr/bin/env bats
# hooks: order, state on stdin, args, env, timeout, failures

load helpers

# The hook script lives in $HOOKDIR, which is bind-mounted into the
# container at the same path, so the same path works for the hooks that run
# in the runtime namespace and for those run in the container namespace
# (createContainer, startContainer). Every run appends its name to
# $HOOKDIR/order and saves stdin, args and env.
setup() {
	setup_common
	HOOKDIR=$TESTDIR/hooks
	mkdir -p "$HOOKDIR"
	cat >"$HOOKDIR/hook.sh" <<'SH'
#!/bin/sh
dir=$(dirname "$0")
name=$1
cat >"$dir/$name.json"
env >"$dir/$name.env"
echo "$@" >"$dir/$name.args"
echo "$name" >>"$dir/order"
SH
	chmod 755 "$HOOKDIR/hook.sh"
	add_bind "$HOOKDIR" "$HOOKDIR"
}

# add_hook KIND [EXTRA JSON FIELDS]: hook running hook.sh KIND
add_hook() {
	local kind=$1 extra=${2:-\{\}}
	bundle_set '.hooks[$k] += [{path: $p, args: [$p, $k], env: ["PATH=/bin:/usr/bin:/sbin:/usr/sbin"]} + $x]' \
		--arg k "$kind" --arg p "$HOOKDIR/hook.sh" --argjson x "$extra"
}

add_all_hooks() {
	local k
	for k in prestart createRuntime createContainer startContainer poststart poststop; do
		add_hook "$k"
	done
}

order() { tr '\n' ' ' <"$HOOKDIR/order" 2>/dev/null | sed 's/ $//'; }

@test "hooks: all hooks run in the order of the runtime spec" {
	skip_if_runc "runc 1.1 runs poststart hooks during create, not start"
	add_all_hooks
	set_args /bin/sleep 1000
	create_ct
	assert_eq "$(order)" "prestart createRuntime createContainer" "after create"
	start_ct
	assert_eq "$(order)" "prestart createRuntime createContainer startContainer poststart" "after start"
	rt_ok kill "$CT" KILL
	wait_status "$CT" stopped
	assert_eq "$(order)" "prestart createRuntime createContainer startContainer poststart" "after kill"
	rt_ok delete "$CT"
	assert_eq "$(order)" "prestart createRuntime createContainer startContainer poststart poststop" "after delete"
}

@test "hooks: create, start and delete hooks (without poststart) run in order" {
	local k
	for k in prestart createRuntime createContainer startContainer poststop; do
		add_hook "$k"
	done
	set_args /bin/sleep 1000
	create_ct
	assert_eq "$(order)" "prestart createRuntime createContainer" "after create"
	start_ct
	assert_eq "$(order)" "prestart createRuntime createContainer startContainer" "after start"
	rt_ok kill "$CT" KILL
	wait_status "$CT" stopped
	rt_ok delete "$CT"
	assert_eq "$(order)" "prestart createRuntime createContainer startContainer poststop" "after delete"
}

@test "hooks: poststart runs on start, not on create" {
	skip_if_runc "runc 1.1 runs poststart hooks during create, not start"
	add_hook poststart
	set_args /bin/sleep 1000
	create_ct
	assert_eq "$(order)" "" "after create"
	start_ct
	assert_eq "$(order)" "poststart" "after start"
}

@test "hooks: all hooks run for run, and poststop after the process exits" {
	skip_if_runc "runc 1.1 runs poststart hooks before startContainer"
	add_all_hooks
	set_args /bin/true
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(order)" "prestart createRuntime createContainer startContainer poststart poststop"
}

@test "hooks: startContainer runs before the user process" {
	add_hook startContainer
	set_sh "echo process >> $HOOKDIR/order"
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(order)" "startContainer process"
}

@test "hooks: hooks get the container state on stdin" {
	add_all_hooks
	set_args /bin/sleep 1000
	create_ct
	local pid
	pid=$(pid_of "$CT")
	start_ct
	rt_ok delete --force "$CT"
	local k st
	for k in prestart createRuntime createContainer startContainer poststart poststop; do
		st=$(cat "$HOOKDIR/$k.json")
		jq -e . <<<"$st" >/dev/null || fail "$k: not JSON: $st"
		assert_eq "$(jq -r .id <<<"$st")" "$CT" "$k id"
		assert_eq "$(jq -r .bundle <<<"$st")" "$BUNDLE" "$k bundle"
		[[ $(jq -r .ociVersion <<<"$st") =~ ^1\. ]] || fail "$k ociVersion: $st"
		[[ -n $(jq -r '.status // empty' <<<"$st") ]] || fail "$k status: $st"
		case $k in
		prestart | createRuntime | poststart)
			assert_eq "$(jq -r .pid <<<"$st")" "$pid" "$k pid"
			;;
		esac
	done
	assert_eq "$(jq -r .status "$HOOKDIR/createRuntime.json")" creating "createRuntime status"
	assert_eq "$(jq -r .status "$HOOKDIR/poststop.json")" stopped "poststop status"
}

@test "hooks: container-namespace hooks get the host pid in the state" {
	skip_if_runc "runc 1.1 passes the pid as seen in the container (1)"
	add_hook createContainer
	add_hook startContainer
	set_args /bin/sleep 1000
	create_ct
	local pid
	pid=$(pid_of "$CT")
	start_ct
	assert_eq "$(jq -r .pid "$HOOKDIR/createContainer.json")" "$pid" "createContainer pid"
	assert_eq "$(jq -r .pid "$HOOKDIR/startContainer.json")" "$pid" "startContainer pid"
}

@test "hooks: args and env are passed" {
	bundle_set '.hooks.createRuntime = [{path: $p, args: ["hook-argv0", "createRuntime", "second arg", "--third"], env: ["HOOK_VAR=hook value", "PATH=/bin:/usr/bin"]}]' \
		--arg p "$HOOKDIR/hook.sh"
	set_args /bin/true
	create_ct
	assert_eq "$(cat "$HOOKDIR/createRuntime.args")" "createRuntime second arg --third" args
	grep -qx 'HOOK_VAR=hook value' "$HOOKDIR/createRuntime.env" || fail "env: $(cat "$HOOKDIR/createRuntime.env")"
	# the hook env is exactly what the config says, nothing from the runtime
	! grep -qE '^(BATS_|BERTH_|RUNTIME=)' "$HOOKDIR/createRuntime.env"
}

@test "hooks: a hook that exceeds its timeout fails create quickly" {
	bundle_set '.hooks.createRuntime = [{path: "/bin/sleep", args: ["sleep", "30"], timeout: 1}]'
	set_args /bin/true
	local t0=$SECONDS
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	((SECONDS - t0 < 15)) || fail "create took $((SECONDS - t0))s"
	assert_no_state "$CT"
	assert_no_leftover_processes
}

@test "hooks: a hook within its timeout is fine" {
	bundle_set '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "sleep 0.2"], timeout: 10}]'
	set_args /bin/true
	create_ct
	assert_eq "$(status_of "$CT")" created
}

@test "hooks: a failing createRuntime hook fails create and leaves no state" {
	add_hook prestart
	bundle_set '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "echo hook-failed-msg >&2; exit 7"]}]'
	add_hook createContainer
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_no_state "$CT"
	assert_no_leftover_processes
	# hooks after the failing one do not run
	assert_eq "$(order)" "prestart"
}

@test "hooks: a failing prestart hook fails create" {
	bundle_set '.hooks.prestart = [{path: "/bin/false", args: ["false"]}]'
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_no_state "$CT"
	assert_no_leftover_processes
}

@test "hooks: a failing createContainer hook fails create" {
	bundle_set '.hooks.createContainer = [{path: "/bin/sh", args: ["sh", "-c", "exit 1"]}]'
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_no_state "$CT"
	assert_no_leftover_processes
}

@test "hooks: a hook path that does not exist fails create" {
	bundle_set '.hooks.createRuntime = [{path: "/nosuch/hook-binary"}]'
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_no_state "$CT"
	assert_no_leftover_processes
}

@test "hooks: a failing poststop hook does not prevent delete" {
	bundle_set '.hooks.poststop = [{path: "/bin/false", args: ["false"]}]'
	add_hook poststop
	set_args /bin/true
	create_ct
	start_ct
	wait_status "$CT" stopped
	rt delete "$CT"
	assert_no_state "$CT"
}

@test "hooks: several hooks of one kind run in array order" {
	local i
	for i in 1 2 3; do
		bundle_set '.hooks.createRuntime += [{path: "/bin/sh", args: ["sh", "-c", "echo h$0 >> $1", $i, $f]}]' \
			--arg i "$i" --arg f "$HOOKDIR/order"
	done
	set_args /bin/true
	create_ct
	assert_eq "$(order)" "h1 h2 h3"
}
