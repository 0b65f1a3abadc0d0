/* regtest: drives lib/core/registry for tests/integration/registry.bats.
 *
 *   regtest [options] ping DOMAIN
 *   regtest [options] resolve REF                 -> "<media type> <digest> <size>"
 *   regtest [options] manifest REF                -> the manifest's bytes (verified)
 *   regtest [options] pull REF                    -> "manifest|config|layer <digest>" lines
 *   regtest [options] fetch-blob REF DIGEST SIZE  -> "committed" or "exists"
 *   regtest [options] exists REF DIGEST           -> "yes" or "no"
 *   regtest [options] push-blob REF FILE          -> "exists", "mounted" or "pushed <digest>"
 *   regtest [options] push-manifest REF FILE MEDIATYPE -> the digest
 *
 * Options: --store DIR (content store root), --certs-dir DIR, --insecure X,
 * --mirror URL (both repeatable), --auth-file FILE, --user USER:PASS,
 * --retries N, --backoff-ms N, --low-speed-time S, --platform P,
 * --chunk N (chunked upload), --mount-from PATH, --progress (to stderr),
 * --secure-loopback (no insecure default for 127.0.0.1: TLS tests).
 * Errors: "regtest: <message> (code N)" on stderr, exit 1. */
#include "core/content/content.h"
#include "core/images/imageconfig.h"
#include "core/images/manifest.h"
#include "core/images/reference.h"
#include "core/registry/registry.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct opts {
	const char *store, *platform, *mount_from, *user;
	int64_t chunk;
	bool progress;
	struct reg_options ro;
	const char *insecure[32], *mirrors[32];
	int n_insecure, n_mirrors;
	struct reg_auth_file *af;
};

static struct berth_error *err;

static int fail(void)
{
	fprintf(stderr, "regtest: %s (code %d)\n", err ? err->msg : "failed", err ? err->code : 0);
	berth_error_free(&err);
	return 1;
}

static void on_progress(void *data, const struct desc *d, int64_t done, int64_t total)
{
	(void)data;
	fprintf(stderr, "progress %s %" PRId64 "/%" PRId64 "\n", d->digest.s, done, total);
}

static struct content_store *open_store(const struct opts *o)
{
	struct content_store *cs = NULL;
	if (o->store == NULL)
		berth_error_set(&err, EINVAL, "--store is needed");
	else
		content_store_open(o->store, &cs, &err);
	return cs;
}

static int pull(struct reg_repo *r, const struct opts *o, const struct reg_progress *pg)
{
	struct desc top;
	if (reg_resolve(r, NULL, &top, &err) < 0)
		return fail();
	struct reg_manifest m;
	if (reg_fetch_manifest(r, top.digest.s, &m, &err) < 0)
		return fail();
	struct manifest *man;
	if (manifest_parse(m.body, m.len, m.media_type, &man, &err) < 0)
		return fail();
	printf("manifest %s %s\n", m.digest.s, man->media_type);
	if (manifest_is_index(man)) {
		struct platform want = {0}, *wp = NULL;
		size_t i;
		if (o->platform) {
			if (platform_parse(o->platform, &want, &err) < 0)
				return fail();
			wp = &want;
		}
		if (manifest_select(man, wp, &i, &err) < 0)
			return fail();
		platform_free(&want);
		struct content_digest child = man->manifests[i].digest;
		manifest_free(man);
		reg_manifest_free(&m);
		if (reg_fetch_manifest(r, child.s, &m, &err) < 0 ||
		    manifest_parse(m.body, m.len, m.media_type, &man, &err) < 0)
			return fail();
		printf("manifest %s %s\n", m.digest.s, man->media_type);
	}
	if (manifest_check_image(man, &err) < 0)
		return fail();
	struct content_store *cs = open_store(o);
	if (cs == NULL || reg_fetch_blob(r, &man->config, cs, pg, &err) < 0)
		return fail();
	cleanup_free char *cfgbuf = NULL;
	size_t cfglen;
	struct image_config *cfg;
	if (content_read_all(cs, man->config.digest.s, IMAGE_CONFIG_MAX_SIZE, &cfgbuf, &cfglen,
			     &err) < 0 ||
	    image_config_parse(cfgbuf, cfglen, &cfg, &err) < 0 ||
	    image_config_check_layers(cfg, man, &err) < 0)
		return fail();
	cleanup_free char *plat = platform_format(&cfg->platform);
	printf("config %s %s\n", man->config.digest.s, plat);
	for (size_t i = 0; i < man->n_layers; i++) {
		int rc = reg_fetch_blob(r, &man->layers[i], cs, pg, &err);
		if (rc < 0)
			return fail();
		printf("layer %s %s\n", man->layers[i].digest.s,
		       rc == CONTENT_ALREADY_EXISTS ? "exists" : "fetched");
	}
	image_config_free(cfg);
	manifest_free(man);
	reg_manifest_free(&m);
	desc_free(&top);
	content_store_close(cs);
	return 0;
}

