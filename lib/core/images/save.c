/* docker save (save.h). */
#include "core/images/save.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "core/images/manifest.h"
#include "core/images/mediatype.h"
#include "core/images/pull.h"
#include "core/images/reference.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define OCI_LAYER "application/vnd.oci.image.layer.v1.tar"

struct out {
	save_write_fn fn;
	void *arg;
	struct berth_error *err;
};

static la_ssize_t out_write(struct archive *a, void *data, const void *buf, size_t len)
{
	(void)a;
	struct out *o = data;
	if (o->err == NULL && o->fn(o->arg, buf, len, &o->err) < 0)
		return -1;
	return (la_ssize_t)len;
}

struct saver {
	struct content_store *cs;
	struct archive *a;
	struct out out;
	char **written; /* member names already in the tar */
	int64_t *sizes; /* and their sizes */
	size_t n_written;
};

static int64_t *written_slot(struct saver *s, const char *name, bool *existed)
{
	for (size_t i = 0; i < s->n_written; i++)
		if (strcmp(s->written[i], name) == 0) {
			*existed = true;
			return &s->sizes[i];
		}
	s->written = xrealloc(s->written, (s->n_written + 1) * sizeof(char *));
	s->sizes = xrealloc(s->sizes, (s->n_written + 1) * sizeof(int64_t));
	s->sizes[s->n_written] = 0;
	s->written[s->n_written++] = xstrdup(name);
	*existed = false;
	return &s->sizes[s->n_written - 1];
}

static bool written(struct saver *s, const char *name)
{
	bool existed;
	written_slot(s, name, &existed);
	return existed;
}

static int arc_fail(struct saver *s, struct berth_error **err)
{
	if (s->out.err) {
		*err = s->out.err;
		s->out.err = NULL;
		return -1;
	}
	return berth_error_set(err, EIO, "write the tar: %s", archive_error_string(s->a));
}

static struct archive_entry *entry(const char *name, int64_t size, mode_t type)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_size(e, type == AE_IFREG ? size : 0);
	archive_entry_set_mtime(e, 0, 0);
	return e;
}

static int put_file(struct saver *s, const char *name, const void *buf, size_t len,
		    struct berth_error **err)
{
	if (written(s, name))
		return 0;
	struct archive_entry *e = entry(name, (int64_t)len, AE_IFREG);
	int rc = archive_write_header(s->a, e);
	archive_entry_free(e);
	if (rc != ARCHIVE_OK || (len && archive_write_data(s->a, buf, len) < 0))
		return arc_fail(s, err);
	return 0;
}

static int put_dir(struct saver *s, const char *name, struct berth_error **err)
{
	if (written(s, name))
		return 0;
	struct archive_entry *e = entry(name, 0, AE_IFDIR);
	int rc = archive_write_header(s->a, e);
	archive_entry_free(e);
	return rc == ARCHIVE_OK ? 0 : arc_fail(s, err);
}

static int put_link(struct saver *s, const char *name, const char *target, struct berth_error **err)
{
	if (written(s, name))
		return 0;
	struct archive_entry *e = entry(name, 0, AE_IFREG);
	archive_entry_set_hardlink(e, target);
	archive_entry_set_size(e, 0);
	int rc = archive_write_header(s->a, e);
	archive_entry_free(e);
	return rc == ARCHIVE_OK ? 0 : arc_fail(s, err);
}

/* The uncompressed layer through fn (NULL: count only); *size gets the bytes. */
static int layer_pass(struct saver *s, const char *digest, bool write, int64_t *size,
		      struct berth_error **err)
{
	cleanup_close int fd = -1;
	int64_t bsize = 0;
	if (content_open(s->cs, digest, 0, &fd, &bsize, err) < 0)
		return -1;
	struct archive *r = archive_read_new();
	archive_read_support_filter_all(r);
	archive_read_support_format_raw(r);
	struct archive_entry *ae;
	int rc = 0;
	*size = 0;
	if (archive_read_open_fd(r, fd, 64 * 1024) != ARCHIVE_OK ||
	    archive_read_next_header(r, &ae) != ARCHIVE_OK)
		rc =
		    berth_error_set(err, EIO, "read layer %s: %s", digest, archive_error_string(r));
	while (rc == 0) {
		const void *p;
		size_t len;
		la_int64_t off;
		int x = archive_read_data_block(r, &p, &len, &off);
		if (x == ARCHIVE_EOF)
			break;
		if (x != ARCHIVE_OK) {
			rc = berth_error_set(err, EIO, "read layer %s: %s", digest,
					     archive_error_string(r));
			break;
		}
		*size += (int64_t)len;
		if (write && archive_write_data(s->a, p, len) < 0)
			rc = arc_fail(s, err);
	}
	archive_read_free(r);
	return rc;
}

