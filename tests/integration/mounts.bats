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

# copyup_tree: /srv/data in the rootfs with files, nested directories,
# relative, absolute and escaping symlinks and a hard link, with
# modes, owners, times and an xattr; $TESTDIR/outside/secret is a host file
# a symlink points at. Everything is readable by "other": the container's
# root has no CAP_DAC_OVERRIDE.
copyup_tree() {
	local d=$BUNDLE/rootfs/srv/data
	mkdir -p "$d/sub/deeper" "$TESTDIR/outside"
	echo host-secret >"$TESTDIR/outside/secret"
	echo top-file >"$d/file"
	chown 123:456 "$d/file"
	chmod 0604 "$d/file"
	ln "$d/file" "$d/hard"
	echo deep-file >"$d/sub/deeper/f"
	chown 7:8 "$d/sub/deeper/f"
	chmod 4755 "$d/sub/deeper/f"
	chown 11:12 "$d/sub"
	chmod 0705 "$d/sub"
	ln -s sub/deeper/f "$d/rel-link"
	ln -s /etc/hostname "$d/abs-link"
	ln -s "$TESTDIR/outside" "$d/abs-out"
	ln -s "../../../../../../../../..$TESTDIR/outside" "$d/rel-out"
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.berth", b"xval")' "$d/file" ||
		true
	touch -h -d '2001-02-03 04:05:06 UTC' "$d/file" "$d/rel-link" "$d/sub/deeper" "$d/sub"
	chmod 0751 "$d"
}

@test "mounts: tmpcopyup fills the tmpfs with the directory it covers" {
	copyup_tree
	add_mount /srv/data tmpfs tmpfs nosuid tmpcopyup
	set_sh 'cd /srv/data || exit 1
		echo "cat=$(cat file sub/deeper/f rel-link abs-link | tr "\n" " ")"
		echo ".=$(stat -c "%A %u:%g" .)"
		for f in file hard sub sub/deeper sub/deeper/f rel-link abs-link; do
			echo "$f=$(stat -c "%A %u:%g" $f)"
		done
		echo "links=$(readlink rel-link) $(readlink abs-link) $(readlink abs-out) $(readlink rel-out)"
		echo "escaped=$(find . -name secret | wc -l)"
		echo "fstype=$(stat -f -c %T .)"
		echo "mountinfo=$(grep " /srv/data " /proc/self/mountinfo)"'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv cat)" "top-file deep-file deep-file berth-test " contents
	assert_eq "$(kv .)" "drwxr-x--x 0:0" "tmpfs root (mode of the covered dir)"
	assert_eq "$(kv file)" "-rw----r-- 123:456" file
	assert_eq "$(kv hard)" "-rw----r-- 123:456" "hard link"
	assert_eq "$(kv sub)" "drwx---r-x 11:12" sub
	assert_eq "$(kv sub/deeper)" "drwxr-xr-x 0:0" sub/deeper
	assert_eq "$(kv sub/deeper/f)" "-rwsr-xr-x 7:8" setuid
	assert_eq "$(kv rel-link)" "lrwxrwxrwx 0:0" rel-link
	assert_eq "$(kv links)" "sub/deeper/f /etc/hostname $TESTDIR/outside ../../../../../../../../..$TESTDIR/outside"
	assert_eq "$(kv escaped)" 0 "copied through a symlink"
	assert_eq "$(kv fstype)" tmpfs
	[[ $(kv mountinfo) != *tmpcopyup* ]] || fail "tmpcopyup passed to the kernel: $(kv mountinfo)"
	[[ -n $(kv mountinfo) ]] || fail "no tmpfs on /srv/data"
	[[ -z $(ls -A "$TESTDIR/outside" | grep -vx secret) ]] || fail "wrote outside: $(ls -A "$TESTDIR/outside")"
}

