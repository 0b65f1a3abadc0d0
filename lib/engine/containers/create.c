/* ctr_create: POST /containers/create. The image looked up and merged, the
 * HostConfig checked, a name reserved, the container's dir with hostname,
 * hosts and resolv.conf, an active snapshot on the image's top layer and the
 * metadata row (both under the images lock, so that neither GC nor an image
 * delete runs in between), then config.v2.json and hostconfig.json. A
 * failure at any step undoes the ones before. */
#include "engine/containers/internal.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/images/records.h"
#include "core/snapshots/snapshots.h"
#include "engine/api/images-internal.h"
#include "engine/spec/specgen.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char **strv_copy(char **v)
{
	size_t n = strv_len(v);
	char **out = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

int ctr_runtime_resolve(struct engine *e, const char *name, char **path, char ***args,
			struct berth_error **err)
{
	*path = NULL;
	if (args)
		*args = NULL;
	int rc = 0;
	pthread_mutex_lock(&e->lock);
	const char *want = name && name[0] ? name : e->cfg.default_runtime;
	bool found = false;
	for (size_t i = 0; i < e->cfg.nruntimes && !found; i++) {
		if (strcmp(e->cfg.runtimes[i].name, want) == 0) {
			*path = xstrdup(e->cfg.runtimes[i].path);
			if (args && e->cfg.runtimes[i].args)
				*args = strv_copy(e->cfg.runtimes[i].args);
			found = true;
		}
	}
	for (size_t i = 0; !found && engine_builtin_runtimes[i]; i++) {
		if (strcmp(engine_builtin_runtimes[i], want) == 0) {
			if (strcmp(want, ENGINE_DEFAULT_RUNTIME) == 0 && e->containers &&
			    e->containers->runtime_bin)
				*path = xstrdup(e->containers->runtime_bin);
			else
				*path = xstrdup(want);
			found = true;
		}
	}
	if (!found)
		rc = berth_error_set(err, EINVAL, "Unknown runtime specified %s", want);
	pthread_mutex_unlock(&e->lock);
	return rc;
}

static int parse_size(const char *s, long long *out)
{
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -1;
	long long mult = 1;
	switch (*end) {
	case 'k':
	case 'K':
		mult = 1024LL;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1024LL * 1024;
		end++;
		break;
	case 'g':
	case 'G':
		mult = 1024LL * 1024 * 1024;
		end++;
		break;
	case 'b':
	case 'B':
		end++;
		break;
	default:
		break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end)
		return -1;
	*out = (long long)(v * (double)mult);
	return 0;
}

int ctr_log_opts(struct engine *e, json_t *host_config, char **driver, long long *max_size,
		 int *max_file, struct berth_error **err)
{
	*max_size = 0;
	*max_file = 1;
	json_t *lc = json_object_get(host_config, "LogConfig");
	const char *type = json_string_value(json_object_get(lc, "Type"));
	json_t *opts = json_object_get(lc, "Config");
	pthread_mutex_lock(&e->lock);
	cleanup_free char *t = xstrdup(type && type[0] ? type : e->cfg.log_driver);
	cleanup_json json_t *o = json_deep_copy(e->cfg.log_opts);
	pthread_mutex_unlock(&e->lock);
	if (!json_is_object(o))
		o = json_object();
	if (json_is_object(opts) && json_object_size(opts) > 0) {
		json_decref(o);
		o = json_deep_copy(opts);
	}
	if (strcmp(t, "json-file") != 0 && strcmp(t, "none") != 0)
		return berth_error_set(err, EINVAL,
				       "logger: no log driver named '%s' is registered", t);
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		const char *s = json_string_value(v);
		if (!s)
			return berth_error_set(err, EINVAL, "log-opt %s: must be a string", k);
		if (strcmp(k, "max-size") == 0) {
			if (parse_size(s, max_size) < 0)
				return berth_error_set(err, EINVAL, "invalid max-size: %s", s);
		} else if (strcmp(k, "max-file") == 0) {
			char *end = NULL;
			long n = strtol(s, &end, 10);
			if (!*s || *end || n < 1 || n > 1000)
				return berth_error_set(err, EINVAL,
						       "invalid value for max-file: %s", s);
			*max_file = (int)n;
		} else if (strcmp(k, "compress") != 0 && strcmp(k, "labels") != 0 &&
			   strcmp(k, "env") != 0 && strcmp(k, "tag") != 0 &&
			   strcmp(k, "mode") != 0 && strcmp(k, "max-buffer-size") != 0) {
			return berth_error_set(err, EINVAL,
					       "unknown log opt '%s' for %s log driver", k, t);
		}
	}
	if (*max_file > 1 && *max_size == 0)
		return berth_error_set(err, EINVAL, "max-file cannot be set without max-size");
	if (driver)
		*driver = steal_ptr(t);
	return 0;
}

