#!/usr/bin/env bats
# Image commands end to end: berthd pulling from Debian's docker-registry on
# 127.0.0.1 into its content store, overlay snapshots and metadata, driven
# by the berth CLI, curl and the real docker CLI (API 1.41).
#
# Images are made here: an OCI image layout (busybox from busybox-static in
# one gzip layer, a small second layer), one image per architecture, copied
# into the registry with skopeo. Every process (registry, berthd) is started
# by the test and stopped by PID; mounts made by a test are unmounted by it;
# all files live in a temp dir removed in teardown.

BERTH_BUILD=${BERTH_BUILD:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build}
BERTHD=${BERTHD:-$BERTH_BUILD/cmd/berthd/berthd}
BERTH=${BERTH:-$BERTH_BUILD/cmd/berth/berth}
DOCKER=${DOCKER:-/usr/local/bin/docker}
MT_OCI=application/vnd.oci.image.manifest.v1+json
MT_INDEX=application/vnd.oci.image.index.v1+json

load images-helpers

setup() {
	images_setup img
}

@test "images: pull, images, inspect fields, and the snapshot mounted shows busybox" {
	start_registry
	seed busybox amd64
	start_berthd
	run b pull "$REG/busybox:latest"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "latest: Pulling from busybox" ]]
	[[ $output == *"${L1:0:12}: Pull complete"* ]]
	[[ $output == *"${L2:0:12}: Pull complete"* ]]
	[[ $output == *"Digest: sha256:"* ]]
	[[ $output == *"Status: Downloaded newer image for $REG/busybox:latest"* ]]
	[ "${lines[-1]}" = "$REG/busybox:latest" ]

	run b images
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "REPOSITORY"*"TAG"*"IMAGE ID"*"CREATED"*"SIZE" ]]
	[[ ${lines[1]} == "$REG/busybox   latest    ${CONFIG_amd64:0:12}"* ]]

	run b image inspect "$REG/busybox"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Id' <<<"$output")" = "sha256:$CONFIG_amd64" ]
	[ "$(jq -r '.[0].Os' <<<"$output")" = linux ]
	[ "$(jq -r '.[0].Architecture' <<<"$output")" = amd64 ]
	[ "$(jq -r '.[0].RootFS.Type' <<<"$output")" = layers ]
	[ "$(jq -c '.[0].RootFS.Layers' <<<"$output")" = "[\"sha256:$D1\",\"sha256:$D2\"]" ]
	[ "$(jq -c '.[0].RepoTags' <<<"$output")" = "[\"$REG/busybox:latest\"]" ]
	[[ $(jq -r '.[0].RepoDigests[0]' <<<"$output") == "$REG/busybox@sha256:"* ]]
	[ "$(jq -r '.[0].Config.Cmd[0]' <<<"$output")" = sh ]
	[ "$(jq -r '.[0].GraphDriver.Name' <<<"$output")" = overlay2 ]
	[ "$(jq -r '.[0].Size > 1900000' <<<"$output")" = true ]

	# the image's layers as one overlay: the files of both layers
	local upper lower
	upper=$(jq -r '.[0].GraphDriver.Data.UpperDir' <<<"$output")
	lower=$(jq -r '.[0].GraphDriver.Data.LowerDir' <<<"$output")
	mkdir "$D/mnt"
	mount -t overlay overlay -o "lowerdir=$upper:$lower" "$D/mnt"
	MOUNTS+=("$D/mnt")
	[ -x "$D/mnt/bin/busybox" ]
	[ -L "$D/mnt/bin/sh" ]
	[ "$(cat "$D/mnt/etc/hostname")" = berth-test ]
	cmp /bin/busybox "$D/mnt/bin/busybox"
	umount "$D/mnt"
	MOUNTS=()

	# by ID prefix, by sha256:ID, name without tag; and the 404
	run curl -s --unix-socket "$SOCK" "http://berth/v1.41/images/${CONFIG_amd64:0:8}/json"
	[ "$(jq -r .Id <<<"$output")" = "sha256:$CONFIG_amd64" ]
	run curl -s --unix-socket "$SOCK" "http://berth/v1.41/images/sha256:$CONFIG_amd64/json"
	[ "$(jq -r .Id <<<"$output")" = "sha256:$CONFIG_amd64" ]
	run curl -s -w '\n%{http_code}' --unix-socket "$SOCK" "http://berth/v1.41/images/nothere/json"
	[ "${lines[0]}" = '{"message":"no such image: nothere: No such image: nothere:latest"}' ]
	[ "${lines[1]}" = 404 ]

	run b history "$REG/busybox"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == "${CONFIG_amd64:0:12}   "*"etc"*"second" ]]
	[[ ${lines[2]} == "<missing>      "*"busybox"* ]]

	run curl -s --unix-socket "$SOCK" http://berth/v1.41/info
	[ "$(jq -r .Images <<<"$output")" = 1 ]
}

