/* docker load (load.h). */
#include "core/images/load.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/images/docker-archive.h"
#include "core/images/imageconfig.h"
#include "core/images/manifest.h"
#include "core/images/mediatype.h"
#include "core/images/platform.h"
#include "core/images/reference.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SMALL_MAX (1u << 20)	/* members up to this size are kept in memory */
#define MEMORY_MAX (256u << 20) /* at most this much in all */
#define ALIAS_HOPS 16

struct member {
	char *name;
	char *alias; /* symlink or hard link: the member it names */
	char *data;  /* small regular files */
	size_t len;
	bool stored; /* layer: in the content store */
	struct local_layer layer;
};

struct loader {
	struct local_session *s;
	struct archive *a;
	local_read_fn fn;
	void *arg;
	struct berth_error *rerr;
	char buf[64 * 1024];
	struct member *m;
	size_t n;
	size_t mem;
};

static la_ssize_t outer_read(struct archive *a, void *data, const void **buf)
{
	(void)a;
	struct loader *l = data;
	ssize_t n = l->fn(l->arg, l->buf, sizeof(l->buf), &l->rerr);
	if (n < 0)
		return -1;
	*buf = l->buf;
	return n;
}

static int arc_error(struct loader *l, const char *what, struct berth_error **err)
{
	if (l->rerr) {
		*err = l->rerr;
		l->rerr = NULL;
		return -1;
	}
	return berth_error_set(err, EINVAL, "invalid archive: %s: %s", what,
			       archive_error_string(l->a) ? archive_error_string(l->a)
							  : "read error");
}

static struct member *find(struct loader *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->m[i].name, name) == 0)
			return &l->m[i];
	return NULL;
}

/* A link target inside the archive: relative to the link's dir (symlink) or
 * to the root (hard link); ".." may not climb above the root. */
