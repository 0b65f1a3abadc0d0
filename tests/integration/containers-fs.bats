#!/usr/bin/env bats
# A container's files through the API (lib/engine/api/containers-fs.c):
# docker cp and berth cp both ways (HEAD/GET/PUT /containers/{id}/archive
# with the X-Docker-Container-Path-Stat header), export, diff, hostile tars
# that must not escape the rootfs, and a read-only rootfs. Most tests use a
# created container (its snapshot mounted for the call); the last ones a
# running one.

load containers-helpers

# stat_header REF PATH: the decoded X-Docker-Container-Path-Stat of a HEAD
stat_header() {
	api -I "/containers/$1/archive?path=$2" | tr -d '\r' |
		sed -n 's/^X-Docker-Container-Path-Stat: //p' | base64 -d
}

# mktar OUT SPEC...: a tar made by python's tarfile; SPEC is
# file:NAME:DATA, dir:NAME, sym:NAME:TARGET, link:NAME:TARGET
mktar() {
	python3 - "$@" <<'PY'
import io, sys, tarfile
out = sys.argv[1]
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    for spec in sys.argv[2:]:
        kind, name, *rest = spec.split(":", 2)
        ti = tarfile.TarInfo(name)
        ti.mtime = 1600000000
        data = None
        if kind == "file":
            data = rest[0].encode()
            ti.size = len(data)
            ti.mode = 0o644
        elif kind == "dir":
            ti.type = tarfile.DIRTYPE
            ti.mode = 0o755
        elif kind == "sym":
            ti.type = tarfile.SYMTYPE
            ti.linkname = rest[0]
        elif kind == "link":
            ti.type = tarfile.LNKTYPE
            ti.linkname = rest[0]
        t.addfile(ti, io.BytesIO(data) if data is not None else None)
PY
}

@test "cp out: a file and a directory, the stat header, 404 for a missing path" {
	ct_start_default
	dk create --name web busybox sleep 300 >/dev/null
	dk cp web:/etc/passwd "$D/passwd.out"
	cmp "$D/passwd.out" <(tar -xOf "$BUSYBOX_TAR" ./etc/passwd)
	dk cp web:/etc "$D/etc.out"
	[ -f "$D/etc.out/passwd" ]
	[ -f "$D/etc.out/group" ]
	# the header as docker sends it
	local st
	st=$(stat_header web /etc/passwd)
	echo "$st"
	[ "$(jq -r .name <<<"$st")" = passwd ]
	[ "$(jq -r .size <<<"$st")" = "$(stat -c %s "$D/passwd.out")" ]
	[ "$(jq -r .mode <<<"$st")" = 420 ]
	[[ $(jq -r .mtime <<<"$st") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$ ]]
	[ "$(jq -r .linkTarget <<<"$st")" = "" ]
	st=$(stat_header web /etc)
	[ "$(jq -r .mode <<<"$st")" = $(((1 << 31) | 0755)) ]
	# a symlink: copied as a symlink, linkTarget resolved in the container
	api_status GET "/containers/web/archive?path=/etc/ev-missing"
	[ "$STATUS" = 404 ]
	[ "$(jq -r .message <<<"$BODY")" = "Could not find the file /etc/ev-missing in container web" ]
	run dk cp web:/nope "$D/nope"
	[ "$status" -ne 0 ]
	[[ $output == *"Could not find the file /nope in container web"* ]]
	# the tar of GET: members named after the last element
	api "/containers/web/archive?path=/etc/passwd" | tar -t >"$D/list"
	[ "$(cat "$D/list")" = passwd ]
	api "/containers/web/archive?path=/etc/" | tar -t | head -1 >"$D/list"
	[ "$(cat "$D/list")" = etc/ ]
}

