#!/usr/bin/env bats
# mounts, propagation, root, masked/readonly paths, /dev

load helpers

# Fields of the (last) /proc/self/mountinfo line in $output for mount point
# $1: mi_opts (per-mount options), mi_optional (propagation tags),
# mi_fstype, mi_super (super block options), mi_root (root of the mount).
mi_line() {
	printf '%s\n' "${lines[@]}" | awk -v d="$1" '$5 == d' | tail -n 1
}
mi_opts() { mi_line "$1" | awk '{print $6}'; }
mi_root() { mi_line "$1" | awk '{print $4}'; }
mi_optional() {
	mi_line "$1" | awk '{o=""; for (i = 7; $i != "-"; i++) o = o " " $i; print o}'
}
mi_fstype() { mi_line "$1" | awk '{for (i = 7; $i != "-"; i++); print $(i + 1)}'; }
mi_super() { mi_line "$1" | awk '{for (i = 7; $i != "-"; i++); print $(i + 3)}'; }

# has_opt LIST OPT: comma separated LIST contains OPT
has_opt() { [[ ",$1," == *",$2,"* ]]; }

mountinfo_ct() {
	set_args /bin/cat /proc/self/mountinfo
	run_ct
	[[ $status -eq 0 ]]
	[[ -n $(mi_line /) ]] || fail "no / in mountinfo"
}

@test "mounts: bind mount of a host directory" {
	mkdir "$TESTDIR/src"
	echo hello-bind >"$TESTDIR/src/file"
	add_bind "$TESTDIR/src" /mnt/bind
	set_args /bin/cat /mnt/bind/file
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" hello-bind
}

@test "mounts: bind mount is writable and writes reach the host" {
	mkdir "$TESTDIR/src"
	add_bind "$TESTDIR/src" /mnt/bind rw
	set_sh 'echo from-container > /mnt/bind/out'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(cat "$TESTDIR/src/out")" from-container
}

@test "mounts: bind mount of a file onto a path that does not exist yet" {
	echo file-content >"$TESTDIR/srcfile"
	add_bind "$TESTDIR/srcfile" /etc/new/bound-file
	set_sh 'test -f /etc/new/bound-file && cat /etc/new/bound-file'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" file-content
}

@test "mounts: bind is not recursive, rbind is" {
	mkdir -p "$TESTDIR/src/sub"
	host_mount -t tmpfs tmpfs "$TESTDIR/src/sub"
	echo in-submount >"$TESTDIR/src/sub/f"
	add_bind "$TESTDIR/src" /mnt/bind
	add_bind "$TESTDIR/src" /mnt/rbind rbind
	set_sh 'echo "bind=$(cat /mnt/bind/sub/f 2>/dev/null)"; echo "rbind=$(cat /mnt/rbind/sub/f)"'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv bind)" "" "bind"
	assert_eq "$(kv rbind)" in-submount "rbind"
}

@test "mounts: ro bind mount cannot be written" {
	mkdir "$TESTDIR/src"
	add_bind "$TESTDIR/src" /mnt/ro ro
	set_sh 'grep " /mnt/ro " /proc/self/mountinfo; touch /mnt/ro/x && echo WROTE'
	run_ct
	[[ $output != *WROTE* ]]
	[[ ! -e $TESTDIR/src/x ]]
	has_opt "$(awk '{print $6}' <<<"${lines[0]}")" ro || fail "not ro: ${lines[0]}"
}

@test "mounts: nosuid, nodev, noexec on a bind mount" {
	mkdir "$TESTDIR/src"
	cp "$BUNDLE/rootfs/bin/busybox" "$TESTDIR/src/busybox"
	add_bind "$TESTDIR/src" /mnt/flags nosuid nodev noexec
	set_sh 'grep " /mnt/flags " /proc/self/mountinfo; /mnt/flags/busybox true && echo EXECUTED; exit 0'
	run_ct
	[[ $status -eq 0 ]]
	local o
	o=$(awk '{print $6}' <<<"${lines[0]}")
	has_opt "$o" nosuid || fail "no nosuid: $o"
	has_opt "$o" nodev || fail "no nodev: $o"
	has_opt "$o" noexec || fail "no noexec: $o"
	[[ $output != *EXECUTED* ]]
}