static int link_target(const char *name, const char *target, bool symlink, char **out,
		       struct berth_error **err)
{
	if (target == NULL || target[0] == '\0' || target[0] == '/')
		return berth_error_set(err, EINVAL,
				       "invalid archive: member %s: link target \"%s\" is not a "
				       "relative path inside the archive",
				       name, target ? target : "");
	char *path;
	const char *slash = strrchr(name, '/');
	if (symlink && slash)
		path = xasprintf("%.*s/%s", (int)(slash - name), name, target);
	else
		path = xstrdup(target);
	/* resolve . and .. */
	size_t n = strlen(path);
	char *o = xmalloc(n + 1);
	size_t len = 0;
	for (char *p = path; *p;) {
		size_t c = strcspn(p, "/");
		if (c == 2 && p[0] == '.' && p[1] == '.') {
			if (len == 0) {
				free(o);
				free(path);
				return berth_error_set(err, EINVAL,
						       "invalid archive: member %s: link target "
						       "\"%s\" is outside the archive",
						       name, target);
			}
			while (len > 0 && o[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
		} else if (c > 0 && !(c == 1 && p[0] == '.')) {
			if (len)
				o[len++] = '/';
			memcpy(o + len, p, c);
			len += c;
		}
		p += c;
		while (*p == '/')
			p++;
	}
	o[len] = '\0';
	free(path);
	*out = o;
	return 0;
}

static struct member *resolve(struct loader *l, const char *name)
{
	struct member *m = find(l, name);
	for (int i = 0; m && m->alias && i < ALIAS_HOPS; i++)
		m = find(l, m->alias);
	return m && m->alias == NULL ? m : NULL;
}

static ssize_t member_read(void *arg, void *buf, size_t len, struct berth_error **err)
{
	struct loader *l = arg;
	la_ssize_t n = archive_read_data(l->a, buf, len);
	if (n < 0) {
		arc_error(l, "read", err);
		return -1;
	}
	return n;
}

/* blobs/sha256/<hex> must be what its name says */
static int check_blob_name(const char *name, const struct content_digest *raw,
			   struct berth_error **err)
{
	if (strncmp(name, "blobs/sha256/", 13) != 0)
		return 0;
	if (strcmp(name + 13, content_digest_hex(raw)) != 0)
		return berth_error_set(err, EBADMSG,
				       "invalid archive: %s: digest mismatch: the content is %s",
				       name, raw->s);
	return 0;
}

static int read_entry(struct loader *l, struct archive_entry *ae, struct berth_error **err)
{
	const char *raw_name = archive_entry_pathname(ae);
	cleanup_free char *name = NULL;
	struct berth_error *perr = NULL;
	mode_t type = archive_entry_filetype(ae);
	if (darc_path_clean(raw_name, &name, &perr) < 0) {
		if (type == AE_IFDIR && raw_name &&
		    (strcmp(raw_name, ".") == 0 || strcmp(raw_name, "./") == 0)) {
			berth_error_free(&perr);
			return 0;
		}
		berth_error_wrap(&perr, "invalid archive");
		*err = perr;
		return -1;
	}
	if (type == AE_IFDIR)
		return 0;
	if (find(l, name))
		return berth_error_set(err, EINVAL, "invalid archive: member %s appears twice",
				       name);
	struct member m = {0};
	const char *hl = archive_entry_hardlink(ae);
	if (hl) {
		cleanup_free char *t = NULL;
		if (darc_path_clean(hl, &t, &perr) < 0) {
			berth_error_wrap(&perr, "invalid archive: member %s: hard link", name);
			*err = perr;
			return -1;
		}
		m.alias = steal_ptr(t);
	} else if (type == AE_IFLNK) {
		if (link_target(name, archive_entry_symlink(ae), true, &m.alias, err) < 0)
			return -1;
	} else if (type != AE_IFREG) {
		return berth_error_set(
		    err, EINVAL, "invalid archive: member %s is not a file, directory or link",
		    name);
	} else if (archive_entry_size(ae) <= (la_int64_t)SMALL_MAX) {
		size_t sz = (size_t)archive_entry_size(ae);
		if (l->mem + sz > MEMORY_MAX)
			return berth_error_set(err, EFBIG,
					       "invalid archive: too many small members");
		m.data = xmalloc(sz + 1);
		size_t got = 0;
		while (got < sz) {
			la_ssize_t n = archive_read_data(l->a, m.data + got, sz - got);
			if (n <= 0) {
				free(m.data);
				return n < 0 ? arc_error(l, name, err)
					     : berth_error_set(err, EINVAL,
							       "invalid archive: member %s is cut",
							       name);
			}
			got += (size_t)n;
		}
		m.data[sz] = '\0';
		m.len = sz;
		l->mem += sz;
		struct content_digest d;
		content_digest_buf(m.data, m.len, &d);
		if (check_blob_name(name, &d, err) < 0) {
			free(m.data);
			return -1;
		}
	} else {
		if (local_put_layer(l->s, member_read, l, &m.layer, err) < 0) {
			berth_error_wrap(err, "invalid archive: member %s", name);
			return -1;
		}
		m.stored = true;
		if (check_blob_name(name, &m.layer.raw, err) < 0)
			return -1;
	}
	m.name = steal_ptr(name);
	l->m = xrealloc(l->m, (l->n + 1) * sizeof(*l->m));
	l->m[l->n++] = m;
	return 0;
}

/* ---- images ---- */

struct image {
	char *config;
	size_t config_len;
	struct content_digest *diff_ids;
	int64_t *sizes;
	size_t n;
	char **tags; /* NULL-terminated normalised names */
};

static void images_free(struct image *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].diff_ids);
		free(v[i].sizes);
		for (size_t t = 0; v[i].tags && v[i].tags[t]; t++)
			free(v[i].tags[t]);
		free(v[i].tags);
	}
	free(v);
}

static struct member *small(struct loader *l, const char *name, const char *what,
			    struct berth_error **err)
{
	struct member *m = resolve(l, name);
	if (m == NULL) {
		berth_error_set(err, EINVAL, "invalid archive: %s %s is missing", what, name);
		return NULL;
	}
	if (m->data == NULL) {
		berth_error_set(err, EFBIG, "invalid archive: %s %s is too large", what, name);
		return NULL;
	}
	return m;
}