static int put_layer(struct saver *s, const struct desc *d, const char *diff_id, int64_t *out,
		     struct berth_error **err)
{
	cleanup_free char *name = xasprintf("blobs/sha256/%s", diff_id + 7);
	bool existed;
	int64_t *slot = written_slot(s, name, &existed);
	if (existed) {
		*out = *slot;
		return 0;
	}
	int64_t size = 0;
	if (mt_layer_compression(d->media_type) == MT_COMPRESSION_NONE) {
		size = d->size;
	} else if (layer_pass(s, d->digest.s, false, &size, err) < 0) {
		return -1;
	}
	struct archive_entry *e = entry(name, size, AE_IFREG);
	int rc = archive_write_header(s->a, e);
	archive_entry_free(e);
	if (rc != ARCHIVE_OK)
		return arc_fail(s, err);
	int64_t got = 0;
	if (layer_pass(s, d->digest.s, true, &got, err) < 0)
		return -1;
	if (got != size)
		return berth_error_set(err, EIO, "layer %s changed while it was saved",
				       d->digest.s);
	*slot = size;
	*out = size;
	return 0;
}

struct saved {
	char *config_path;
	json_t *layers; /* member paths */
	char *manifest; /* digest of the OCI manifest written */
	int64_t manifest_size;
	char *top_id; /* legacy id of the top layer */
};

static int save_one(struct saver *s, const struct save_image *im, struct saved *out,
		    struct berth_error **err)
{
	cleanup_free char *mbuf = NULL;
	size_t mlen = 0;
	if (content_read_all(s->cs, im->manifest, MANIFEST_MAX_SIZE, &mbuf, &mlen, err) < 0)
		return -1;
	struct manifest *m = NULL;
	if (manifest_parse(mbuf, mlen, NULL, &m, err) < 0)
		return -1;
	int rc = -1;
	cleanup_free char *oms = NULL;
	cleanup_free char *omp = NULL;
	cleanup_free char *cbuf = NULL;
	size_t clen = 0;
	json_t *cfg = NULL;
	json_t *mlayers = json_array();
	struct content_digest *diffs = NULL, *chain = NULL;
	if (content_read_all(s->cs, m->config.digest.s, IMAGE_CONFIG_MAX_SIZE, &cbuf, &clen, err) <
	    0)
		goto out;
	cfg = json_loadb(cbuf, clen, 0, NULL);
	json_t *ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
	if (json_array_size(ids) != m->n_layers) {
		berth_error_set(err, EBADMSG, "image %s: %zu layers, %zu diff_ids",
				m->config.digest.s, m->n_layers, json_array_size(ids));
		goto out;
	}
	diffs = xcalloc(m->n_layers + 1, sizeof(*diffs));
	chain = xcalloc(m->n_layers + 1, sizeof(*chain));
	for (size_t i = 0; i < m->n_layers; i++)
		if (content_digest_parse(json_string_value(json_array_get(ids, i)), &diffs[i],
					 err) < 0)
			goto out;
	image_chain_ids(diffs, m->n_layers, chain);
	out->config_path = xasprintf("blobs/sha256/%s", content_digest_hex(&m->config.digest));
	if (put_dir(s, "blobs", err) < 0 || put_dir(s, "blobs/sha256", err) < 0 ||
	    put_file(s, out->config_path, cbuf, clen, err) < 0)
		goto out;
	out->layers = json_array();
	for (size_t i = 0; i < m->n_layers; i++) {
		int64_t lsize = 0;
		if (put_layer(s, &m->layers[i], diffs[i].s, &lsize, err) < 0)
			goto out;
		cleanup_free char *lp = xasprintf("blobs/sha256/%s", content_digest_hex(&diffs[i]));
		json_array_append_new(out->layers, json_string(lp));
		json_array_append_new(mlayers,
				      json_pack("{s:s,s:s,s:I}", "mediaType", OCI_LAYER, "digest",
						diffs[i].s, "size", (json_int_t)lsize));
		/* the legacy dir */
		const char *id = content_digest_hex(&chain[i]);
		cleanup_free char *dir = xasprintf("%s", id);
		cleanup_free char *ver = xasprintf("%s/VERSION", id);
		cleanup_free char *js = xasprintf("%s/json", id);
		cleanup_free char *lt = xasprintf("%s/layer.tar", id);
		json_t *lj = json_pack("{s:s,s:s}", "id", id, "created", "1970-01-01T00:00:00Z");
		if (i > 0)
			json_object_set_new(lj, "parent",
					    json_string(content_digest_hex(&chain[i - 1])));
		cleanup_free char *ljs = json_dumps(lj, JSON_COMPACT);
		json_decref(lj);
		if (put_dir(s, dir, err) < 0 || put_file(s, ver, "1.0", 3, err) < 0 ||
		    put_file(s, js, ljs, strlen(ljs), err) < 0 || put_link(s, lt, lp, err) < 0)
			goto out;
		if (i + 1 == m->n_layers)
			out->top_id = xstrdup(id);
	}
	json_t *om = json_pack("{s:i,s:s,s:{s:s,s:s,s:I},s:o}", "schemaVersion", 2, "mediaType",
			       OCI_MANIFEST, "config", "mediaType", OCI_CONFIG, "digest",
			       m->config.digest.s, "size", (json_int_t)clen, "layers", mlayers);
	mlayers = NULL;
	oms = json_dumps(om, JSON_COMPACT);
	json_decref(om);
	struct content_digest omd;
	content_digest_buf(oms, strlen(oms), &omd);
	omp = xasprintf("blobs/sha256/%s", content_digest_hex(&omd));
	if (put_file(s, omp, oms, strlen(oms), err) < 0)
		goto out;
	out->manifest = xstrdup(omd.s);
	out->manifest_size = (int64_t)strlen(oms);
	rc = 0;
out:
	json_decref(mlayers);
	json_decref(cfg);
	free(diffs);
	free(chain);
	manifest_free(m);
	return rc;
}

