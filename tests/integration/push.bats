#!/usr/bin/env bats
# Push end to end: berthd pushing what it pulled from Debian's docker-registry
# (on 127.0.0.1, plain HTTP) to another repository of the same registry, to
# an empty registry, to one with htpasswd Basic auth and through
# tests/integration/regproxy.py (500s on PUT), driven by the berth CLI, curl
# and the real docker CLI; skopeo reads what was pushed.
#
# Images are made here as in images.bats: an OCI layout (busybox from
# busybox-static in one gzip layer, a small second layer; BIG=1 adds 20 MB of
# random data to the first layer so that it is uploaded in chunks) copied
# into the registry with skopeo, then pulled by berthd. Every process
# (registries, proxy, berthd) is started by the test and stopped by PID; all
# files live in a temp dir removed in teardown.

BERTH_BUILD=${BERTH_BUILD:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build}
BERTHD=${BERTHD:-$BERTH_BUILD/cmd/berthd/berthd}
BERTH=${BERTH:-$BERTH_BUILD/cmd/berth/berth}
DOCKER=${DOCKER:-/usr/local/bin/docker}
PROXY=$BATS_TEST_DIRNAME/regproxy.py
MT_OCI=application/vnd.oci.image.manifest.v1+json

load images-helpers

setup() {
	images_setup push
}

# push makes its own single-image layout (make_layout and seed below replace
# the helpers' ones)

# start_proxy UPSTREAM MODE...: regproxy in front of a registry; PROXY_ADDR, PLOG
start_proxy() {
	local up=$1 args=() m
	shift
	for m in "$@"; do args+=(--mode "$m"); done
	PLOG=$D/proxy.log
	python3 "$PROXY" --upstream "$up" --port-file "$D/proxy.port" --log "$PLOG" "${args[@]}" \
		>"$D/proxy.out" 2>&1 &
	PIDS+=("$!")
	for _ in $(seq 600); do [[ -s $D/proxy.port ]] && break; sleep 0.05; done
	PROXY_ADDR=127.0.0.1:$(cat "$D/proxy.port")
}

# make_layout DIR: an OCI layout, tag latest, one linux/amd64 image of two
# gzip layers. Sets L1 L2 (layer blob hex), D1 D2 (diffID hex), CONFIG, MAN.
make_layout() {
	local dir=$1
	make_layers "$dir" berth-push-test
	jq -n --arg d1 "sha256:$D1" --arg d2 "sha256:$D2" \
		'{architecture: "amd64", os: "linux", created: "2026-11-23T16:24:50Z",
		  config: {Cmd: ["sh"]}, rootfs: {type: "layers", diff_ids: [$d1, $d2]},
		  history: [{created_by: "busybox"}, {created_by: "etc"}]}' >"$dir/config.json"
	CONFIG=$(put "$dir/config.json" "$dir")
	jq -n --arg c "sha256:$CONFIG" --argjson cs "$(size "$dir/config.json")" \
		--arg l1 "sha256:$L1" --argjson s1 "$(size "$dir/l1.tgz")" \
		--arg l2 "sha256:$L2" --argjson s2 "$(size "$dir/l2.tgz")" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		  layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l1, size: $s1},
			   {mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l2, size: $s2}]}' \
		>"$dir/manifest.json"
	MAN=$(put "$dir/manifest.json" "$dir")
	local top
	top=$(jq -nc --arg d "sha256:$MAN" --argjson s "$(size "$dir/manifest.json")" \
		'{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s}')
	if [[ -n ${INDEX:-} ]]; then
		# INDEX=1: an index of this image (linux/amd64); INDEX=2: and of a
		# linux/arm64 one (another config) that a pull on amd64 leaves out
		local kids
		kids=$(jq -c '[. + {platform: {os: "linux", architecture: "amd64"}}]' <<<"$top")
		if [[ $INDEX == 2 ]]; then
			jq '.architecture = "arm64"' "$dir/config.json" >"$dir/config-arm64.json"
			local c2 m2
			c2=$(put "$dir/config-arm64.json" "$dir")
			jq --arg c "sha256:$c2" --argjson cs "$(size "$dir/config-arm64.json")" \
				'.config.digest = $c | .config.size = $cs' "$dir/manifest.json" \
				>"$dir/manifest-arm64.json"
			m2=$(put "$dir/manifest-arm64.json" "$dir")
			kids=$(jq -c --arg d "sha256:$m2" --argjson s "$(size "$dir/manifest-arm64.json")" \
				'. + [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d,
				size: $s, platform: {os: "linux", architecture: "arm64"}}]' <<<"$kids")
		fi
		jq -n --argjson m "$kids" '{schemaVersion: 2,
			mediaType: "application/vnd.oci.image.index.v1+json", manifests: $m}' >"$dir/index-top.json"
		IDX=$(put "$dir/index-top.json" "$dir")
		top=$(jq -nc --arg d "sha256:$IDX" --argjson s "$(size "$dir/index-top.json")" \
			'{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s}')
	fi
	jq -n --argjson t "$top" '{schemaVersion: 2,
		manifests: [$t + {annotations: {"org.opencontainers.image.ref.name": "latest"}}]}' \
		>"$dir/index.json"
}