/* Fill im from a config member and layer members. */
static int image_from(struct loader *l, const char *config, char *const *layers, size_t n,
		      struct image *im, struct berth_error **err)
{
	struct member *c = small(l, config, "config", err);
	if (c == NULL)
		return -1;
	struct image_config *cfg = NULL;
	if (image_config_parse(c->data, c->len, &cfg, err) < 0) {
		berth_error_wrap(err, "invalid archive: config %s", config);
		return -1;
	}
	int rc = 0;
	if (cfg->n_diff_ids != n)
		rc = berth_error_set(err, EINVAL,
				     "invalid archive: config %s has %zu diff_ids but %zu layers "
				     "are listed",
				     config, cfg->n_diff_ids, n);
	im->config = c->data;
	im->config_len = c->len;
	im->n = n;
	im->diff_ids = xcalloc(n + 1, sizeof(*im->diff_ids));
	im->sizes = xcalloc(n + 1, sizeof(*im->sizes));
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct member *m = resolve(l, layers[i]);
		if (m == NULL) {
			rc = berth_error_set(err, EINVAL, "invalid archive: layer %s is missing",
					     layers[i]);
			break;
		}
		if (!m->stored) {
			if (local_put_layer_mem(l->s, m->data, m->len, &m->layer, err) < 0) {
				berth_error_wrap(err, "invalid archive: layer %s", layers[i]);
				rc = -1;
				break;
			}
			m->stored = true;
		}
		if (strcmp(m->layer.diff_id.s, cfg->diff_ids[i].s) != 0) {
			rc = berth_error_set(
			    err, EBADMSG,
			    "invalid archive: layer %s: diffID mismatch: the config "
			    "says %s, the layer is %s",
			    layers[i], cfg->diff_ids[i].s, m->layer.diff_id.s);
			break;
		}
		im->diff_ids[i] = m->layer.diff_id;
		im->sizes[i] = m->layer.size;
	}
	image_config_free(cfg);
	return rc;
}

static int from_docker_archive(struct loader *l, struct member *mj, struct image **out,
			       size_t *nout, struct berth_error **err)
{
	struct darc_image *v = NULL;
	size_t n = 0;
	if (darc_manifest_parse(mj->data, mj->len, &v, &n, err) < 0)
		return -1;
	struct image *imgs = xcalloc(n, sizeof(*imgs));
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = image_from(l, v[i].config, v[i].layers, v[i].n_layers, &imgs[i], err);
		imgs[i].tags = v[i].tags;
		v[i].tags = NULL;
	}
	darc_images_free(v, n);
	if (rc < 0) {
		images_free(imgs, n);
		return -1;
	}
	*out = imgs;
	*nout = n;
	return 0;
}

static char *blob_path(const struct content_digest *d)
{
	return xasprintf("blobs/sha256/%s", content_digest_hex(d));
}

/* An OCI layout: index.json -> manifests (an index: the host's platform). */
static int from_oci(struct loader *l, struct member *ij, struct image **out, size_t *nout,
		    struct berth_error **err)
{
	struct manifest *idx = NULL;
	if (manifest_parse(ij->data, ij->len, MT_OCI_INDEX, &idx, err) < 0) {
		berth_error_wrap(err, "invalid archive: index.json");
		return -1;
	}
	struct image *imgs = xcalloc(idx->n_manifests + 1, sizeof(*imgs));
	size_t n = 0;
	int rc = 0;
	struct platform host;
	platform_default(&host);
	for (size_t i = 0; rc == 0 && i < idx->n_manifests; i++) {
		const struct desc *d = &idx->manifests[i];
		cleanup_free char *p = blob_path(&d->digest);
		struct member *mm = small(l, p, "manifest", err);
		struct manifest *m = NULL;
		if (mm == NULL || manifest_parse(mm->data, mm->len, d->media_type, &m, err) < 0) {
			rc = -1;
			break;
		}
		if (m->kind == MANIFEST_OCI_INDEX || m->kind == MANIFEST_DOCKER_LIST) {
			const struct desc *pick = NULL;
			for (size_t k = 0; k < m->n_manifests && !pick; k++)
				if (m->manifests[k].platform &&
				    platform_match(&host, m->manifests[k].platform))
					pick = &m->manifests[k];
			if (pick == NULL) {
				manifest_free(m);
				rc = berth_error_set(
				    err, ENOENT,
				    "invalid archive: no image for this platform in "
				    "%s",
				    p);
				break;
			}
			cleanup_free char *pp = blob_path(&pick->digest);
			struct member *pm = small(l, pp, "manifest", err);
			struct manifest *m2 = NULL;
			if (pm == NULL ||
			    manifest_parse(pm->data, pm->len, pick->media_type, &m2, err) < 0) {
				manifest_free(m);
				rc = -1;
				break;
			}
			manifest_free(m);
			m = m2;
		}
		if (!mt_is_image_manifest(m->media_type)) {
			manifest_free(m);
			rc = berth_error_set(err, EINVAL, "invalid archive: %s is not an image", p);
			break;
		}
		cleanup_free char *cp = blob_path(&m->config.digest);
		char **layers = xcalloc(m->n_layers + 1, sizeof(char *));
		for (size_t k = 0; k < m->n_layers; k++)
			layers[k] = blob_path(&m->layers[k].digest);
		rc = image_from(l, cp, layers, m->n_layers, &imgs[n], err);
		for (size_t k = 0; k < m->n_layers; k++)
			free(layers[k]);
		free(layers);
		manifest_free(m);
		imgs[n].tags = xcalloc(2, sizeof(char *));
		const char *name = desc_annotation(d, "io.containerd.image.name");
		struct ref *r = NULL;
		struct berth_error *rerr = NULL;
		if (name && ref_parse_normalized(name, &r, &rerr) == 0 && r->digest == NULL &&
		    (r->tag || ref_set_tag(r, "latest", &rerr) == 0))
			imgs[n].tags[0] = ref_string(r);
		ref_free(r);
		berth_error_free(&rerr);
		n++;
	}
	platform_free(&host);
	manifest_free(idx);
	if (rc < 0) {
		images_free(imgs, n + 1);
		return -1;
	}
	*out = imgs;
	*nout = n;
	return 0;
}

