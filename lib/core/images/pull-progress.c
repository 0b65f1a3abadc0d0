/* Chain IDs and docker's progress messages (jsonmessage) for pulls. */
#include "core/images/pull.h"

#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void image_chain_ids(const struct content_digest *diff_ids, size_t n, struct content_digest *out)
{
	for (size_t i = 0; i < n; i++) {
		if (i == 0) {
			out[0] = diff_ids[0];
			continue;
		}
		char buf[2 * CONTENT_DIGEST_LEN + 2];
		int len = snprintf(buf, sizeof(buf), "%s %s", out[i - 1].s, diff_ids[i].s);
		content_digest_buf(buf, (size_t)len, &out[i]);
	}
}

void pull_human_size(double size, char *buf, size_t len)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
	size_t i = 0;
	while (size >= 1000.0 && i + 1 < sizeof(units) / sizeof(units[0])) {
		size /= 1000.0;
		i++;
	}
	snprintf(buf, len, "%.4g%s", size, units[i]);
}

char *pull_progress_text(int64_t current, int64_t total)
{
	char cur[32], tot[32];
	pull_human_size((double)current, cur, sizeof(cur));
	if (current <= 0 && total <= 0)
		return xstrdup("");
	if (total <= 0)
		return xasprintf("%8s", cur);
	int pct = (int)((double)current / (double)total * 100) / 2;
	if (pct > 50)
		pct = 50;
	if (pct < 0)
		pct = 0;
	char bar[64];
	memset(bar, '=', (size_t)pct);
	bar[pct] = '>';
	memset(bar + pct + 1, ' ', (size_t)(50 - pct));
	bar[51] = '\0';
	pull_human_size((double)total, tot, sizeof(tot));
	if (current > total)
		return xasprintf("[%s] %8s", bar, cur);
	return xasprintf("[%s] %8s/%s", bar, cur, tot);
}

json_t *pull_message(const char *id, const char *status, bool detail, int64_t current,
		     int64_t total)
{
	json_t *m = json_object();
	json_object_set_new(m, "status", json_string(status));
	if (detail) {
		if (current < 0) {
			json_object_set_new(m, "progressDetail", json_object());
		} else {
			json_object_set_new(m, "progressDetail",
					    json_pack("{s:I,s:I}", "current", (json_int_t)current,
						      "total", (json_int_t)total));
			char *p = pull_progress_text(current, total);
			json_object_set_new(m, "progress", json_string(p));
			free(p);
		}
	}
	if (id)
		json_object_set_new(m, "id", json_string(id));
	return m;
}

json_t *pull_error_message(const char *msg)
{
	return json_pack("{s:{s:s},s:s}", "errorDetail", "message", msg, "error", msg);
}

void pull_result_free(struct pull_result *r)
{
	free(r->name);
	r->name = NULL;
}

void image_progress_init(struct image_progress *pr, pull_event_fn event, void *data,
			 bool (*cancelled)(void *data))
{
	pr->event = event;
	pr->data = data;
	pr->cancelled = cancelled;
	pthread_mutex_init(&pr->lock, NULL);
}

void image_progress_destroy(struct image_progress *pr)
{
	pthread_mutex_destroy(&pr->lock);
}

void image_progress_emit(struct image_progress *pr, json_t *m)
{
	if (pr->event) {
		pthread_mutex_lock(&pr->lock);
		pr->event(pr->data, m);
		pthread_mutex_unlock(&pr->lock);
	}
	json_decref(m);
}

void image_progress_say(struct image_progress *pr, const char *id, const char *status)
{
	image_progress_emit(pr, pull_message(id, status, true, -1, 0));
}

bool image_progress_cancelled(struct image_progress *pr)
{
	return pr->cancelled && pr->cancelled(pr->data);
}

int64_t image_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
