#!/bin/bash
# mkimage.sh OUTDIR [PROBE]
#
# Build the test image from the busybox rootfs (tests/fixtures/mkrootfs.sh,
# with the static probe helper at /probe), without any registry:
#
#   OUTDIR/rootfs.tar   the root filesystem as a plain tar (docker/podman import)
#   OUTDIR/image.tar    one image, single layer, in both archive formats at once:
#                       an OCI image layout (oci-layout, index.json, blobs/sha256/*)
#                       for `ctr image import`, and a docker-archive manifest.json
#                       pointing at the same blobs for `docker load`
#   OUTDIR/image.ref    the image name inside image.tar
#
# The image config has Env PATH=... and Cmd ["/bin/sh"]. The build is
# reproducible (sorted, mtime 0, numeric owners).
set -euo pipefail

die() { echo "mkimage: $*" >&2; exit 1; }
[[ $# -ge 1 ]] || die "usage: mkimage.sh OUTDIR [PROBE]"
out=$1
probe=${2:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
ref=${COMPAT_IMAGE_REF:-docker.io/berth/compat:latest}

case $(uname -m) in
x86_64) arch=amd64 ;;
aarch64) arch=arm64 ;;
*) arch=$(uname -m) ;;
esac

mkdir -p "$out"
work=$(mktemp -d "$out/.mkimage.XXXXXX")
trap 'rm -rf --one-file-system "$work"' EXIT

"$repo/tests/fixtures/mkrootfs.sh" "$work/rootfs" ${probe:+"$probe"} >&2
# a file under /run, where engines put a tmpfs (podman --read-only copies
# it up: "tmpcopyup")
echo image-run-file >"$work/rootfs/run/image-marker"
tarit() { # DIR FILE
	tar --sort=name --mtime=@0 --numeric-owner --format=posix \
		--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
		-C "$1" -cf "$2" .
}
tarit "$work/rootfs" "$work/rootfs.tar"

blobs=$work/oci/blobs/sha256
mkdir -p "$blobs"
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
# put FILE: move FILE into blobs/ under its digest, print the digest (hex)
put() {
	local d
	d=$(sha "$1")
	mv "$1" "$blobs/$d"
	echo "$d"
}

cp "$work/rootfs.tar" "$work/layer"
layer_size=$(size "$work/layer")
layer=$(put "$work/layer")

jq -cn --arg arch "$arch" --arg diff "sha256:$layer" '{
	created: "1970-01-01T00:00:00Z",
	architecture: $arch,
	os: "linux",
	config: {
		Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
		Cmd: ["/bin/sh"],
		WorkingDir: "/"
	},
	rootfs: {type: "layers", diff_ids: [$diff]},
	history: [{created: "1970-01-01T00:00:00Z", created_by: "berth tests/compat/mkimage.sh"}]
}' >"$work/config"
config_size=$(size "$work/config")
config=$(put "$work/config")

jq -cn --arg c "sha256:$config" --argjson cs "$config_size" \
	--arg l "sha256:$layer" --argjson ls "$layer_size" '{
	schemaVersion: 2,
	mediaType: "application/vnd.oci.image.manifest.v1+json",
	config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
	layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]
}' >"$work/manifest"
manifest_size=$(size "$work/manifest")
manifest=$(put "$work/manifest")

tag=${ref##*/}
tag=${tag##*:}
jq -cn --arg m "sha256:$manifest" --argjson ms "$manifest_size" --arg ref "$ref" --arg tag "$tag" \
	--arg arch "$arch" '{
	schemaVersion: 2,
	mediaType: "application/vnd.oci.image.index.v1+json",
	manifests: [{
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		digest: $m, size: $ms,
		platform: {architecture: $arch, os: "linux"},
		annotations: {"io.containerd.image.name": $ref, "org.opencontainers.image.ref.name": $tag}
	}]
}' >"$work/oci/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/oci/oci-layout"
# docker-archive view of the same blobs (docker load)
short=${ref#docker.io/}
jq -cn --arg c "blobs/sha256/$config" --arg l "blobs/sha256/$layer" --arg t "$short" \
	'[{Config: $c, RepoTags: [$t], Layers: [$l]}]' >"$work/oci/manifest.json"

tarit "$work/oci" "$work/image.tar"
mv "$work/rootfs.tar" "$out/rootfs.tar"
mv "$work/image.tar" "$out/image.tar"
echo "$ref" >"$out/image.ref"
