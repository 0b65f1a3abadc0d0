#!/usr/bin/env bats
# lib/core/registry against Debian's docker-registry on 127.0.0.1, driven by
# tests/helpers/regtest: plain HTTP, TLS with a test CA (and client
# certificates), htpasswd Basic auth, and the Bearer token flow and faults
# through tests/integration/regproxy.py (a proxy in front of the registry
# with its own token endpoint). Images are made here: a busybox layer, a
# second layer, configs and manifests written with jq.
#
# Every process is started by the test and stopped by PID in teardown; all
# files live in a temp dir removed in teardown. Nothing leaves 127.0.0.1.

BERTH_BUILD=${BERTH_BUILD:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build}
REGTEST=${REGTEST:-$BERTH_BUILD/tests/helpers/regtest}
PROXY=$BATS_TEST_DIRNAME/regproxy.py
MT_DOCKER=application/vnd.docker.distribution.manifest.v2+json
MT_OCI=application/vnd.oci.image.manifest.v1+json
MT_INDEX=application/vnd.oci.image.index.v1+json

load pki

setup() {
	[[ -x $REGTEST ]] || skip "regtest not built: $REGTEST"
	command -v docker-registry >/dev/null || skip "docker-registry not installed (scripts/deps.sh)"
	D=$(mktemp -d "${BERTH_TEST_TMP:-/tmp}/berth-reg.XXXXXX")
	PIDS=()
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	[[ -n ${D:-} ]] && rm -rf --one-file-system "$D"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_registry [tls|htpasswd|tls-clientcert]: docker-registry on a free
# port with its own storage; sets REG (127.0.0.1:port) and REGPID.
start_registry() {
	local kind=${1:-plain} port
	port=$(free_port)
	REG=127.0.0.1:$port
	mkdir -p "$D/reg-$port"
	{
		echo "version: 0.1"
		echo "log: {level: warn}"
		echo "storage: {filesystem: {rootdirectory: $D/reg-$port/data}, delete: {enabled: true}}"
		echo "http:"
		echo "  addr: $REG"
		if [[ $kind == tls* ]]; then
			echo "  tls:"
			echo "    certificate: $D/pki/server.crt"
			echo "    key: $D/pki/server.key"
			if [[ $kind == tls-clientcert ]]; then
				echo "    clientcas: [$D/pki/ca.crt]"
			fi
		fi
		if [[ $kind == htpasswd ]]; then
			echo "auth: {htpasswd: {realm: test-realm, path: $D/htpasswd}}"
		fi
	} >"$D/reg-$port/config.yml"
	docker-registry serve "$D/reg-$port/config.yml" >"$D/reg-$port/log" 2>&1 &
	REGPID=$!
	PIDS+=("$REGPID")
	local scheme=http curlopt=()
	[[ $kind == tls* ]] && scheme=https curlopt=(-k)
	[[ $kind == tls-clientcert ]] && curlopt+=(--cert "$D/pki/client.cert" --key "$D/pki/client.key")
	for _ in $(seq 300); do
		curl -s "${curlopt[@]}" -o /dev/null "$scheme://$REG/v2/" && return 0
		sleep 0.1
	done
	cat "$D/reg-$port/log" >&2
	return 1
}

# start_proxy MODE...: regproxy in front of $REG; sets PROXY_ADDR, PLOG.
start_proxy() {
	local args=() m
	for m in "$@"; do args+=(--mode "$m"); done
	PLOG=$D/proxy.log
	rm -f "$D/proxy.port"
	python3 "$PROXY" --upstream "$REG" --port-file "$D/proxy.port" --log "$PLOG" "${args[@]}" \
		>"$D/proxy.out" 2>&1 &
	PIDS+=("$!")
	for _ in $(seq 600); do [[ -s $D/proxy.port ]] && break; sleep 0.05; done
	PROXY_ADDR=127.0.0.1:$(cat "$D/proxy.port")
}

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

# make_image DIR [ARCH] [MEDIATYPE]: two gzip layers (busybox, a data file),
# a config and a manifest in DIR: layer1.tgz layer2.tgz config.json manifest.json
make_image() {
	local dir=$1 arch=${2:-amd64} mt=${3:-$MT_DOCKER}
	mkdir -p "$dir/r1/bin" "$dir/r2/etc"
	cp /bin/busybox "$dir/r1/bin/busybox"
	ln -s busybox "$dir/r1/bin/sh"
	head -c 300000 /dev/urandom >"$dir/r2/etc/data"
	echo "$arch" >"$dir/r2/etc/arch"
	tar -C "$dir/r1" -cf - . | gzip -n >"$dir/layer1.tgz"
	tar -C "$dir/r2" -cf - . | gzip -n >"$dir/layer2.tgz"
	local d1 d2
	d1=$(gzip -dc "$dir/layer1.tgz" | sha256sum | cut -d' ' -f1)
	d2=$(gzip -dc "$dir/layer2.tgz" | sha256sum | cut -d' ' -f1)
	jq -n --arg a "$arch" --arg d1 "sha256:$d1" --arg d2 "sha256:$d2" \
		'{architecture: $a, os: "linux", config: {Cmd: ["/bin/sh"]},
		  rootfs: {type: "layers", diff_ids: [$d1, $d2]},
		  history: [{created_by: "layer 1"}, {created_by: "layer 2"}]}' >"$dir/config.json"
	local cmt=application/vnd.docker.container.image.v1+json
	local lmt=application/vnd.docker.image.rootfs.diff.tar.gzip
	if [[ $mt == "$MT_OCI" ]]; then
		cmt=application/vnd.oci.image.config.v1+json
		lmt=application/vnd.oci.image.layer.v1.tar+gzip
	fi
	jq -n --arg mt "$mt" --arg cmt "$cmt" --arg lmt "$lmt" \
		--arg c "sha256:$(sha "$dir/config.json")" --argjson cs "$(size "$dir/config.json")" \
		--arg l1 "sha256:$(sha "$dir/layer1.tgz")" --argjson s1 "$(size "$dir/layer1.tgz")" \
		--arg l2 "sha256:$(sha "$dir/layer2.tgz")" --argjson s2 "$(size "$dir/layer2.tgz")" \
		'{schemaVersion: 2, mediaType: $mt,
		  config: {mediaType: $cmt, digest: $c, size: $cs},
		  layers: [{mediaType: $lmt, digest: $l1, size: $s1},
			   {mediaType: $lmt, digest: $l2, size: $s2}]}' >"$dir/manifest.json"
}