static int write_file(const char *dir, const char *name, const char *text, struct berth_error **err)
{
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berth_error_errno(err, "open %s", dir);
	return fs_write_file_atomic(dfd, name, text, strlen(text), 0644, false, err);
}

static bool nonempty(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return (json_is_string(v) && json_string_value(v)[0]) ||
	       (json_is_array(v) && json_array_size(v) > 0) ||
	       (json_is_object(v) && json_object_size(v) > 0) || json_is_true(v);
}

/* dockerd's validateNetMode (runconfig): options that a container sharing
 * another's network, or the host's UTS namespace, cannot have; a 400 */
static int check_net_conflicts(json_t *config, json_t *hc, struct berth_error **err)
{
	const char *net = json_string_value(json_object_get(hc, "NetworkMode"));
	const char *uts = json_string_value(json_object_get(hc, "UTSMode"));
	static const char pre[] = "conflicting options: ";
	if (net && strncmp(net, "container:", 10) == 0) {
		if (net[10] == '\0')
			return berth_error_set(err, EINVAL,
					       "Invalid network mode: invalid container format "
					       "container:<name|id>");
		if (nonempty(config, "Hostname"))
			return berth_error_set(err, EINVAL, "%shostname and the network mode", pre);
		if (nonempty(hc, "Links"))
			return berth_error_set(
			    err, EINVAL,
			    "%scontainer type network can't be used with links. This "
			    "would result in undefined behavior",
			    pre);
		if (nonempty(hc, "Dns"))
			return berth_error_set(err, EINVAL, "%sdns and the network mode", pre);
		if (nonempty(hc, "ExtraHosts"))
			return berth_error_set(
			    err, EINVAL, "%scustom host-to-IP mapping and the network mode", pre);
	}
	bool shared = net && (strncmp(net, "container:", 10) == 0 || strcmp(net, "host") == 0);
	if (shared && nonempty(config, "MacAddress"))
		return berth_error_set(err, EINVAL, "%smac-address and the network mode", pre);
	if (net && strncmp(net, "container:", 10) == 0) {
		if (nonempty(hc, "PortBindings") || nonempty(hc, "PublishAllPorts"))
			return berth_error_set(
			    err, EINVAL, "%sport publishing and the container type network mode",
			    pre);
		if (nonempty(config, "ExposedPorts"))
			return berth_error_set(
			    err, EINVAL, "%sport exposing and the container type network mode",
			    pre);
	}
	if (uts && strcmp(uts, "host") == 0 && nonempty(config, "Hostname"))
		return berth_error_set(err, EINVAL, "%shostname and the UTS mode", pre);
	return 0;
}

/* the values of one resolv.conf keyword ("nameserver": the first value of
 * each line; "search", "options": all of them), appended to out */
static void resolv_values(const char *conf, const char *key, json_t *out)
{
	cleanup_free char *copy = xstrdup(conf ? conf : "");
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ws = NULL;
		char *w = strtok_r(line, " \t", &ws);
		if (!w || strcmp(w, key) != 0)
			continue;
		while ((w = strtok_r(NULL, " \t", &ws)) != NULL) {
			json_array_append_new(out, json_string(w));
			if (strcmp(key, "nameserver") == 0)
				break;
		}
	}
}

