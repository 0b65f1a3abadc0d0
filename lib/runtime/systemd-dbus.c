/* systemd's D-Bus API through sd-bus, libsystemd loaded with dlopen (see
 * systemd-dbus.h). */
#include "runtime/systemd-dbus.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"

#ifndef HAVE_LIBSYSTEMD

int systemd_bus_open(const char *address, bool user, struct systemd_bus **out,
		     struct berth_error **err)
{
	(void)address;
	(void)user;
	*out = NULL;
	return berth_error_set(err, ENOTSUP,
			       "--systemd-cgroup: berth-runtime was built without libsystemd "
			       "(install libsystemd-dev and rebuild); use the cgroupfs driver");
}

const char *systemd_bus_name(const struct systemd_bus *b)
{
	(void)b;
	return "";
}

int systemd_bus_start_unit(struct systemd_bus *b, const char *unit,
			   const struct cgroup_systemd_props *props, int timeout_ms,
			   struct berth_error **err)
{
	(void)b;
	(void)props;
	(void)timeout_ms;
	return berth_error_set(err, ENOTSUP, "start unit %s: built without libsystemd", unit);
}

int systemd_bus_stop_unit(struct systemd_bus *b, const char *unit, int timeout_ms, bool *gone,
			  struct berth_error **err)
{
	(void)b;
	(void)timeout_ms;
	*gone = false;
	return berth_error_set(err, ENOTSUP, "stop unit %s: built without libsystemd", unit);
}

int systemd_bus_unit_cgroup(struct systemd_bus *b, const char *unit, const char *iface, char **out,
			    struct berth_error **err)
{
	(void)b;
	(void)iface;
	*out = NULL;
	return berth_error_set(err, ENOTSUP, "unit %s: built without libsystemd", unit);
}

void systemd_bus_close(struct systemd_bus *b)
{
	(void)b;
}

#else

#include <dlfcn.h>
#include <systemd/sd-bus.h>

#define SD_FUNCS(X)                                                                                \
	X(sd_bus_new)                                                                              \
	X(sd_bus_set_address)                                                                      \
	X(sd_bus_set_bus_client)                                                                   \
	X(sd_bus_start)                                                                            \
	X(sd_bus_open_system)                                                                      \
	X(sd_bus_open_user)                                                                        \
	X(sd_bus_flush_close_unref)                                                                \
	X(sd_bus_call)                                                                             \
	X(sd_bus_process)                                                                          \
	X(sd_bus_wait)                                                                             \
	X(sd_bus_slot_unref)                                                                       \
	X(sd_bus_message_new_method_call)                                                          \
	X(sd_bus_message_unref)                                                                    \
	X(sd_bus_message_append)                                                                   \
	X(sd_bus_message_append_array)                                                             \
	X(sd_bus_message_open_container)                                                           \
	X(sd_bus_message_close_container)                                                          \
	X(sd_bus_message_read)                                                                     \
	X(sd_bus_get_property_string)                                                              \
	X(sd_bus_match_signal)                                                                     \
	X(sd_bus_error_free)                                                                       \
	X(sd_bus_error_has_name)

#define SD_FIELD(f) __typeof__(f) *f;
static struct {
	bool loaded;
	SD_FUNCS(SD_FIELD)
} sd;

