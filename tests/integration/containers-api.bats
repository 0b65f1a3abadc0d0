#!/usr/bin/env bats
# Container endpoints of the Docker API (issue 5) through curl and the real
# docker CLI: create/start/stop/kill/restart/pause/unpause/wait, rm,
# list filters, inspect, rename, update, prune, the 400/404/409 cases.

load containers-helpers

@test "containers-api: the harness starts berthd with a local busybox image" {
	ct_start_default
	run dk images --format '{{.Repository}}:{{.Tag}}'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *busybox:latest* ]]
	run dk image inspect -f '{{json .Config.Cmd}}' busybox
	[ "$output" = '["sh"]' ]
}
