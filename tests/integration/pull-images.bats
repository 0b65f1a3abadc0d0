#!/usr/bin/env bats
# Pulls through berthd of images made here, checked file by file, and of
# hostile ones, each followed by the consistency check of berthd's root
# (tests/helpers/berth-fsck, lib/core/check).
#
# Layers are written by pull-layers.py (python's tarfile: whiteouts, opaque
# dirs, hardlinks within and across dirs, symlinks, user.* xattrs, setuid,
# owners, devices, a fifo, a 64 MiB file, fixed mtimes; and hostile entries),
# gzipped here, put in an OCI layout with sha256sum and jq. The good image
# goes to Debian's docker-registry with skopeo; hostile ones (which skopeo
# might refuse or repair) with curl, blob by blob, then the manifest. The
# registry runs plain, with TLS and a client certificate (certs.d next to
# berthd's --config-file), with htpasswd, and behind regproxy.py (Bearer
# tokens, a stalled download for kill -9). Every process is started and
# stopped by PID; mounts are undone by the test; everything is under $D.

BERTH_BUILD=${BERTH_BUILD:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build}
BERTHD=${BERTHD:-$BERTH_BUILD/cmd/berthd/berthd}
BERTH=${BERTH:-$BERTH_BUILD/cmd/berth/berth}
FSCK=${FSCK:-$BERTH_BUILD/tests/helpers/berth-fsck}
LAYERS=$BATS_TEST_DIRNAME/pull-layers.py
PROXY=$BATS_TEST_DIRNAME/regproxy.py
MT_OCI=application/vnd.oci.image.manifest.v1+json

load images-helpers
load pki

setup() {
	[[ -x $FSCK ]] || skip "berth-fsck not built: $FSCK"
	images_setup pull
	SCHEME=http
	CURLOPT=()
}

# start_registry [plain|htpasswd|tls-clientcert]: sets REG, SCHEME, CURLOPT
start_registry() {
	local kind=${1:-plain} port
	port=$(free_port)
	REG=127.0.0.1:$port
	mkdir -p "$D/reg"
	{
		echo "version: 0.1"
		echo "log: {level: info}"
		echo "storage: {filesystem: {rootdirectory: $D/reg/data}, delete: {enabled: true}}"
		echo "http:"
		echo "  addr: $REG"
		if [[ $kind == tls-clientcert ]]; then
			echo "  tls:"
			echo "    certificate: $D/pki/server.crt"
			echo "    key: $D/pki/server.key"
			echo "    clientcas: [$D/pki/ca.crt]"
		fi
		[[ $kind == htpasswd ]] && echo "auth: {htpasswd: {realm: test-realm, path: $D/htpasswd}}"
	} >"$D/reg/config.yml"
	docker-registry serve "$D/reg/config.yml" >"$D/reg/log" 2>&1 &
	PIDS+=("$!")
	if [[ $kind == tls-clientcert ]]; then
		SCHEME=https
		CURLOPT=(--cacert "$D/pki/ca.crt" --cert "$D/pki/client.cert" --key "$D/pki/client.key")
	fi
	[[ $kind == htpasswd ]] && CURLOPT=(-u user:pass)
	for _ in $(seq 300); do
		curl -s "${CURLOPT[@]}" -o /dev/null "$SCHEME://$REG/v2/" && return 0
		sleep 0.1
	done
	cat "$D/reg/log" >&2
	return 1
}

# start_proxy MODE...: regproxy.py in front of $REG; sets PX
start_proxy() {
	local args=() m
	for m in "$@"; do args+=(--mode "$m"); done
	rm -f "$D/proxy.port"
	python3 "$PROXY" --upstream "$REG" --port-file "$D/proxy.port" --log "$D/proxy.log" \
		"${args[@]}" >"$D/proxy.out" 2>&1 &
	PIDS+=("$!")
	for _ in $(seq 600); do [[ -s $D/proxy.port ]] && break; sleep 0.05; done
	PX=127.0.0.1:$(cat "$D/proxy.port")
}