static int load(struct berth_error **err)
{
	if (sd.loaded)
		return 0;
	void *h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return berth_error_set(
		    err, ENOTSUP,
		    "--systemd-cgroup: cannot load libsystemd.so.0 (%s); use the "
		    "cgroupfs driver",
		    dlerror());
#define SD_LOAD(f)                                                                                 \
	if ((sd.f = (__typeof__(f) *)dlsym(h, #f)) == NULL)                                        \
		return berth_error_set(                                                            \
		    err, ENOTSUP, "--systemd-cgroup: libsystemd.so.0 has no %s (too old)", #f);
	SD_FUNCS(SD_LOAD)
	sd.loaded = true;
	return 0;
}

struct systemd_bus {
	sd_bus *bus;
	char *name;
};

/* "what: message (org.freedesktop...Name)" from an sd_bus_error or r */
static int bus_error(struct berth_error **err, int r, sd_bus_error *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int bus_error(struct berth_error **err, int r, sd_bus_error *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *what = xvasprintf(fmt, ap);
	va_end(ap);
	if (e && e->name)
		berth_error_set(err, r < 0 ? -r : EIO, "%s: %s (%s)", what,
				e->message ? e->message : "failed", e->name);
	else
		berth_error_set(err, r < 0 ? -r : EIO, "%s: %s", what, strerror(-r));
	if (e)
		sd.sd_bus_error_free(e);
	return -1;
}

int systemd_bus_open(const char *address, bool user, struct systemd_bus **out,
		     struct berth_error **err)
{
	*out = NULL;
	if (load(err) < 0)
		return -1;
	sd_bus *bus = NULL;
	int r;
	const char *name = address ? address : user ? "user" : "system";
	if (address) {
		if ((r = sd.sd_bus_new(&bus)) >= 0 &&
		    (r = sd.sd_bus_set_address(bus, address)) >= 0 &&
		    (r = sd.sd_bus_set_bus_client(bus, 1)) >= 0)
			r = sd.sd_bus_start(bus);
	} else {
		r = user ? sd.sd_bus_open_user(&bus) : sd.sd_bus_open_system(&bus);
	}
	if (r < 0) {
		if (bus)
			sd.sd_bus_flush_close_unref(bus);
		return berth_error_set(err, -r,
				       "--systemd-cgroup: connect to the %s D-Bus (%s): %s; is "
				       "systemd running? use the cgroupfs driver otherwise",
				       address ? "systemd" : name, name, strerror(-r));
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->bus = bus;
	(*out)->name = xstrdup(name);
	return 0;
}

const char *systemd_bus_name(const struct systemd_bus *b)
{
	return b->name;
}

void systemd_bus_close(struct systemd_bus *b)
{
	if (b == NULL)
		return;
	sd.sd_bus_flush_close_unref(b->bus);
	free(b->name);
	free(b);
}

/* --- jobs --- */

struct job_wait {
	char *path; /* the job we wait for, once the call returned it */
	char *result;
};

static int on_job_removed(sd_bus_message *m, void *data, sd_bus_error *e)
{
	(void)e;
	struct job_wait *w = data;
	uint32_t id;
	const char *job, *unit, *result;
	if (sd.sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) < 0)
		return 0;
	if (w->path && w->result == NULL && strcmp(job, w->path) == 0)
		w->result = xstrdup(result);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int wait_job(struct systemd_bus *b, struct job_wait *w, const char *what, int timeout_ms,
		    struct berth_error **err)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;
	while (w->result == NULL) {
		int r = sd.sd_bus_process(b->bus, NULL);
		if (r < 0)
			return bus_error(err, r, NULL, "%s: wait for job %s", what, w->path);
		if (r > 0)
			continue;
		uint64_t now = now_ms();
		if (now >= end)
			return berth_error_set(err, ETIMEDOUT,
					       "%s: job %s did not finish within %d s", what,
					       w->path, timeout_ms / 1000);
		r = sd.sd_bus_wait(b->bus, (end - now) * 1000);
		if (r < 0 && r != -EINTR)
			return bus_error(err, r, NULL, "%s: wait for job %s", what, w->path);
	}
	if (strcmp(w->result, "done") != 0)
		return berth_error_set(err, EIO, "%s: the job finished with result \"%s\"", what,
				       w->result);
	return 0;
}

/* Call a Manager method whose reply is a job path, and wait for the job. */
static int call_job(struct systemd_bus *b, sd_bus_message *m, const char *what, int timeout_ms,
		    sd_bus_error *e, struct berth_error **err)
{
	struct job_wait w = {0};
	sd_bus_slot *slot = NULL;
	sd_bus_message *reply = NULL;
	int ret = -1;
	int r = sd.sd_bus_match_signal(b->bus, &slot, NULL, SD_PATH, SD_MANAGER, "JobRemoved",
				       on_job_removed, &w);
	if (r < 0) {
		bus_error(err, r, NULL, "%s: subscribe to JobRemoved", what);
		goto out;
	}
	r = sd.sd_bus_call(b->bus, m, (uint64_t)timeout_ms * 1000, e, &reply);
	if (r < 0)
		goto out; /* the caller reports e */
	const char *job;
	if ((r = sd.sd_bus_message_read(reply, "o", &job)) < 0) {
		bus_error(err, r, NULL, "%s: read the job path of the reply", what);
		goto out;
	}
	w.path = xstrdup(job);
	ret = wait_job(b, &w, what, timeout_ms, err);
out:
	if (ret < 0 && r < 0 && e->name == NULL && err && *err == NULL)
		bus_error(err, r, NULL, "%s", what);
	sd.sd_bus_message_unref(reply);
	sd.sd_bus_slot_unref(slot);
	free(w.path);
	free(w.result);
	return ret;
}

static int append_prop(sd_bus_message *m, const struct cgroup_systemd_prop *p)
{
	static const char *const sig[] = {[SDP_STRING] = "s",
					  [SDP_BOOL] = "b",
					  [SDP_U64] = "t",
					  [SDP_BYTES] = "ay",
					  [SDP_PIDS] = "au"};
	int r;
	if ((r = sd.sd_bus_message_open_container(m, 'r', "sv")) < 0 ||
	    (r = sd.sd_bus_message_append(m, "s", p->name)) < 0 ||
	    (r = sd.sd_bus_message_open_container(m, 'v', sig[p->type])) < 0)
		return r;
	switch (p->type) {
	case SDP_STRING:
		r = sd.sd_bus_message_append(m, "s", p->s);
		break;
	case SDP_BOOL:
		r = sd.sd_bus_message_append(m, "b", (int)(p->u != 0));
		break;
	case SDP_U64:
		r = sd.sd_bus_message_append(m, "t", p->u);
		break;
	case SDP_BYTES:
		r = sd.sd_bus_message_append_array(m, 'y', p->bytes, p->n);
		break;
	case SDP_PIDS:
		r = sd.sd_bus_message_append(m, "au", 1, (uint32_t)p->u);
		break;
	}
	if (r < 0 || (r = sd.sd_bus_message_close_container(m)) < 0)
		return r;
	return sd.sd_bus_message_close_container(m);
}

int systemd_bus_start_unit(struct systemd_bus *b, const char *unit,
			   const struct cgroup_systemd_props *props, int timeout_ms,
			   struct berth_error **err)
{
	cleanup_free char *what = xasprintf("systemd: start unit %s", unit);
	sd_bus_message *m = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r = sd.sd_bus_message_new_method_call(b->bus, &m, SD_DEST, SD_PATH, SD_MANAGER,
						  "StartTransientUnit");
	if (r >= 0)
		r = sd.sd_bus_message_append(m, "ss", unit, "replace");
	if (r >= 0)
		r = sd.sd_bus_message_open_container(m, 'a', "(sv)");
	for (size_t i = 0; r >= 0 && i < props->n; i++)
		r = append_prop(m, &props->v[i]);
	if (r >= 0)
		r = sd.sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd.sd_bus_message_append(m, "a(sa(sv))", 0);
	if (r < 0) {
		sd.sd_bus_message_unref(m);
		return bus_error(err, r, NULL, "%s: build the StartTransientUnit call", what);
	}
	int ret = call_job(b, m, what, timeout_ms, &e, err);
	sd.sd_bus_message_unref(m);
	if (ret < 0 && e.name)
		return bus_error(err, -EIO, &e, "%s", what);
	sd.sd_bus_error_free(&e);
	return ret;
}

int systemd_bus_stop_unit(struct systemd_bus *b, const char *unit, int timeout_ms, bool *gone,
			  struct berth_error **err)
{
	*gone = false;
	cleanup_free char *what = xasprintf("systemd: stop unit %s", unit);
	sd_bus_message *m = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r =
	    sd.sd_bus_message_new_method_call(b->bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit");
	if (r >= 0)
		r = sd.sd_bus_message_append(m, "ss", unit, "replace");
	if (r < 0) {
		sd.sd_bus_message_unref(m);
		return bus_error(err, r, NULL, "%s: build the StopUnit call", what);
	}
	int ret = call_job(b, m, what, timeout_ms, &e, err);
	sd.sd_bus_message_unref(m);
	if (ret < 0 && e.name) {
		if (sd.sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit")) {
			sd.sd_bus_error_free(&e);
			*gone = true;
			return 0;
		}
		return bus_error(err, -EIO, &e, "%s", what);
	}
	sd.sd_bus_error_free(&e);
	return ret;
}

int systemd_bus_unit_cgroup(struct systemd_bus *b, const char *unit, const char *iface, char **out,
			    struct berth_error **err)
{
	*out = NULL;
	sd_bus_message *reply = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	int r =
	    sd.sd_bus_message_new_method_call(b->bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "GetUnit");
	if (r >= 0)
		r = sd.sd_bus_message_append(m, "s", unit);
	if (r >= 0)
		r = sd.sd_bus_call(b->bus, m, 0, &e, &reply);
	sd.sd_bus_message_unref(m);
	const char *path = NULL;
	if (r >= 0)
		r = sd.sd_bus_message_read(reply, "o", &path);
	cleanup_free char *upath = r >= 0 ? xstrdup(path) : NULL;
	sd.sd_bus_message_unref(reply);
	if (r < 0)
		return bus_error(err, r, &e, "systemd: GetUnit %s", unit);
	cleanup_free char *full = xasprintf("org.freedesktop.systemd1.%s", iface);
	r = sd.sd_bus_get_property_string(b->bus, SD_DEST, upath, full, "ControlGroup", &e, out);
	if (r < 0)
		return bus_error(err, r, &e, "systemd: unit %s: read ControlGroup", unit);
	return 0;
}

#endif
