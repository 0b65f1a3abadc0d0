# Shared by the image bats files (images, save-load, push, pull-images,
# pull-all-tags): a temp dir per test, berthd and docker-registry started by
# the test and stopped by PID in teardown, an OCI layout made from
# busybox-static and copied into the registry with skopeo, the CLIs.
# Load with `load images-helpers` after setting BERTHD, BERTH, DOCKER.

# images_setup NAME: the common checks and $D (a temp dir), $SOCK, an empty
# daemon.json, BERTH_CONFIG (the CLIs' config dir, also DOCKER_CONFIG for dk),
# PIDS and MOUNTS (stopped and unmounted by teardown)
images_setup() {
	[[ -x $BERTHD ]] || skip "berthd not built: $BERTHD"
	[[ -x $BERTH ]] || skip "berth not built: $BERTH"
	command -v docker-registry >/dev/null || skip "docker-registry not installed (scripts/deps.sh)"
	command -v skopeo >/dev/null || skip "skopeo not installed (scripts/deps.sh)"
	[[ -x /bin/busybox ]] || skip "busybox-static not installed"
	[[ $(id -u) -eq 0 ]] || skip "needs root (overlay snapshots)"
	D=$(mktemp -d "${BERTH_TEST_TMP:-/tmp}/berth-$1.XXXXXX")
	SOCK=$D/b.sock
	echo '{}' >"$D/daemon.json"
	export BERTH_CONFIG=$D/cli
	mkdir -p "$BERTH_CONFIG"
	PIDS=()
	MOUNTS=()
}

