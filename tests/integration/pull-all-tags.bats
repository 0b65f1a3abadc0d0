#!/usr/bin/env bats
# Pull of all tags (`pull -a`, POST /images/create with fromImage and no tag):
# berthd lists the repository's tags (GET /v2/<name>/tags/list, following
# the Link header's pages) and pulls each into the one progress stream.
# Driven by the berth CLI and the real docker CLI against Debian's
# docker-registry on 127.0.0.1, seeded with skopeo; regproxy.py pages the
# tags list (docker-registry 2.8 does not). Every process is started by the
# test and stopped by PID; all files live in a temp dir removed in teardown.

BERTH_BUILD=${BERTH_BUILD:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build}
BERTHD=${BERTHD:-$BERTH_BUILD/cmd/berthd/berthd}
BERTH=${BERTH:-$BERTH_BUILD/cmd/berth/berth}
DOCKER=${DOCKER:-/usr/local/bin/docker}

load images-helpers

setup() {
	images_setup alltags
}

# start_proxy MODE...: regproxy.py in front of the registry; sets PX
start_proxy() {
	local m args=()
	for m in "$@"; do args+=(--mode "$m"); done
	python3 "$BATS_TEST_DIRNAME/regproxy.py" --upstream "$REG" --port-file "$D/proxy.port" \
		--log "$D/proxy.log" "${args[@]}" >"$D/proxy.out" 2>&1 &
	PIDS+=("$!")
	for _ in $(seq 600); do [[ -s $D/proxy.port ]] && break; sleep 0.05; done
	PX=127.0.0.1:$(cat "$D/proxy.port")
}

# seed_tags REPO TAG...: one image per tag (a busybox layer shared, a config
# naming the tag) copied to $REG/REPO:TAG; sets CONFIG_<n> (n: 1-based).
seed_tags() {
	local repo=$1 dir=$D/layout tag c m i=0
	shift
	mkdir -p "$dir/blobs/sha256" "$dir/r1/bin"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
	cp /bin/busybox "$dir/r1/bin/busybox"
	ln -s busybox "$dir/r1/bin/sh"
	tar -C "$dir/r1" --sort=name --mtime=@0 --owner=0 --group=0 -cf "$dir/l1.tar" .
	gzip -n -c "$dir/l1.tar" >"$dir/l1.tgz"
	local l1 d1 mans=()
	l1=$(put "$dir/l1.tgz" "$dir")
	d1=$(sha "$dir/l1.tar")
	for tag in "$@"; do
		i=$((i + 1))
		jq -n --arg t "$tag" --arg d1 "sha256:$d1" \
			'{architecture: "amd64", os: "linux", created: "2026-11-23T16:24:50Z",
			  config: {Cmd: ["sh"], Labels: {"test.tag": $t}},
			  rootfs: {type: "layers", diff_ids: [$d1]},
			  history: [{created_by: "busybox"}]}' >"$dir/config-$tag.json"
		c=$(put "$dir/config-$tag.json" "$dir")
		printf -v "CONFIG_$i" '%s' "$c"
		jq -n --arg c "sha256:$c" --argjson cs "$(size "$dir/config-$tag.json")" \
			--arg l1 "sha256:$l1" --argjson s1 "$(size "$dir/l1.tgz")" \
			'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
			  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
			  layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l1, size: $s1}]}' \
			>"$dir/manifest-$tag.json"
		m=$(put "$dir/manifest-$tag.json" "$dir")
		mans+=("$(jq -nc --arg d "sha256:$m" --argjson s "$(size "$dir/manifest-$tag.json")" \
			--arg t "$tag" '{mediaType: "application/vnd.oci.image.manifest.v1+json",
			digest: $d, size: $s, annotations: {"org.opencontainers.image.ref.name": $t}}')")
	done
	printf '%s\n' "${mans[@]}" | jq -s '{schemaVersion: 2, manifests: .}' >"$dir/index.json"
	for tag in "$@"; do
		skopeo copy --quiet --dest-tls-verify=false "oci:$dir:$tag" "docker://$REG/$repo:$tag" >&2
	done
}

# the tags of REPO in `berth images`, sorted, one line
tags_of() { b images | awk -v r="$1" 'NR > 1 && $1 == r {print $2}' | sort | xargs; }

@test "pull -a: berth pulls every tag, the tags list paged by Link headers" {
	start_registry
	seed_tags app 1.0 1.1 latest
	start_proxy tags-page:2
	start_berthd
	run b pull -a "$PX/app"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"1.0: Pulling from app"* ]]
	[[ $output == *"1.1: Pulling from app"* ]]
	[[ $output == *"latest: Pulling from app"* ]]
	[ "$(grep -c '^Digest: sha256:' <<<"$output")" -eq 3 ]
	[ "$(grep -c '^Status: ' <<<"$output")" -eq 1 ]
	[[ $output == *"Status: Downloaded newer image for $PX/app"* ]]
	[ "${lines[-1]}" = "$PX/app" ]
	# two pages: the second one asked for with the Link's ?n=2&last=1.1
	grep -q "GET /v2/app/tags/list range" "$D/proxy.log"
	grep -q "GET /v2/app/tags/list?n=2&last=1.1 " "$D/proxy.log"
	[ "$(tags_of "$PX/app")" = "1.0 1.1 latest" ]
	run b image inspect "$PX/app:1.1"
	[ "$(jq -r '.[0].Id + " " + .[0].Config.Labels["test.tag"]' <<<"$output")" = "sha256:$CONFIG_2 1.1" ]

	# again: nothing new
	run b pull -a "$PX/app"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Status: Image is up to date for $PX/app"* ]]

	# a tag with -a, and an unknown repository: errors before the stream
	run b pull -a "$PX/app:1.0"
	[ "$status" -ne 0 ]
	[[ $output == *"tag can't be used with --all-tags/-a"* ]]
	run b pull -a "$PX/nope"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"repository $PX/nope not found: name unknown"* ]]
}

@test "pull -a: docker CLI 28 pulls every tag; a plain pull still means :latest" {
	[[ -x $DOCKER ]] || skip "no $DOCKER"
	start_registry
	seed_tags app 1.0 2.0 latest
	start_berthd
	run dk pull "$REG/app"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(tags_of "$REG/app")" = "latest" ]

	run dk pull -a "$REG/app"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"2.0: Pulling from app"* ]]
	[[ $output == *"Status: Downloaded newer image for $REG/app"* ]]
	[ "$(tags_of "$REG/app")" = "1.0 2.0 latest" ]
	run dk images --format '{{.Repository}}:{{.Tag}}'
	echo "$output"
	[[ $output == *"$REG/app:1.0"* && $output == *"$REG/app:2.0"* && $output == *"$REG/app:latest"* ]]

	# the API: fromImage without a tag and an empty tag= is all tags too
	run curl -s --unix-socket "$SOCK" -X POST "http://berth/v1.41/images/create?fromImage=$REG/app&tag="
	[[ $output == *'"id":"1.0"'* && $output == *'"id":"2.0"'* ]]
	[[ $output == *"Image is up to date for $REG/app"* ]]
}