@test "images: the progress stream has docker's messages; pulling again downloads nothing" {
	start_registry
	seed busybox amd64
	start_berthd
	run curl -s --unix-socket "$SOCK" -X POST -H 'X-Registry-Auth: e30=' \
		"http://berth/v1.41/images/create?fromImage=$REG/busybox&tag=latest"
	[ "$status" -eq 0 ]
	echo "$output"
	local s
	s=$(tr -d '\r' <<<"$output")
	[ "$(jq -sc '.[0]' <<<"$s")" = '{"status":"Pulling from busybox","id":"latest"}' ]
	[[ $s == *"{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"${L1:0:12}\"}"* ]]
	[[ $s == *"{\"status\":\"Downloading\",\"progressDetail\":{\"current\":"* ]]
	[[ $s == *"{\"status\":\"Verifying Checksum\",\"progressDetail\":{},\"id\":\"${L1:0:12}\"}"* ]]
	[[ $s == *"{\"status\":\"Download complete\",\"progressDetail\":{},\"id\":\"${L1:0:12}\"}"* ]]
	[[ $s == *"{\"status\":\"Extracting\",\"progressDetail\":{\"current\":"* ]]
	[[ $s == *"{\"status\":\"Pull complete\",\"progressDetail\":{},\"id\":\"${L2:0:12}\"}"* ]]
	[[ $(jq -sr '.[-2].status' <<<"$s") == "Digest: sha256:"* ]]
	[ "$(jq -sr '.[-1].status' <<<"$s")" = "Status: Downloaded newer image for $REG/busybox:latest" ]
	# every line is one JSON object ended by \r\n
	[ "$(grep -c $'\r$' <<<"$output")" = "$(wc -l <<<"$output")" ]

	local gets
	gets=$(grep -c 'GET /v2/busybox/blobs' "$D/reg/log" || true)
	run b pull "$REG/busybox:latest"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"${L1:0:12}: Already exists"* ]]
	[[ $output == *"${L2:0:12}: Already exists"* ]]
	[[ $output == *"Status: Image is up to date for $REG/busybox:latest"* ]]
	[[ $output != *"Pull complete"* ]]
	[ "$(grep -c 'GET /v2/busybox/blobs' "$D/reg/log" || true)" = "$gets" ]
}

@test "images: a multi-arch index gives linux/amd64, --platform linux/arm64 the other" {
	start_registry
	seed multi amd64 arm64
	start_berthd
	run b pull "$REG/multi"
	echo "$output"
	[ "$status" -eq 0 ]
	run curl -s --unix-socket "$SOCK" "http://berth/v1.41/images/$REG/multi/json"
	[ "$(jq -r .Architecture <<<"$output")" = amd64 ]
	[ "$(jq -r .Id <<<"$output")" = "sha256:$CONFIG_amd64" ]
	run b pull --platform linux/arm64 "$REG/multi"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Already exists"* ]]
	[[ $output == *"Downloaded newer image"* ]]
	run curl -s --unix-socket "$SOCK" "http://berth/v1.41/images/$REG/multi/json"
	[ "$(jq -r .Architecture <<<"$output")" = arm64 ]
	[ "$(jq -r .Id <<<"$output")" = "sha256:$CONFIG_arm64" ]
	# the amd64 image lost its name: dangling, then pruned
	run b images --filter dangling=true -q
	[ "$output" = "${CONFIG_amd64:0:12}" ]
	run b image prune -f
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"deleted: sha256:$CONFIG_amd64"* ]]
	run b images -q
	[ "$output" = "${CONFIG_arm64:0:12}" ]
	run b pull --platform linux/s390x "$REG/multi"
	[ "$status" -eq 1 ]
	[[ $output == *"no matching manifest for linux/s390x in the manifest list entries"* ]]
}