@test "cp in: files and directories, read back, noOverwriteDirNonDir" {
	ct_start_default
	dk create --name web busybox sleep 300 >/dev/null
	echo "hello $RANDOM" >"$D/hello.txt"
	dk cp "$D/hello.txt" web:/tmp/hello.txt
	dk cp web:/tmp/hello.txt "$D/hello.back"
	cmp "$D/hello.txt" "$D/hello.back"
	mkdir -p "$D/tree/sub"
	echo a >"$D/tree/a"
	echo b >"$D/tree/sub/b"
	ln -s a "$D/tree/link"
	dk cp "$D/tree" web:/root/
	dk cp web:/root/tree "$D/tree.back"
	diff -r "$D/tree" "$D/tree.back"
	[ "$(readlink "$D/tree.back/link")" = a ]
	# a file where a directory is: refused (the CLI sends noOverwriteDirNonDir)
	mkdir -p "$D/x"
	echo f >"$D/x/tree"
	run dk cp "$D/x/tree" web:/root/
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"cannot overwrite directory"* ]]
	# PUT into a file or a missing directory
	tar -C "$D" -cf "$D/h.tar" hello.txt
	api_status PUT "/containers/web/archive?path=/etc/passwd"
	[ "$STATUS" = 400 ] || [ "$STATUS" = 404 ]
	STATUS=$(api -o /dev/null -w '%{http_code}' -X PUT -T "$D/h.tar" "/containers/web/archive?path=/etc/passwd")
	[ "$STATUS" = 400 ]
	STATUS=$(api -o /dev/null -w '%{http_code}' -X PUT -T "$D/h.tar" "/containers/web/archive?path=/no/such")
	[ "$STATUS" = 404 ]
	# berth cp both ways
	echo "berth $RANDOM" >"$D/b.txt"
	b cp "$D/b.txt" web:/tmp/b.txt
	b cp web:/tmp/b.txt "$D/b.back"
	cmp "$D/b.txt" "$D/b.back"
}

@test "PUT archive: hostile tars cannot write outside the rootfs" {
	ct_start_default
	dk create --name web busybox sleep 300 >/dev/null
	local tag=ev-escape-$$-$RANDOM
	local code
	# names climbing out, absolute names
	mktar "$D/t1.tar" "file:../../../../../../tmp/$tag:evil"
	code=$(api -o "$D/out" -w '%{http_code}' -X PUT -T "$D/t1.tar" "/containers/web/archive?path=/tmp")
	cat "$D/out"
	[ "$code" = 400 ]
	[ ! -e "/tmp/$tag" ]
	mktar "$D/t2.tar" "file:/tmp/$tag:evil"
	code=$(api -o "$D/out" -w '%{http_code}' -X PUT -T "$D/t2.tar" "/containers/web/archive?path=/")
	[ "$code" = 400 ]
	[ ! -e "/tmp/$tag" ]
	# a symlink to / and to .. then files through them: they land in the container
	mktar "$D/t3.tar" "sym:up:../../../../../.." "sym:abs:/" \
		"file:up/tmp/$tag-1:evil" "file:abs/tmp/$tag-2:evil"
	code=$(api -o "$D/out" -w '%{http_code}' -X PUT -T "$D/t3.tar" "/containers/web/archive?path=/tmp")
	cat "$D/out"
	[ ! -e "/tmp/$tag-1" ]
	[ ! -e "/tmp/$tag-2" ]
	[ ! -e "$D/root/tmp/$tag-1" ]
	# a symlink in the container pointing out: the destination is resolved inside
	mktar "$D/t4.tar" "sym:hostroot:/"
	api -o /dev/null -X PUT -T "$D/t4.tar" "/containers/web/archive?path=/"
	mktar "$D/t5.tar" "file:$tag-3:evil"
	api -o /dev/null -X PUT -T "$D/t5.tar" "/containers/web/archive?path=/hostroot/tmp"
	[ ! -e "/tmp/$tag-3" ]
	dk cp "web:/tmp/$tag-3" "$D/back3"
	[ "$(cat "$D/back3")" = evil ]
	# a hardlink to a host file
	mktar "$D/t6.tar" "link:hl:../../../../../../etc/shadow"
	code=$(api -o /dev/null -w '%{http_code}' -X PUT -T "$D/t6.tar" "/containers/web/archive?path=/tmp")
	[ "$code" = 400 ]
	# garbage
	head -c 4096 /dev/urandom >"$D/junk"
	code=$(api -o /dev/null -w '%{http_code}' -X PUT -T "$D/junk" "/containers/web/archive?path=/tmp")
	[ "$code" = 400 ]
	find /tmp -maxdepth 1 -name "$tag*" | grep . && return 1
	return 0
}

@test "read-only rootfs: cp into it is refused with docker's 403" {
	ct_start_default
	dk create --read-only --name ro busybox sleep 300 >/dev/null
	echo x >"$D/x"
	run dk cp "$D/x" ro:/tmp/x
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"container rootfs is marked read-only"* ]]
	tar -C "$D" -cf "$D/x.tar" x
	STATUS=$(api -o /dev/null -w '%{http_code}' -X PUT -T "$D/x.tar" "/containers/ro/archive?path=/tmp")
	[ "$STATUS" = 403 ]
	# reading still works
	dk cp ro:/etc/passwd "$D/p"
	[ -s "$D/p" ]
}