# push_image DIR REF [regtest options]: blobs then the manifest (the
# second layer in 64 KiB chunks); prints the manifest digest
push_image() {
	local dir=$1 ref=$2
	shift 2
	"$REGTEST" --store "$D/push-store" "$@" push-blob "$ref" "$dir/config.json" >/dev/null &&
		"$REGTEST" --store "$D/push-store" "$@" push-blob "$ref" "$dir/layer1.tgz" >/dev/null &&
		"$REGTEST" --store "$D/push-store" --chunk 65536 "$@" push-blob "$ref" "$dir/layer2.tgz" >/dev/null &&
		"$REGTEST" "$@" push-manifest "$ref" "$dir/manifest.json" \
			"$(jq -r .mediaType "$dir/manifest.json")"
}

# regtest ARGS...: run it like bats' run, stderr included
regtest() {
	run timeout 120 "$REGTEST" "$@"
	echo "regtest $* -> $status"
	echo "$output"
}

# every blob in the store matches its name
assert_store_ok() {
	local f
	for f in "$1"/content/blobs/sha256/*; do
		[[ $(sha "$f") == "$(basename "$f")" ]] || { echo "bad blob $f"; return 1; }
	done
}

@test "registry: plain HTTP push (monolithic and chunked), resolve, pull verified" {
	start_registry
	make_image "$D/img"
	run push_image "$D/img" "$REG/test/busybox:1"
	[ "$status" -eq 0 ]
	[ "$output" = "sha256:$(sha "$D/img/manifest.json")" ]

	regtest resolve "$REG/test/busybox:1"
	[ "$status" -eq 0 ]
	[ "$output" = "$MT_DOCKER sha256:$(sha "$D/img/manifest.json") $(size "$D/img/manifest.json")" ]

	regtest manifest "$REG/test/busybox:1"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$D/img/manifest.json")" ]

	regtest --store "$D/s" pull "$REG/test/busybox:1"
	[ "$status" -eq 0 ]
	[[ $output == *"config sha256:$(sha "$D/img/config.json") linux/amd64"* ]]
	[[ $output == *"layer sha256:$(sha "$D/img/layer1.tgz") fetched"* ]]
	[[ $output == *"layer sha256:$(sha "$D/img/layer2.tgz") fetched"* ]]
	cmp "$D/s/content/blobs/sha256/$(sha "$D/img/layer1.tgz")" "$D/img/layer1.tgz"
	assert_store_ok "$D/s"

	# a second pull finds everything in the store
	regtest --store "$D/s" pull "$REG/test/busybox:1"
	[ "$status" -eq 0 ]
	[[ $output == *"layer sha256:$(sha "$D/img/layer2.tgz") exists"* ]]

	# push again: the blobs are there; and a mount from another repository
	regtest --store "$D/push-store" push-blob "$REG/test/busybox" "$D/img/layer1.tgz"
	[[ $output == "exists sha256:"* ]]
	regtest --store "$D/push-store" --mount-from test/busybox push-blob "$REG/other/x" "$D/img/layer1.tgz"
	[ "$status" -eq 0 ]
	[[ $output == "mounted sha256:"* ]]
	regtest exists "$REG/other/x" "sha256:$(sha "$D/img/layer1.tgz")"
	[ "$output" = yes ]
	regtest exists "$REG/other/x" "sha256:$(sha "$D/img/layer2.tgz")"
	[ "$output" = no ]
}

@test "registry: an outside client (skopeo) reads what berth pushed, berth pulls what skopeo copied" {
	command -v skopeo >/dev/null || skip "skopeo not installed"
	start_registry
	make_image "$D/img" amd64 "$MT_OCI"
	run push_image "$D/img" "$REG/test/oci:1"
	[ "$status" -eq 0 ]
	run skopeo inspect --tls-verify=false "docker://$REG/test/oci:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .Digest <<<"$output")" = "sha256:$(sha "$D/img/manifest.json")" ]
	run skopeo copy --src-tls-verify=false --dest-tls-verify=false \
		"docker://$REG/test/oci:1" "docker://$REG/copied/oci:2"
	[ "$status" -eq 0 ]
	regtest --store "$D/s" pull "$REG/copied/oci:2"
	[ "$status" -eq 0 ]
	[[ $output == *"config sha256:$(sha "$D/img/config.json")"* ]]
	assert_store_ok "$D/s"
}

@test "registry: OCI index, platform selection, no matching platform" {
	start_registry
	make_image "$D/amd" amd64 "$MT_OCI"
	make_image "$D/arm" arm64 "$MT_OCI"
	local da ds
	da=$(push_image "$D/amd" "$REG/multi/img:amd")
	ds=$(push_image "$D/arm" "$REG/multi/img:arm")
	jq -n --arg mt "$MT_INDEX" --arg m "$MT_OCI" \
		--arg a "$da" --argjson asz "$(size "$D/amd/manifest.json")" \
		--arg r "$ds" --argjson rsz "$(size "$D/arm/manifest.json")" \
		'{schemaVersion: 2, mediaType: $mt, manifests: [
		   {mediaType: $m, digest: $r, size: $rsz, platform: {os: "linux", architecture: "arm64", variant: "v8"}},
		   {mediaType: $m, digest: $a, size: $asz, platform: {os: "linux", architecture: "amd64"}}]}' \
		>"$D/index.json"
	regtest push-manifest "$REG/multi/img:latest" "$D/index.json" "$MT_INDEX"
	[ "$status" -eq 0 ]
	regtest resolve "$REG/multi/img"
	[[ $output == "$MT_INDEX sha256:$(sha "$D/index.json") "* ]]

	regtest --store "$D/s" --platform linux/amd64 pull "$REG/multi/img"
	[ "$status" -eq 0 ]
	[[ $output == *"manifest $da"* ]]
	[[ $output == *"config sha256:$(sha "$D/amd/config.json") linux/amd64"* ]]

	regtest --store "$D/s" --platform linux/arm64 pull "$REG/multi/img"
	[ "$status" -eq 0 ]
	[[ $output == *"config sha256:$(sha "$D/arm/config.json") linux/arm64"* ]]

	regtest --store "$D/s" --platform linux/s390x pull "$REG/multi/img"
	[ "$status" -eq 1 ]
	[[ $output == *"no matching manifest for linux/s390x in the manifest list entries"* ]]
}

@test "registry: unknown tag and unknown repository give docker's messages" {
	start_registry
	make_image "$D/img"
	push_image "$D/img" "$REG/test/a:1" >/dev/null
	regtest resolve "$REG/test/a:nope"
	[ "$status" -eq 1 ]
	[[ $output == *"manifest for $REG/test/a:nope not found: manifest unknown"* ]]
	regtest --store "$D/s" pull "$REG/test/nothing-here:1"
	[ "$status" -eq 1 ]
	[[ $output == *"$REG/test/nothing-here"*"not found"* ]]
	regtest --store "$D/s" fetch-blob "$REG/test/a" "sha256:$(printf x | sha256sum | cut -d' ' -f1)" 1
	[ "$status" -eq 1 ]
	[[ $output == *"blob unknown"* ]]
}

@test "registry: unreachable registry names the host" {
	local port
	port=$(free_port)
	regtest --retries 1 --backoff-ms 10 resolve "127.0.0.1:$port/x:1"
	[ "$status" -eq 1 ]
	[[ $output == *"127.0.0.1:$port/v2/x/manifests/1"* ]]
	[[ $output == *"code 111"* ]]
}

@test "registry: a download cut in the middle resumes with Range" {
	start_registry
	make_image "$D/img"
	push_image "$D/img" "$REG/test/r:1" >/dev/null
	start_proxy cut
	local l1
	l1=$(sha "$D/img/layer1.tgz")
	regtest --store "$D/s" --backoff-ms 10 fetch-blob "$PROXY_ADDR/test/r" "sha256:$l1" "$(size "$D/img/layer1.tgz")"
	[ "$status" -eq 0 ]
	[ "$output" = committed ]
	cat "$PLOG"
	grep -q "GET /v2/test/r/blobs/sha256:$l1 range=bytes=[1-9][0-9]*-" "$PLOG"
	cmp "$D/s/content/blobs/sha256/$l1" "$D/img/layer1.tgz"
	[ -z "$(ls "$D/s/content/ingest")" ]
}

@test "registry: a server that ignores Range makes the client start over cleanly" {
	start_registry
	make_image "$D/img"
	push_image "$D/img" "$REG/test/r:1" >/dev/null
	start_proxy ignore-range
	local l1
	l1=$(sha "$D/img/layer1.tgz")
	regtest --store "$D/s" --backoff-ms 10 fetch-blob "$PROXY_ADDR/test/r" "sha256:$l1" "$(size "$D/img/layer1.tgz")"
	[ "$status" -eq 0 ]
	cmp "$D/s/content/blobs/sha256/$l1" "$D/img/layer1.tgz"
}

@test "registry: a transfer killed in the middle (kill -9) resumes from the ingest" {
	start_registry
	make_image "$D/img"
	push_image "$D/img" "$REG/test/r:1" >/dev/null
	start_proxy stall
	local l1 n pid data
	l1=$(sha "$D/img/layer1.tgz")
	n=$(size "$D/img/layer1.tgz")
	data=$D/s/content/ingest/fetch-sha256:$l1/data
	"$REGTEST" --store "$D/s" fetch-blob "$PROXY_ADDR/test/r" "sha256:$l1" "$n" >"$D/bg.out" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	for _ in $(seq 300); do
		[[ -e $data && $(stat -c %s "$data") -eq $((n / 2)) ]] && break
		sleep 0.1
	done
	[ "$(stat -c %s "$data")" -eq $((n / 2)) ]
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	# the proxy stalls only the first GET of a blob: this one goes through
	regtest --store "$D/s" --progress fetch-blob "$PROXY_ADDR/test/r" "sha256:$l1" "$n"
	[ "$status" -eq 0 ]
	grep -q "range=bytes=$((n / 2))-" "$PLOG"
	[[ $output == *"progress sha256:$l1 $((n / 2))/$n"* ]]
	cmp "$D/s/content/blobs/sha256/$l1" "$D/img/layer1.tgz"
}

@test "registry: a stalled transfer is cut by the low-speed timeout and resumed" {
	start_registry
	make_image "$D/img"
	push_image "$D/img" "$REG/test/r:1" >/dev/null
	start_proxy stall
	local l1 n
	l1=$(sha "$D/img/layer1.tgz")
	n=$(size "$D/img/layer1.tgz")
	regtest --store "$D/s" --retries 0 --low-speed-time 1 fetch-blob "$PROXY_ADDR/test/r" "sha256:$l1" "$n"
	[ "$status" -eq 0 ]
	grep -q "range=bytes=$((n / 2))-" "$PLOG"
	cmp "$D/s/content/blobs/sha256/$l1" "$D/img/layer1.tgz"
}

@test "registry: wrong blob and manifest digests are detected, nothing is stored" {
	start_registry
	make_image "$D/img"
	local md
	md=$(push_image "$D/img" "$REG/test/c:1")
	start_proxy corrupt corrupt-manifest
	local l1
	l1=$(sha "$D/img/layer1.tgz")
	regtest --store "$D/s" fetch-blob "$PROXY_ADDR/test/c" "sha256:$l1" "$(size "$D/img/layer1.tgz")"
	[ "$status" -eq 1 ]
	[[ $output == *"digest mismatch"* ]]
	[[ $output == *"code 74"* ]] # EBADMSG
	[ ! -e "$D/s/content/blobs/sha256/$l1" ]
	[ -z "$(ls "$D/s/content/ingest")" ]
	regtest manifest "$PROXY_ADDR/test/c@$md"
	[ "$status" -eq 1 ]
	[[ $output == *"digest mismatch"* ]]
	regtest manifest "$PROXY_ADDR/test/c:1"
	[ "$status" -eq 1 ]
	[[ $output == *"digest mismatch: the registry says $md"* ]]
}

@test "registry: 500s are retried with backoff, and reported when retries run out" {
	start_registry
	make_image "$D/img"
	push_image "$D/img" "$REG/test/f:1" >/dev/null
	start_proxy fail500:2
	regtest --backoff-ms 10 --retries 3 resolve "$PROXY_ADDR/test/f:1"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^HEAD /v2/test/f/manifests/1' "$PLOG")" -eq 3 ]
	teardown
	setup
	start_registry
	start_proxy fail500:10
	regtest --backoff-ms 10 --retries 1 resolve "$PROXY_ADDR/test/f:1"
	[ "$status" -eq 1 ]
	[[ $output == *"unknown: injected failure"* ]] || [[ $output == *"500"* ]]
}

@test "registry: TLS with a test CA in the certs dir, client certificates" {
	make_pki
	start_registry tls
	make_image "$D/img"
	# docker's rule: 127.0.0.1 is insecure, TLS is used but not verified
	run push_image "$D/img" "$REG/tls/a:1"
	[ "$status" -eq 0 ]
	# verified: fails without the CA, works with it in certs.d/<host:port>/ca.crt
	regtest --secure-loopback resolve "$REG/tls/a:1"
	[ "$status" -eq 1 ]
	[[ $output == *"https://$REG/v2/tls/a/manifests/1"* ]]
	[[ $output == *"code 71"* ]] # EPROTO
	mkdir -p "$D/certs.d/$REG"
	cp "$D/pki/ca.crt" "$D/certs.d/$REG/ca.crt"
	regtest --secure-loopback --certs-dir "$D/certs.d" --store "$D/s" pull "$REG/tls/a:1"
	[ "$status" -eq 0 ]
	assert_store_ok "$D/s"
	# plain HTTP is never tried for a secure host
	kill "$REGPID"
	wait "$REGPID" 2>/dev/null || true
	start_registry tls-clientcert
	push_image "$D/img" "$REG/tls/b:1" >/dev/null 2>&1 || true
	mkdir -p "$D/certs.d/$REG"
	cp "$D/pki/ca.crt" "$D/certs.d/$REG/ca.crt"
	regtest --secure-loopback --certs-dir "$D/certs.d" resolve "$REG/tls/b:1"
	[ "$status" -eq 1 ]
	cp "$D/pki/client.cert" "$D/pki/client.key" "$D/certs.d/$REG/"
	run push_image "$D/img" "$REG/tls/b:1" --secure-loopback --certs-dir "$D/certs.d"
	[ "$status" -eq 0 ]
	regtest --secure-loopback --certs-dir "$D/certs.d" resolve "$REG/tls/b:1"
	[ "$status" -eq 0 ]
	# a client certificate without its key is an error naming the file
	rm "$D/certs.d/$REG/client.key"
	regtest --secure-loopback --certs-dir "$D/certs.d" resolve "$REG/tls/b:1"
	[ "$status" -eq 1 ]
	[[ $output == *"missing key $D/certs.d/$REG/client.key"* ]]
}

@test "registry: htpasswd Basic auth (flag, config.json, wrong password, none)" {
	htpasswd -Bbc "$D/htpasswd" user pass 2>/dev/null
	start_registry htpasswd
	make_image "$D/img"
	regtest push-manifest "$REG/auth/a:1" "$D/img/manifest.json" "$MT_DOCKER"
	[ "$status" -eq 1 ]
	[[ $output == *"no basic auth credentials"* ]]
	run push_image "$D/img" "$REG/auth/a:1" --user user:pass
	[ "$status" -eq 0 ]
	regtest resolve "$REG/auth/a:1"
	[ "$status" -eq 1 ]
	[[ $output == *"http://$REG/v2/auth/a/manifests/1\": no basic auth credentials"* ]]
	[[ $output == *"code 13"* ]] # EACCES
	regtest --user user:wrong resolve "$REG/auth/a:1"
	[ "$status" -eq 1 ]
	[[ $output == *"unauthorized"* ]]
	regtest --user user:pass ping "$REG"
	[ "$output" = ok ]
	regtest --user user:wrong ping "$REG"
	[ "$status" -eq 1 ]
	[[ $output == *"unauthorized"* ]]
	# credentials from a docker config.json, in the key forms docker writes
	local b64
	b64=$(printf user:pass | base64)
	for key in "$REG" "http://$REG/v2/" "https://$REG"; do
		jq -n --arg k "$key" --arg a "$b64" '{auths: {($k): {auth: $a}}}' >"$D/config.json"
		regtest --auth-file "$D/config.json" --store "$D/s" pull "$REG/auth/a:1"
		[ "$status" -eq 0 ]
	done
	echo '{"auths": {"x": {"auth": "!!"}}}' >"$D/bad.json"
	regtest --auth-file "$D/bad.json" resolve "$REG/auth/a:1"
	[ "$status" -eq 1 ]
	[[ $output == *"$D/bad.json: auths[\"x\"].auth: invalid base64"* ]]
}

@test "registry: Bearer token flow (anonymous pull, credentialed push, cached tokens, bad password)" {
	start_registry
	make_image "$D/img"
	start_proxy token
	run push_image "$D/img" "$PROXY_ADDR/tok/a:1"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"unauthorized: authentication required"* ]]
	run push_image "$D/img" "$PROXY_ADDR/tok/a:1" --user user:pass
	[ "$status" -eq 0 ]
	grep -q "^TOKEN service=regproxy scope=repository:tok/a:pull,push user=user" "$PLOG"
	: >"$PLOG"
	regtest --store "$D/s" pull "$PROXY_ADDR/tok/a:1"
	[ "$status" -eq 0 ]
	cat "$PLOG"
	# one token for the whole pull (HEAD, GET manifest, config, 2 layers)
	[ "$(grep -c '^TOKEN' "$PLOG")" -eq 1 ]
	grep -q "^TOKEN service=regproxy scope=repository:tok/a:pull user=-" "$PLOG"
	[ "$(grep -c 'auth=Bearer' "$PLOG")" -ge 5 ]
	assert_store_ok "$D/s"
	regtest --user user:wrong resolve "$PROXY_ADDR/tok/a:1"
	[ "$status" -eq 1 ]
	[[ $output == *"unauthorized: incorrect username or password"* ]]
}

@test "registry: docker.io pulls go to the mirrors first" {
	start_registry
	make_image "$D/img"
	push_image "$D/img" "$REG/library/mirrored:1" >/dev/null
	local dead
	dead=$(free_port)
	# a dead mirror is skipped, the next one answers; docker.io itself is
	# never reached (the test would fail without network otherwise)
	regtest --retries 0 --mirror "http://127.0.0.1:$dead" --mirror "http://$REG" \
		--store "$D/s" pull mirrored:1
	[ "$status" -eq 0 ]
	[[ $output == *"config sha256:$(sha "$D/img/config.json")"* ]]
}