# seed REPO: make a layout and copy it to $REG/REPO:latest
seed() {
	make_layout "$D/layout"
	skopeo copy --quiet --all --dest-tls-verify=false ${SEED_CREDS:+--dest-creds "$SEED_CREDS"} \
		"oci:$D/layout:latest" "docker://$REG/$1:latest" >&2
}

# registry_digest REPO REF [CREDS]: the registry's Docker-Content-Digest
registry_digest() {
	curl -sfI ${3:+-u "$3"} -H "Accept: $MT_OCI" "http://$REG/v2/$1/manifests/$2" |
		tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" {print $2}'
}

@test "push: to another repository of the same registry: layers mounted, same digest, skopeo reads it; again: layers exist" {
	start_registry reg
	seed src/busybox
	start_berthd
	b pull -q "$REG/src/busybox"
	b tag "$REG/src/busybox" "$REG/dst/busybox:v1"
	run b push "$REG/dst/busybox:v1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "The push refers to repository [$REG/dst/busybox]" ]
	# ids are the layers' short diffIDs, as docker prints them; top layer first
	[[ $output == *"${D2:0:12}: Preparing"*"${D1:0:12}: Preparing"* ]]
	[[ $output == *"${D1:0:12}: Mounted from src/busybox"* ]]
	[[ $output == *"${D2:0:12}: Mounted from src/busybox"* ]]
	local want="v1: digest: sha256:$MAN size: $(size "$D/layout/manifest.json")"
	[ "${lines[-1]}" = "$want" ]
	# the registry has the very bytes berth pulled: same digest
	[ "$(registry_digest dst/busybox v1)" = "sha256:$MAN" ]
	grep -q "mount=sha256:$L1&from=src/busybox" "$D/reg/log" ||
		grep -q "mount=sha256:$L1" "$D/reg/log"
	run skopeo inspect --tls-verify=false "docker://$REG/dst/busybox:v1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.Layers | join(" ")' <<<"$output")" = "sha256:$L1 sha256:$L2" ]
	skopeo copy --quiet --src-tls-verify=false "docker://$REG/dst/busybox:v1" "oci:$D/copy:x"
	[ -f "$D/copy/blobs/sha256/$L1" ] && [ -f "$D/copy/blobs/sha256/$CONFIG" ]
	# a second push: everything is there already
	run b push "$REG/dst/busybox:v1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"${D1:0:12}: Layer already exists"* ]]
	[[ $output == *"${D2:0:12}: Layer already exists"* ]]
	[ "${lines[-1]}" = "$want" ]
	# the API's stream: docker's message shapes, the aux record last
	run curl -s --unix-socket "$SOCK" -X POST -H 'X-Registry-Auth: e30=' \
		"http://berth/v1.41/images/$REG/dst/busybox/push?tag=v1"
	echo "$output"
	jq -se 'map(select(.status == "Layer already exists")) | length == 2 and
		all(.progressDetail == {} and (.id | length) == 12)' <<<"$output" >/dev/null
	[ "$(jq -c 'select(.aux) | .aux' <<<"$output")" = \
		"{\"Tag\":\"v1\",\"Digest\":\"sha256:$MAN\",\"Size\":$(size "$D/layout/manifest.json")}" ]
	# no lease left behind
	run sqlite3 "$D/root/metadata.db" 'select count(*) from leases'
	[ "$output" = 0 ]
}