@test "mounts: exec, suid, dev are the defaults for a plain bind mount" {
	mkdir "$TESTDIR/src"
	cp "$BUNDLE/rootfs/bin/busybox" "$TESTDIR/src/busybox"
	add_bind "$TESTDIR/src" /mnt/plain
	set_sh '/mnt/plain/busybox echo EXECUTED'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" EXECUTED
}

@test "mounts: relatime, strictatime, noatime" {
	add_mount /mnt/rel tmpfs tmpfs relatime
	add_mount /mnt/strict tmpfs tmpfs strictatime
	add_mount /mnt/noat tmpfs tmpfs noatime
	mountinfo_ct
	has_opt "$(mi_opts /mnt/rel)" relatime || fail "rel: $(mi_line /mnt/rel)"
	has_opt "$(mi_opts /mnt/noat)" noatime || fail "noat: $(mi_line /mnt/noat)"
	local s
	s=$(mi_opts /mnt/strict)
	[[ -n $s ]] && ! has_opt "$s" relatime && ! has_opt "$s" noatime || fail "strict: $(mi_line /mnt/strict)"
}

@test "mounts: tmpfs with size= and mode=" {
	add_mount /mnt/tmp tmpfs tmpfs size=1m mode=0710 nosuid
	set_sh 'stat -c %a /mnt/tmp; grep " /mnt/tmp " /proc/self/mountinfo'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "${lines[0]}" 710 mode
	local super
	super=$(awk '{for (i = 7; $i != "-"; i++); print $(i + 1) " " $(i + 3)}' <<<"${lines[1]}")
	[[ $super == "tmpfs "* ]] || fail "fstype: ${lines[1]}"
	has_opt "${super#tmpfs }" size=1024k || fail "size: ${lines[1]}"
	has_opt "${super#tmpfs }" mode=710 || fail "mode: ${lines[1]}"
	has_opt "$(awk '{print $6}' <<<"${lines[1]}")" nosuid || fail "nosuid: ${lines[1]}"
}

@test "mounts: tmpfs size limit is enforced" {
	add_mount /mnt/small tmpfs tmpfs size=64k
	set_sh 'dd if=/dev/zero of=/mnt/small/f bs=1k count=256 2>/dev/null && echo FITS; exit 0'
	run_ct
	[[ $output != *FITS* ]]
}

@test "mounts: proc, sysfs, devpts, mqueue, shm have the right types" {
	mountinfo_ct
	assert_eq "$(mi_fstype /proc)" proc /proc
	assert_eq "$(mi_fstype /sys)" sysfs /sys
	assert_eq "$(mi_fstype /dev)" tmpfs /dev
	assert_eq "$(mi_fstype /dev/pts)" devpts /dev/pts
	assert_eq "$(mi_fstype /dev/mqueue)" mqueue /dev/mqueue
	assert_eq "$(mi_fstype /dev/shm)" tmpfs /dev/shm
	has_opt "$(mi_opts /sys)" ro || fail "/sys not ro"
	has_opt "$(mi_opts /dev/shm)" noexec || fail "/dev/shm exec"
	has_opt "$(mi_super /dev/pts)" ptmxmode=666 || fail "devpts: $(mi_line /dev/pts)"
	has_opt "$(mi_super /dev/pts)" mode=620 || fail "devpts: $(mi_line /dev/pts)"
	has_opt "$(mi_super /dev/pts)" gid=5 || fail "devpts: $(mi_line /dev/pts)"
}

