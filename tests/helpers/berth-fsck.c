/* berth-fsck: consistency check of a berthd root (lib/core/check).
 *
 *   berth-fsck [--allow-ingests] [--skip-digests] [-v] ROOT
 *
 * Prints each problem on its own line on stdout; exit 0 when there is none,
 * 1 when there are some, 2 when the root cannot be checked. -v adds a summary
 * line on stderr. Used by tests/integration/pull-images.bats; run it on the
 * root of a stopped (or idle) berthd. */
#include "core/check/check.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct check_options o = {0};
	const char *root = NULL;
	int verbose = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--allow-ingests") == 0)
			o.allow_ingests = true;
		else if (strcmp(argv[i], "--skip-digests") == 0)
			o.skip_digests = true;
		else if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else if (argv[i][0] != '-' && root == NULL)
			root = argv[i];
		else {
			fprintf(stderr,
				"usage: berth-fsck [--allow-ingests] [--skip-digests] [-v] ROOT\n");
			return 2;
		}
	}
	if (root == NULL) {
		fprintf(stderr, "usage: berth-fsck [--allow-ingests] [--skip-digests] [-v] ROOT\n");
		return 2;
	}
	struct check_result res;
	struct berth_error *err = NULL;
	if (check_root(root, &o, &res, &err) < 0) {
		fprintf(stderr, "berth-fsck: %s\n", err->msg);
		berth_error_free(&err);
		return 2;
	}
	for (size_t i = 0; i < res.n_problems; i++)
		printf("%s\n", res.problems[i]);
	if (verbose)
		fprintf(
		    stderr,
		    "berth-fsck: %zu problem(s); %zu blobs, %zu ingests, %zu snapshots, %zu edges, "
		    "%zu images\n",
		    res.n_problems, res.blobs, res.ingests, res.snapshots, res.edges, res.images);
	int rc = res.n_problems ? 1 : 0;
	check_result_free(&res);
	return rc;
}
