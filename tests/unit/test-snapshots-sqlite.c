/* The snapshotter conformance suite (test-snapshots.c, unchanged) with the
 * bookkeeping in the metadata database (snap_config.md) instead of
 * metadata.json. Each open gets its own handle on root/metadata.db (a reopen
 * finds the records there); handles are closed at exit. */
#include <stdlib.h>

struct snap_config;
static void sqlite_config(struct snap_config *cfg);
#define SNAP_TEST_CONFIG(cfg) sqlite_config(cfg)
#define SNAP_TEST_SUITE "snapshots-sqlite"

#include "test-snapshots.c"

#include "core/metadata/metadata.h"

static struct md_db **handles;
static size_t n_handles;

static void close_handles(void)
{
	for (size_t i = 0; i < n_handles; i++)
		md_close(handles[i]);
	free(handles);
}

static void sqlite_config(struct snap_config *cfg)
{
	struct md_db *db = NULL;
	struct berth_error *err = NULL;
	if (md_open(&(struct md_config){.root = cfg->root}, &db, &err) < 0)
		fail_msg("md_open %s: %s", cfg->root, err->msg);
	if (n_handles == 0)
		atexit(close_handles);
	handles = realloc(handles, (n_handles + 1) * sizeof(*handles));
	assert_non_null(handles);
	handles[n_handles++] = db;
	cfg->md = db;
}
