/* GET /images/get?names=a&names=b and GET /images/{name}/get: the images as
 * one tar (lib/core/images/save.h: docker-archive manifest.json and
 * repositories, legacy layer dirs, and an OCI image layout), streamed as it
 * is written. Names are looked up as everywhere (reference, ID, prefix); an
 * image named by a reference carries that tag (all of them when several
 * names are given for one image), one named by ID none, as dockerd does.
 * Unknown names are a 404 before anything is sent. */
#include "engine/api/api.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/images/pull.h"
#include "core/images/records.h"
#include "core/images/save.h"
#include "engine/api/images-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct save_job {
	struct engine *e;
	struct save_image *imgs;
	char **ids;
	size_t n;
};

static void job_free(void *arg)
{
	struct save_job *j = arg;
	for (size_t i = 0; i < j->n; i++) {
		free((char *)j->imgs[i].manifest);
		for (size_t t = 0; j->imgs[i].tags[t]; t++)
			free(j->imgs[i].tags[t]);
		free(j->imgs[i].tags);
		free(j->ids[i]);
	}
	free(j->imgs);
	free(j->ids);
	free(j);
}

static int write_stream(void *arg, const void *buf, size_t len, struct berth_error **err)
{
	if (api_stream_write(arg, buf, len) < 0)
		return berth_error_set(err, EPIPE, "the client went away");
	return 0;
}

static void save_stream(struct api_stream *s, void *arg)
{
	struct save_job *j = arg;
	struct berth_error *err = NULL;
	if (image_save(j->e->cs, j->imgs, j->n, write_stream, s, &err) < 0) {
		/* the head is out: all a client sees is a cut tar */
		log_warn("save: %s", err->msg);
		berth_error_free(&err);
	}
}

static void add_tag(struct save_image *im, const char *name)
{
	size_t n = 0;
	while (im->tags[n])
		n++;
	for (size_t i = 0; i < n; i++)
		if (strcmp(im->tags[i], name) == 0)
			return;
	im->tags = xrealloc(im->tags, (n + 2) * sizeof(char *));
	im->tags[n] = xstrdup(name);
	im->tags[n + 1] = NULL;
}

static int save(struct api_request *req, struct api_response *resp, char **names,
		struct berth_error **err)
{
	struct engine *e = req->ctx;
	if (images_require_core(e, err) < 0)
		return -1;
	struct save_job *j = xcalloc(1, sizeof(*j));
	j->e = e;
	for (size_t i = 0; names[i]; i++) {
		struct img im;
		char *matched = NULL;
		if (images_lookup(e, names[i], &im, &matched, err) < 0) {
			job_free(j);
			return -1;
		}
		size_t k = 0;
		while (k < j->n && strcmp(j->ids[k], im.id) != 0)
			k++;
		if (k == j->n) {
			const char *mdg = NULL;
			for (size_t r = 0; r < im.nrecs && mdg == NULL; r++)
				mdg = img_label(&im.recs[r], IMG_LABEL_MANIFEST);
			if (mdg == NULL) {
				berth_error_set(err, EINVAL, "image %s has no manifest", im.id);
				free(matched);
				img_free(&im);
				job_free(j);
				return -1;
			}
			j->imgs = xrealloc(j->imgs, (j->n + 1) * sizeof(*j->imgs));
			j->ids = xrealloc(j->ids, (j->n + 1) * sizeof(char *));
			j->imgs[k] = (struct save_image){.manifest = xstrdup(mdg),
							 .tags = xcalloc(1, sizeof(char *))};
			j->ids[k] = xstrdup(im.id);
			j->n++;
		}
		if (matched && !img_is_dangling(&(struct md_image){.name = matched}) &&
		    strchr(matched, '@') == NULL)
			add_tag(&j->imgs[k], matched);
		free(matched);
		img_free(&im);
	}
	if (j->n == 0) {
		job_free(j);
		return berth_error_set(err, EINVAL, "no images to save");
	}
	for (size_t i = 0; i < j->n; i++)
		images_event(e, "save", j->ids[i], j->ids[i]);
	api_reply_stream(resp, 200, "application/x-tar", save_stream, j, job_free);
	return 0;
}

static int images_get(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	cleanup_strv char **names = api_query_all(req, "names");
	return save(req, resp, names, err);
}

static int images_get_one(struct api_request *req, struct api_response *resp,
			  struct berth_error **err)
{
	char *names[] = {(char *)api_param(req, "name"), NULL};
	return save(req, resp, names, err);
}

const struct api_route api_images_save_routes[] = {
    {"GET", "/images/get", images_get},
    {"GET", "/images/{name*}/get", images_get_one},
    {NULL, NULL, NULL},
};
