#!/bin/bash
# Install the Debian 12 packages berth needs to build, test and benchmark.
# Idempotent: packages already present are not fetched again.
set -euo pipefail

packages=(
	# build
	gcc meson ninja-build pkg-config libjansson-dev libcap-dev libseccomp-dev clang-format
	# the systemd cgroup driver: sd-bus headers (libsystemd is dlopen'ed at run time)
	libsystemd-dev
	# berthd core and engine (lib/core, lib/engine)
	libssl-dev libarchive-dev libsqlite3-dev libcurl4-openssl-dev libmicrohttpd-dev zlib1g-dev libzstd-dev
	# tests
	libcmocka-dev bats busybox-static jq iproute2 python3 util-linux procps file
	# the container tests: curl on the API socket, sqlite3 to corrupt metadata.db
	curl sqlite3
	# the docker SDK (containers-io.bats, docker-compat.bats)
	python3-docker
	# systemd-cgroup.bats: a private dbus-daemon and the fake systemd on it
	dbus-daemon python3-dbus python3-gi
	# benchmark peers
	runc crun hyperfine time
	# drop-in tests (tests/compat): the engines that drive the runtime. Their
	# Depends bring the rest (runc, tini for docker --init, iptables, CNI
	# plugins); podman's Recommends (uidmap, slirp4netns, fuse-overlayfs,
	# catatonit) are for rootless podman, its networks and --init, which the
	# suite does not use (root, --network none, kernel overlay)
	containerd docker.io podman conmon
	# registry tests (tests/integration/registry.bats): a real registry, htpasswd
	# for its Basic auth, openssl for the test CA, skopeo as an outside client
	docker-registry apache2-utils openssl skopeo
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