@test "mounts: tmpcopyup keeps times, hard links and xattrs" {
	skip_if_runc "runc 1.1 copies neither times, hard links nor xattrs"
	copyup_tree
	getfattr_py() { python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.berth").decode())' "$1"; }
	getfattr_py "$BUNDLE/rootfs/srv/data/file" >/dev/null 2>&1 || skip "no user xattrs on $BUNDLE"
	add_mount /srv/data tmpfs tmpfs tmpcopyup
	set_args /bin/sleep 100
	create_ct
	local pid
	pid=$(pid_of "$CT")
	local top=/proc/$pid/root/srv/data
	assert_eq "$(stat -f -c %T "$top")" tmpfs
	assert_eq "$(cat "$top/sub/deeper/f")" deep-file
	local t=981173106 f
	for f in file sub sub/deeper rel-link; do
		assert_eq "$(stat -c %Y "$top/$f")" $t "mtime of $f"
	done
	assert_eq "$(stat -c %i "$top/hard")" "$(stat -c %i "$top/file")" "hard link kept"
	[[ $(stat -c %i "$top/file") != $(stat -c %i "$BUNDLE/rootfs/srv/data/file") ]] ||
		fail "the tmpfs file is the rootfs file"
	local x
	x=$(getfattr_py "$top/file" 2>&1) || skip "this kernel's tmpfs takes no user xattrs: $x"
	assert_eq "$x" xval xattr
}

@test "mounts: tmpcopyup tmpfs is writable with root.readonly, the rootfs dir is untouched" {
	copyup_tree
	bundle_set '.root.readonly = true'
	add_mount /srv/data tmpfs tmpfs tmpcopyup
	set_sh 'touch /newfile 2>/dev/null && echo ROOT-WRITABLE
		echo new >/srv/data/new && rm /srv/data/file /srv/data/rel-link &&
		mkdir /srv/data/newdir && chmod 0777 /srv/data && echo tmpfs-writable'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" tmpfs-writable
	local d=$BUNDLE/rootfs/srv/data
	assert_eq "$(cat "$d/file")" top-file "rootfs file"
	[[ ! -e $d/new && ! -e $d/newdir ]] || fail "new file reached the rootfs"
	assert_eq "$(cat "$d/sub/deeper/f")" deep-file "rootfs subdir"
	assert_eq "$(stat -c %a "$d")" 751 "rootfs dir mode"
	[[ -L $d/rel-link ]] || fail "rootfs entries changed: $(ls -la "$d")"
}

@test "mounts: tmpcopyup copies fifos, sockets and device nodes" {
	skip_if_runc "runc 1.1 does not create fifos and fails on their lchown"
	mkdir -p "$BUNDLE/rootfs/srv/data"
	mkfifo -m 0620 "$BUNDLE/rootfs/srv/data/fifo"
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
		"$BUNDLE/rootfs/srv/data/sock"
	chown 5:6 "$BUNDLE/rootfs/srv/data/sock"
	mknod -m 0640 "$BUNDLE/rootfs/srv/data/null" c 1 3
	add_mount /srv/data tmpfs tmpfs tmpcopyup
	set_sh 'stat -c "%n %A %u:%g" /srv/data/fifo /srv/data/sock
		stat -c "%n %A %t:%T" /srv/data/null'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "${lines[0]}" "/srv/data/fifo prw--w---- 0:0" fifo
	[[ ${lines[1]} == "/srv/data/sock srwx"*" 5:6" ]] || fail "socket: ${lines[1]}"
	assert_eq "${lines[2]}" "/srv/data/null crw-r----- 1:3" "device node"
}

@test "mounts: tmpcopyup with mode= and ro: mode kept, read-only after the copy" {
	skip_if_runc "runc 1.1 chmods the tmpfs root to the covered directory's mode over mode="
	mkdir -p "$BUNDLE/rootfs/srv/data/sub"
	echo x >"$BUNDLE/rootfs/srv/data/sub/file"
	add_mount /srv/data tmpfs tmpfs tmpcopyup mode=0711 ro size=1m
	set_sh 'cat /srv/data/sub/file; stat -c %a /srv/data
		echo y >/srv/data/sub/file 2>/dev/null && echo WROTE
		grep " /srv/data " /proc/self/mountinfo'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "${lines[0]}" x content
	assert_eq "${lines[1]}" 711 mode
	[[ $output != *WROTE* ]] || fail "ro tmpfs written"
	has_opt "$(mi_opts /srv/data)" ro || fail "not ro: $(mi_line /srv/data)"
	[[ $(mi_line /srv/data) != *tmpcopyup* ]] || fail "tmpcopyup passed to the kernel"
}

@test "mounts: tmpcopyup on a missing directory gives an empty tmpfs, through a symlink the target's copy" {
	mkdir -p "$BUNDLE/rootfs/run/real"
	echo run-marker >"$BUNDLE/rootfs/run/real/marker"
	ln -s /run/real "$BUNDLE/rootfs/var/link"
	add_mount /srv/none tmpfs tmpfs tmpcopyup
	add_mount /var/link tmpfs tmpfs tmpcopyup
	set_sh 'echo "none=$(ls -A /srv/none | wc -l) $(stat -f -c %T /srv/none)"
		echo "link=$(cat /run/real/marker) $(stat -f -c %T /run/real)"'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv none)" "0 tmpfs"
	assert_eq "$(kv link)" "run-marker tmpfs"
}

@test "mounts: notmpcopyup: an empty tmpfs" {
	skip_if_runc "runc 1.1 passes notmpcopyup to the kernel"
	mkdir -p "$BUNDLE/rootfs/srv/data"
	echo x >"$BUNDLE/rootfs/srv/data/file"
	add_mount /srv/data tmpfs tmpfs tmpcopyup notmpcopyup
	set_sh 'ls -A /srv/data | wc -l'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" 0
}

@test "mounts: tmpcopyup in a user namespace keeps mapped owners, unmapped ones become nobody" {
	add_ns user
	bundle_set '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	bundle_set '.mounts |= map(select(.destination != "/sys/fs/cgroup"))'
	local d=$BUNDLE/rootfs/srv/data
	mkdir -p "$d/sub"
	echo mapped >"$d/sub/mapped"
	echo unmapped >"$d/unmapped"
	chown -R 100000:100000 "$d"
	chown 101000:101001 "$d/sub/mapped"
	chown 0:0 "$d/unmapped"
	chmod 0644 "$d/unmapped"
	add_mount /srv/data tmpfs tmpfs tmpcopyup
	set_sh 'cat /srv/data/sub/mapped /srv/data/unmapped; stat -c "%n %u:%g" /srv/data/sub/mapped /srv/data/unmapped'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "${lines[0]}" mapped
	assert_eq "${lines[1]}" unmapped
	assert_eq "${lines[2]}" "/srv/data/sub/mapped 1000:1001" "mapped owner"
	# the namespace sees an unmapped owner as the overflow id, and the copy
	# gets that one (as with runc)
	assert_eq "${lines[3]}" "/srv/data/unmapped 65534:65534" "unmapped owner"
}