static void print_joined(FILE *f, const char *prefix, json_t *words)
{
	size_t i;
	json_t *w;
	fputs(prefix, f);
	json_array_foreach(words, i, w) fprintf(f, "%s%s", i ? " " : "", json_string_value(w));
	fputc('\n', f);
}

/* libnetwork's setupDNS: with --dns, --dns-search or --dns-option, a file
 * of search, nameserver and options lines, each list from HostConfig or
 * else from the host's file; without them the host's file */
static char *resolv_build(json_t *hc, const char *host_conf)
{
	static const char *const keys[] = {"DnsSearch", "Dns", "DnsOptions"};
	static const char *const words[] = {"search", "nameserver", "options"};
	json_t *lists[3];
	bool given = false;
	for (size_t i = 0; i < 3; i++) {
		json_t *v = json_object_get(hc, keys[i]);
		lists[i] = json_array();
		if (json_is_array(v) && json_array_size(v) > 0) {
			json_array_extend(lists[i], v);
			given = true;
		}
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = given ? open_memstream(&buf, &len) : NULL;
	for (size_t i = 0; f && i < 3; i++) {
		if (json_array_size(lists[i]) == 0)
			resolv_values(host_conf, words[i], lists[i]);
		size_t n = json_array_size(lists[i]);
		const char *first = n ? json_string_value(json_array_get(lists[i], 0)) : "";
		if (i == 1) {
			for (size_t j = 0; j < n; j++)
				fprintf(f, "nameserver %s\n",
					json_string_value(json_array_get(lists[i], j)));
		} else if (n > 0 && !(i == 0 && n == 1 && strcmp(first, ".") == 0)) {
			cleanup_free char *prefix = xasprintf("%s ", words[i]);
			print_joined(f, prefix, lists[i]);
		}
	}
	for (size_t i = 0; i < 3; i++)
		json_decref(lists[i]);
	if (f == NULL)
		return xstrdup(host_conf ? host_conf : "");
	fclose(f);
	return buf;
}

/* hostname, hosts, resolv.conf in the container's dir (bind-mounted at
 * start); --add-host entries after docker's defaults (the host's own file
 * with --network host and none) */
static int write_etc_files(struct container *c, const char *dir, struct berth_error **err)
{
	const char *hn = json_string_value(json_object_get(c->config, "Hostname"));
	const char *nm = json_string_value(json_object_get(c->host_config, "NetworkMode"));
	json_t *extra = json_object_get(c->host_config, "ExtraHosts");
	bool host_net = nm && strcmp(nm, "host") == 0;
	cleanup_free char *hostname = xasprintf("%s\n", hn ? hn : "");
	cleanup_free char *hosts = NULL;
	cleanup_free char *host_resolv = NULL;
	if (host_net && json_array_size(extra) == 0) {
		if (fs_read_file("/etc/hosts", &hosts, NULL, NULL) < 0)
			hosts = xstrdup("127.0.0.1\tlocalhost\n");
	} else {
		size_t len = 0;
		FILE *f = open_memstream(&hosts, &len);
		fputs("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
		      "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n"
		      "ff02::2\tip6-allrouters\n",
		      f);
		size_t i;
		json_t *h;
		json_array_foreach(extra, i, h)
		{
			const char *s = json_string_value(h);
			const char *colon = s ? strchr(s, ':') : NULL;
			if (colon)
				fprintf(f, "%s\t%.*s\n", colon + 1, (int)(colon - s), s);
		}
		fclose(f);
	}
	if (fs_read_file("/etc/resolv.conf", &host_resolv, NULL, NULL) < 0)
		host_resolv = xstrdup("");
	cleanup_free char *resolv = resolv_build(c->host_config, host_resolv);
	if (write_file(dir, "hostname", hostname, err) < 0 ||
	    write_file(dir, "hosts", hosts, err) < 0 ||
	    write_file(dir, "resolv.conf", resolv, err) < 0)
		return -1;
	return 0;
}

/* Reserve a name (given or generated) in the store: c joins it as "creating". */
static int reserve_name(struct engine *e, struct container *c, const char *name,
			struct berth_error **err)
{
	struct ctr_store *s = e->containers;
	for (unsigned attempt = 0;; attempt++) {
		cleanup_free char *want = NULL;
		if (name)
			want = name[0] == '/' ? xstrdup(name) : xasprintf("/%s", name);
		else {
			cleanup_free char *g = ctr_name_generate(attempt < 5 ? 0 : attempt);
			want = xasprintf("/%s", g);
		}
		pthread_mutex_lock(&s->lock);
		struct container *o = ctr_store_by_name_locked(s, want);
		if (!o) {
			c->name = steal_ptr(want);
			c->priv->creating = true;
			if (s->n == s->cap) {
				s->cap = s->cap ? s->cap * 2 : 16;
				s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
			}
			ctr_ref(c);
			s->v[s->n++] = c;
			pthread_mutex_unlock(&s->lock);
			return 0;
		}
		pthread_mutex_unlock(&s->lock);
		if (name)
			return berth_error_set(
			    err, EEXIST,
			    "Conflict. The container name \"%s\" is already in use by container "
			    "\"%s\". You have to remove (or rename) that container to be able to "
			    "reuse that name.",
			    want, o->id);
		if (attempt > 50)
			return berth_error_set(err, EEXIST, "could not generate a container name");
	}
}

/* ?platform= as dockerd parses it (containerd's platforms.Parse, its
 * messages): every component [A-Za-z0-9_-]+, at most os/arch/variant. */
static int parse_platform(const char *spec, struct platform *out, struct berth_error **err)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
	size_t n = 0;
	for (const char *s = spec;; n++) {
		size_t len = strcspn(s, "/");
		if (len == 0 || strspn(s, ok) < len)
			return berth_error_set(
			    err, EINVAL,
			    "\"%.*s\" is an invalid component of \"%s\": platform "
			    "specifier component must match \"^[A-Za-z0-9_-]+$\": "
			    "invalid argument",
			    (int)len, s, spec);
		if (s[len] == '\0')
			break;
		s += len + 1;
	}
	if (n >= 3)
		return berth_error_set(
		    err, EINVAL, "\"%s\": cannot parse platform specifier: invalid argument", spec);
	struct berth_error *perr = NULL;
	if (platform_parse(spec, out, &perr) < 0) {
		berth_error_free(&perr);
		return berth_error_set(
		    err, EINVAL,
		    "\"%s\": unknown operating system or architecture: invalid argument", spec);
	}
	return 0;
}