/* Put FILE into the store; *d gets its descriptor. */
static int ingest_file(struct content_store *cs, const char *file, struct desc *d)
{
	cleanup_close int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_errno(&err, "open %s", file);
	struct content_writer *w;
	cleanup_free char *ref = xasprintf("regtest-%d", (int)getpid());
	if (content_writer_open(cs, ref, -1, NULL, &w, &err) < 0)
		return -1;
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (content_writer_write(w, buf, (size_t)n, &err) < 0)
			goto fail;
	d->size = content_writer_offset(w);
	if (content_writer_commit(w, -1, NULL, &d->digest, &err) < 0)
		goto fail;
	content_writer_close(w);
	d->media_type = xstrdup("application/octet-stream");
	return 0;
fail:
	content_writer_close(w);
	return -1;
}

static int push_blob(struct reg_repo *r, const struct opts *o, const char *file,
		     const struct reg_progress *pg)
{
	struct content_store *cs = open_store(o);
	struct desc d = {0};
	if (cs == NULL || ingest_file(cs, file, &d) < 0)
		return fail();
	int rc = reg_blob_exists(r, d.digest.s, NULL, &err);
	if (rc < 0)
		return fail();
	if (rc == 1) {
		printf("exists %s\n", d.digest.s);
	} else if (o->mount_from &&
		   (rc = reg_blob_mount(r, d.digest.s, o->mount_from, &err)) != 0) {
		if (rc < 0)
			return fail();
		printf("mounted %s\n", d.digest.s);
	} else {
		if (reg_blob_push(r, cs, &d, o->chunk, pg, &err) < 0)
			return fail();
		printf("pushed %s\n", d.digest.s);
	}
	desc_free(&d);
	content_store_close(cs);
	return 0;
}

static int read_file(const char *file, char **buf, size_t *len)
{
	FILE *f = fopen(file, "rbe");
	if (f == NULL)
		return berth_error_errno(&err, "open %s", file);
	size_t cap = 1 << 16;
	*buf = xmalloc(cap);
	*len = 0;
	size_t n;
	while ((n = fread(*buf + *len, 1, cap - *len, f)) > 0) {
		*len += n;
		if (*len == cap)
			*buf = xrealloc(*buf, cap *= 2);
	}
	fclose(f);
	return 0;
}

