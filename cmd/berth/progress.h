/* Rendering of the daemon's JSON progress messages (pull, push, load, import,
 * build) as the docker CLI's jsonmessage package does:
 *
 *  - on a terminal, one line per layer id, updated in place with ANSI cursor
 *    movement ("\x1b[<n>A", "\x1b[2K", "\x1b[<n>B") and a progress bar;
 *  - otherwise plain lines; messages that carry a non-empty progress bar
 *    (Downloading/Extracting/Pushing) are left out.
 *
 * A message with "errorDetail" (or "error") ends the stream with that message
 * as the error (printed unchanged by the caller). */
#ifndef BERTH_CLI_PROGRESS_H
#define BERTH_CLI_PROGRESS_H

#include "common/error.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

struct progress {
	FILE *out;  /* NULL: render nothing (quiet), errors still returned */
	bool tty;   /* in-place updates */
	int width;  /* terminal columns; 0 -> 200 as docker */
	time_t now; /* 0 -> time(NULL); fixed in tests */
	char **ids; /* layer ids in line order (terminal only) */
	size_t nids;
	/* called for "aux" messages (push digest, build id); may be NULL */
	void (*aux)(json_t *aux, void *arg);
	void *aux_arg;
};

void progress_init(struct progress *p, FILE *out, bool tty, int width);
void progress_free(struct progress *p);
/* Render one message; -1 with *err for an error message. */
int progress_message(struct progress *p, json_t *msg, struct berth_error **err);
/* client_line_fn adapter: arg is a struct progress. */
int progress_line(json_t *msg, void *arg, struct berth_error **err);

/* JSONProgress.String(): "[====>     ]  32.77kB/1.089MB 3s" (bar when
 * width > 110, time left when width > 50 and start is set); "" when there is
 * nothing to show. Caller frees. */
char *progress_bar(int64_t current, int64_t total, int64_t start, const char *units,
		   bool hide_counts, int width, time_t now);

#endif