/* dockerd's GetImage with a platform: a local image of another platform is
 * not found (404: the docker CLI pulls the platform's image) */
static int check_platform(const char *image, const struct img *im, const char *spec,
			  struct berth_error **err)
{
	struct platform want;
	if (parse_platform(spec, &want, err) < 0)
		return -1;
	const struct platform *have = &im->cfg->platform;
	int rc = 0;
	if (platform_rank(&want, have) < 0) {
		cleanup_free char *w = platform_format(&want);
		cleanup_free char *h = platform_format(have);
		rc = berth_error_set(err, ENOENT,
				     "image with reference %s was found but does not match the "
				     "specified platform: wanted %s, actual: %s",
				     image, w, h);
	}
	platform_free(&want);
	return rc;
}

/* Config and HostConfig from the body, merged with the image. */
static int prepare_config(struct engine *e, struct container *c, json_t *body, const char *platform,
			  struct img *im, char ***warnings, struct berth_error **err)
{
	if (!json_is_object(body))
		return berth_error_set(err, EINVAL, "the request body must be a JSON object");
	json_t *config = json_deep_copy(body);
	json_object_del(config, "HostConfig");
	json_object_del(config, "NetworkingConfig");
	c->config = config;
	json_t *hc = json_object_get(body, "HostConfig");
	if (hc && !json_is_object(hc) && !json_is_null(hc))
		return berth_error_set(err, EINVAL, "HostConfig: must be an object");
	c->host_config = json_is_object(hc) ? json_deep_copy(hc) : json_object();
	if (check_net_conflicts(config, c->host_config, err) < 0)
		return -1;
	const char *image = json_string_value(json_object_get(config, "Image"));
	if (!image || !image[0])
		return berth_error_set(err, EINVAL, "Config.Image: no image specified");
	c->image = xstrdup(image);
	if (images_lookup(e, image, im, NULL, err) < 0)
		return -1;
	if (platform && im->cfg && check_platform(image, im, platform, err) < 0)
		return -1;
	c->image_id = xstrdup(im->id);
	if (specgen_check_hostconfig(c->host_config, warnings, err) < 0)
		return -1;
	/* dockerd looks up the container whose pid or ipc namespace is shared
	 * at create: an unknown one is a 400 now (a 404 would make the CLI pull
	 * the image), not a failed start */
	static const char *const shared[] = {"PidMode", "IpcMode"};
	for (size_t i = 0; i < 2; i++) {
		const char *m = json_string_value(json_object_get(c->host_config, shared[i]));
		struct container *other = NULL;
		struct berth_error *ferr = NULL;
		if (m && strncmp(m, "container:", 10) == 0) {
			if (ctr_find(e, m + 10, &other, &ferr) < 0) {
				berth_error_set(err, EINVAL, "%s", ferr->msg);
				berth_error_free(&ferr);
				return -1;
			}
			ctr_unref(other);
		}
	}
	json_t *icfg = im->cfg && im->cfg->config ? im->cfg->config : NULL;
	cleanup_json json_t *empty = json_object();
	if (specgen_merge_image_config(config, icfg ? icfg : empty, err) < 0)
		return -1;
	/* dockerd's newContainer: the host's name with --network host, else
	 * the short id */
	const char *hn = json_string_value(json_object_get(config, "Hostname"));
	const char *nm = json_string_value(json_object_get(c->host_config, "NetworkMode"));
	char host[HOST_NAME_MAX + 1] = {0};
	if ((!hn || !hn[0]) && nm && strcmp(nm, "host") == 0 &&
	    gethostname(host, sizeof(host) - 1) == 0 && host[0])
		json_object_set_new(config, "Hostname", json_string(host));
	else if (!hn || !hn[0])
		json_object_set_new(config, "Hostname", json_stringn(c->id, 12));
	/* the runtime, resolved now: an unknown one is a 400 at create */
	const char *rt = json_string_value(json_object_get(c->host_config, "Runtime"));
	cleanup_free char *rpath = NULL;
	if (ctr_runtime_resolve(e, rt, &rpath, NULL, err) < 0)
		return -1;
	if (!rt || !rt[0]) {
		pthread_mutex_lock(&e->lock);
		c->runtime = xstrdup(e->cfg.default_runtime);
		pthread_mutex_unlock(&e->lock);
		json_object_set_new(c->host_config, "Runtime", json_string(c->runtime));
	} else {
		c->runtime = xstrdup(rt);
	}
	cleanup_free char *driver = NULL;
	long long max_size;
	int max_file;
	if (ctr_log_opts(e, c->host_config, &driver, &max_size, &max_file, err) < 0)
		return -1;
	json_t *lc = json_object_get(c->host_config, "LogConfig");
	if (!json_is_object(lc)) {
		lc = json_object();
		json_object_set_new(c->host_config, "LogConfig", lc);
	}
	json_object_set_new(lc, "Type", json_string(driver));
	if (!json_is_object(json_object_get(lc, "Config")))
		json_object_set_new(lc, "Config", json_object());
	return 0;
}

