#!/usr/bin/env python3
"""Layer tarballs for tests/integration/pull-images.bats.

    pull-layers.py NAME OUT.tar [OUTSIDE]

Writes the plain (uncompressed) tar of layer NAME. Python's tarfile lets the
test write any entry exactly (device nodes, whiteouts, pax xattrs, owners,
setuid, mtimes) without root or file system support, and hostile names that
GNU tar would clean. OUTSIDE is a directory outside berthd's root that
hostile layers aim at.

Good layers (one image, applied in order):
  base    dirs a/ opq/ f/ g/ s/ x/ dev/, files, hardlinks f/orig = f/link =
          g/link2, symlinks, user.* xattr, setuid, 1000:1000 owner, devices,
          fifo, a 64 MiB file of pseudo-random bytes, fixed mtimes
  upper   whiteout a/.wh.gone, opaque opq/.wh..wh..opq + opq/new, a/added,
          hardlinks across dirs h2/one = h3/two, x/attr replaced (new xattr)
  top     whiteout of a whole directory (.wh.s), a file over a lower dir's
          name (.wh.g then g as a file), f/orig mode changed by a new entry

Hostile layers (each a layer of its own): dotdot, absolute, symlink-write,
hardlink-out, dir-swap, hardlink-abs, rel-climb (a relative symlink
climbing out, then a write through it), whiteout-through (a whiteout under a
symlink to OUTSIDE).
"""
import io
import random
import sys
import tarfile

MT = 1600000000


def add(t, name, kind=tarfile.REGTYPE, data=b"", mode=0o644, uid=0, gid=0, mtime=MT,
        link="", xattrs=None, major=0, minor=0):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mode = mode
    ti.uid, ti.gid = uid, gid
    ti.uname = ti.gname = ""
    ti.mtime = mtime
    ti.linkname = link
    ti.devmajor, ti.devminor = major, minor
    if xattrs:
        ti.pax_headers = {"SCHILY.xattr." + k: v for k, v in xattrs.items()}
    if kind == tarfile.REGTYPE:
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    else:
        t.addfile(ti)


def d(t, name, mode=0o755, mtime=MT):
    add(t, name, tarfile.DIRTYPE, mode=mode, mtime=mtime)


def base(t, _):
    d(t, "a")
    add(t, "a/keep", data=b"keep\n")
    add(t, "a/gone", data=b"gone\n")
    d(t, "opq")
    add(t, "opq/old1", data=b"old1\n")
    d(t, "opq/sub")
    add(t, "opq/sub/old2", data=b"old2\n")
    d(t, "f")
    add(t, "f/orig", data=b"hardlinked\n", mode=0o640)
    add(t, "f/link", tarfile.LNKTYPE, link="f/orig")
    d(t, "g")
    add(t, "g/link2", tarfile.LNKTYPE, link="f/orig")
    d(t, "s")
    add(t, "s/abs", tarfile.SYMTYPE, link="/etc/hostname")
    add(t, "s/rel", tarfile.SYMTYPE, link="../a/keep")
    d(t, "x", mtime=1500000000)
    add(t, "x/attr", data=b"attr\n", xattrs={"user.test": "hello"})
    add(t, "x/suid", data=b"#!/bin/sh\n", mode=0o4755)
    add(t, "x/sgid", data=b"#!/bin/sh\n", mode=0o2711)
    add(t, "x/owned", data=b"owned\n", uid=1000, gid=1000, mtime=1234567890)
    d(t, "x/sticky", mode=0o1777)
    d(t, "dev")
    add(t, "dev/null2", tarfile.CHRTYPE, mode=0o666, major=1, minor=3)
    add(t, "dev/loop9", tarfile.BLKTYPE, mode=0o660, major=7, minor=9)
    add(t, "dev/fifo", tarfile.FIFOTYPE, mode=0o600)
    add(t, "big", data=random.Random(42).randbytes(64 << 20))
    d(t, "g2")
    add(t, "g2/file", data=b"in g2\n")


def upper(t, _):
    d(t, "a")
    add(t, "a/.wh.gone")
    add(t, "a/added", data=b"added\n")
    d(t, "opq")
    add(t, "opq/.wh..wh..opq")
    add(t, "opq/new", data=b"new\n")
    d(t, "h2")
    add(t, "h2/one", data=b"one\n")
    d(t, "h3")
    add(t, "h3/two", tarfile.LNKTYPE, link="h2/one")
    d(t, "x", mtime=1500000000)
    add(t, "x/attr", data=b"attr 2\n", xattrs={"user.test": "upper", "user.second": "2"})


def top(t, _):
    add(t, ".wh.s")
    add(t, ".wh.g2")
    add(t, "g2", data=b"g2 is a file now\n")
    d(t, "f")
    add(t, "f/orig", data=b"replaced\n", mode=0o600, mtime=1700000000)


def dotdot(t, out):
    add(t, "ok", data=b"fine\n")
    add(t, "../../../../../../../.." + out + "/dotdot", data=b"escaped\n")


def absolute(t, out):
    add(t, "ok", data=b"fine\n")
    add(t, out + "/absolute", data=b"escaped\n")


def symlink_write(t, out):
    add(t, "evil", tarfile.SYMTYPE, link=out)
    add(t, "evil/pwned", data=b"escaped\n")


def hardlink_out(t, out):
    add(t, "ok", data=b"fine\n")
    add(t, "hl", tarfile.LNKTYPE, link="../../../../../../../.." + out + "/target")


def hardlink_abs(t, out):
    add(t, "hl", tarfile.LNKTYPE, link=out + "/target")


def dir_swap(t, out):
    d(t, "d")
    add(t, "d/x", data=b"inside\n")
    add(t, "d", tarfile.SYMTYPE, link=out)
    add(t, "d/y", data=b"escaped\n")


def rel_climb(t, out):
    add(t, "up", tarfile.SYMTYPE, link="../../../../../../../.." + out)
    add(t, "up/pwned", data=b"escaped\n")


def whiteout_through(t, out):
    add(t, "link", tarfile.SYMTYPE, link=out)
    add(t, "link/.wh.target")


LAYERS = {
    "base": base, "upper": upper, "top": top,
    "dotdot": dotdot, "absolute": absolute, "symlink-write": symlink_write,
    "hardlink-out": hardlink_out, "hardlink-abs": hardlink_abs, "dir-swap": dir_swap,
    "rel-climb": rel_climb, "whiteout-through": whiteout_through,
}


def main():
    name, out = sys.argv[1], sys.argv[2]
    outside = sys.argv[3] if len(sys.argv) > 3 else "/nonexistent"
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        LAYERS[name](t, outside)


if __name__ == "__main__":
    main()