static int finish(struct saver *s, const struct save_image *imgs, struct saved *sv, size_t n,
		  struct berth_error **err)
{
	json_t *mj = json_array();
	json_t *idx = json_array();
	json_t *repos = json_object();
	for (size_t i = 0; i < n; i++) {
		json_t *tags = json_array();
		for (size_t t = 0; imgs[i].tags && imgs[i].tags[t]; t++) {
			struct ref *r = NULL;
			struct berth_error *e = NULL;
			if (ref_parse_normalized(imgs[i].tags[t], &r, &e) < 0) {
				berth_error_free(&e);
				continue;
			}
			cleanup_free char *fam = ref_familiar_string(r);
			cleanup_free char *famname = ref_familiar_name(r);
			json_array_append_new(tags, json_string(fam));
			json_array_append_new(
			    idx,
			    json_pack("{s:s,s:s,s:I,s:{s:s,s:s}}", "mediaType", OCI_MANIFEST,
				      "digest", sv[i].manifest, "size",
				      (json_int_t)sv[i].manifest_size, "annotations",
				      "io.containerd.image.name", imgs[i].tags[t],
				      "org.opencontainers.image.ref.name", r->tag ? r->tag : ""));
			if (sv[i].top_id && r->tag) {
				json_t *ro = json_object_get(repos, famname);
				if (ro == NULL) {
					ro = json_object();
					json_object_set_new(repos, famname, ro);
				}
				json_object_set_new(ro, r->tag, json_string(sv[i].top_id));
			}
			ref_free(r);
		}
		if (json_array_size(tags) == 0)
			json_array_append_new(idx,
					      json_pack("{s:s,s:s,s:I}", "mediaType", OCI_MANIFEST,
							"digest", sv[i].manifest, "size",
							(json_int_t)sv[i].manifest_size));
		json_array_append_new(mj, json_pack("{s:s,s:o,s:O}", "Config", sv[i].config_path,
						    "RepoTags",
						    json_array_size(tags) ? tags : json_null(),
						    "Layers", sv[i].layers));
		if (json_array_size(tags) == 0)
			json_decref(tags);
	}
	json_t *index = json_pack("{s:i,s:s,s:o}", "schemaVersion", 2, "mediaType",
				  "application/vnd.oci.image.index.v1+json", "manifests", idx);
	cleanup_free char *is = json_dumps(index, JSON_COMPACT);
	cleanup_free char *ms = json_dumps(mj, JSON_COMPACT);
	cleanup_free char *rs = json_dumps(repos, JSON_COMPACT);
	json_decref(index);
	json_decref(mj);
	json_decref(repos);
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	if (put_file(s, "index.json", is, strlen(is), err) < 0 ||
	    put_file(s, "manifest.json", ms, strlen(ms), err) < 0 ||
	    put_file(s, "oci-layout", layout, strlen(layout), err) < 0 ||
	    put_file(s, "repositories", rs, strlen(rs), err) < 0)
		return -1;
	return 0;
}

int image_save(struct content_store *cs, const struct save_image *imgs, size_t n, save_write_fn fn,
	       void *arg, struct berth_error **err)
{
	struct saver s = {.cs = cs, .out = {.fn = fn, .arg = arg}};
	s.a = archive_write_new();
	archive_write_set_format_pax_restricted(s.a);
	archive_write_set_bytes_per_block(s.a, 32 * 1024);
	archive_write_set_bytes_in_last_block(s.a, 1);
	struct saved *sv = xcalloc(n ? n : 1, sizeof(*sv));
	int rc = 0;
	if (archive_write_open2(s.a, &s.out, NULL, out_write, NULL, NULL) != ARCHIVE_OK)
		rc = arc_fail(&s, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = save_one(&s, &imgs[i], &sv[i], err);
	if (rc == 0)
		rc = finish(&s, imgs, sv, n, err);
	if (rc == 0 && archive_write_close(s.a) != ARCHIVE_OK)
		rc = arc_fail(&s, err);
	archive_write_free(s.a);
	for (size_t i = 0; i < n; i++) {
		free(sv[i].config_path);
		json_decref(sv[i].layers);
		free(sv[i].manifest);
		free(sv[i].top_id);
	}
	free(sv);
	for (size_t i = 0; i < s.n_written; i++)
		free(s.written[i]);
	free(s.written);
	free(s.sizes);
	berth_error_free(&s.out.err);
	return rc;
}