# fsck [ARGS]: the consistency check of berthd's root must find nothing
fsck() {
	run "$FSCK" -v "$@" "$D/root"
	echo "fsck: $output"
	[ "$status" -eq 0 ]
}

# layout DIR LAYER...: an OCI layout (tag latest) of one linux/amd64 image
# whose layers are pull-layers.py's LAYERs, gzipped. Knobs for the last
# layer: TRUNCATE=1 cuts its gzip blob in half (the descriptor has the digest
# and size of the cut bytes), SIZE_DELTA=n adds n to its descriptor's size,
# BAD_DIFFID=1 gives the config a wrong diffID for it. Sets MANIFEST (hex).
layout() {
	local dir=$1 name i=0 n
	shift
	n=$#
	mkdir -p "$dir/blobs/sha256"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
	local diffs=() descs=()
	for name in "$@"; do
		i=$((i + 1))
		python3 "$LAYERS" "$name" "$dir/$name.tar" "$D/outside"
		gzip -n -1 -c "$dir/$name.tar" >"$dir/$name.tgz"
		local diff
		diff=$(sha "$dir/$name.tar")
		if [[ $i -eq $n && -n ${TRUNCATE:-} ]]; then
			head -c $(($(size "$dir/$name.tgz") / 2)) "$dir/$name.tgz" >"$dir/$name.cut"
			mv "$dir/$name.cut" "$dir/$name.tgz"
		fi
		[[ $i -eq $n && -n ${BAD_DIFFID:-} ]] && diff=$(sha "$dir/oci-layout")
		local h s
		h=$(put "$dir/$name.tgz" "$dir")
		s=$(size "$dir/$name.tgz")
		[[ $i -eq $n ]] && s=$((s + ${SIZE_DELTA:-0}))
		diffs+=("sha256:$diff")
		descs+=("$(jq -nc --arg d "sha256:$h" --argjson s "$s" \
			'{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}')")
	done
	printf '%s\n' "${diffs[@]}" | jq -R . | jq -sc '{architecture: "amd64", os: "linux",
		created: "2026-11-30T10:00:00Z", config: {Cmd: ["sh"]},
		rootfs: {type: "layers", diff_ids: .}}' >"$dir/config.json"
	local c
	c=$(put "$dir/config.json" "$dir")
	printf '%s\n' "${descs[@]}" | jq -sc --arg c "sha256:$c" --argjson cs "$(size "$dir/config.json")" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		  layers: .}' >"$dir/manifest.json"
	MANIFEST=$(put "$dir/manifest.json" "$dir")
	jq -n --arg d "sha256:$MANIFEST" --argjson s "$(size "$dir/manifest.json")" \
		'{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
		  digest: $d, size: $s, annotations: {"org.opencontainers.image.ref.name": "latest"}}]}' \
		>"$dir/index.json"
}

