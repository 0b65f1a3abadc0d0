#!/usr/bin/python3
"""A fake systemd for the systemd cgroup driver's tests (systemd-cgroup.bats).

Owns org.freedesktop.systemd1 on a private bus (a dbus-daemon the test
started) and implements the part of org.freedesktop.systemd1.Manager that
berth-runtime uses: StartTransientUnit, StopUnit, GetUnit, with JobRemoved
signals, and the ControlGroup property of the units it made. Like systemd it
creates the unit's cgroup (the slice path from the unit's Slice=, expanded
as systemd does, then the unit) in the v1 hierarchies it is told to manage,
and moves the PIDs= into them; stopping a unit kills what is left in it and
removes the directories it made (and the slices, once empty).

Every call is appended as one JSON line to LOG:
  {"method": "StartTransientUnit", "unit": ..., "mode": ..., "props": {...}}
  {"method": "StopUnit", "unit": ..., "mode": ...}

usage: fake-systemd.py ADDRESS LOG CGROOT HIERARCHY... (e.g. /sys/fs/cgroup
memory pids cpu). Env FAKE_SYSTEMD_FAIL_START=1: every start job ends with
result "failed" (nothing is left behind). Prints "ready" on stdout when the
name is owned.
"""
import errno
import json
import os
import signal
import sys
import time

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

MANAGER = "org.freedesktop.systemd1.Manager"
PATH = "/org/freedesktop/systemd1"


def plain(v):
    """dbus-python values -> JSON values."""
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, (bytes, bytearray)):
        return list(v)
    if isinstance(v, (dbus.Array, list)):
        if getattr(v, "signature", None) == "y":
            return [int(x) for x in v]
        return [plain(x) for x in v]
    if isinstance(v, (dbus.Struct, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (int, dbus.Byte)):
        return int(v)
    return str(v)


def expand_slice(s):
    """systemd's slice path: a-b.slice -> /a.slice/a-b.slice"""
    if s == "-.slice":
        return ""
    base = s[: -len(".slice")]
    parts = base.split("-")
    out = ""
    for i in range(len(parts)):
        out += "/" + "-".join(parts[: i + 1]) + ".slice"
    return out


def label_escape(s):
    return "".join(c if c.isalnum() else "_%02x" % ord(c) for c in s)


class Unit(dbus.service.Object):
    def __init__(self, bus, name, cgroup, made):
        self.name = name
        self.cgroup = cgroup
        self.made = made  # directories to remove at stop, deepest first
        self.opath = PATH + "/unit/" + label_escape(name)
        super().__init__(bus, self.opath)

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v")
    def Get(self, iface, prop):
        if prop == "ControlGroup":
            return dbus.String(self.cgroup)
        if prop == "Id":
            return dbus.String(self.name)
        raise dbus.exceptions.DBusException(
            "org.freedesktop.DBus.Error.UnknownProperty", "unknown property " + prop)

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}")
    def GetAll(self, iface):
        return {"ControlGroup": dbus.String(self.cgroup), "Id": dbus.String(self.name)}


