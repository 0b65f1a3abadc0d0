/* Platform selection in an index or manifest list (see manifest.h). */
#include "core/images/manifest.h"

#include "common/cleanup.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

static bool is_attestation(const struct desc *d)
{
	const char *t = desc_annotation(d, "vnd.docker.reference.type");
	return t && strcmp(t, "attestation-manifest") == 0;
}

int manifest_select(const struct manifest *index, const struct platform *want, size_t *idx,
		    struct berth_error **err)
{
	struct platform def = {0};
	if (want == NULL) {
		platform_default(&def);
		want = &def;
	}
	int best = INT_MAX;
	size_t best_i = 0;
	bool found = false, untagged = false;
	size_t untagged_i = 0;
	for (size_t i = 0; index && manifest_is_index(index) && i < index->n_manifests; i++) {
		const struct desc *d = &index->manifests[i];
		if (!mt_is_manifest(d->media_type) || is_attestation(d))
			continue;
		if (d->platform == NULL) {
			if (!untagged) {
				untagged = true;
				untagged_i = i;
			}
			continue;
		}
		int r = platform_rank(want, d->platform);
		if (r >= 0 && r < best) {
			best = r;
			best_i = i;
			found = true;
		}
	}
	if (!found && untagged) {
		found = true;
		best_i = untagged_i;
	}
	if (!found) {
		cleanup_free char *w = platform_format(want);
		platform_free(&def);
		return berth_error_set(
		    err, ENOENT, "no matching manifest for %s in the manifest list entries", w);
	}
	platform_free(&def);
	*idx = best_i;
	return 0;
}
