#!/usr/bin/env bats
# shellcheck disable=SC2016 # the containers expand $X, not this shell
# Gaps found by an acceptance audit of issue 5 against a real dockerd (the
# docker CLI, docker-compose and the docker SDK at both engines): each test
# pins dockerd's behaviour for one of them, through berth and the docker CLI.

load containers-helpers

setup() {
	ct_setup
	ct_start_default
}

# dkx ARGS...: the docker CLI at berthd, or skip when it is not installed
dkx() {
	[[ -x $DOCKER ]] || skip "docker CLI not installed"
	dk "$@"
}

@test "audit: -e KEY of a variable the client does not have unsets KEY (run and exec, dockerd's rule)" {
	unset NOSUCHVAR_AUD
	# the CLI sends a bare KEY when its environment lacks KEY: the runtime
	# refused the spec ('"A" is not of the form KEY=value')
	run b run --rm -e NOSUCHVAR_AUD -e B=2 busybox sh -c 'echo "${NOSUCHVAR_AUD-unset} $B"'
	[ "$status" -eq 0 ] || fail "run: $output"
	[ "$output" = "unset 2" ] || fail "run: got '$output'"
	# through the API, a bare KEY also unsets a default (HOSTNAME) and
	# Config.Env keeps it as given
	local id
	id=$(run_ctr envc '["sleep","1000"]' '{"Env":["NOSUCHVAR_AUD","HOSTNAME","B=1"]}')
	[ "$(api "/containers/$id/json" | jq -c .Config.Env)" = '["NOSUCHVAR_AUD","HOSTNAME","B=1","PATH='"$BUSYBOX_PATH_ENV"'"]' ]
	# (env, not sh: busybox sh sets HOSTNAME when it is not in its environment)
	run b exec envc env
	[ "$status" -eq 0 ] || fail "exec: $output"
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "B=1 HOME=/root PATH=$BUSYBOX_PATH_ENV " ] ||
		fail "exec env: got '$output'"
	run b exec -e NOSUCHVAR_AUD -e C=3 envc sh -c 'echo "${NOSUCHVAR_AUD-unset} $C"'
	[ "$status" -eq 0 ] || fail "exec -e: $output"
	[ "$output" = "unset 3" ] || fail "exec -e: got '$output'"
	run dkx exec -e NOSUCHVAR_AUD envc sh -c 'echo ${NOSUCHVAR_AUD-unset}'
	[ "$status" -eq 0 ] || fail "docker exec: $output"
	[ "$output" = "unset" ]
}