class Manager(dbus.service.Object):
    def __init__(self, bus, log, cgroot, hierarchies):
        super().__init__(bus, PATH)
        self.bus = bus
        self.log = log
        self.cgroot = cgroot
        self.hier = hierarchies
        self.units = {}
        self.slices = set()  # slice directories made, removed once empty
        self.job = 0
        self.fail_start = os.environ.get("FAKE_SYSTEMD_FAIL_START") == "1"

    def record(self, entry):
        with open(self.log, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def new_job(self, unit, result):
        self.job += 1
        jid, jpath = self.job, "%s/job/%d" % (PATH, self.job)
        GLib.idle_add(lambda: self.JobRemoved(dbus.UInt32(jid), dbus.ObjectPath(jpath), unit,
                                              result) and False)
        return dbus.ObjectPath(jpath)

    def make_dirs(self, cgroup, pids):
        made = []
        for h in self.hier:
            path = self.cgroot + "/" + h
            for comp in cgroup.strip("/").split("/"):
                path += "/" + comp
                if not os.path.isdir(path):
                    os.mkdir(path)
                    if path.endswith(".slice") and comp != cgroup.split("/")[-1]:
                        self.slices.add(path)
                    else:
                        made.append(path)
            for pid in pids:
                with open(path + "/cgroup.procs", "w") as f:
                    f.write("%d" % pid)
        return made

    def remove_dirs(self, made):
        """The unit's own directories (killing what is left in them), then
        every slice directory this fake made that is empty now."""
        for d in made:
            procs = d + "/cgroup.procs"
            for _ in range(100):
                try:
                    with open(procs) as f:
                        pids = [int(x) for x in f.read().split()]
                except FileNotFoundError:
                    break
                for p in pids:  # what stopping a scope does
                    try:
                        os.kill(p, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError as e:
                    if e.errno != errno.EBUSY:
                        break
                    time.sleep(0.05)
        for d in sorted(self.slices, key=len, reverse=True):
            try:
                os.rmdir(d)
                self.slices.discard(d)
            except FileNotFoundError:
                self.slices.discard(d)
            except OSError:
                pass

    @dbus.service.method(MANAGER, in_signature="ssa(sv)a(sa(sv))", out_signature="o")
    def StartTransientUnit(self, name, mode, props, aux):
        p = {str(k): plain(v) for k, v in props}
        self.record({"method": "StartTransientUnit", "unit": str(name), "mode": str(mode),
                     "props": p, "aux": plain(aux)})
        if str(name) in self.units:
            raise dbus.exceptions.DBusException("org.freedesktop.systemd1.UnitExists",
                                                "Unit %s already exists." % name)
        name = str(name)
        if name.endswith(".slice"):
            cgroup = expand_slice(name)
        else:
            cgroup = expand_slice(p.get("Slice", "-.slice")) + "/" + name
        made = self.make_dirs(cgroup, p.get("PIDs", []))
        if self.fail_start:
            self.remove_dirs(made)
            return self.new_job(name, "failed")
        self.units[name] = Unit(self.bus, name, cgroup, made)
        return self.new_job(name, "done")

    @dbus.service.method(MANAGER, in_signature="ss", out_signature="o")
    def StopUnit(self, name, mode):
        self.record({"method": "StopUnit", "unit": str(name), "mode": str(mode)})
        u = self.units.pop(str(name), None)
        if u is None:
            raise dbus.exceptions.DBusException("org.freedesktop.systemd1.NoSuchUnit",
                                                "Unit %s not loaded." % name)
        self.remove_dirs(u.made)
        u.remove_from_connection()
        return self.new_job(str(name), "done")

    @dbus.service.method(MANAGER, in_signature="s", out_signature="o")
    def GetUnit(self, name):
        u = self.units.get(str(name))
        if u is None:
            raise dbus.exceptions.DBusException("org.freedesktop.systemd1.NoSuchUnit",
                                                "Unit %s not loaded." % name)
        return dbus.ObjectPath(u.opath)

    @dbus.service.signal(MANAGER, signature="uoss")
    def JobRemoved(self, jid, job, unit, result):
        pass

    def stop_all(self):
        for name in list(self.units):
            self.remove_dirs(self.units.pop(name).made)


def main():
    address, log, cgroot = sys.argv[1:4]
    DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(address)
    mgr = Manager(bus, log, cgroot, sys.argv[4:])
    name = dbus.service.BusName("org.freedesktop.systemd1", bus)  # kept: owns the name
    loop = GLib.MainLoop()

    def quit(*_):
        mgr.stop_all()  # units the runtime left: their dirs go too
        loop.quit()

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, quit)
    print("ready", flush=True)
    loop.run()
    del name


if __name__ == "__main__":
    main()