@test "push: to an empty registry: the original compressed blobs uploaded, the large one in chunks" {
	start_registry reg
	BIG=1 seed busybox
	local src=$REG
	start_registry reg2
	start_berthd
	b pull -q "$src/busybox"
	b tag "$src/busybox" "$REG/up/busybox:1"
	run b push "$REG/up/busybox:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"${D1:0:12}: Pushed"* ]]
	[[ $output == *"${D2:0:12}: Pushed"* ]]
	[ "${lines[-1]}" = "1: digest: sha256:$MAN size: $(size "$D/layout/manifest.json")" ]
	[ "$(registry_digest up/busybox 1)" = "sha256:$MAN" ]
	curl -sf -o "$D/l1.got" "http://$REG/v2/up/busybox/blobs/sha256:$L1"
	cmp "$D/l1.got" "$D/layout/l1.tgz"
	# the 20 MB layer went in PATCHes (chunks of 8 MiB), the small one in one PUT
	grep 'http.request.method=PATCH' "$D/reg2/log" | grep -c . | grep -qx 3
	# -q prints the reference only
	b tag "$src/busybox" "$REG/up/busybox:2"
	run b push -q "$REG/up/busybox:2"
	[ "$status" -eq 0 ]
	[ "$output" = "$REG/up/busybox:2" ]
	[ "$(registry_digest up/busybox 2)" = "sha256:$MAN" ]
}

@test "push: the docker CLI pushes through berthd the same way" {
	[[ -x $DOCKER ]] || skip "no docker CLI at $DOCKER"
	start_registry reg
	seed src/busybox
	start_berthd
	dk pull -q "$REG/src/busybox"
	dk tag "$REG/src/busybox" "$REG/dk/busybox:t"
	run dk push "$REG/dk/busybox:t"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "The push refers to repository [$REG/dk/busybox]" ]
	[[ $output == *"${D1:0:12}: Mounted from src/busybox"* ]]
	[ "${lines[-1]}" = "t: digest: sha256:$MAN size: $(size "$D/layout/manifest.json")" ]
	[ "$(registry_digest dk/busybox t)" = "sha256:$MAN" ]
	run dk push "$REG/dk/busybox:t"
	[ "$status" -eq 0 ]
	[[ $output == *"${D2:0:12}: Layer already exists"* ]]
	# no such local image: docker's message
	run dk push "$REG/dk/nothing:t"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"An image does not exist locally with the tag: $REG/dk/nothing"* ]]
}

@test "push: -a pushes every tag of the repository" {
	start_registry reg
	seed src/busybox
	start_berthd
	b pull -q "$REG/src/busybox"
	b tag "$REG/src/busybox" "$REG/all/busybox:a"
	b tag "$REG/src/busybox" "$REG/all/busybox:b"
	run b push -a "$REG/all/busybox"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"a: digest: sha256:$MAN"* ]]
	[[ $output == *"b: digest: sha256:$MAN"* ]]
	[ "$(registry_digest all/busybox a)" = "sha256:$MAN" ]
	[ "$(registry_digest all/busybox b)" = "sha256:$MAN" ]
}

@test "push: unknown local name, unreachable registry: clear errors" {
	start_registry reg
	start_berthd
	run b push "$REG/nothing/here:1"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"An image does not exist locally with the tag: $REG/nothing/here"* ]]
	run curl -s -w '\n%{http_code}' --unix-socket "$SOCK" -X POST \
		"http://berth/v1.41/images/$REG/nothing/here/push?tag=1"
	echo "$output"
	[ "${lines[-1]}" = 404 ]
	seed src/busybox
	b pull -q "$REG/src/busybox"
	local dead
	dead=127.0.0.1:$(free_port)
	b tag "$REG/src/busybox" "$dead/x/busybox:1"
	run b push "$dead/x/busybox:1"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Failed to connect to 127.0.0.1 port ${dead#*:}"* ]]
	# a digest reference cannot be pushed
	run b push "$REG/src/busybox@sha256:$MAN"
	[ "$status" -ne 0 ]
}

@test "push: 500s on PUT are retried; when they persist the error is reported" {
	start_registry reg
	seed src/busybox
	start_berthd
	b pull -q "$REG/src/busybox"
	start_proxy "$REG" fail500put:2
	b tag "$REG/src/busybox" "$PROXY_ADDR/r/busybox:1"
	run b push "$PROXY_ADDR/r/busybox:1"
	echo "$output"
	cat "$PLOG"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} == "1: digest: sha256:$MAN size: "* ]]
	[ "$(grep -c '^PUT ' "$PLOG")" -ge 6 ] # 3 blobs + manifest + the 2 that failed
	kill -TERM "${PIDS[-1]}"
	wait "${PIDS[-1]}" 2>/dev/null || true
	rm -f "$D/proxy.port"
	start_proxy "$REG" fail500put:1000
	b tag "$REG/src/busybox" "$PROXY_ADDR/r2/busybox:1"
	run b push "$PROXY_ADDR/r2/busybox:1"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"injected failure"* ]]
	run sqlite3 "$D/root/metadata.db" 'select count(*) from leases'
	[ "$output" = 0 ]
}

