#!/usr/bin/env bats
# save, load, import, login and system df end to end: berthd with its own
# dirs, Debian's docker-registry on 127.0.0.1 (plain and htpasswd), the berth
# CLI, curl and the real docker CLIs (/usr/local/bin/docker and Debian's
# /usr/bin/docker). Images are made here (the OCI layout of images.bats,
# copied into the registry with skopeo, or imported from a rootfs tar).
# Every process is started by the test and stopped by PID; all files live
# in a temp dir removed in teardown.

BERTH_BUILD=${BERTH_BUILD:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build}
BERTHD=${BERTHD:-$BERTH_BUILD/cmd/berthd/berthd}
BERTH=${BERTH:-$BERTH_BUILD/cmd/berth/berth}
DOCKER=${DOCKER:-/usr/local/bin/docker}
DEBIAN_DOCKER=${DEBIAN_DOCKER:-/usr/bin/docker}

load images-helpers

setup() {
	images_setup sl
}

# a rootfs tar (busybox and a few links) at $D/rootfs.tar
make_rootfs() {
	mkdir -p "$D/rootfs/bin" "$D/rootfs/etc"
	cp /bin/busybox "$D/rootfs/bin/busybox"
	for a in sh ls cat; do ln -s busybox "$D/rootfs/bin/$a"; done
	echo imported >"$D/rootfs/etc/hostname"
	tar -C "$D/rootfs" --sort=name --owner=0 --group=0 -cf "$D/rootfs.tar" .
}

# no image record and no snapshot left over
no_leftovers() {
	[ "$(b images -q | wc -l)" -eq "${1:-0}" ]
}

@test "save-load: login against docker-registry with htpasswd: right and wrong password" {
	command -v htpasswd >/dev/null || skip "htpasswd not installed (apache2-utils)"
	htpasswd -Bbc "$D/htpasswd" user pass 2>/dev/null
	start_registry htpasswd
	start_berthd
	run b --config "$D/cfg" login -u user -p wrong "$REG"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Error response from daemon: Get \"http://$REG/v2/\": unauthorized: "* ]]
	[ ! -e "$D/cfg/config.json" ] || ! grep -q "$REG" "$D/cfg/config.json"
	run b --config "$D/cfg" login -u user -p pass "$REG"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Login Succeeded"* ]]
	[ "$(jq -r --arg r "$REG" '.auths[$r].auth' "$D/cfg/config.json")" = "$(printf user:pass | base64)" ]
	# the real CLI
	run env DOCKER_CONFIG="$D/dcfg" "$DOCKER" -H "unix://$SOCK" login -u user -p pass "$REG"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Login Succeeded"* ]]
	run curl -s --unix-socket "$SOCK" -H 'Content-Type: application/json' \
		-d "{\"username\":\"user\",\"password\":\"no\",\"serveraddress\":\"$REG\"}" \
		-w '\n%{http_code}' http://berth/v1.41/auth
	echo "$output"
	[ "${lines[-1]}" = 401 ]
}

@test "save-load: system df lists images with sizes" {
	start_registry
	seed busybox amd64
	start_berthd
	b pull -q "$REG/busybox:latest"
	run curl -sf --unix-socket "$SOCK" http://berth/v1.41/system/df
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.Images[0].Id' <<<"$output")" = "sha256:$CONFIG_amd64" ]
	[ "$(jq -r '.Images[0].Size > 1000000' <<<"$output")" = true ]
	[ "$(jq -r '.Images[0].Containers' <<<"$output")" = 0 ]
	[ "$(jq -r '.LayersSize > 1000000' <<<"$output")" = true ]
	[ "$(jq -c '.Containers' <<<"$output")" = '[]' ]
	[ "$(jq -c '.Volumes' <<<"$output")" = '[]' ]
	run b system df
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "TYPE"*"TOTAL"*"ACTIVE"*"SIZE"*"RECLAIMABLE" ]]
	[[ ${lines[1]} == "Images"*"1"*"0"*"MB"* ]]
	run dk system df
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == "Images"*"1"*"0"*"MB"* ]]
}