@test "images: tag, rmi untags then deletes, GC removes blobs and snapshots" {
	start_registry
	seed busybox amd64
	start_berthd
	run b pull -q "$REG/busybox:latest"
	[ "$status" -eq 0 ]
	[ "$(blobs)" -eq 4 ] # manifest, config, two layers
	[ "$(snapshots)" -eq 2 ]
	run b tag "$REG/busybox" mine/bb:1
	[ "$status" -eq 0 ]
	run b images --format json
	echo "$output"
	[ "$(jq -sr 'map(.Repository + ":" + .Tag) | sort | join(" ")' <<<"$output")" = "$REG/busybox:latest mine/bb:1" ]
	run b images --filter reference='mine/*'
	echo "$output"
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == "mine/bb "* ]]
	# by ID while two names point at it: 409
	run b rmi "${CONFIG_amd64:0:12}"
	[ "$status" -eq 1 ]
	[[ $output == *"conflict: unable to delete ${CONFIG_amd64:0:12} (must be forced) - image is referenced in multiple repositories"* ]]
	run b rmi mine/bb:1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "Untagged: mine/bb:1" ]
	[ "$(blobs)" -eq 4 ]
	run b rmi "$REG/busybox"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Untagged: $REG/busybox:latest" ]
	[[ ${lines[1]} == "Untagged: $REG/busybox@sha256:"* ]]
	[ "${lines[2]}" = "Deleted: sha256:$CONFIG_amd64" ]
	[ "$(blobs)" -eq 0 ]
	[ "$(snapshots)" -eq 0 ]
	run b images -q
	[ "$output" = "" ]
	run b rmi "$REG/busybox"
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: No such image: $REG/busybox:latest" ]
}

@test "images: unreachable registry and unknown manifest: clear errors, no image" {
	start_registry
	start_berthd
	local dead
	dead=$(free_port)
	run b pull "127.0.0.1:$dead/busybox:latest"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == "Error response from daemon: "*"127.0.0.1:$dead"* ]]
	run b pull "$REG/nothere:1"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: manifest for $REG/nothere:1 not found: manifest unknown: manifest unknown" ]
	run b images -q
	[ "$output" = "" ]
	[ "$(blobs)" -eq 0 ]
	run curl -s --unix-socket "$SOCK" http://berth/v1.41/info
	[ "$(jq -r .Images <<<"$output")" = 0 ]
}

@test "images: a layer that does not match its diffID fails in the stream, no image" {
	start_registry
	seed busybox amd64
	# the same image with a config naming a wrong diffID for layer 2
	local dir=$D/layout-busybox bad
	jq --arg d "sha256:$(printf x | sha256sum | cut -d' ' -f1)" '.rootfs.diff_ids[1] = $d' \
		"$dir/config-amd64.json" >"$dir/bad.json"
	bad=$(put "$dir/bad.json" "$dir")
	jq --arg c "sha256:$bad" --argjson s "$(size "$dir/bad.json")" \
		'.config.digest = $c | .config.size = $s' "$dir/manifest-amd64.json" >"$dir/bad-m.json"
	local m
	m=$(put "$dir/bad-m.json" "$dir")
	jq -n --arg d "sha256:$m" --argjson s "$(size "$dir/bad-m.json")" \
		'{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
		  digest: $d, size: $s, annotations: {"org.opencontainers.image.ref.name": "bad"}}]}' \
		>"$dir/index.json"
	skopeo copy --quiet --dest-tls-verify=false "oci:$dir:bad" "docker://$REG/busybox:bad"
	start_berthd
	run b pull "$REG/busybox:bad"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"diffID mismatch"* ]]
	run b images -q
	[ "$output" = "" ]
	# no half-unpacked snapshot: at most the first layer's, committed; no
	# layer tree unpacked ahead left behind
	[ "$(snapshots)" -le 1 ]
	[ -z "$(ls -d "$D"/root/snapshots/overlayfs/unpack-* 2>/dev/null)" ]
	! grep -q "$D/root" /proc/self/mountinfo
}

@test "images: the docker CLI pulls, lists, inspects, tags and removes" {
	[[ -x $DOCKER ]] || skip "no docker CLI at $DOCKER"
	start_registry
	seed busybox amd64
	start_berthd
	run dk pull "$REG/busybox"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"latest: Pulling from busybox"* ]]
	[[ $output == *"Status: Downloaded newer image for $REG/busybox:latest"* ]]
	[ "${lines[-1]}" = "$REG/busybox:latest" ]
	run dk images
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == "$REG/busybox   latest    ${CONFIG_amd64:0:12}   "* ]]
	run dk image inspect --format '{{.Os}}/{{.Architecture}} {{len .RootFS.Layers}} {{.Id}}' "$REG/busybox"
	[ "$output" = "linux/amd64 2 sha256:$CONFIG_amd64" ]
	run dk tag "$REG/busybox" other:2
	[ "$status" -eq 0 ]
	run dk images --format '{{.Repository}}:{{.Tag}}'
	[[ $output == *"other:2"* ]]
	run dk history "$REG/busybox"
	[ "$status" -eq 0 ]
	run dk rmi other:2 "$REG/busybox"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Untagged: other:2"* ]]
	[[ $output == *"Deleted: sha256:$CONFIG_amd64"* ]]
	run dk image inspect nothere
	[ "$status" -eq 1 ]
	[[ $output == *"No such image: nothere"* ]]
	run dk pull "$REG/nothere:1"
	[ "$status" -eq 1 ]
	[[ $output == *"manifest for $REG/nothere:1 not found: manifest unknown"* ]]
}