/* The snapshot and the metadata row, under the images lock. */
static int prepare_storage(struct engine *e, struct container *c, struct img *im,
			   struct berth_error **err)
{
	const char *parent =
	    im->cfg && im->cfg->n_diff_ids ? im->chain[im->cfg->n_diff_ids - 1].s : NULL;
	c->snapshot_key = xstrdup(c->id);
	pthread_mutex_lock(&e->images_lock);
	/* the image may have been deleted since the lookup (deletes hold this lock) */
	struct md_image *recs = NULL;
	size_t nrecs = 0;
	int rc = img_list_by_id(e->md, CTR_NS, im->id, &recs, &nrecs, err);
	md_image_list_free(recs, nrecs);
	if (rc == 0 && nrecs == 0)
		rc = berth_error_set(err, ENOENT, "No such image: %s", c->image);
	if (rc == 0)
		rc = snap_prepare(e->snap, c->snapshot_key, parent, NULL, err);
	if (rc == 0) {
		struct md_container m;
		ctr_md_fill(c, &m);
		m.snapshotter = (char *)snap_driver(e->snap);
		rc = md_container_create(e->md, CTR_NS, &m, err);
		if (rc < 0)
			snap_remove(e->snap, c->snapshot_key, NULL);
	}
	pthread_mutex_unlock(&e->images_lock);
	if (rc < 0) {
		free(c->snapshot_key);
		c->snapshot_key = NULL;
	}
	return rc;
}