@test "push: a registry with htpasswd Basic auth after berth login; without credentials it is refused" {
	command -v htpasswd >/dev/null || skip "htpasswd not installed (apache2-utils)"
	htpasswd -Bbc "$D/htpasswd" user pass 2>/dev/null
	start_registry reg htpasswd
	SEED_CREDS=user:pass seed src/busybox
	start_berthd
	# berth login goes through POST /auth; where berthd has no /auth yet the
	# credentials are written to the CLI's config.json as login would
	if ! b login -u user --password-stdin "$REG" <<<pass; then
		echo "berth login failed; writing $BERTH_CONFIG/config.json" >&2
		jq -n --arg k "$REG" --arg a "$(printf user:pass | base64 -w0)" \
			'{auths: {($k): {auth: $a}}}' >"$BERTH_CONFIG/config.json"
	fi
	b pull -q "$REG/src/busybox"
	b tag "$REG/src/busybox" "$REG/auth/busybox:1"
	run b push "$REG/auth/busybox:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"${D1:0:12}: Mounted from src/busybox"* ]]
	[ "$(registry_digest auth/busybox 1 user:pass)" = "sha256:$MAN" ]
	# without credentials: the registry's refusal
	rm -f "$BERTH_CONFIG/config.json"
	b tag "$REG/src/busybox" "$REG/auth/busybox:2"
	run b push "$REG/auth/busybox:2"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"no basic auth credentials"* ]]
}

@test "push: an index pulled whole is pushed whole; one pulled for its platform only is pushed as that manifest" {
	start_registry reg
	INDEX=1 seed one/busybox
	start_berthd
	b pull -q "$REG/one/busybox"
	b tag "$REG/one/busybox" "$REG/one-copy/busybox:1"
	run b push "$REG/one-copy/busybox:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "1: digest: sha256:$IDX size: $(size "$D/layout/index-top.json")" ]
	[ "$(curl -sfI -H "Accept: application/vnd.oci.image.index.v1+json" \
		"http://$REG/v2/one-copy/busybox/manifests/1" | tr -d '\r' |
		awk -F': ' 'tolower($1) == "docker-content-digest" {print $2}')" = "sha256:$IDX" ]
	curl -sfI -H "Accept: $MT_OCI" "http://$REG/v2/one-copy/busybox/manifests/sha256:$MAN" >/dev/null
	# (both images have the same ID: tag would pick either record's target)
	b rmi "$REG/one/busybox" "$REG/one-copy/busybox:1"
	rm -rf "$D/layout"
	INDEX=2 seed two/busybox
	b pull -q "$REG/two/busybox"
	b tag "$REG/two/busybox" "$REG/two-copy/busybox:1"
	run b push "$REG/two-copy/busybox:1"
	echo "$output"
	[ "$status" -eq 0 ]
	# the arm64 manifest was never pulled: the amd64 one is pushed, as docker does
	[ "${lines[-1]}" = "1: digest: sha256:$MAN size: $(size "$D/layout/manifest.json")" ]
	[ "$(registry_digest two-copy/busybox 1)" = "sha256:$MAN" ]
}

@test "push: the Bearer token flow: a push token with credentials, the mount source in the scope" {
	start_registry reg
	seed src/busybox
	start_proxy "$REG" token
	start_berthd
	b pull -q "$PROXY_ADDR/src/busybox"
	b tag "$PROXY_ADDR/src/busybox" "$PROXY_ADDR/tok/busybox:1"
	run b push "$PROXY_ADDR/tok/busybox:1"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"unauthorized"* ]]
	jq -n --arg k "$PROXY_ADDR" --arg a "$(printf user:pass | base64 -w0)" \
		'{auths: {($k): {auth: $a}}}' >"$BERTH_CONFIG/config.json"
	run b push "$PROXY_ADDR/tok/busybox:1"
	echo "$output"
	cat "$PLOG"
	[ "$status" -eq 0 ]
	[[ $output == *"${D1:0:12}: Mounted from src/busybox"* ]]
	[ "${lines[-1]}" = "1: digest: sha256:$MAN size: $(size "$D/layout/manifest.json")" ]
	grep -q "^TOKEN service=regproxy scope=repository:tok/busybox:pull,push user=user" "$PLOG"
	grep -q "scope=repository:tok/busybox:pull,push repository:src/busybox:pull user=user" "$PLOG"
}