@test "mounts: proc shows the container's pid namespace" {
	set_sh 'ls /proc | grep -E "^[0-9]+$" | sort -n | tr "\n" " "'
	run_ct
	[[ $status -eq 0 ]]
	# the shell (1) and its pipeline children only
	[[ $output == "1 "* ]] || fail "pids: $output"
	local n
	n=$(wc -w <<<"$output")
	((n < 8)) || fail "too many pids: $output"
}

@test "mounts: cgroup mount" {
	mountinfo_ct
	local types
	types=$(printf '%s\n' "${lines[@]}" | awk '$5 == "/sys/fs/cgroup" || index($5, "/sys/fs/cgroup/") == 1' |
		awk '{for (i = 7; $i != "-"; i++); print $(i + 1)}' | sort -u | tr '\n' ' ')
	[[ $types == *cgroup* ]] || fail "no cgroup fs under /sys/fs/cgroup: $types"
	# the cgroup file systems (v1 hierarchies or v2) honour the "ro" option
	local rw
	rw=$(printf '%s\n' "${lines[@]}" | awk '{for (i = 7; $i != "-"; i++); if ($(i + 1) ~ /^cgroup2?$/) print $6 " " $5}' |
		grep -v '^ro,' || true)
	[[ -z $rw ]] || fail "writable cgroup mounts: $rw"
}

@test "mounts: propagation shared, private, unbindable on bind mounts" {
	mkdir -p "$TESTDIR"/{a,b,c}
	add_bind "$TESTDIR/a" /mnt/shared shared
	add_bind "$TESTDIR/b" /mnt/private private
	add_bind "$TESTDIR/c" /mnt/unbindable unbindable
	mountinfo_ct
	[[ $(mi_optional /mnt/shared) == *shared:* ]] || fail "shared: $(mi_line /mnt/shared)"
	[[ -z $(mi_optional /mnt/private) ]] || fail "private: $(mi_line /mnt/private)"
	[[ $(mi_optional /mnt/unbindable) == *unbindable* ]] || fail "unbindable: $(mi_line /mnt/unbindable)"
}

@test "mounts: propagation slave of a shared host mount" {
	mkdir -p "$TESTDIR/src"
	host_mount --bind "$TESTDIR/src" "$TESTDIR/src"
	mount --make-shared "$TESTDIR/src"
	add_bind "$TESTDIR/src" /mnt/slave slave
	set_sh 'grep " /mnt/slave " /proc/self/mountinfo; echo ready; while [ ! -e /mnt/slave/sub/f ]; do sleep 0.1; done; echo propagated'
	create_ct
	start_ct
	wait_for_line "${CT_OUT[$CT]}" ready
	local line
	line=$(head -n 1 "${CT_OUT[$CT]}")
	[[ $line == *master:* ]] || fail "not a slave: $line"
	[[ $line != *shared:* ]] || fail "still shared: $line"
	# a mount made on the host afterwards propagates into the container
	mkdir "$TESTDIR/src/sub"
	host_mount -t tmpfs tmpfs "$TESTDIR/src/sub"
	touch "$TESTDIR/src/sub/f"
	wait_for_line "${CT_OUT[$CT]}" propagated
}

