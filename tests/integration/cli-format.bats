#!/usr/bin/env bats
# shellcheck disable=SC2016 # the templates' $x are Go template variables
# --format/-f Go templates (cmd/berth/gotmpl.c): berth inspect, container
# inspect, image inspect, ps, images, stats, info and version render the
# template as the docker CLI does. Each template goes through berth and
# through the docker CLI at the same berthd: the bytes (stdout, stderr,
# exit status) must be the same.

load containers-helpers
bats_require_minimum_version 1.5.0

setup() {
	ct_setup
	ct_start_default
}

teardown() { ct_teardown; }

# dkx ARGS...: the docker CLI at berthd, or skip when it is not installed
dkx() {
	[[ -x $DOCKER ]] || skip "docker CLI not installed"
	dk "$@"
}

# same ARGS...: berth ARGS and docker ARGS print the same bytes and exit alike
same() {
	local bo do
	bo=$(b "$@" 2>&1; echo "exit $?")
	do=$(dkx "$@" 2>&1; echo "exit $?")
	[[ $bo == "$do" ]] || fail "$(printf 'berth %s\n--- berth:\n%s\n--- docker:\n%s' "$*" "$bo" "$do")"
}

# two containers: web (running, labels, env, a bind mount), c2 (created)
mk_web() {
	mkdir -p "$D/src"
	dkx run -d --name web -l com.example.role=front -l app=web -e FOO=bar \
		-v "$D/src:/mnt" busybox sleep 1000 >/dev/null
	dkx create --name c2 busybox true >/dev/null
}

@test "cli-format: inspect -f renders the template per object (without the docker CLI)" {
	b run -d --name solo -l com.x=1 busybox sleep 1000 >/dev/null
	run b inspect -f '{{.State.Status}} {{.State.Running}} {{index .Config.Labels "com.x"}}' solo
	[ "$status" -eq 0 ] || fail "$output"
	[ "$output" = "running true 1" ] || fail "got '$output'"
	run b container inspect --format '{{.Name}}|{{range .Config.Cmd}}{{.}},{{end}}' solo solo
	[ "$output" = $'/solo|sleep,1000,\n/solo|sleep,1000,' ] || fail "got '$output'"
	run b image inspect -f '{{json .Config.Cmd}}' busybox
	[ "$output" = '["sh"]' ] || fail "got '$output'"
	# Go's messages and exit statuses
	run b inspect -f '{{.State.Status' solo
	[ "$status" -eq 64 ] || fail "unclosed action: $status $output"
	[ "$output" = "template parsing error: template: :1: unclosed action" ] || fail "$output"
	run b inspect -f '{{.Nope}}' solo
	[ "$status" -eq 1 ]
	[[ $output == *'executing "" at <.Nope>: map has no entry for key "Nope"'* ]] || fail "$output"
	b rm -f solo >/dev/null
}

@test "cli-format: inspect templates on containers as the docker CLI" {
	mk_web
	local t
	for t in '{{.State.Status}}' '{{.State.Running}}' '{{.State.Pid | printf "%d"}}' \
		'{{range .Mounts}}{{.Source}} {{end}}' '{{range $i, $m := .Mounts}}{{$i}}:{{$m.Destination}}{{end}}' \
		'{{index .Config.Labels "com.example.role"}}' '{{index .Config.Labels "nope"}}|' \
		'{{json .Config.Env}}' '{{json .Config.Labels}}' '{{.Config.Labels}}' '{{.Config.Labels.nope}}' \
		'{{- range $k, $v := .Config.Labels -}} {{$k}}={{$v}} {{end}}' \
		'{{if .State.Running}}up{{else}}down{{end}}' \
		'{{if eq .State.Status "exited"}}e{{else if .State.Running}}r{{else}}x{{end}}' \
		'{{with .Config}}{{.Image}}{{end}}' '{{with .State.Health}}h{{else}}none{{end}}' \
		'{{len .Mounts}} {{len .Config.Env}}' '{{.Config.Cmd}} {{.Config.Entrypoint}} {{.HostConfig.Binds}}' \
		'{{join .Config.Cmd ","}} {{split .Name "/"}}' '{{upper .State.Status}} {{title "a b"}} {{lower "AB"}}' \
		'{{printf "%s-%q-%v-%5d|%-4s|" .Name .Name .RestartCount 42 "x"}}' '{{println .Name}}' \
		'{{eq .State.Status "running"}} {{ne 1 2}} {{lt 1 2}} {{and 1 0}} {{or 0 "x"}} {{not true}}' \
		'{{$n := .Name}}{{$n}}{{$n = "z"}}{{$n}}' '{{.HostConfig.Memory}} {{.HostConfig.CpuShares}} {{.SizeRw}}' \
		'{{.NetworkSettings.Ports}} {{.Config.ExposedPorts}} {{.State.Health}}' \
		'{{(index .Mounts 0).Source}} {{json "<&>"}} {{html "<a>"}}' '{{.Id}} {{.Image}}'; do
		same inspect -f "$t" web
		same container inspect --format "$t" web c2
	done
}