static void undo_storage(struct engine *e, struct container *c)
{
	struct berth_error *err = NULL;
	if (md_container_delete(e->md, CTR_NS, c->id, &err) < 0) {
		log_error("undo create: %s", err->msg);
		berth_error_free(&err);
	}
	if (snap_remove(e->snap, c->snapshot_key, &err) < 0) {
		log_error("undo create: %s", err->msg);
		berth_error_free(&err);
	}
}

int ctr_create(struct engine *e, const char *name, json_t *body, const char *platform,
	       struct container **out, char ***warnings, struct berth_error **err)
{
	*out = NULL;
	struct ctr_store *s = e->containers;
	if (!s || !e->snap || !e->md)
		return berth_error_set(err, EIO, "containers are not available (no core layer)");
	if (name && name[0] && !ctr_name_valid(name))
		return berth_error_set(
		    err, EINVAL,
		    "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] "
		    "are allowed",
		    name);
	char id[65];
	ctr_id_generate(id);
	struct container *c = ctr_new(id);
	c->priv->engine = e;
	struct img im = {0};
	int64_t t0 = ctr_now();
	int rc = prepare_config(e, c, body, platform, &im, warnings, err);
	int64_t t1 = ctr_now();
	if (rc == 0)
		rc = reserve_name(e, c, name && name[0] ? name : NULL, err);
	bool reserved = rc == 0;
	cleanup_free char *dir = ctr_dir(e, c);
	bool made_dir = false, storage = false;
	if (rc == 0) {
		rc = mkdir(dir, 0710);
		if (rc < 0)
			berth_error_errno(err, "create %s", dir);
		made_dir = rc == 0;
	}
	if (rc == 0)
		rc = write_etc_files(c, dir, err);
	if (rc == 0) {
		c->created = ctr_now();
		c->shim_dir = xasprintf("%s/%s", s->shims_dir, c->id);
		c->rootfs = xasprintf("%s/rootfs", c->shim_dir);
		const char *drv = json_string_value(
		    json_object_get(json_object_get(c->host_config, "LogConfig"), "Type"));
		if (!drv || strcmp(drv, "none") != 0)
			c->log_path = xasprintf("%s/%s-json.log", dir, c->id);
		c->state.status = CTR_CREATED;
		rc = prepare_storage(e, c, &im, err);
		storage = rc == 0;
	}
	int64_t t2 = ctr_now();
	if (rc == 0) {
		pthread_mutex_lock(&c->lock);
		rc = ctr_persist_locked(e, c, true, err);
		pthread_mutex_unlock(&c->lock);
	}
	log_debug(
	    "container %s: create: config %.1f ms, files and storage %.1f ms, persist %.1f ms",
	    c->id, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (ctr_now() - t2) / 1e6);
	img_free(&im);
	if (rc < 0) {
		if (storage)
			undo_storage(e, c);
		if (made_dir)
			fs_rm_rf(dir, NULL);
		if (reserved)
			ctr_store_remove(s, c);
		ctr_unref(c);
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	c->priv->creating = false;
	pthread_mutex_unlock(&s->lock);
	ctr_event(e, c, "create", NULL);
	*out = c;
	return 0;
}