@test "save-load: import a rootfs tar (plain, gzip, zstd, xz) with changes" {
	start_berthd
	make_rootfs
	run b import -c 'CMD ["sh", "-c", "echo hi"]' -c 'ENV A=1 B="two words"' -c 'WORKDIR /srv' \
		-c 'USER nobody' -c 'LABEL l1=v1' -c 'EXPOSE 80 53/udp' -c 'VOLUME /data' \
		-c 'ENTRYPOINT /bin/sh' -m 'my message' "$D/rootfs.tar" myimg:1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} == sha256:* ]]
	id=${lines[-1]}
	run b image inspect myimg:1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	[ "$(jq -r '.[0].RootFS.Layers | length' <<<"$output")" = 1 ]
	[ "$(jq -r '.[0].RootFS.Layers[0]' <<<"$output")" = "sha256:$(sha "$D/rootfs.tar")" ]
	[ "$(jq -c '.[0].Config.Cmd' <<<"$output")" = '["sh","-c","echo hi"]' ]
	[ "$(jq -c '.[0].Config.Entrypoint' <<<"$output")" = '["/bin/sh","-c","/bin/sh"]' ]
	[ "$(jq -c '.[0].Config.Env' <<<"$output")" = '["A=1","B=two words"]' ]
	[ "$(jq -r '.[0].Config.WorkingDir' <<<"$output")" = /srv ]
	[ "$(jq -r '.[0].Config.User' <<<"$output")" = nobody ]
	[ "$(jq -r '.[0].Config.Labels.l1' <<<"$output")" = v1 ]
	[ "$(jq -c '.[0].Config.ExposedPorts' <<<"$output")" = '{"53/udp":{},"80/tcp":{}}' ]
	[ "$(jq -c '.[0].Config.Volumes' <<<"$output")" = '{"/data":{}}' ]
	[ "$(jq -r '.[0].Os' <<<"$output")" = linux ]
	[ "$(jq -r '.[0].Comment' <<<"$output")" = "my message" ]
	run b history myimg:1
	echo "$output"
	[[ $output == *"my message"* ]]
	# compressed bodies give the same layer
	gzip -c "$D/rootfs.tar" >"$D/rootfs.tgz"
	xz -c "$D/rootfs.tar" >"$D/rootfs.txz"
	for f in rootfs.tgz rootfs.txz; do
		run b import "$D/$f" "imp:${f#rootfs.}"
		echo "$output"
		[ "$status" -eq 0 ]
		[ "$(b image inspect "imp:${f#rootfs.}" | jq -r '.[0].RootFS.Layers[0]')" = "sha256:$(sha "$D/rootfs.tar")" ]
	done
	if command -v zstd >/dev/null; then
		zstd -q -c "$D/rootfs.tar" >"$D/rootfs.tzst"
		run b import "$D/rootfs.tzst" imp:zst
		[ "$status" -eq 0 ]
	fi
	# history of a plain import says where it came from
	run b history imp:tgz
	[[ $output == *"Imported from -"* ]]
	# the real CLI, from stdin, with a change
	run bash -c "\"$DOCKER\" -H unix://$SOCK import -c 'CMD [\"sh\"]' - dk:imp <'$D/rootfs.tar'"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == sha256:* ]]
	# bad changes and bad bodies: clear errors, no image
	run b import -c 'RUN echo' "$D/rootfs.tar" bad:1
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"RUN is not a valid change command"* ]]
	run b import -c 'FOO bar' "$D/rootfs.tar" bad:1
	[ "$status" -ne 0 ]
	[[ $output == *"unknown instruction: FOO"* ]]
	head -c 3000 "$D/rootfs.tgz" >"$D/trunc.tgz"
	run b import "$D/trunc.tgz" bad:2
	echo "$output"
	[ "$status" -ne 0 ]
	run b image inspect bad:1
	[ "$status" -ne 0 ]
	run b image inspect bad:2
	[ "$status" -ne 0 ]
}