@test "images: max-concurrent-downloads from daemon.json: layers past it wait" {
	start_registry
	seed busybox amd64
	echo '{"max-concurrent-downloads": 1}' >"$D/daemon.json"
	start_berthd
	run curl -s --unix-socket "$SOCK" -X POST \
		"http://berth/v1.41/images/create?fromImage=$REG/busybox&tag=latest"
	[ "$status" -eq 0 ]
	local s
	s=$(tr -d '\r' <<<"$output")
	echo "$s"
	[[ $s == *"{\"status\":\"Waiting\",\"progressDetail\":{},\"id\":\"${L2:0:12}\"}"* ]]
	[[ $s != *"{\"status\":\"Waiting\",\"progressDetail\":{},\"id\":\"${L1:0:12}\"}"* ]]
	[[ $(jq -sr '.[-1].status' <<<"$s") == "Status: Downloaded newer image for $REG/busybox:latest" ]]
	# with one download at a time, layer 2's download starts after layer 1's ends
	local l1done l2start
	l1done=$(jq -sr --arg id "${L1:0:12}" 'to_entries | map(select(.value.id == $id and .value.status == "Download complete")) | .[0].key' <<<"$s")
	l2start=$(jq -sr --arg id "${L2:0:12}" 'to_entries | map(select(.value.id == $id and (.value.status == "Downloading" or .value.status == "Download complete"))) | .[0].key' <<<"$s")
	[ "$l1done" -lt "$l2start" ]
}