@test "cli-format: inspect template errors as the docker CLI" {
	mk_web
	local t
	for t in '{{.Id' '{{foo .}}' '{{end}}' '{{if .Name}}' '{{$x}}' '{{.Foo}}' '{{.State.Health.Status}}' \
		'{{range .Name}}x{{end}}' '{{index .Mounts 5}}' '{{eq 1 "a"}}' '{{.Id.Foo}}' \
		'{{.State.Pid}}{{.Nope}}'; do
		same inspect -f "$t" web
	done
	same inspect -f '{{.Name}}' web nosuch c2
	same inspect -f '{{.Name}}' nosuch
	same container inspect -f '{{.Name}}' nosuch
}

@test "cli-format: image inspect templates as the docker CLI" {
	local t
	for t in '{{.Id}}' '{{.RepoTags}}' '{{index .RepoTags 0}}' '{{.Config.Cmd}}' '{{json .Config.Env}}' \
		'{{.Os}}/{{.Architecture}}' '{{.Size}}' '{{.RootFS.Type}} {{len .RootFS.Layers}}' \
		'{{.Config.Labels}}' '{{.Config.ExposedPorts}}' '{{.Nope}}'; do
		same image inspect -f "$t" busybox
		same inspect --type image -f "$t" busybox
	done
}

@test "cli-format: ps and images --format templates as the docker CLI" {
	mk_web
	local t
	for t in '{{.ID}} {{.Names}}' '{{.Label "com.example.role"}}|{{.Label "nope"}}' '{{.Labels}}' \
		'table {{.ID}}\t{{.Names}}\t{{.Label "com.example.role"}}' 'table {{.Names}}\t{{upper .State}}' \
		'{{json .Names}}{{json "<"}}' '{{.Mounts}} {{.Command}} {{.Image}}' \
		'{{if eq .State "running"}}{{.Names}}{{end}}' '{{.Nope}}' 'table {{.Nope}}' '{{.Names' \
		'{{range .Names}}{{end}}' '{{.Names}}\t{{.State}}'; do
		same ps -a --format "$t"
	done
	for t in '{{.Repository}}:{{.Tag}} {{.ID}}' 'table {{.Repository}}\t{{.Size}}' '{{json .}}' \
		'{{.Nope}}' '{{.Repo' 'table {{.ID}}\t{{.Nope}}' '{{range .ID}}{{end}}'; do
		same images --format "$t"
	done
}

@test "cli-format: stats, info and version --format templates as the docker CLI" {
	mk_web
	local t
	for t in '{{.Name}} {{.PIDs}}' 'table {{.Name}}\t{{.PIDs}}' '{{json .Name}}' '{{.Nope}}' \
		'{{.Name' '{{range .Name}}{{end}}'; do
		same stats --no-stream --format "$t" web
	done
	for t in '{{.ServerVersion}}' '{{.Containers}} {{.ContainersRunning}} {{.Driver}}' \
		'{{.ClientInfo.Context}}' '{{.Nope}}' '{{.Bad' '{{range .Plugins.Volume}}{{.}}{{end}}'; do
		same info -f "$t"
	done
	for t in '{{.Server.Version}}' '{{.Server.APIVersion}}' '{{.Client.Context}}' '{{.Nope}}' \
		'{{.Bad' '{{json .Server.Os}}'; do
		same version -f "$t"
	done
}