@test "push: Debian's docker 20.10 client pushes, -a included" {
	[[ -x /usr/bin/docker ]] || skip "no docker 20.10 client at /usr/bin/docker"
	start_registry reg
	seed src/busybox
	start_berthd
	local dk20=(/usr/bin/docker -H "unix://$SOCK")
	DOCKER_CONFIG=$BERTH_CONFIG "${dk20[@]}" pull -q "$REG/src/busybox"
	DOCKER_CONFIG=$BERTH_CONFIG "${dk20[@]}" tag "$REG/src/busybox" "$REG/d20/busybox:x"
	run env DOCKER_CONFIG="$BERTH_CONFIG" "${dk20[@]}" push "$REG/d20/busybox:x"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"${D1:0:12}: Mounted from src/busybox"* ]]
	[ "${lines[-1]}" = "x: digest: sha256:$MAN size: $(size "$D/layout/manifest.json")" ]
	DOCKER_CONFIG=$BERTH_CONFIG "${dk20[@]}" tag "$REG/src/busybox" "$REG/d20/busybox:y"
	run env DOCKER_CONFIG="$BERTH_CONFIG" "${dk20[@]}" push -a "$REG/d20/busybox"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"y: digest: sha256:$MAN"* ]]
	[ "$(registry_digest d20/busybox y)" = "sha256:$MAN" ]
}

@test "push: berthd killed with -9 in the middle of a push: its lease is dropped at the next start" {
	start_registry reg
	seed src/busybox
	start_berthd
	b pull -q "$REG/src/busybox"
	# every PUT fails, so the push stays in its retries long enough to be killed
	start_proxy "$REG" fail500put:1000
	b tag "$REG/src/busybox" "$PROXY_ADDR/k/busybox:1"
	b push "$PROXY_ADDR/k/busybox:1" >"$D/push.out" 2>&1 &
	local cli=$! n=0
	for _ in $(seq 600); do
		n=$(sqlite3 "$D/root/metadata.db" "select count(*) from leases where labels like '%io.berth.push%'")
		[[ $n -ge 1 ]] && break
		sleep 0.05
	done
	[ "$n" -eq 1 ]
	kill -KILL "$BPID"
	wait "$BPID" 2>/dev/null || true
	wait "$cli" 2>/dev/null || true
	[ "$(sqlite3 "$D/root/metadata.db" 'select count(*) from leases')" -eq 1 ]
	start_berthd
	grep -q "dropped 1 lease(s) of interrupted pushes" "$D/berthd.log"
	[ "$(sqlite3 "$D/root/metadata.db" 'select count(*) from leases')" -eq 0 ]
	# and the image is still whole: a push to the registry itself works
	b tag "$REG/src/busybox" "$REG/k/busybox:1"
	run b push "$REG/k/busybox:1"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "1: digest: sha256:$MAN size: $(size "$D/layout/manifest.json")" ]
}

@test "push: pull and push are image events (docker's IDs and names)" {
	start_registry reg
	seed src/busybox
	start_berthd
	local t0
	t0=$(date +%s)
	b pull -q "$REG/src/busybox"
	b tag "$REG/src/busybox" "$REG/dst/busybox:v2"
	b push "$REG/dst/busybox:v2" >/dev/null
	run curl -s --max-time 10 --unix-socket "$SOCK" \
		"http://berth/events?since=$t0&until=$(($(date +%s) + 1))"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.Action' <<<"$output" | tr '\n' ' ')" = "pull tag push " ]
	[ "$(jq -r 'select(.Action == "pull") | .id' <<<"$output")" = "$REG/src/busybox:latest" ]
	[ "$(jq -r 'select(.Action == "pull") | .Actor.Attributes.name' <<<"$output")" = "$REG/src/busybox" ]
	[ "$(jq -r 'select(.Action == "push") | .id' <<<"$output")" = "$REG/dst/busybox:v2" ]
	[ "$(jq -r 'select(.Action == "push") | .Actor.Attributes.name' <<<"$output")" = "$REG/dst/busybox" ]
	[ "$(jq -r 'select(.Action == "tag") | .id' <<<"$output")" = "sha256:$CONFIG" ]
}