@test "mounts: recursive propagation rshared, rprivate, rslave, runbindable" {
	local d
	for d in rs rp rsl ru; do
		mkdir -p "$TESTDIR/$d/sub"
		host_mount -t tmpfs tmpfs "$TESTDIR/$d/sub"
	done
	mount --make-shared "$TESTDIR/rsl/sub"
	add_bind "$TESTDIR/rs" /mnt/rs rbind rshared
	add_bind "$TESTDIR/rp" /mnt/rp rbind rprivate
	add_bind "$TESTDIR/rsl" /mnt/rsl rbind rslave
	add_bind "$TESTDIR/ru" /mnt/ru rbind runbindable
	mountinfo_ct
	[[ $(mi_optional /mnt/rs) == *shared:* ]] || fail "rs: $(mi_line /mnt/rs)"
	[[ $(mi_optional /mnt/rs/sub) == *shared:* ]] || fail "rs/sub: $(mi_line /mnt/rs/sub)"
	[[ -z $(mi_optional /mnt/rp) ]] || fail "rp: $(mi_line /mnt/rp)"
	[[ -n $(mi_line /mnt/rp/sub) && -z $(mi_optional /mnt/rp/sub) ]] || fail "rp/sub: $(mi_line /mnt/rp/sub)"
	[[ $(mi_optional /mnt/rsl/sub) == *master:* ]] || fail "rsl/sub: $(mi_line /mnt/rsl/sub)"
	[[ $(mi_optional /mnt/rsl/sub) != *shared:* ]] || fail "rsl/sub: $(mi_line /mnt/rsl/sub)"
	[[ $(mi_optional /mnt/ru) == *unbindable* ]] || fail "ru: $(mi_line /mnt/ru)"
	[[ $(mi_optional /mnt/ru/sub) == *unbindable* ]] || fail "ru/sub: $(mi_line /mnt/ru/sub)"
}

@test "mounts: container mounts do not propagate to the host" {
	mkdir -p "$TESTDIR/src"
	add_bind "$TESTDIR/src" /mnt/bind rshared
	set_sh 'mkdir -p /mnt/bind/sub && mount -t tmpfs tmpfs /mnt/bind/sub && echo mounted'
	bundle_set '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" mounted
	[[ -z $(mounts_under "$TESTDIR") ]] || fail "propagated to host: $(mounts_under "$TESTDIR")"
}

@test "mounts: root.readonly makes / read-only" {
	bundle_set '.root.readonly = true'
	set_sh 'cat /proc/self/mountinfo; touch /newfile 2>/dev/null && echo WROTE; exit 0'
	run_ct
	[[ $status -eq 0 ]]
	[[ $output != *WROTE* ]]
	[[ ! -e $BUNDLE/rootfs/newfile ]]
	has_opt "$(mi_opts /)" ro || fail "/ not ro: $(mi_line /)"
}

@test "mounts: root.readonly=false makes / writable" {
	bundle_set '.root.readonly = false'
	set_sh 'touch /newfile && echo WROTE'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" WROTE
	[[ -e $BUNDLE/rootfs/newfile ]]
}

@test "mounts: root.path may be absolute" {
	mv "$BUNDLE/rootfs" "$TESTDIR/elsewhere"
	bundle_set '.root.path = $p' --arg p "$TESTDIR/elsewhere"
	set_args /bin/echo abs-root
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" abs-root
}

@test "mounts: missing rootfs is an error" {
	rm -rf "$BUNDLE/rootfs"
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_no_state "$CT"
}

@test "mounts: rootfsPropagation shared" {
	skip_if_runc "runc leaves the rootfs mount private (crun makes it shared)"
	bundle_set '.linux.rootfsPropagation = "shared"'
	mountinfo_ct
	[[ $(mi_optional /) == *shared:* ]] || fail "/: $(mi_line /)"
}

@test "mounts: rootfsPropagation private" {
	bundle_set '.linux.rootfsPropagation = "private"'
	mountinfo_ct
	[[ -z $(mi_optional /) ]] || fail "/: $(mi_line /)"
}

@test "mounts: rootfsPropagation unbindable" {
	skip_if_runc "runc fails to bind the rootfs (EINVAL) with unbindable"
	bundle_set '.linux.rootfsPropagation = "unbindable"'
	mountinfo_ct
	[[ $(mi_optional /) == *unbindable* ]] || fail "/: $(mi_line /)"
}