@test "export and diff of a created container" {
	ct_start_default
	dk create --name web busybox sleep 300 >/dev/null
	run dk diff web
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	echo new >"$D/new.txt"
	dk cp "$D/new.txt" web:/etc/new.txt
	run dk diff web
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "C /etc" ]
	[ "${lines[1]}" = "A /etc/new.txt" ]
	[ "${#lines[@]}" -eq 2 ]
	dk export web -o "$D/web.tar"
	tar -tf "$D/web.tar" >"$D/list"
	grep -qx 'bin/busybox' "$D/list"
	grep -qx 'etc/passwd' "$D/list"
	grep -qx 'etc/new.txt' "$D/list"
	[ "$(tar -xOf "$D/web.tar" etc/new.txt)" = new ]
	b export web | tar -t | grep -qx 'etc/new.txt'
	run b diff web
	[ "${lines[1]}" = "A /etc/new.txt" ]
	# 404 for an unknown container
	api_status GET "/containers/nosuch/export"
	[ "$STATUS" = 404 ]
}

@test "running container: diff after changes inside, cp in and out, export" {
	ct_start_default
	timeout 60 "$DOCKER" run -d --name run1 busybox sh -c 'rm /etc/group; echo x >>/etc/passwd; mkdir /newdir; touch /newdir/f; sleep 300'
	retry 50 0.1 sh -c "DOCKER_HOST=unix://$SOCK $DOCKER exec run1 test -e /newdir/f" ||
		sleep 2
	run dk diff run1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"D /etc/group"* ]]
	[[ $output == *"C /etc/passwd"* ]]
	[[ $output == *"A /newdir"* ]]
	[[ $output == *"A /newdir/f"* ]]
	[[ $output != *"/etc/hostname"* ]]
	echo in >"$D/in.txt"
	dk cp "$D/in.txt" run1:/tmp/in.txt
	run dk exec run1 cat /tmp/in.txt
	[ "$output" = in ]
	dk cp run1:/etc/passwd "$D/pw"
	[ "$(tail -1 "$D/pw")" = x ]
	dk export run1 | tar -t | grep -qx 'newdir/f'
	# the container's own view: its /etc/hostname, symlinks resolved in it,
	# its /proc listed empty
	dk cp run1:/etc/hostname "$D/hn"
	[ "$(cat "$D/hn")" = "$(dk exec run1 hostname)" ]
	dk exec run1 ln -s /etc/passwd /pwlink
	local st
	st=$(stat_header run1 /pwlink)
	echo "$st"
	[ "$(jq -r .linkTarget <<<"$st")" = /etc/passwd ]
	[ "$(jq -r '.mode >= 134217728' <<<"$st")" = true ]
	# nothing inside the kernel filesystems: docker's view has them empty
	api_status GET "/containers/run1/archive?path=/proc/1/environ"
	[ "$STATUS" = 404 ]
	timeout 20 "$DOCKER" cp run1:/proc "$D/proc.out"
	[ -d "$D/proc.out" ]
	[ -z "$(ls -A "$D/proc.out")" ]
	# export has the rootfs only: no /proc contents
	[ "$(dk export run1 | tar -t | grep -c '^proc/.')" = 0 ]
}

@test "cp -a (copyUIDGID): files owned by the container's user" {
	ct_start_default
	dk create -u berth --name usr1 busybox true >/dev/null
	echo mine >"$D/mine"
	chown 4242:4242 "$D/mine"
	dk cp -a "$D/mine" usr1:/tmp/
	api "/containers/usr1/archive?path=/tmp/mine" | tar -tv --numeric-owner >"$D/list"
	cat "$D/list"
	grep -q ' 1000/1000 ' "$D/list"
	# without -a: the tar's owner (the CLI sends the file's own)
	dk cp "$D/mine" usr1:/tmp/mine2
	api "/containers/usr1/archive?path=/tmp/mine2" | tar -tv --numeric-owner | grep -q ' 4242/4242 '
}

@test "diff with the native snapshotter (the tree against its parent's)" {
	CT_STORAGE=native
	ct_write_daemon_json
	ct_start_default
	[ "$(api /info | jq -r .Driver)" != overlay2 ] || skip "berthd chose overlay"
	dk create --name nat busybox true >/dev/null
	run dk diff nat
	[ -z "$output" ]
	echo n >"$D/n.txt"
	dk cp "$D/n.txt" nat:/etc/n.txt
	run dk diff nat
	echo "$output"
	[ "${lines[0]}" = "C /etc" ]
	[ "${lines[1]}" = "A /etc/n.txt" ]
	[ "${#lines[@]}" -eq 2 ]
}