# push_raw DIR REPO: the layout's blobs and manifest to $REG/REPO:latest with
# curl (a monolithic upload per blob), so nothing checks or repairs them
push_raw() {
	local dir=$1 repo=$2 f h loc
	for f in "$dir"/blobs/sha256/*; do
		h=$(basename "$f")
		[[ $h == "$MANIFEST" ]] && continue
		loc=$(curl -s "${CURLOPT[@]}" -D - -o /dev/null -X POST "$SCHEME://$REG/v2/$repo/blobs/uploads/" |
			tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
		[[ $loc == /* ]] && loc=$SCHEME://$REG$loc
		[[ $loc == *\?* ]] && loc="$loc&digest=sha256:$h" || loc="$loc?digest=sha256:$h"
		curl -sf "${CURLOPT[@]}" -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' \
			--data-binary "@$f" "$loc"
	done
	curl -sf "${CURLOPT[@]}" -o /dev/null -X PUT -H "Content-Type: $MT_OCI" \
		--data-binary "@$dir/manifest.json" "$SCHEME://$REG/v2/$repo/manifests/latest"
}

# mount_image REF MNT: the image's snapshot chain as one read-only overlay
mount_image() {
	local out upper lower
	out=$(curl -s --unix-socket "$SOCK" "http://berth/v1.41/images/$1/json")
	upper=$(jq -r '.GraphDriver.Data.UpperDir' <<<"$out")
	lower=$(jq -r '.GraphDriver.Data.LowerDir // empty' <<<"$out")
	mkdir -p "$2"
	mount -t overlay overlay -o "lowerdir=$upper${lower:+:$lower}" "$2"
	MOUNTS+=("$2")
}

no_image() {
	run b images -q
	[ "$output" = "" ]
	run curl -s --unix-socket "$SOCK" http://berth/v1.41/info
	[ "$(jq -r .Images <<<"$output")" = 0 ]
}

# check_tree DIR NLINK: the image of layers base, upper, top as seen in DIR
# (an overlay of its snapshots, or a native snapshot's full tree); NLINK is
# the link count of f/link (3 through overlay, which shows the lower inode;
# 2 in a copy, where top replaced f/orig by a new file)
check_tree() {
	local m=$1
	# whiteouts: a file, a whole directory (and its symlinks), a dir replaced by a file
	[ ! -e "$m/a/gone" ] && [ ! -L "$m/a/gone" ]
	[ "$(cat "$m/a/keep")" = keep ]
	[ "$(cat "$m/a/added")" = added ]
	[ ! -e "$m/s" ] && [ ! -L "$m/s" ]
	[ -f "$m/g2" ] && [ "$(cat "$m/g2")" = "g2 is a file now" ]
	# opaque dir: only the upper layer's content
	[ "$(ls -A "$m/opq")" = new ]
	# hardlinks: within a dir and across dirs in the base, across dirs in the upper
	[ "$(stat -c %i "$m/f/link")" = "$(stat -c %i "$m/g/link2")" ]
	[ "$(stat -c %h "$m/g/link2")" = "$2" ]
	[ "$(cat "$m/g/link2")" = hardlinked ]
	[ "$(stat -c %i "$m/h2/one")" = "$(stat -c %i "$m/h3/two")" ]
	[ "$(stat -c %h "$m/h3/two")" = 2 ]
	# f/orig was replaced by the top layer: a new inode, its own mode and mtime
	[ "$(cat "$m/f/orig")" = replaced ]
	[ "$(stat -c '%a %Y' "$m/f/orig")" = "600 1700000000" ]
	[ "$(stat -c %i "$m/f/orig")" != "$(stat -c %i "$m/f/link")" ]
	# xattrs: the upper layer's file wins with its own attributes
	[ "$(xattr "$m/x/attr" user.test)" = upper ]
	[ "$(xattr "$m/x/attr" user.second)" = 2 ]
	# modes, owners, mtimes (files and a directory)
	[ "$(stat -c '%a %u:%g %Y' "$m/x/suid")" = "4755 0:0 1600000000" ]
	[ "$(stat -c '%a' "$m/x/sgid")" = 2711 ]
	[ "$(stat -c '%a' "$m/x/sticky")" = 1777 ]
	[ "$(stat -c '%u:%g %Y' "$m/x/owned")" = "1000:1000 1234567890" ]
	[ "$(stat -c '%Y' "$m/x")" = 1500000000 ]
	[ "$(stat -c '%a %Y' "$m/f/link")" = "640 1600000000" ]
	# devices and a fifo
	[ "$(stat -c '%F %t:%T %a' "$m/dev/null2")" = "character special file 1:3 666" ]
	[ "$(stat -c '%F %t:%T %a' "$m/dev/loop9")" = "block special file 7:9 660" ]
	[ "$(stat -c '%F %a' "$m/dev/fifo")" = "fifo 600" ]
	# the big file, byte for byte
	[ "$(stat -c %s "$m/big")" = 67108864 ]
	[ "$(python3 -c 'import random,hashlib; print(hashlib.sha256(random.Random(42).randbytes(64<<20)).hexdigest())')" = "$(sha "$m/big")" ]
}

xattr() {
	python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], sys.argv[2]).decode())' "$1" "$2"
}

# pull_rich: the image of layers base, upper, top copied with skopeo and
# pulled; sets GD (the image's GraphDriver.Data)
pull_rich() {
	start_registry
	layout "$D/good" base upper top
	skopeo copy --quiet --dest-tls-verify=false "oci:$D/good:latest" "docker://$REG/rich:latest" >&2
	start_berthd
	run b pull "$REG/rich:latest"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Status: Downloaded newer image for $REG/rich:latest"* ]]
	GD=$(curl -s --unix-socket "$SOCK" "http://berth/v1.41/images/$REG/rich:latest/json" |
		jq -c .GraphDriver.Data)
}

@test "pull-images: whiteouts, opaque dirs, hardlinks, symlinks, xattrs, devices, setuid, a 64 MiB file: the merged view is exact; fsck clean" {
	pull_rich
	local m=$D/mnt
	mount_image "$REG/rich:latest" "$m"
	check_tree "$m" 3
	umount "$m"
	MOUNTS=()

	# the symlinks, from the base layer's own directory
	local lower base
	lower=$(jq -r .LowerDir <<<"$GD")
	base=${lower##*:}
	[ "$(readlink "$base/s/abs")" = /etc/hostname ]
	[ "$(readlink "$base/s/rel")" = ../a/keep ]
	# the layers as unpacked: overlay's whiteout and opaque marks
	local up=${lower%%:*}
	[ "$(stat -c '%F %t:%T' "$up/a/gone")" = "character special file 0:0" ]
	[ "$(xattr "$up/opq" trusted.overlay.opaque)" = y ]

	fsck
	# and again after a restart of berthd (nothing left behind by the start)
	kill -TERM "$BPID"
	wait "$BPID" || true
	fsck
	start_berthd
	run b pull "$REG/rich:latest"
	[[ $output == *"Status: Image is up to date for $REG/rich:latest"* ]]
	fsck
}

@test "pull-images: the same image with the native snapshotter: whiteouts applied, the top snapshot's tree is exact; fsck clean" {
	echo '{"storage-driver": "native"}' >"$D/daemon.json"
	pull_rich
	[ "$(curl -s --unix-socket "$SOCK" "http://berth/v1.41/images/$REG/rich:latest/json" |
		jq -r .GraphDriver.Name)" = vfs ]
	check_tree "$(jq -r .UpperDir <<<"$GD")" 2
	local lower
	lower=$(jq -r .LowerDir <<<"$GD")
	[ "$(readlink "${lower##*:}/s/rel")" = ../a/keep ]
	# no overlay marks in a native tree
	[ ! -e "${lower%%:*}/a/gone" ]
	fsck
}

# hostile REPO LAYER [expected message]: a base layer then LAYER; the pull
# fails with a message, no image appears, nothing lands outside, fsck clean
hostile() {
	local repo=$1 layer=$2 want=${3:-}
	layout "$D/l-$repo" upper "$layer"
	push_raw "$D/l-$repo" "$repo"
	run b pull "$REG/$repo:latest"
	echo "$repo: $output"
	PULL_OUT=$output
	[ "$status" -ne 0 ]
	[[ -z $want || $output == *"$want"* ]]
	no_image
	[ "$(ls -A "$D/outside")" = target ]
	[ "$(cat "$D/outside/target")" = "outside, do not touch" ]
	! grep -q "$D/root" /proc/self/mountinfo
	fsck ${FSCK_ARGS:-}
}

# hostile_all: every hostile layer of pull-layers.py, then a good image
hostile_all() {
	start_registry
	mkdir "$D/outside"
	echo "outside, do not touch" >"$D/outside/target"
	start_berthd
	hostile dotdot dotdot "climbs out of the root"
	hostile absolute absolute "layer entry"
	hostile symlink-write symlink-write "layer entry"
	hostile hardlink-out hardlink-out "climbs out of the root"
	hostile hardlink-abs hardlink-abs "layer entry"
	hostile dir-swap dir-swap "layer entry"
	hostile rel-climb rel-climb "layer entry"
	if [[ ${1:-} != native ]]; then
		hostile whiteout-through whiteout-through "layer entry"
	else
		# applied whiteouts: one in a directory that resolves to nothing
		# inside the root hides nothing (as a whiteout of an absent file),
		# so this pull succeeds; the file outside stays
		layout "$D/l-wt" upper whiteout-through
		push_raw "$D/l-wt" wt
		run b pull "$REG/wt:latest"
		echo "$output"
		[ "$status" -eq 0 ]
		[ "$(cat "$D/outside/target")" = "outside, do not touch" ]
		run b rmi "$REG/wt:latest"
		[ "$status" -eq 0 ]
		fsck
	fi
	# the store still works: a good image pulls after all that
	layout "$D/fine" upper
	push_raw "$D/fine" fine
	run b pull "$REG/fine:latest"
	echo "$output"
	[ "$status" -eq 0 ]
	fsck
}

@test "pull-images: hostile layer entries (../, absolute, symlink write-through, hardlink out, dir swap, whiteout through a symlink): clean errors, nothing outside, no image, fsck clean" {
	hostile_all
}

@test "pull-images: the hostile layers with the native snapshotter (whiteouts applied, serial unpack): the same" {
	echo '{"storage-driver": "native"}' >"$D/daemon.json"
	hostile_all native
}

@test "pull-images: a truncated gzip blob whose digest matches, a wrong layer size, diffIDs that do not match: errors, no image, fsck clean" {
	start_registry
	mkdir "$D/outside"
	echo "outside, do not touch" >"$D/outside/target"
	start_berthd
	# not hostile: the same layer twice in one image, into an empty store
	layout "$D/dup" top top
	push_raw "$D/dup" dup
	run b pull "$REG/dup:latest"
	echo "$output"
	[ "$status" -eq 0 ]
	run b rmi "$REG/dup:latest"
	[ "$status" -eq 0 ]
	fsck
	TRUNCATE=1 hostile truncated top ""
	[[ $PULL_OUT == *"failed to register layer sha256:"*"truncated gzip input"* ]]
	FSCK_ARGS=--allow-ingests SIZE_DELTA=100 hostile bigger top ""
	SIZE_DELTA=-100 hostile smaller top "is larger than its size"
	# the ingest the wrong size left does not stand in the way of the right one
	layout "$D/fixed" upper top
	push_raw "$D/fixed" fixed
	run b pull "$REG/fixed:latest"
	echo "$output"
	[ "$status" -eq 0 ]
	# a layer blob already in the store (from fixed): its size is still
	# checked against the descriptor
	SIZE_DELTA=100 layout "$D/known" top upper
	push_raw "$D/known" known
	run b pull "$REG/known:latest"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"size mismatch: the descriptor says"* ]]
	run b images -q
	[ "${#lines[@]}" -eq 1 ]
	run b rmi "$REG/fixed:latest"
	[ "$status" -eq 0 ]
	no_image
	fsck
	BAD_DIFFID=1 hostile diffid top "diffID mismatch"
	# the blob that was cut is kept (its digest is right) but no image uses it
	run b pull "$REG/truncated:latest"
	[ "$status" -ne 0 ]
	fsck
}

@test "pull-images: TLS with a client certificate from certs.d next to --config-file" {
	command -v openssl >/dev/null || skip "openssl not installed"
	make_pki
	start_registry tls-clientcert
	layout "$D/img" upper
	push_raw "$D/img" tls
	# certs.d/<host:port>/ next to daemon.json: the CA and the client pair
	mkdir -p "$D/certs.d/$REG"
	cp "$D/pki/ca.crt" "$D/pki/client.cert" "$D/pki/client.key" "$D/certs.d/$REG/"
	start_berthd
	run b pull "$REG/tls:latest"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Status: Downloaded newer image for $REG/tls:latest"* ]]
	fsck
	# a certificate without its key is an error that names the file
	rm "$D/certs.d/$REG/client.key"
	run b pull "$REG/tls:other"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"$D/certs.d/$REG/client.key"* ]]
	fsck
}

@test "pull-images: htpasswd Basic auth with the credentials of the CLI's config.json" {
	command -v htpasswd >/dev/null || skip "htpasswd not installed (apache2-utils)"
	htpasswd -Bbc "$D/htpasswd" user pass 2>/dev/null
	start_registry htpasswd
	layout "$D/img" upper
	push_raw "$D/img" auth
	start_berthd
	mkdir -p "$D/cli"
	run b --config "$D/cli" pull "$REG/auth:latest"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"no basic auth credentials"* ]]
	jq -n --arg k "$REG" --arg a "$(printf user:nope | base64 -w0)" '{auths: {($k): {auth: $a}}}' \
		>"$D/cli/config.json"
	run b --config "$D/cli" pull "$REG/auth:latest"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"unauthorized"* ]]
	no_image
	jq -n --arg k "$REG" --arg a "$(printf user:pass | base64 -w0)" '{auths: {($k): {auth: $a}}}' \
		>"$D/cli/config.json"
	run b --config "$D/cli" pull "$REG/auth:latest"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Status: Downloaded newer image for $REG/auth:latest"* ]]
	fsck
}

@test "pull-images: the Bearer token flow through regproxy.py" {
	start_registry
	layout "$D/img" base upper
	push_raw "$D/img" tok
	start_proxy token
	start_berthd
	run b pull "$PX/tok:latest"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Status: Downloaded newer image for $PX/tok:latest"* ]]
	grep -q "TOKEN service=regproxy scope=repository:tok:pull" "$D/proxy.log"
	# one token for the whole pull
	[ "$(grep -c '^TOKEN' "$D/proxy.log")" = 1 ]
	fsck
}

@test "pull-images: berthd killed with -9 in the middle of a pull: fsck clean before and after the pull completes" {
	start_registry
	layout "$D/img" base upper
	push_raw "$D/img" killed
	start_proxy stall
	start_berthd
	b pull "$PX/killed:latest" >"$D/pull1.out" 2>&1 &
	local cpid=$!
	local data=
	for _ in $(seq 200); do
		data=$(find "$D/root/content/ingest" -name data -size +0 2>/dev/null | head -1)
		[[ -n $data ]] && break
		sleep 0.1
	done
	[ -n "$data" ]
	kill -KILL "$BPID"
	wait "$BPID" 2>/dev/null || true
	wait "$cpid" || true
	# the interrupted download stays as an ingest to resume, nothing else is off
	fsck --allow-ingests
	start_berthd
	fsck --allow-ingests
	run b pull "$PX/killed:latest"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "range=bytes=[1-9]" "$D/proxy.log"
	fsck
}

@test "pull-images: two pulls at once of images that share a 64 MiB layer: both complete, one blob, fsck clean" {
	start_registry
	layout "$D/one" base upper
	push_raw "$D/one" one
	layout "$D/two" base top
	push_raw "$D/two" two
	start_berthd
	b pull "$REG/one:latest" >"$D/one.out" 2>&1 &
	local p1=$!
	b pull "$REG/two:latest" >"$D/two.out" 2>&1 &
	local p2=$!
	local rc1=0 rc2=0
	wait "$p1" || rc1=$?
	wait "$p2" || rc2=$?
	cat "$D/one.out" "$D/two.out"
	[ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ]
	run b images -q
	[ "${#lines[@]}" -eq 2 ]
	# the base layer once in the store
	local base
	base=$(jq -r '.layers[0].digest' "$D/one/manifest.json")
	[ -f "$D/root/content/blobs/sha256/${base#sha256:}" ]
	[ "$(jq -r '.layers[0].digest' "$D/two/manifest.json")" = "$base" ]
	fsck
}