@test "mounts: maskedPaths hide a file and a directory" {
	mkdir -p "$BUNDLE/rootfs/secret-dir"
	echo topsecret >"$BUNDLE/rootfs/secret-dir/data"
	echo topsecret >"$BUNDLE/rootfs/etc/secret-file"
	bundle_set '.linux.maskedPaths += ["/etc/secret-file", "/secret-dir", "/does/not/exist"]'
	set_sh 'echo "file=$(cat /etc/secret-file)"; echo "dir=$(ls -A /secret-dir)";
		echo "kcore=$(head -c 16 /proc/kcore | wc -c)"; grep -E " /(secret-dir|etc/secret-file) " /proc/self/mountinfo'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv file)" "" "masked file content"
	assert_eq "$(kv dir)" "" "masked dir listing"
	assert_eq "$(kv kcore)" 0 "masked /proc/kcore"
	local dirline
	dirline=$(printf '%s\n' "${lines[@]}" | grep ' /secret-dir ')
	[[ $dirline == *" - tmpfs "* ]] || fail "masked dir is not a tmpfs: $dirline"
	has_opt "$(awk '{print $6}' <<<"$dirline")" ro || fail "masked dir not ro: $dirline"
	# the host data is untouched
	assert_eq "$(cat "$BUNDLE/rootfs/etc/secret-file")" topsecret
}

@test "mounts: maskedPaths file cannot be written" {
	echo data >"$BUNDLE/rootfs/etc/secret-file"
	bundle_set '.root.readonly = false | .linux.maskedPaths += ["/etc/secret-file"]'
	set_sh 'echo overwritten > /etc/secret-file; cat /etc/secret-file; exit 0'
	run_ct
	[[ $output != *overwritten* ]]
	assert_eq "$(cat "$BUNDLE/rootfs/etc/secret-file")" data
}

@test "mounts: readonlyPaths cannot be written" {
	mkdir -p "$BUNDLE/rootfs/data"
	bundle_set '.root.readonly = false | .linux.readonlyPaths += ["/data", "/does/not/exist"]'
	set_sh 'touch /data/x && echo WROTE-DATA; echo 1 > /proc/sys/kernel/domainname && echo WROTE-PROC;
		touch /ok && echo root-writable; grep " /data " /proc/self/mountinfo; exit 0'
	run_ct
	[[ $status -eq 0 ]]
	[[ $output != *WROTE-DATA* ]]
	[[ $output != *WROTE-PROC* ]]
	[[ $output == *root-writable* ]]
	local l
	l=$(printf '%s\n' "${lines[@]}" | grep ' /data ')
	has_opt "$(awk '{print $6}' <<<"$l")" ro || fail "/data not ro: $l"
}

@test "mounts: --no-pivot" {
	set_sh 'echo no-pivot-ok; cat /etc/hostname'
	rt run --no-pivot --bundle "$BUNDLE" "$CT"
	[[ $status -eq 0 ]]
	assert_eq "${lines[0]}" no-pivot-ok
	assert_eq "${lines[1]}" berth-test
}

escape_setup() {
	mkdir -p "$TESTDIR/outside"
	ln -s "../../../../../../../../..$TESTDIR/outside/rel" "$BUNDLE/rootfs/evil"
	ln -s "$TESTDIR/outside/abs" "$BUNDLE/rootfs/evil-abs"
}

escape_check_host() {
	[[ ! -e $TESTDIR/outside/rel && ! -e $TESTDIR/outside/abs ]] ||
		fail "created outside the rootfs: $(ls -la "$TESTDIR/outside")"
	[[ -z $(mounts_under "$TESTDIR/outside") ]] || fail "mounted outside the rootfs"
	assert_no_leftover_processes
}

@test "mounts: a destination through a symlink never reaches outside the rootfs" {
	escape_setup
	add_mount /evil/sub tmpfs tmpfs
	add_mount /evil-abs tmpfs tmpfs
	set_args /bin/true
	rt run --bundle "$BUNDLE" "$CT"
	# whatever the runtime does (reject or resolve inside the rootfs),
	# the host side must stay untouched
	escape_check_host
	rt delete --force "$CT"
	assert_no_state "$CT"
}

@test "mounts: a destination through a symlink leaving the rootfs is rejected" {
	skip_if_runc "runc resolves the symlink inside the rootfs instead of failing"
	escape_setup
	add_mount /evil/sub tmpfs tmpfs
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_contains "$output" /evil/sub
	assert_no_state "$CT"
	escape_check_host
}