int image_load(const struct local_options *o, local_read_fn fn, void *arg, load_event_fn ev,
	       void *ev_arg, struct berth_error **err)
{
	struct loader *l = xcalloc(1, sizeof(*l));
	l->fn = fn;
	l->arg = arg;
	if (local_begin(o, &l->s, err) < 0) {
		free(l);
		return -1;
	}
	l->a = archive_read_new();
	archive_read_support_filter_all(l->a);
	archive_read_support_format_tar(l->a);
	archive_read_support_format_gnutar(l->a);
	int rc = 0;
	if (archive_read_open(l->a, l, NULL, outer_read, NULL) != ARCHIVE_OK)
		rc = arc_error(l, "open", err);
	struct archive_entry *ae;
	while (rc == 0) {
		int r = archive_read_next_header(l->a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			rc = arc_error(l, "read", err);
			break;
		}
		rc = read_entry(l, ae, err);
	}
	/* drain what follows the end of the tar (padding) */
	while (rc == 0) {
		ssize_t n = fn(arg, l->buf, sizeof(l->buf), err);
		if (n < 0)
			rc = -1;
		if (n <= 0)
			break;
	}
	struct image *imgs = NULL;
	size_t n = 0;
	if (rc == 0 && l->n == 0)
		rc = berth_error_set(err, EINVAL, "invalid archive: empty or not a tar");
	if (rc == 0) {
		struct member *mj = find(l, "manifest.json");
		struct member *ij = find(l, "index.json");
		if (mj) {
			mj = small(l, "manifest.json", "file", err);
			rc = mj ? from_docker_archive(l, mj, &imgs, &n, err) : -1;
		} else if (ij) {
			ij = small(l, "index.json", "file", err);
			rc = ij ? from_oci(l, ij, &imgs, &n, err) : -1;
		} else {
			rc = berth_error_set(err, EINVAL,
					     "invalid archive: no manifest.json or index.json: not "
					     "a docker save or OCI layout tar");
		}
	}
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = local_unpack(l->s, imgs[i].diff_ids, imgs[i].n, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t nt = 0;
		while (imgs[i].tags[nt])
			nt++;
		struct content_digest id;
		rc = local_record(l->s, imgs[i].config, imgs[i].config_len, imgs[i].diff_ids,
				  imgs[i].sizes, imgs[i].n, imgs[i].tags, nt, &id, err);
		if (rc < 0)
			break;
		for (size_t t = 0; t < nt; t++) {
			struct ref *r = NULL;
			struct berth_error *e2 = NULL;
			cleanup_free char *fam = NULL;
			if (ref_parse_normalized(imgs[i].tags[t], &r, &e2) == 0)
				fam = ref_familiar_string(r);
			ref_free(r);
			berth_error_free(&e2);
			cleanup_free char *line =
			    xasprintf("Loaded image: %s", fam ? fam : imgs[i].tags[t]);
			ev(ev_arg, line);
		}
		if (nt == 0) {
			cleanup_free char *line = xasprintf("Loaded image ID: %s", id.s);
			ev(ev_arg, line);
		}
	}
	images_free(imgs, n);
	archive_read_free(l->a);
	for (size_t i = 0; i < l->n; i++) {
		free(l->m[i].name);
		free(l->m[i].alias);
		free(l->m[i].data);
	}
	free(l->m);
	berth_error_free(&l->rerr);
	local_end(l->s);
	free(l);
	return rc;
}