static int run(struct reg_client *c, struct opts *o, int argc, char **argv)
{
	const char *cmd = argv[0];
	struct reg_auth auth = {0};
	if (o->user) {
		const char *colon = strchr(o->user, ':');
		auth.username = xasprintf(
		    "%.*s", (int)(colon ? colon - o->user : (long)strlen(o->user)), o->user);
		auth.password = xstrdup(colon ? colon + 1 : "");
	}
	struct reg_progress pg = {on_progress, NULL}, *pgp = o->progress ? &pg : NULL;
	if (strcmp(cmd, "ping") == 0 && argc == 2)
		return reg_ping(c, argv[1], &auth, &err) < 0 ? fail() : (printf("ok\n"), 0);
	if (argc < 2)
		return berth_error_set(&err, EINVAL, "usage: see regtest.c"), fail();
	bool push = strncmp(cmd, "push", 4) == 0;
	struct ref *ref;
	if ((push ? ref_parse_normalized(argv[1], &ref, &err)
		  : ref_parse_docker(argv[1], &ref, &err)) < 0)
		return fail();
	struct reg_repo *r;
	if (reg_repo_open(c, ref, push ? REG_PULL | REG_PUSH : REG_PULL, &auth, &r, &err) < 0)
		return fail();
	int rc = 0;
	if (strcmp(cmd, "resolve") == 0) {
		struct desc d;
		if (reg_resolve(r, NULL, &d, &err) < 0)
			return fail();
		printf("%s %s %" PRId64 "\n", d.media_type, d.digest.s, d.size);
		desc_free(&d);
	} else if (strcmp(cmd, "manifest") == 0) {
		struct reg_manifest m;
		if (reg_fetch_manifest(r, NULL, &m, &err) < 0)
			return fail();
		fwrite(m.body, 1, m.len, stdout);
		reg_manifest_free(&m);
	} else if (strcmp(cmd, "pull") == 0) {
		rc = pull(r, o, pgp);
	} else if (strcmp(cmd, "fetch-blob") == 0 && argc == 4) {
		struct desc d = {.media_type = xstrdup("application/octet-stream")};
		struct content_store *cs = open_store(o);
		if (cs == NULL || content_digest_parse(argv[2], &d.digest, &err) < 0)
			return fail();
		d.size = strtoll(argv[3], NULL, 10);
		int f = reg_fetch_blob(r, &d, cs, pgp, &err);
		if (f < 0)
			return fail();
		printf("%s\n", f == CONTENT_ALREADY_EXISTS ? "exists" : "committed");
		desc_free(&d);
		content_store_close(cs);
	} else if (strcmp(cmd, "exists") == 0 && argc == 3) {
		int e = reg_blob_exists(r, argv[2], NULL, &err);
		if (e < 0)
			return fail();
		printf("%s\n", e ? "yes" : "no");
	} else if (strcmp(cmd, "push-blob") == 0 && argc == 3) {
		rc = push_blob(r, o, argv[2], pgp);
	} else if (strcmp(cmd, "push-manifest") == 0 && argc == 4) {
		cleanup_free char *buf = NULL;
		size_t len = 0;
		struct content_digest d;
		if (read_file(argv[2], &buf, &len) < 0 ||
		    reg_manifest_push(r, ref->tag, argv[3], buf, len, &d, &err) < 0)
			return fail();
		printf("%s\n", d.s);
	} else {
		berth_error_set(&err, EINVAL, "unknown command or arguments: %s", cmd);
		return fail();
	}
	reg_repo_close(r);
	ref_free(ref);
	reg_auth_free(&auth);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	reg_options_init(&o.ro);
	const char *auth_file = NULL;
	static const struct option lo[] = {{"store", required_argument, 0, 's'},
					   {"certs-dir", required_argument, 0, 'c'},
					   {"insecure", required_argument, 0, 'i'},
					   {"mirror", required_argument, 0, 'm'},
					   {"auth-file", required_argument, 0, 'a'},
					   {"user", required_argument, 0, 'u'},
					   {"retries", required_argument, 0, 'r'},
					   {"backoff-ms", required_argument, 0, 'b'},
					   {"low-speed-time", required_argument, 0, 'l'},
					   {"platform", required_argument, 0, 'p'},
					   {"chunk", required_argument, 0, 'k'},
					   {"mount-from", required_argument, 0, 'f'},
					   {"progress", no_argument, 0, 'P'},
					   {"secure-loopback", no_argument, 0, 'L'},
					   {0, 0, 0, 0}};
	int ch;
	while ((ch = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
		switch (ch) {
		case 's':
			o.store = optarg;
			break;
		case 'c':
			o.ro.certs_dir = optarg;
			break;
		case 'i':
			if (o.n_insecure < 31)
				o.insecure[o.n_insecure++] = optarg;
			break;
		case 'm':
			if (o.n_mirrors < 31)
				o.mirrors[o.n_mirrors++] = optarg;
			break;
		case 'a':
			auth_file = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'r':
			o.ro.max_retries = atoi(optarg);
			break;
		case 'b':
			o.ro.backoff_ms = atol(optarg);
			break;
		case 'l':
			o.ro.low_speed_time = atol(optarg);
			break;
		case 'p':
			o.platform = optarg;
			break;
		case 'k':
			o.chunk = strtoll(optarg, NULL, 10);
			break;
		case 'f':
			o.mount_from = optarg;
			break;
		case 'P':
			o.progress = true;
			break;
		case 'L':
			o.ro.secure_loopback = true;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "regtest: no command (see tests/helpers/regtest.c)\n");
		return 2;
	}
	o.ro.insecure = o.insecure;
	o.ro.mirrors = o.mirrors;
	if (auth_file && reg_auth_file_load(auth_file, &o.af, &err) < 0)
		return fail();
	o.ro.auth_file = o.af;
	struct reg_client *c;
	if (reg_client_new(&o.ro, &c, &err) < 0)
		return fail();
	setvbuf(stdout, NULL, _IOLBF, 0);
	int rc = run(c, &o, argc - optind, argv + optind);
	reg_client_free(c);
	reg_auth_file_free(o.af);
	return rc;
}
