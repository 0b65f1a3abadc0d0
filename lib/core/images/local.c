/* Images made on this host: layers, snapshots and records for load and
 * import (local.h). */
#include "core/images/local.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/archive/archive.h"
#include "core/images/manifest.h"
#include "core/images/mediatype.h"
#include "core/images/pull-internal.h"
#include "core/images/pull.h"
#include "core/images/records.h"

#include <archive.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOCAL_LEASE_TTL_NS (24LL * 3600 * 1000000000LL)
#define LAYER_MT "application/vnd.oci.image.layer.v1.tar"
#define CONFIG_MT "application/vnd.oci.image.config.v1+json"
#define MANIFEST_MT "application/vnd.oci.image.manifest.v1+json"

struct local_session {
	struct local_options o;
	char *lease;
	unsigned seq;
};

int local_begin(const struct local_options *o, struct local_session **out, struct berth_error **err)
{
	struct local_session *s = xcalloc(1, sizeof(*s));
	s->o = *o;
	s->lease = md_lease_new_id();
	/* the pull label: leases left by a crash are dropped at the next start */
	json_t *labels = json_pack("{s:s}", PULL_LEASE_LABEL, o->what);
	int rc = md_namespace_ensure(o->md, o->ns, err);
	if (rc == 0)
		rc = md_lease_create(o->md, o->ns, s->lease, md_now() + LOCAL_LEASE_TTL_NS, labels,
				     err);
	json_decref(labels);
	if (rc < 0) {
		free(s->lease);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void local_end(struct local_session *s)
{
	if (s == NULL)
		return;
	struct berth_error *err = NULL;
	if (md_lease_delete(s->o.md, s->o.ns, s->lease, &err) < 0) {
		log_warn("%s: delete lease %s: %s", s->o.what, s->lease, err->msg);
		berth_error_free(&err);
	}
	free(s->lease);
	free(s);
}

static int lease_add(struct local_session *s, enum md_ref_kind kind, const char *snapshotter,
		     const char *name, struct berth_error **err)
{
	return md_lease_add(s->o.md, s->o.ns, s->lease, kind, snapshotter, name, err);
}

/* ---- layers ---- */

struct src {
	local_read_fn fn;
	void *arg;
	const void *mem;
	size_t mem_len;
	bool mem_done;
	EVP_MD_CTX *raw;
	char buf[64 * 1024];
	struct berth_error *err;
};

static la_ssize_t src_read(struct archive *a, void *data, const void **buf)
{
	(void)a;
	struct src *sr = data;
	if (sr->mem != NULL) {
		if (sr->mem_done)
			return 0;
		sr->mem_done = true;
		*buf = sr->mem;
		EVP_DigestUpdate(sr->raw, sr->mem, sr->mem_len);
		return (la_ssize_t)sr->mem_len;
	}
	ssize_t n = sr->fn(sr->arg, sr->buf, sizeof(sr->buf), &sr->err);
	if (n < 0)
		return -1;
	EVP_DigestUpdate(sr->raw, sr->buf, (size_t)n);
	*buf = sr->buf;
	return n;
}

static int put_layer(struct local_session *s, struct src *sr, struct local_layer *out,
		     struct berth_error **err)
{
	memset(out, 0, sizeof(*out));
	cleanup_free char *ref = xasprintf("%s-%s-%u", s->o.what, s->lease, s->seq++);
	if (lease_add(s, MD_REF_INGEST, NULL, ref, err) < 0)
		return -1;
	struct content_writer *w = NULL;
	if (content_writer_open(s->o.cs, ref, -1, NULL, &w, err) < 0)
		return -1;
	int rc = content_writer_truncate(w, 0, err);
	sr->raw = EVP_MD_CTX_new();
	EVP_DigestInit_ex(sr->raw, EVP_sha256(), NULL);
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	struct archive_entry *ae;
	if (rc == 0 && (archive_read_open(a, sr, NULL, src_read, NULL) != ARCHIVE_OK ||
			archive_read_next_header(a, &ae) != ARCHIVE_OK)) {
		if (sr->err) {
			*err = sr->err;
			sr->err = NULL;
			rc = -1;
		} else {
			rc = berth_error_set(err, EINVAL, "read layer: %s",
					     archive_error_string(a) ? archive_error_string(a)
								     : "not a tar stream");
		}
	}
	while (rc == 0) {
		const void *p;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(a, &p, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			if (sr->err) {
				*err = sr->err;
				sr->err = NULL;
				rc = -1;
			} else {
				rc = berth_error_set(err, EINVAL, "read layer: %s",
						     archive_error_string(a));
			}
			break;
		}
		rc = content_writer_write(w, p, len, err);
	}
	archive_read_free(a);
	unsigned char md[32];
	EVP_DigestFinal_ex(sr->raw, md, NULL);
	EVP_MD_CTX_free(sr->raw);
	content_digest_from_raw(md, &out->raw);
	if (rc == 0) {
		out->size = content_writer_offset(w);
		content_writer_digest(w, &out->diff_id);
		if (out->size == 0)
			rc = berth_error_set(err, EINVAL, "read layer: empty");
	}
	if (rc == 0 && lease_add(s, MD_REF_CONTENT, NULL, out->diff_id.s, err) < 0)
		rc = -1;
	if (rc == 0 && content_writer_commit(w, -1, NULL, NULL, err) < 0)
		rc = -1;
	if (rc < 0) {
		struct berth_error *e2 = NULL;
		content_writer_abort(w, &e2);
		berth_error_free(&e2);
	}
	content_writer_close(w);
	berth_error_free(&sr->err);
	return rc;
}

int local_put_layer(struct local_session *s, local_read_fn fn, void *arg, struct local_layer *out,
		    struct berth_error **err)
{
	struct src *sr = xcalloc(1, sizeof(*sr));
	sr->fn = fn;
	sr->arg = arg;
	int rc = put_layer(s, sr, out, err);
	free(sr);
	return rc;
}

int local_put_layer_mem(struct local_session *s, const void *buf, size_t len,
			struct local_layer *out, struct berth_error **err)
{
	struct src *sr = xcalloc(1, sizeof(*sr));
	sr->mem = buf;
	sr->mem_len = len;
	int rc = put_layer(s, sr, out, err);
	free(sr);
	return rc;
}

int local_put_blob(struct local_session *s, const void *buf, size_t len, struct content_digest *out,
		   struct berth_error **err)
{
	content_digest_buf(buf, len, out);
	if (lease_add(s, MD_REF_CONTENT, NULL, out->s, err) < 0)
		return -1;
	if (content_exists(s->o.cs, out->s))
		return 0;
	cleanup_free char *ref = xasprintf("%s-%s-%u", s->o.what, s->lease, s->seq++);
	struct content_writer *w = NULL;
	if (content_writer_open(s->o.cs, ref, (int64_t)len, out->s, &w, err) < 0)
		return -1;
	int rc = content_writer_truncate(w, 0, err);
	if (rc == 0)
		rc = content_writer_write(w, buf, len, err);
	if (rc == 0 && content_writer_commit(w, (int64_t)len, out->s, NULL, err) < 0)
		rc = -1;
	if (rc < 0) {
		struct berth_error *e2 = NULL;
		content_writer_abort(w, &e2);
		berth_error_free(&e2);
	}
	content_writer_close(w);
	return rc < 0 ? -1 : 0;
}

/* ---- snapshots ---- */

static int unpack_one(struct local_session *s, const struct content_digest *diff_id,
		      const char *chain, const char *parent, struct berth_error **err)
{
	struct snapshotter *snap = s->o.snap;
	const char *driver = snap_driver(snap);
	struct snap_info si;
	if (snap_stat(snap, chain, &si, NULL) == 0) {
		snap_info_free(&si);
		return lease_add(s, MD_REF_SNAPSHOT, driver, chain, err);
	}
	cleanup_free char *key = xasprintf("extract-%s-%.12s", s->lease, chain + 7);
	if (lease_add(s, MD_REF_SNAPSHOT, driver, key, err) < 0 ||
	    snap_prepare(snap, key, parent, NULL, err) < 0)
		return -1;
	cleanup_free char *dir = NULL;
	cleanup_close int fd = -1;
	int64_t size = 0;
	struct arc_unpack_result res;
	struct arc_unpack_opts uo = {
	    .whiteouts = strcmp(driver, "native") == 0 ? ARC_WHITEOUT_APPLY : ARC_WHITEOUT_OVERLAY};
	if (snap_layer_dir(snap, key, &dir, err) < 0 ||
	    content_open(s->o.cs, diff_id->s, 0, &fd, &size, err) < 0)
		goto fail;
	if (arc_unpack_fd(fd, dir, &uo, &res, err) < 0) {
		berth_error_wrap(err, "failed to register layer %s", diff_id->s);
		goto fail;
	}
	if (strcmp(res.diff_id, diff_id->s) != 0) {
		berth_error_set(err, EBADMSG, "failed to register layer: diffID mismatch: %s is %s",
				diff_id->s, res.diff_id);
		goto fail;
	}
	if (lease_add(s, MD_REF_SNAPSHOT, driver, chain, err) < 0)
		goto fail;
	struct berth_error *cerr = NULL;
	if (snap_commit(snap, chain, key, &cerr) < 0) {
		if (cerr->code != EEXIST) {
			*err = cerr;
			goto fail;
		}
		berth_error_free(&cerr);
		snap_remove(snap, key, NULL);
	}
	return 0;
fail : {
	struct berth_error *rerr = NULL;
	if (snap_remove(snap, key, &rerr) < 0) {
		log_warn("%s: remove snapshot %s: %s", s->o.what, key, rerr->msg);
		berth_error_free(&rerr);
	}
}
	return -1;
}

int local_unpack(struct local_session *s, const struct content_digest *diff_ids, size_t n,
		 struct berth_error **err)
{
	struct content_digest *chain = xcalloc(n + 1, sizeof(*chain));
	image_chain_ids(diff_ids, n, chain);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = unpack_one(s, &diff_ids[i], chain[i].s, i ? chain[i - 1].s : NULL, err);
	free(chain);
	return rc;
}

/* ---- records ---- */

int local_record(struct local_session *s, const char *config, size_t config_len,
		 const struct content_digest *diff_ids, const int64_t *sizes, size_t n_layers,
		 char *const *names, size_t n_names, struct content_digest *id,
		 struct berth_error **err)
{
	if (local_put_blob(s, config, config_len, id, err) < 0)
		return -1;
	json_t *layers = json_array();
	for (size_t i = 0; i < n_layers; i++)
		json_array_append_new(layers,
				      json_pack("{s:s,s:s,s:I}", "mediaType", LAYER_MT, "digest",
						diff_ids[i].s, "size", (json_int_t)sizes[i]));
	json_t *mj = json_pack("{s:i,s:s,s:{s:s,s:s,s:I},s:o}", "schemaVersion", 2, "mediaType",
			       MANIFEST_MT, "config", "mediaType", CONFIG_MT, "digest", id->s,
			       "size", (json_int_t)config_len, "layers", layers);
	cleanup_free char *mbuf = json_dumps(mj, JSON_COMPACT);
	json_decref(mj);
	struct desc md = {.media_type = (char *)MANIFEST_MT, .size = (int64_t)strlen(mbuf)};
	if (local_put_blob(s, mbuf, strlen(mbuf), &md.digest, err) < 0)
		return -1;
	struct manifest *m = NULL;
	if (manifest_parse(mbuf, strlen(mbuf), MANIFEST_MT, &m, err) < 0)
		return -1;
	struct content_digest *chain = xcalloc(n_layers + 1, sizeof(*chain));
	image_chain_ids(diff_ids, n_layers, chain);
	int64_t total = 0;
	for (size_t i = 0; i < n_layers; i++) {
		struct snap_usage u;
		if (snap_usage(s->o.snap, chain[i].s, &u, NULL) == 0)
			total += u.size;
	}
	struct pull_record rec = {
	    .ns = s->o.ns,
	    .top = &md,
	    .manifest = &md,
	    .m = m,
	    .snapshotter = snap_driver(s->o.snap),
	    .top_chain = n_layers ? chain[n_layers - 1].s : NULL,
	    .size = total,
	    .no_repo_digest = true,
	};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n_names; i++) {
		rec.name = names[i];
		rec.familiar_name = names[i];
		rc = pull_write_record(s->o.md, &rec, err);
	}
	if (rc == 0 && n_names == 0) {
		/* no name: a dangling record unless a name already has this ID */
		struct md_image *v = NULL;
		size_t nv = 0;
		rc = img_list_by_id(s->o.md, s->o.ns, id->s, &v, &nv, err);
		md_image_list_free(v, nv);
		if (rc == 0 && nv == 0) {
			cleanup_free char *dname = xasprintf("%s%s", MD_DANGLING_PREFIX, id->s);
			rec.name = dname;
			rec.familiar_name = dname;
			rc = pull_write_record(s->o.md, &rec, err);
		}
	}
	free(chain);
	manifest_free(m);
	return rc;
}