@test "save-load: save writes docker-archive and OCI layout entries" {
	start_registry
	seed busybox amd64
	start_berthd
	b pull -q "$REG/busybox:latest"
	b tag "$REG/busybox:latest" other:2
	run b save -o "$D/x.tar" "$REG/busybox:latest" other:2
	echo "$output"
	[ "$status" -eq 0 ]
	tar -tvf "$D/x.tar"
	run tar -tf "$D/x.tar"
	[[ $output == *"manifest.json"* ]]
	[[ $output == *"repositories"* ]]
	[[ $output == *"/layer.tar"* ]]
	[[ $output == *"/VERSION"* ]]
	[[ $output == *"index.json"* ]]
	[[ $output == *"oci-layout"* ]]
	[[ $output == *"blobs/sha256/$CONFIG_amd64"* ]]
	[[ $output == *"blobs/sha256/$D1"* ]]
	[[ $output == *"blobs/sha256/$D2"* ]]
	mkdir "$D/x"
	tar -C "$D/x" -xf "$D/x.tar"
	jq . "$D/x/manifest.json" "$D/x/index.json" "$D/x/repositories"
	[ "$(jq -r '.[0].Config' "$D/x/manifest.json")" = "blobs/sha256/$CONFIG_amd64" ]
	[ "$(jq -c '.[0].RepoTags | sort' "$D/x/manifest.json")" = "$(jq -nc --arg a "$REG/busybox:latest" '[$a, "other:2"] | sort')" ]
	[ "$(jq -r '.[0].Layers | length' "$D/x/manifest.json")" = 2 ]
	# layers are the uncompressed tars: their digests are the diffIDs
	[ "$(sha "$D/x/blobs/sha256/$D1")" = "$D1" ]
	[ "$(sha "$D/x/blobs/sha256/$D2")" = "$D2" ]
	[ "$(sha "$D/x/blobs/sha256/$CONFIG_amd64")" = "$CONFIG_amd64" ]
	# every blob has the digest it is named by; the layout is valid for skopeo
	for f in "$D"/x/blobs/sha256/*; do [ "$(sha "$f")" = "$(basename "$f")" ]; done
	skopeo inspect --raw "oci:$D/x:latest" >/dev/null || skopeo inspect "oci:$D/x" >/dev/null
	[ "$(jq -r '.manifests | length' "$D/x/index.json")" = 2 ]
	# by path and by ID, with the docker CLI; an unknown name is a 404 before any byte
	run dk save -o "$D/y.tar" other:2
	[ "$status" -eq 0 ]
	run bash -c "curl -sf --unix-socket $SOCK http://berth/v1.41/images/other:2/get | tar -t"
	[[ $output == *manifest.json* ]]
	run b save -o "$D/z.tar" nosuch:1
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"No such image"* ]]
}

@test "save-load: save, rmi, load restores the same image ID and tags (berth, docker 28, Debian's docker)" {
	start_registry
	seed busybox amd64
	start_berthd
	b pull -q "$REG/busybox:latest"
	b tag "$REG/busybox:latest" other:2
	b save -o "$D/x.tar" "$REG/busybox:latest" other:2
	b rmi "$REG/busybox:latest" other:2
	[ "$(b images -q | wc -l)" -eq 0 ]
	[ "$(snapshots)" -eq 0 ]
	run b load -i "$D/x.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Loaded image: $REG/busybox:latest"* ]]
	[[ $output == *"Loaded image: other:2"* ]]
	[ "$(b image inspect other:2 | jq -r '.[0].Id')" = "sha256:$CONFIG_amd64" ]
	[ "$(b image inspect "$REG/busybox:latest" | jq -r '.[0].Id')" = "sha256:$CONFIG_amd64" ]
	[ "$(b image inspect other:2 | jq -c '.[0].RootFS.Layers')" = "[\"sha256:$D1\",\"sha256:$D2\"]" ]
	[ "$(snapshots)" -eq 2 ]
	# loading again changes nothing
	run b load -i "$D/x.tar"
	[ "$status" -eq 0 ]
	[ "$(snapshots)" -eq 2 ]
	# the real CLIs: save to stdout, load from stdin
	b rmi "$REG/busybox:latest"
	run bash -c "\"$DOCKER\" -H unix://$SOCK save other:2 | \"$DOCKER\" -H unix://$SOCK load"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Loaded image: other:2"* ]]
	if [[ -x $DEBIAN_DOCKER ]]; then
		run bash -c "\"$DEBIAN_DOCKER\" -H unix://$SOCK save other:2 -o $D/deb.tar && \"$DEBIAN_DOCKER\" -H unix://$SOCK rmi other:2 && \"$DEBIAN_DOCKER\" -H unix://$SOCK load -i $D/deb.tar"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ $output == *"Loaded image: other:2"* ]]
	fi
	[ "$(b image inspect other:2 | jq -r '.[0].Id')" = "sha256:$CONFIG_amd64" ]
	# an image saved by ID loads without a name
	b rmi other:2
	b load -q -i "$D/x.tar" >/dev/null
	b save -o "$D/id.tar" "$CONFIG_amd64"
	b rmi "$REG/busybox:latest" other:2
	run b load -i "$D/id.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Loaded image ID: sha256:$CONFIG_amd64"* ]]
	[ "$(b images -q | wc -l)" -eq 1 ]
}

@test "save-load: tars written by skopeo (docker-archive, oci-archive) load" {
	start_berthd
	make_layout "$D/layout" amd64
	skopeo copy --quiet "oci:$D/layout:latest" "docker-archive:$D/sk.tar:skopeo/img:1"
	tar -tf "$D/sk.tar"
	run b load -i "$D/sk.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Loaded image: skopeo/img:1"* ]]
	[ "$(b image inspect skopeo/img:1 | jq -r '.[0].Id')" = "sha256:$CONFIG_amd64" ]
	# an OCI layout tar (gzip layers), named by io.containerd.image.name or not
	b rmi skopeo/img:1
	skopeo copy --quiet "oci:$D/layout:latest" "oci-archive:$D/oci.tar:latest"
	run b load -i "$D/oci.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Loaded image ID: sha256:$CONFIG_amd64"* ]]
	b rmi "$CONFIG_amd64"
	jq '.manifests[0].annotations["io.containerd.image.name"] = "oci/img:3"' "$D/layout/index.json" >"$D/i.json"
	mv "$D/i.json" "$D/layout/index.json"
	tar -C "$D/layout" -cf "$D/oci2.tar" oci-layout index.json blobs
	run b load -i "$D/oci2.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Loaded image: oci/img:3"* ]]
	[ "$(b image inspect oci/img:3 | jq -c '.[0].RootFS.Layers')" = "[\"sha256:$D1\",\"sha256:$D2\"]" ]
	# a gzip-compressed docker-archive loads too
	gzip -c "$D/sk.tar" >"$D/sk.tar.gz"
	run b load -i "$D/sk.tar.gz"
	[ "$status" -eq 0 ]
	[[ $output == *"Loaded image: skopeo/img:1"* ]]
}

# bad NAME PYTHON: a tar made by a python snippet (tarfile t, helpers add/addlink)
# from the good archive $D/good/ must fail to load with MSG; nothing is left.
bad_tar() {
	python3 - "$D/good" "$D/bad.tar" <<-PY
		import io, json, os, sys, tarfile
		src, out = sys.argv[1], sys.argv[2]
		t = tarfile.open(out, "w")
		def add(name, data):
		    ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
		def addlink(name, target, kind=tarfile.SYMTYPE):
		    ti = tarfile.TarInfo(name); ti.type = kind; ti.linkname = target; t.addfile(ti)
		def read(name):
		    return open(os.path.join(src, name), "rb").read()
		def copy_all(skip=()):
		    for root, dirs, files in os.walk(src):
		        for f in files:
		            rel = os.path.relpath(os.path.join(root, f), src)
		            if rel not in skip and not os.path.islink(os.path.join(root, f)):
		                add(rel, read(rel))
		$1
		t.close()
	PY
}

expect_bad() {
	run b load -i "$D/bad.tar"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"$1"* ]]
	[ "$(b images -q | wc -l)" -eq 0 ]
	[ "$(snapshots)" -eq 0 ]
	[ "$(blobs)" -eq 0 ]
}

@test "save-load: malicious and broken archives fail clearly and leave nothing" {
	start_berthd
	make_rootfs
	b import "$D/rootfs.tar" good:1 >/dev/null
	b save -o "$D/good.tar" good:1
	b rmi good:1
	[ "$(blobs)" -eq 0 ]
	mkdir "$D/good"
	tar -C "$D/good" -xf "$D/good.tar"
	L=$(jq -r '.[0].Layers[0]' "$D/good/manifest.json")
	C=$(jq -r '.[0].Config' "$D/good/manifest.json")

	bad_tar 'copy_all(); add("../evil", b"x")'
	expect_bad "climbs out"
	bad_tar 'add("/etc/evil", b"x"); copy_all()'
	expect_bad "absolute"
	bad_tar 'copy_all(); addlink("x/layer.tar", "../../etc/passwd")'
	expect_bad "outside the archive"
	bad_tar 'copy_all(); addlink("dev", "/dev/null")'
	expect_bad "not a relative path"
	bad_tar 'copy_all(skip=("manifest.json",)); add("manifest.json", b"this is not json")'
	expect_bad "invalid manifest.json"
	bad_tar 'copy_all(skip=("manifest.json",)); add("manifest.json", json.dumps([{"Config": "'"$C"'", "RepoTags": ["x:1"], "Layers": ["nope/layer.tar"]}]).encode())'
	expect_bad "layer nope/layer.tar is missing"
	bad_tar 'copy_all(skip=("manifest.json",)); add("manifest.json", json.dumps([{"Config": "none.json", "RepoTags": ["x:1"], "Layers": []}]).encode())'
	expect_bad "config none.json is missing"
	bad_tar 'copy_all(skip=("manifest.json",)); add("manifest.json", json.dumps([{"Config": "'"$C"'", "RepoTags": ["x:1"], "Layers": ["../../x"]}]).encode())'
	expect_bad "climbs out"
	# a layer that is not what the config says (the blob name checked first,
	# then under another name the diffID)
	bad_tar 'copy_all(skip=("'"$L"'",)); add("'"$L"'", read("'"$L"'")[:-1024] + b"\0" * 1024 + b"x" * 512)'
	expect_bad "digest mismatch"
	bad_tar 'copy_all(skip=("manifest.json",)); add("other/layer.tar", read("'"$L"'") + b"\0" * 512); add("manifest.json", json.dumps([{"Config": "'"$C"'", "RepoTags": ["x:1"], "Layers": ["other/layer.tar"]}]).encode())'
	expect_bad "diffID mismatch"
	bad_tar 'copy_all(skip=("manifest.json", "index.json"))'
	expect_bad "no manifest.json or index.json"
	printf 'not a tar at all' >"$D/bad.tar"
	expect_bad "invalid archive"
	# a cut archive
	head -c 100000 "$D/good.tar" >"$D/bad.tar"
	expect_bad "invalid archive"
	# and the good one still loads
	run b load -i "$D/good.tar"
	[ "$status" -eq 0 ]
	[[ $output == *"Loaded image: good:1"* ]]
}

# start_dockerd: a real dockerd (Debian's 20.10) with its own dirs; DSOCK
start_dockerd() {
	command -v dockerd >/dev/null || skip "dockerd not installed"
	local r=$D/dockerd
	mkdir -p "$r"
	echo '{}' >"$r/daemon.json"
	dockerd --data-root "$r/root" --exec-root "$r/exec" -H "unix://$r/sock" \
		--pidfile "$r/pid" --bridge=none --iptables=false --storage-driver overlay2 \
		--config-file "$r/daemon.json" >"$r/log" 2>&1 &
	PIDS+=("$!")
	DSOCK=$r/sock
	for _ in $(seq 300); do
		"$DOCKER" -H "unix://$DSOCK" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	cat "$r/log" >&2
	return 1
}

@test "save-load: a tar saved by a real dockerd loads, and dockerd loads berth's" {
	start_registry
	seed busybox amd64
	start_berthd
	start_dockerd
	"$DOCKER" -H "unix://$DSOCK" pull -q "$REG/busybox:latest"
	"$DOCKER" -H "unix://$DSOCK" tag "$REG/busybox:latest" fromdockerd:1
	"$DOCKER" -H "unix://$DSOCK" save -o "$D/dockerd.tar" fromdockerd:1 "$REG/busybox:latest"
	tar -tvf "$D/dockerd.tar"
	run b load -i "$D/dockerd.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Loaded image: fromdockerd:1"* ]]
	[[ $output == *"Loaded image: $REG/busybox:latest"* ]]
	[ "$(b image inspect fromdockerd:1 | jq -r '.[0].Id')" = "sha256:$CONFIG_amd64" ]
	# the other way: berth's tar into dockerd
	b tag fromdockerd:1 fromberth:2
	b save -o "$D/berth.tar" fromberth:2
	run "$DOCKER" -H "unix://$DSOCK" load -i "$D/berth.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Loaded image: fromberth:2"* ]]
	[ "$("$DOCKER" -H "unix://$DSOCK" image inspect -f '{{.Id}}' fromberth:2)" = "sha256:$CONFIG_amd64" ]
}

@test "save-load: bodies past the 16 MiB buffer limit stream: a 40 MiB import, save and load" {
	start_berthd
	make_rootfs
	head -c $((40 << 20)) /dev/urandom >"$D/rootfs/big"
	tar -C "$D/rootfs" --sort=name --owner=0 --group=0 -cf "$D/big.tar" .
	run b import "$D/big.tar" big:1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(b image inspect big:1 | jq -r '.[0].RootFS.Layers[0]')" = "sha256:$(sha "$D/big.tar")" ]
	b save -o "$D/saved.tar" big:1
	b rmi big:1
	[ "$(blobs)" -eq 0 ]
	run b load -i "$D/saved.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Loaded image: big:1"* ]]
	[ "$(b image inspect big:1 | jq -r '.[0].RootFS.Layers[0]')" = "sha256:$(sha "$D/big.tar")" ]
	# berthd's memory stayed far below the body size
	rss=$(awk '/VmHWM/ {print $2}' "/proc/$BPID/status")
	echo "peak RSS ${rss} kB"
	[ "$rss" -lt $((30 * 1024)) ]
}
