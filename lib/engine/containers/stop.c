/* stop (StopSignal, then SIGKILL after the timeout), kill, restart, pause,
 * unpause. */
#include "engine/containers/internal.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KILL_WAIT_MS 30000

static const struct {
	const char *name;
	int sig;
} signals[] = {
    {"HUP", SIGHUP},	   {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},	   {"ABRT", SIGABRT}, {"IOT", SIGIOT},	     {"BUS", SIGBUS},
    {"FPE", SIGFPE},	   {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},	   {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},	   {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},	   {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

int ctr_signal_parse(const char *s)
{
	if (!s || !*s)
		return -1;
	if (isdigit((unsigned char)s[0])) {
		char *end = NULL;
		long n = strtol(s, &end, 10);
		return *end || n < 1 || n > SIGRTMAX ? -1 : (int)n;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
		bool min = strncasecmp(s, "RTMIN", 5) == 0;
		const char *r = s + 5;
		long off = 0;
		if (*r) {
			char *end = NULL;
			off = strtol(r, &end, 10);
			if (*end)
				return -1;
		}
		int sig = min ? SIGRTMIN + (int)off : SIGRTMAX + (int)off;
		return sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -1;
	}
	return -1;
}

static int send_signal(struct container *c, int sig, bool all, struct berth_error **err)
{
	cleanup_json json_t *req =
	    json_pack("{s:s,s:i,s:b}", "op", "kill", "signal", sig, "all", all);
	json_t *reply = NULL;
	int rc = ctr_shim_call(c, req, 10000, &reply, err);
	json_decref(reply);
	return rc;
}

static void event_kill(struct engine *e, struct container *c, int sig)
{
	char s[16];
	snprintf(s, sizeof(s), "%d", sig);
	ctr_event(e, c, "kill", json_pack("{s:s}", "signal", s));
}

static bool is_up(enum ctr_status st)
{
	return st == CTR_RUNNING || st == CTR_PAUSED;
}

static int stop_signal(struct container *c)
{
	pthread_mutex_lock(&c->lock);
	int sig = ctr_signal_parse(json_string_value(json_object_get(c->config, "StopSignal")));
	pthread_mutex_unlock(&c->lock);
	return sig > 0 ? sig : SIGTERM;
}

static int stop_timeout(struct container *c)
{
	int64_t t = 10;
	pthread_mutex_lock(&c->lock);
	json_t *v = json_object_get(c->config, "StopTimeout");
	if (!bjson_as_int64(v, &t) || t < 0)
		t = 10;
	pthread_mutex_unlock(&c->lock);
	return (int)t;
}

/* A restart-policy worker waiting: it gives up; the container stays exited. */
static bool cancel_restart(struct engine *e, struct container *c)
{
	pthread_mutex_lock(&c->lock);
	bool was = c->state.status == CTR_RESTARTING;
	if (was) {
		c->priv->restart_wait = false;
		c->state.status = CTR_EXITED;
		c->state.manually_stopped = true;
		ctr_persist_locked(e, c, false, NULL);
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->lock);
	return was;
}

int ctr_stop_locked(struct engine *e, struct container *c, int signal, int timeout_s,
		    struct berth_error **err)
{
	if (cancel_restart(e, c)) {
		ctr_event(e, c, "stop", NULL);
		return 0;
	}
	pthread_mutex_lock(&c->lock);
	enum ctr_status st = c->state.status;
	if (is_up(st)) {
		c->state.manually_stopped = true;
		ctr_persist_locked(e, c, false, NULL);
	}
	pthread_mutex_unlock(&c->lock);
	if (!is_up(st))
		return berth_error_set(err, EALREADY, "container %s is not running", c->id);
	int sig = signal > 0 ? signal : stop_signal(c);
	if (timeout_s < 0)
		timeout_s = stop_timeout(c);
	struct berth_error *kerr = NULL;
	if (send_signal(c, sig, false, &kerr) < 0) {
		log_debug("container %s: stop signal %d: %s", c->id, sig, kerr->msg);
		berth_error_free(&kerr);
	} else {
		event_kill(e, c, sig);
	}
	if (st == CTR_PAUSED) {
		/* a frozen process handles its signal once thawed */
		cleanup_json json_t *req = json_pack("{s:s}", "op", "resume");
		json_t *reply = NULL;
		if (ctr_shim_call(c, req, 10000, &reply, NULL) == 0) {
			pthread_mutex_lock(&c->lock);
			if (c->state.status == CTR_PAUSED)
				c->state.status = CTR_RUNNING;
			pthread_mutex_unlock(&c->lock);
		}
		json_decref(reply);
	}
	if (ctr_wait(c, CTR_WAIT_NOT_RUNNING, timeout_s * 1000, NULL, NULL, NULL) < 0) {
		log_info("container %s did not stop within %ds after signal %d: SIGKILL", c->id,
			 timeout_s, sig);
		if (send_signal(c, SIGKILL, true, &kerr) < 0) {
			log_debug("container %s: SIGKILL: %s", c->id, kerr->msg);
			berth_error_free(&kerr);
		} else {
			event_kill(e, c, SIGKILL);
		}
		if (ctr_wait(c, CTR_WAIT_NOT_RUNNING, KILL_WAIT_MS, NULL, NULL, err) < 0)
			return berth_error_wrap(err, "cannot stop container %s", c->id);
	}
	ctr_event(e, c, "stop", NULL);
	return 0;
}

int ctr_stop(struct engine *e, struct container *c, int signal, int timeout_s,
	     struct berth_error **err)
{
	pthread_mutex_lock(&c->priv->op);
	int rc = ctr_stop_locked(e, c, signal, timeout_s, err);
	pthread_mutex_unlock(&c->priv->op);
	return rc;
}

int ctr_kill(struct engine *e, struct container *c, int signal, struct berth_error **err)
{
	int sig = signal > 0 ? signal : SIGKILL;
	if (sig > SIGRTMAX)
		return berth_error_set(err, EINVAL, "Invalid signal: %d", signal);
	if (cancel_restart(e, c)) {
		return berth_error_set(err, ENOTCONN, "Container %s is not running", c->id);
	}
	pthread_mutex_lock(&c->lock);
	enum ctr_status st = c->state.status;
	if (is_up(st) && !(st == CTR_PAUSED && sig != SIGKILL)) {
		c->state.manually_stopped = true;
		ctr_persist_locked(e, c, false, NULL);
	}
	pthread_mutex_unlock(&c->lock);
	if (!is_up(st))
		return berth_error_set(err, ENOTCONN, "Container %s is not running", c->id);
	if (st == CTR_PAUSED && sig != SIGKILL)
		return berth_error_set(err, EBUSY,
				       "Container %s is paused. Unpause the container before "
				       "stopping or killing",
				       c->id);
	if (send_signal(c, sig, sig == SIGKILL, err) < 0)
		return berth_error_wrap(err, "Cannot kill container %s", c->id);
	event_kill(e, c, sig);
	if (sig == SIGKILL)
		ctr_wait(c, CTR_WAIT_NOT_RUNNING, KILL_WAIT_MS, NULL, NULL, NULL);
	return 0;
}

int ctr_restart(struct engine *e, struct container *c, int timeout_s, struct berth_error **err)
{
	pthread_mutex_lock(&c->priv->op);
	struct berth_error *serr = NULL;
	int rc = ctr_stop_locked(e, c, -1, timeout_s, &serr);
	if (rc < 0 && serr->code != EALREADY) {
		*err = serr;
		pthread_mutex_unlock(&c->priv->op);
		return -1;
	}
	berth_error_free(&serr);
	pthread_mutex_lock(&c->lock);
	bool removed = c->priv->removed;
	pthread_mutex_unlock(&c->lock);
	if (removed)
		rc = berth_error_set(err, ENOENT, "No such container: %s", c->id);
	else
		rc = ctr_start_locked(e, c, false, err);
	pthread_mutex_unlock(&c->priv->op);
	if (rc == 0)
		ctr_event(e, c, "restart", NULL);
	return rc;
}

static int pause_op(struct engine *e, struct container *c, bool pause, struct berth_error **err)
{
	pthread_mutex_lock(&c->priv->op);
	pthread_mutex_lock(&c->lock);
	enum ctr_status st = c->state.status;
	pthread_mutex_unlock(&c->lock);
	int rc = 0;
	if (pause && st == CTR_PAUSED)
		rc = berth_error_set(err, EBUSY, "Container %s is already paused", c->id);
	else if (!is_up(st))
		rc = berth_error_set(err, EBUSY, "Container %s is not running", c->id);
	else if (!pause && st != CTR_PAUSED)
		rc = berth_error_set(err, EBUSY, "Container %s is not paused", c->id);
	if (rc == 0) {
		cleanup_json json_t *req = json_pack("{s:s}", "op", pause ? "pause" : "resume");
		json_t *reply = NULL;
		rc = ctr_shim_call(c, req, 10000, &reply, err);
		json_decref(reply);
		if (rc < 0)
			berth_error_wrap(err, "cannot %s container %s", pause ? "pause" : "unpause",
					 c->id);
	}
	if (rc == 0) {
		pthread_mutex_lock(&c->lock);
		if (is_up(c->state.status)) {
			c->state.status = pause ? CTR_PAUSED : CTR_RUNNING;
			c->state.paused = pause;
		}
		ctr_persist_locked(e, c, false, NULL);
		pthread_cond_broadcast(&c->cond);
		pthread_mutex_unlock(&c->lock);
		ctr_event(e, c, pause ? "pause" : "unpause", NULL);
	}
	pthread_mutex_unlock(&c->priv->op);
	return rc;
}

int ctr_pause(struct engine *e, struct container *c, struct berth_error **err)
{
	return pause_op(e, c, true, err);
}

int ctr_unpause(struct engine *e, struct container *c, struct berth_error **err)
{
	return pause_op(e, c, false, err);
}