@test "mounts: /dev has the standard devices" {
	set_sh 'for d in null zero full random urandom tty; do
		if [ -c /dev/$d ]; then echo "$d=$(stat -c "%t:%T" /dev/$d)"; else echo "$d=missing"; fi
	done'
	run_ct
	[[ $status -eq 0 ]]
	# stat prints major:minor in hex
	assert_eq "$(kv null)" 1:3 null
	assert_eq "$(kv zero)" 1:5 zero
	assert_eq "$(kv full)" 1:7 full
	assert_eq "$(kv random)" 1:8 random
	assert_eq "$(kv urandom)" 1:9 urandom
	assert_eq "$(kv tty)" 5:0 tty
}

@test "mounts: the standard devices work" {
	set_sh 'echo x > /dev/null && echo null-ok; head -c 4 /dev/zero | od -An -tx1 | tr -d " ";
		{ echo x > /dev/full; } 2>/dev/null || echo full-enospc; head -c 8 /dev/urandom | wc -c'
	run_ct
	[[ ${lines[0]} == null-ok ]]
	[[ ${lines[1]} == 00000000 ]]
	[[ ${lines[2]} == full-enospc ]]
	[[ ${lines[3]} == 8 ]]
}

@test "mounts: /dev/pts, /dev/ptmx, /dev/fd, /dev/std* links" {
	set_sh 'test -d /dev/pts && echo pts=dir
		if [ -L /dev/ptmx ]; then echo "ptmx=$(readlink /dev/ptmx)"; elif [ -c /dev/ptmx ]; then echo "ptmx=char"; fi
		echo "fd=$(readlink /dev/fd)"
		echo "stdin=$(readlink /dev/stdin)"
		echo "stdout=$(readlink /dev/stdout)"
		echo "stderr=$(readlink /dev/stderr)"
		ls /dev/fd/ >/dev/null && echo fdlist=ok'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv pts)" dir
	[[ $(kv ptmx) == pts/ptmx || $(kv ptmx) == /dev/pts/ptmx || $(kv ptmx) == char ]] || fail "ptmx: $(kv ptmx)"
	assert_eq "$(kv fd)" /proc/self/fd
	assert_eq "$(kv stdin)" /proc/self/fd/0
	assert_eq "$(kv stdout)" /proc/self/fd/1
	assert_eq "$(kv stderr)" /proc/self/fd/2
	assert_eq "$(kv fdlist)" ok
}

@test "mounts: /dev has nothing from the host" {
	set_sh 'ls /dev'
	run_ct
	[[ $status -eq 0 ]]
	local d
	for d in vda kmsg mem port; do
		[[ " ${lines[*]} " != *" $d "* ]] || fail "/dev/$d leaked into the container"
	done
}

@test "mounts: linux.devices creates a device node with mode and owner" {
	bundle_set '.linux.devices = [{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 416, uid: 1000, gid: 1001}]'
	set_sh 'stat -c "%F|%t:%T|%a|%u|%g" /dev/fuse'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" "character special file|a:e5|640|1000|1001" "device"
}

@test "mounts: linux.devices block device" {
	bundle_set '.linux.devices = [{path: "/dev/blk0", type: "b", major: 7, minor: 0, fileMode: 384, uid: 0, gid: 0}]'
	set_sh 'stat -c "%F|%t:%T|%a" /dev/blk0'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" "block special file|7:0|600" "device"
}

@test "mounts: unknown mount type fails" {
	add_mount /mnt/x no-such-fs none
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_no_state "$CT"
	assert_no_leftover_processes
}

@test "mounts: bind mount of a missing source fails naming it" {
	add_bind "$TESTDIR/nosuch-src" /mnt/x
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_contains "$output" nosuch-src
	assert_no_state "$CT"
	assert_no_leftover_processes
}