teardown() {
	local p m
	for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || true; done
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

# start_registry [NAME] [htpasswd]: docker-registry on a free port, its files
# in $D/NAME (default reg); sets REG (127.0.0.1:port)
start_registry() {
	local name=reg port auth="" a
	for a in "$@"; do
		if [[ $a == htpasswd ]]; then
			auth="auth: {htpasswd: {realm: test-realm, path: $D/htpasswd}}"
		else
			name=$a
		fi
	done
	port=$(free_port)
	REG=127.0.0.1:$port
	mkdir -p "$D/$name"
	cat >"$D/$name/config.yml" <<-EOF
		version: 0.1
		log: {level: info}
		storage: {filesystem: {rootdirectory: $D/$name/data}, delete: {enabled: true}}
		http: {addr: $REG}
		$auth
	EOF
	docker-registry serve "$D/$name/config.yml" >"$D/$name/log" 2>&1 &
	PIDS+=("$!")
	# up to 30 s (a loaded machine starts it slowly)
	for _ in $(seq 300); do
		curl -s -o /dev/null "http://$REG/v2/" && return 0
		sleep 0.1
	done
	cat "$D/$name/log" >&2
	return 1
}

# start_berthd: berthd with this test's root, exec-root and socket; BPID
start_berthd() {
	"$BERTHD" --root "$D/root" --exec-root "$D/run" -H "unix://$SOCK" \
		--config-file "$D/daemon.json" --debug >>"$D/berthd.log" 2>&1 &
	BPID=$!
	PIDS+=("$BPID")
	for _ in $(seq 300); do
		curl -sf --unix-socket "$SOCK" http://berth/_ping >/dev/null 2>&1 && return 0
		kill -0 "$BPID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$D/berthd.log" >&2
	return 1
}

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

# put FILE LAYOUT: the file as a blob of the layout; prints its sha256
put() {
	local h
	h=$(sha "$1")
	cp "$1" "$2/blobs/sha256/$h"
	echo "$h"
}

# make_layers DIR HOSTNAME: the start of an OCI layout in DIR (oci-layout,
# blobs/) with the two layers of the test images as gzip blobs: busybox with a
# few applet links (BIG=1 adds 20 MB of random data), then /etc/hostname
# holding HOSTNAME. Sets L1 L2 (layer blob hex) and D1 D2 (diffID hex).
make_layers() {
	local dir=$1 host=$2 a
	mkdir -p "$dir/blobs/sha256" "$dir/r1/bin" "$dir/r2/etc"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
	cp /bin/busybox "$dir/r1/bin/busybox"
	for a in sh ls cat echo; do ln -s busybox "$dir/r1/bin/$a"; done
	[[ -z ${BIG:-} ]] || head -c 20M /dev/urandom >"$dir/r1/big"
	echo "$host" >"$dir/r2/etc/hostname"
	tar -C "$dir/r1" --sort=name --mtime=@0 --owner=0 --group=0 -cf "$dir/l1.tar" .
	tar -C "$dir/r2" --sort=name --mtime=@0 --owner=0 --group=0 -cf "$dir/l2.tar" .
	gzip -n -c "$dir/l1.tar" >"$dir/l1.tgz"
	gzip -n -c "$dir/l2.tar" >"$dir/l2.tgz"
	L1=$(put "$dir/l1.tgz" "$dir")
	L2=$(put "$dir/l2.tgz" "$dir")
	D1=$(sha "$dir/l1.tar")
	D2=$(sha "$dir/l2.tar")
}

# make_layout DIR ARCH...: an OCI layout whose tag "latest" names one image
# (one ARCH) or an index of one image per ARCH, of make_layers' two layers
# (hostname berth-test). Sets L1 L2 (layer blob hex), D1 D2 (diffID hex) and
# CONFIG_<arch> (config hex).
make_layout() {
	local dir=$1 arch
	shift
	make_layers "$dir" berth-test
	local mans=() c m
	for arch in "$@"; do
		jq -n --arg a "$arch" --arg d1 "sha256:$D1" --arg d2 "sha256:$D2" \
			'{architecture: $a, os: "linux", created: "2026-11-23T16:24:50.309546168Z",
			  config: {Cmd: ["sh"], Labels: {"test.arch": $a}},
			  rootfs: {type: "layers", diff_ids: [$d1, $d2]},
			  history: [{created_by: "busybox", created: "2026-11-23T16:24:50Z"},
				    {created_by: "etc", comment: "second"}]}' >"$dir/config-$arch.json"
		c=$(put "$dir/config-$arch.json" "$dir")
		printf -v "CONFIG_$arch" '%s' "$c"
		jq -n --arg c "sha256:$c" --argjson cs "$(size "$dir/config-$arch.json")" \
			--arg l1 "sha256:$L1" --argjson s1 "$(size "$dir/l1.tgz")" \
			--arg l2 "sha256:$L2" --argjson s2 "$(size "$dir/l2.tgz")" \
			'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
			  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
			  layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l1, size: $s1},
				   {mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $l2, size: $s2}]}' \
			>"$dir/manifest-$arch.json"
		m=$(put "$dir/manifest-$arch.json" "$dir")
		mans+=("$(jq -nc --arg d "sha256:$m" --argjson s "$(size "$dir/manifest-$arch.json")" \
			--arg a "$arch" '{mediaType: "application/vnd.oci.image.manifest.v1+json",
			digest: $d, size: $s, platform: {os: "linux", architecture: $a}}')")
	done
	local top
	if [[ $# -eq 1 ]]; then
		top=$(jq -c '. + {annotations: {"org.opencontainers.image.ref.name": "latest"}}' <<<"${mans[0]}")
	else
		printf '%s\n' "${mans[@]}" | jq -s '{schemaVersion: 2,
			mediaType: "application/vnd.oci.image.index.v1+json", manifests: .}' >"$dir/index-inner.json"
		local i
		i=$(put "$dir/index-inner.json" "$dir")
		top=$(jq -nc --arg d "sha256:$i" --argjson s "$(size "$dir/index-inner.json")" \
			'{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s,
			  annotations: {"org.opencontainers.image.ref.name": "latest"}}')
	fi
	jq -n --argjson t "$top" '{schemaVersion: 2, manifests: [$t]}' >"$dir/index.json"
}

# seed REPO ARCH...: make a layout and copy it to $REG/REPO:latest
seed() {
	local repo=$1
	shift
	make_layout "$D/layout-${repo//\//-}" "$@"
	skopeo copy --quiet --all --dest-tls-verify=false ${SEED_CREDS:+--dest-creds "$SEED_CREDS"} \
		"oci:$D/layout-${repo//\//-}:latest" "docker://$REG/$repo:latest" >&2
}

b() {
	"$BERTH" -H "unix://$SOCK" "$@"
}

dk() {
	DOCKER_CONFIG=${BERTH_CONFIG:-${DOCKER_CONFIG:-$HOME/.docker}} "$DOCKER" -H "unix://$SOCK" "$@"
}

blobs() { find "$D/root/content/blobs/sha256" -type f 2>/dev/null | wc -l; }
snapshots() { find "$D/root/snapshots/overlayfs/snapshots" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l; }