@test "images: berthd killed with -9 in the middle of a pull: after a restart the pull completes, resumed" {
	start_registry
	seed busybox amd64
	# a proxy that stalls the first download of every blob halfway
	rm -f "$D/proxy.port"
	python3 "$BATS_TEST_DIRNAME/regproxy.py" --upstream "$REG" --port-file "$D/proxy.port" \
		--log "$D/proxy.log" --mode stall >"$D/proxy.out" 2>&1 &
	PIDS+=("$!")
	for _ in $(seq 600); do [[ -s $D/proxy.port ]] && break; sleep 0.05; done
	local px=127.0.0.1:$(cat "$D/proxy.port")
	start_berthd
	b pull "$px/busybox:latest" >"$D/pull1.out" 2>&1 &
	local cpid=$!
	local data=
	for _ in $(seq 300); do
		data=$(find "$D/root/content/ingest" -name data -size +0 2>/dev/null | head -1)
		[[ -n $data ]] && break
		sleep 0.1
	done
	[ -n "$data" ]
	kill -KILL "$BPID"
	wait "$BPID" 2>/dev/null || true
	wait "$cpid" || true
	run b images -q
	[ "$status" -eq 1 ]
	start_berthd
	grep -q "dropped 1 lease(s) of pulls interrupted" "$D/berthd.log"
	run b pull "$px/busybox:latest"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Status: Downloaded newer image for $px/busybox:latest"* ]]
	# the interrupted blob went on from where it stopped
	grep -q "range=bytes=[1-9]" "$D/proxy.log"
	[ -z "$(ls "$D/root/content/ingest")" ]
	run curl -s --unix-socket "$SOCK" "http://berth/v1.41/images/$px/busybox/json"
	[ "$(jq -r .Id <<<"$output")" = "sha256:$CONFIG_amd64" ]
	# every blob is what its name says
	local f
	for f in "$D"/root/content/blobs/sha256/*; do
		[ "$(sha "$f")" = "$(basename "$f")" ]
	done
}

@test "images: corrupt manifests and blobs from the registry: digest mismatch, nothing stored" {
	start_registry
	seed busybox amd64
	local mode px
	start_berthd
	for mode in corrupt-manifest corrupt; do
		rm -f "$D/proxy.port"
		python3 "$BATS_TEST_DIRNAME/regproxy.py" --upstream "$REG" --port-file "$D/proxy.port" \
			--log "$D/proxy-$mode.log" --mode "$mode" >"$D/proxy.out" 2>&1 &
		PIDS+=("$!")
		for _ in $(seq 600); do [[ -s $D/proxy.port ]] && break; sleep 0.05; done
		px=127.0.0.1:$(cat "$D/proxy.port")
		run b pull "$px/busybox:latest"
		echo "$mode: $output"
		[ "$status" -eq 1 ]
		[[ $output == *"digest"* ]]
		run b images -q
		[ "$output" = "" ]
	done
	# the corrupt layers were not kept
	local f
	for f in "$D"/root/content/blobs/sha256/*; do
		[[ -e $f ]] || continue
		[ "$(sha "$f")" = "$(basename "$f")" ]
		[ "$(basename "$f")" != "$L1" ]
		[ "$(basename "$f")" != "$L2" ]
	done
	# and the real registry still gives the image
	run b pull "$REG/busybox:latest"
	[ "$status" -eq 0 ]
}

@test "images: Debian's docker 20.10 client pulls, lists, inspects and removes" {
	[[ -x /usr/bin/docker ]] || skip "no docker 20.10 client at /usr/bin/docker"
	start_registry
	seed busybox amd64
	start_berthd
	run /usr/bin/docker -H "unix://$SOCK" pull "$REG/busybox"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Status: Downloaded newer image for $REG/busybox:latest"* ]]
	run /usr/bin/docker -H "unix://$SOCK" images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	[ "$output" = "$REG/busybox:latest ${CONFIG_amd64:0:12}" ]
	run /usr/bin/docker -H "unix://$SOCK" inspect --format '{{.Architecture}}' "$REG/busybox"
	[ "$output" = amd64 ]
	run /usr/bin/docker -H "unix://$SOCK" rmi "$REG/busybox"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Deleted: sha256:$CONFIG_amd64"* ]]
}

@test "images: credentials from X-Registry-Auth for a registry with htpasswd Basic auth" {
	command -v htpasswd >/dev/null || skip "htpasswd not installed (apache2-utils)"
	htpasswd -Bbc "$D/htpasswd" user pass 2>/dev/null
	start_registry htpasswd
	SEED_CREDS=user:pass seed busybox amd64
	start_berthd
	# no credentials: the registry's answer, before the stream
	run curl -s -w '\n%{http_code}' --unix-socket "$SOCK" -X POST -H 'X-Registry-Auth: e30=' \
		"http://berth/v1.41/images/create?fromImage=$REG/busybox&tag=latest"
	echo "$output"
	[[ ${lines[0]} == *"no basic auth credentials"* ]]
	[ "${lines[-1]}" != 200 ]
	# wrong, then right password (base64url JSON as the docker CLI sends it)
	local bad good
	bad=$(printf '{"username":"user","password":"nope","serveraddress":"%s"}' "$REG" | base64 -w0 | tr '+/' '-_')
	good=$(printf '{"username":"user","password":"pass","serveraddress":"%s"}' "$REG" | base64 -w0 | tr '+/' '-_')
	run curl -s --unix-socket "$SOCK" -X POST -H "X-Registry-Auth: $bad" \
		"http://berth/v1.41/images/create?fromImage=$REG/busybox&tag=latest"
	echo "$output"
	[[ $output == *"unauthorized"* ]]
	run curl -s --unix-socket "$SOCK" -X POST -H "X-Registry-Auth: $good" \
		"http://berth/v1.41/images/create?fromImage=$REG/busybox&tag=latest"
	echo "$output"
	[[ $output == *"Status: Downloaded newer image for $REG/busybox:latest"* ]]
	run b images -q
	[ "$output" = "${CONFIG_amd64:0:12}" ]
}

@test "images: registry-mirrors set by a reload (SIGHUP) serve docker.io pulls" {
	start_registry
	seed library/busybox amd64
	start_berthd
	echo "{\"registry-mirrors\": [\"http://$REG\"]}" >"$D/daemon.json"
	kill -HUP "$BPID"
	for _ in $(seq 300); do grep -q "reloaded.*registry-mirrors" "$D/berthd.log" && break; sleep 0.1; done
	grep -q "reloaded.*registry-mirrors" "$D/berthd.log"
	run b pull busybox
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"latest: Pulling from library/busybox"* ]]
	[[ $output == *"Status: Downloaded newer image for busybox:latest"* ]]
	[ "${lines[-1]}" = "docker.io/library/busybox:latest" ]
	run b images --format json
	[ "$(jq -r '.Repository + ":" + .Tag' <<<"$output")" = busybox:latest ]
	run curl -s --unix-socket "$SOCK" http://berth/v1.41/images/busybox/json
	[ "$(jq -r .Id <<<"$output")" = "sha256:$CONFIG_amd64" ]
	[[ $(jq -r '.RepoDigests[0]' <<<"$output") == busybox@sha256:* ]]
}
