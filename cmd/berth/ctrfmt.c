/* Pure helpers of the container commands (see ctrfmt.h). */
#include "ctrfmt.h"
#include "gotmpl.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- small string builder ---- */
struct sb {
	char *p;
	size_t n, cap;
};

static void sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void sb_str(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static char *sb_take(struct sb *b)
{
	return b->p ? b->p : xstrdup("");
}

static double jnum(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : 0;
}

/* ---- ps columns ---- */

char *ctrfmt_go_quote(const char *s)
{
	struct sb b = {0};
	sb_str(&b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		switch (*p) {
		case '"':
			sb_str(&b, "\\\"");
			break;
		case '\\':
			sb_str(&b, "\\\\");
			break;
		case '\a':
			sb_str(&b, "\\a");
			break;
		case '\b':
			sb_str(&b, "\\b");
			break;
		case '\f':
			sb_str(&b, "\\f");
			break;
		case '\n':
			sb_str(&b, "\\n");
			break;
		case '\r':
			sb_str(&b, "\\r");
			break;
		case '\t':
			sb_str(&b, "\\t");
			break;
		case '\v':
			sb_str(&b, "\\v");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				snprintf(esc, sizeof(esc), "\\x%02x", *p);
				sb_str(&b, esc);
			} else {
				sb_add(&b, (const char *)p, 1);
			}
		}
	}
	sb_str(&b, "\"");
	return sb_take(&b);
}

char *ctrfmt_command_display(const char *cmd, bool no_trunc)
{
	if (no_trunc)
		return ctrfmt_go_quote(cmd ? cmd : "");
	cleanup_free char *cut = fmt_ellipsis(cmd ? cmd : "", 20);
	return ctrfmt_go_quote(cut);
}

char *ctrfmt_names_display(json_t *names, bool no_trunc)
{
	struct sb b = {0};
	size_t i;
	json_t *v;
	json_array_foreach(names, i, v)
	{
		const char *n = json_is_string(v) ? json_string_value(v) : "";
		if (*n == '/')
			n++;
		if (!no_trunc) {
			if (strchr(n, '/'))
				continue;
			free(b.p);
			return xstrdup(n);
		}
		if (b.n)
			sb_str(&b, ",");
		sb_str(&b, n);
	}
	return sb_take(&b);
}

struct port {
	const char *ip, *type;
	long priv, pub;
};

static int port_cmp(const void *a, const void *b)
{
	const struct port *x = a, *y = b;
	if (x->priv != y->priv)
		return x->priv < y->priv ? -1 : 1;
	int c = strcmp(x->ip, y->ip);
	if (c)
		return c;
	if (x->pub != y->pub)
		return x->pub < y->pub ? -1 : 1;
	return strcmp(x->type, y->type);
}

struct pgroup {
	char *key;
	long first, last;
};

static char *form_group(const char *key, long first, long last)
{
	const char *slash = strrchr(key, '/');
	cleanup_free char *ip = slash ? strndup(key, (size_t)(slash - key)) : NULL;
	const char *type = slash ? slash + 1 : key;
	cleanup_free char *g =
	    first == last ? xasprintf("%ld", first) : xasprintf("%ld-%ld", first, last);
	if (ip)
		return xasprintf("%s:%s->%s/%s", ip, g, g, type);
	return xasprintf("%s/%s", g, type);
}

static char *join_host_port(const char *ip, long port)
{
	if (strchr(ip, ':'))
		return xasprintf("[%s]:%ld", ip, port);
	return xasprintf("%s:%ld", ip, port);
}

char *ctrfmt_ports_display(json_t *ports)
{
	size_t n = json_array_size(ports), ng = 0, nr = 0, nh = 0;
	if (n == 0)
		return xstrdup("");
	cleanup_free struct port *v = xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		json_t *p = json_array_get(ports, i);
		v[i] = (struct port){bjson_get_str(p, "IP"), bjson_get_str(p, "Type"),
				     (long)jnum(p, "PrivatePort"), (long)jnum(p, "PublicPort")};
	}
	qsort(v, n, sizeof(*v), port_cmp);
	cleanup_free struct pgroup *g = xcalloc(n, sizeof(*g));
	cleanup_free char **result = xcalloc(2 * n + 1, sizeof(char *));
	cleanup_free char **hosts = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *key = NULL;
		if (*v[i].ip) {
			if (v[i].pub != v[i].priv) {
				cleanup_free char *hp = join_host_port(v[i].ip, v[i].pub);
				hosts[nh++] = xasprintf("%s->%ld/%s", hp, v[i].priv, v[i].type);
				continue;
			}
			key = xasprintf("%s/%s", v[i].ip, v[i].type);
		} else {
			key = xstrdup(v[i].type);
		}
		struct pgroup *grp = NULL;
		for (size_t k = 0; k < ng && !grp; k++)
			if (strcmp(g[k].key, key) == 0)
				grp = &g[k];
		if (grp == NULL) {
			g[ng++] = (struct pgroup){steal_ptr(key), v[i].priv, v[i].priv};
			continue;
		}
		if (v[i].priv == grp->last + 1) {
			grp->last = v[i].priv;
			continue;
		}
		result[nr++] = form_group(grp->key, grp->first, grp->last);
		grp->first = grp->last = v[i].priv;
	}
	for (size_t k = 0; k < ng; k++) {
		result[nr++] = form_group(g[k].key, g[k].first, g[k].last);
		free(g[k].key);
	}
	struct sb b = {0};
	for (size_t k = 0; k < nr + nh; k++) {
		char *s = k < nr ? result[k] : hosts[k - nr];
		if (b.n)
			sb_str(&b, ", ");
		sb_str(&b, s);
		free(s);
	}
	return sb_take(&b);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *ctrfmt_labels_display(json_t *labels)
{
	size_t n = json_object_size(labels), i = 0;
	if (n == 0)
		return xstrdup("");
	cleanup_free const char **keys = xcalloc(n, sizeof(*keys));
	const char *k;
	json_t *v;
	json_object_foreach(labels, k, v) keys[i++] = k;
	qsort(keys, n, sizeof(*keys), str_cmp);
	struct sb b = {0};
	for (i = 0; i < n; i++) {
		if (i)
			sb_str(&b, ",");
		sb_str(&b, keys[i]);
		sb_str(&b, "=");
		sb_str(&b, bjson_get_str(labels, keys[i]));
	}
	return sb_take(&b);
}

/* ---- stats ---- */

double ctrfmt_cpu_percent(json_t *stats)
{
	json_t *cur = json_object_get(stats, "cpu_stats");
	json_t *pre = json_object_get(stats, "precpu_stats");
	double cpu = jnum(json_object_get(cur, "cpu_usage"), "total_usage") -
		     jnum(json_object_get(pre, "cpu_usage"), "total_usage");
	double sys = jnum(cur, "system_cpu_usage") - jnum(pre, "system_cpu_usage");
	double online = jnum(cur, "online_cpus");
	if (online == 0)
		online = (double)json_array_size(
		    json_object_get(json_object_get(cur, "cpu_usage"), "percpu_usage"));
	if (sys > 0 && cpu > 0)
		return cpu / sys * online * 100.0;
	return 0;
}

void ctrfmt_mem(json_t *stats, double *usage, double *limit, double *percent)
{
	json_t *m = json_object_get(stats, "memory_stats");
	json_t *st = json_object_get(m, "stats");
	double u = jnum(m, "usage");
	json_t *inactive = json_object_get(st, "total_inactive_file");
	if (!json_is_number(inactive))
		inactive = json_object_get(st, "inactive_file");
	if (json_is_number(inactive) && json_number_value(inactive) < u)
		u -= json_number_value(inactive);
	*usage = u;
	*limit = jnum(m, "limit");
	*percent = *limit != 0 ? u / *limit * 100.0 : 0;
}

void ctrfmt_net(json_t *stats, double *rx, double *tx)
{
	*rx = *tx = 0;
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(stats, "networks"), k, v)
	{
		*rx += jnum(v, "rx_bytes");
		*tx += jnum(v, "tx_bytes");
	}
}

void ctrfmt_blkio(json_t *stats, double *read, double *write)
{
	*read = *write = 0;
	size_t i;
	json_t *e;
	json_array_foreach(
	    json_object_get(json_object_get(stats, "blkio_stats"), "io_service_bytes_recursive"), i,
	    e)
	{
		const char *op = bjson_get_str(e, "op");
		if (strcasecmp(op, "read") == 0)
			*read += jnum(e, "value");
		else if (strcasecmp(op, "write") == 0)
			*write += jnum(e, "value");
	}
}

static char *pair(double a, double b, bool binary)
{
	cleanup_free char *x = binary ? fmt_bytes_size(a) : fmt_human_size_prec(a, 3);
	cleanup_free char *y = binary ? fmt_bytes_size(b) : fmt_human_size_prec(b, 3);
	return xasprintf("%s / %s", x, y);
}

void ctrfmt_stats_row(json_t *stats, const char *fallback_id, bool no_trunc,
		      struct ctrfmt_stats_row *row)
{
	const char *id = stats ? bjson_get_str(stats, "id") : "";
	row->id = fmt_trunc_id(*id ? id : fallback_id, no_trunc);
	const char *name = stats ? bjson_get_str(stats, "name") : "";
	row->name = xstrdup(*name == '/' ? name + 1 : *name ? name : "--");
	if (stats == NULL) {
		row->cpu = xstrdup("--");
		row->mem_usage = xstrdup("-- / --");
		row->mem_perc = xstrdup("--");
		row->net_io = xstrdup("--");
		row->block_io = xstrdup("--");
		row->pids = xstrdup("--");
		return;
	}
	row->cpu = xasprintf("%.2f%%", ctrfmt_cpu_percent(stats));
	double u, l, p, a, b;
	ctrfmt_mem(stats, &u, &l, &p);
	row->mem_usage = pair(u, l, true);
	row->mem_perc = xasprintf("%.2f%%", p);
	ctrfmt_net(stats, &a, &b);
	row->net_io = pair(a, b, false);
	ctrfmt_blkio(stats, &a, &b);
	row->block_io = pair(a, b, false);
	row->pids = xasprintf("%.0f", jnum(json_object_get(stats, "pids_stats"), "current"));
}

void ctrfmt_stats_row_clear(struct ctrfmt_stats_row *row)
{
	free(row->id);
	free(row->name);
	free(row->cpu);
	free(row->mem_usage);
	free(row->mem_perc);
	free(row->net_io);
	free(row->block_io);
	free(row->pids);
	*row = (struct ctrfmt_stats_row){0};
}

json_t *ctrfmt_stats_row_json(const struct ctrfmt_stats_row *row, const char *container)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "BlockIO", row->block_io,
			 "CPUPerc", row->cpu, "Container", container, "ID", row->id, "MemPerc",
			 row->mem_perc, "MemUsage", row->mem_usage, "Name", row->name, "NetIO",
			 row->net_io, "PIDs", row->pids);
}

/* ---- filters and queries ---- */

int ctrfmt_filters_parse(const char *const *items, size_t n, json_t **out, struct berth_error **err)
{
	json_t *o = json_object();
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(items[i], '=');
		if (eq == NULL || eq == items[i]) {
			json_decref(o);
			return berth_error_set(err, EINVAL,
					       "bad format of filter (expected name=value): %s",
					       items[i]);
		}
		cleanup_free char *key = strndup(items[i], (size_t)(eq - items[i]));
		json_t *m = json_object_get(o, key);
		if (m == NULL)
			json_object_set_new(o, key, m = json_object());
		json_object_set_new(m, eq + 1, json_true());
	}
	*out = o;
	return 0;
}

char *ctrfmt_query_escape(const char *s)
{
	return fmt_url_escape(s, "-._~");
}

char *ctrfmt_ps_query(bool all, long limit, bool size, json_t *filters)
{
	struct sb b = {0};
	if (all)
		sb_str(&b, "&all=1");
	if (filters && json_object_size(filters) > 0) {
		cleanup_free char *fs = json_dumps(filters, JSON_COMPACT | JSON_SORT_KEYS);
		cleanup_free char *q = ctrfmt_query_escape(fs);
		sb_str(&b, "&filters=");
		sb_str(&b, q);
	}
	if (limit > 0) {
		char l[32];
		snprintf(l, sizeof(l), "&limit=%ld", limit);
		sb_str(&b, l);
	}
	if (size)
		sb_str(&b, "&size=1");
	if (b.n)
		b.p[0] = '?';
	return sb_take(&b);
}

/* ---- flag values ---- */

int ctrfmt_parse_long(const char *s, const char *flag, long *out, struct berth_error **err)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end)
		return berth_error_set(err, EINVAL,
				       "invalid argument \"%s\" for \"%s\" flag: strconv.ParseInt: "
				       "parsing \"%s\": %s",
				       s, flag, s,
				       errno == ERANGE ? "value out of range" : "invalid syntax");
	*out = v;
	return 0;
}

int ctrfmt_parse_restart(const char *s, json_t **out, struct berth_error **err)
{
	const char *colon = strchr(s, ':');
	cleanup_free char *name = colon ? strndup(s, (size_t)(colon - s)) : xstrdup(s);
	long count = 0;
	if (strcmp(name, "no") != 0 && strcmp(name, "always") != 0 &&
	    strcmp(name, "unless-stopped") != 0 && strcmp(name, "on-failure") != 0 && *name)
		return berth_error_set(err, EINVAL, "invalid restart policy '%s'", name);
	if (colon) {
		if (strcmp(name, "on-failure") != 0)
			return berth_error_set(err, EINVAL,
					       "maximum retry count cannot be used with restart "
					       "policy '%s'",
					       name);
		char *end = NULL;
		errno = 0;
		count = strtol(colon + 1, &end, 10);
		if (errno || end == colon + 1 || *end || count < 0)
			return berth_error_set(
			    err, EINVAL, "maximum retry count must be an integer: %s", colon + 1);
	}
	*out = json_pack("{s:s,s:I}", "Name", name, "MaximumRetryCount", (json_int_t)count);
	return 0;
}

/* ---- events ---- */

char *ctrfmt_event_line(json_t *ev)
{
	struct sb b = {0};
	json_t *tn = json_object_get(ev, "timeNano");
	long long secs = 0, nanos = 0;
	if (json_is_integer(tn) && json_integer_value(tn) != 0) {
		secs = json_integer_value(tn) / 1000000000LL;
		nanos = json_integer_value(tn) % 1000000000LL;
	} else {
		secs = (long long)jnum(ev, "time");
	}
	if (secs != 0 || nanos != 0) {
		/* Go's RFC3339Nano with a fixed fraction, in the local zone */
		time_t t = (time_t)secs;
		struct tm tm;
		localtime_r(&t, &tm);
		char when[64];
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		char frac[48];
		long off = tm.tm_gmtoff;
		if (off == 0)
			snprintf(frac, sizeof(frac), ".%09lldZ ", nanos);
		else
			snprintf(frac, sizeof(frac), ".%09lld%c%02ld:%02ld ", nanos,
				 off < 0 ? '-' : '+', labs(off) / 3600, labs(off) % 3600 / 60);
		sb_str(&b, when);
		sb_str(&b, frac);
	}
	json_t *actor = json_object_get(ev, "Actor");
	sb_str(&b, bjson_get_str(ev, "Type"));
	sb_str(&b, " ");
	sb_str(&b, bjson_get_str(ev, "Action"));
	sb_str(&b, " ");
	sb_str(&b, bjson_get_str(actor, "ID"));
	json_t *attrs = json_object_get(actor, "Attributes");
	size_t n = json_object_size(attrs), i = 0;
	if (n > 0) {
		cleanup_free const char **keys = xcalloc(n, sizeof(*keys));
		const char *k;
		json_t *v;
		json_object_foreach(attrs, k, v) keys[i++] = k;
		qsort(keys, n, sizeof(*keys), str_cmp);
		sb_str(&b, " (");
		for (i = 0; i < n; i++) {
			if (i)
				sb_str(&b, ", ");
			sb_str(&b, keys[i]);
			sb_str(&b, "=");
			sb_str(&b, bjson_get_str(attrs, keys[i]));
		}
		sb_str(&b, ")");
	}
	return sb_take(&b);
}

char *ctrfmt_go_json(json_t *v)
{
	cleanup_free char *raw =
	    json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	struct sb b = {0};
	/* these characters appear only inside strings in JSON text */
	for (const char *p = raw ? raw : "null"; *p; p++) {
		if (*p == '<')
			sb_str(&b, "\\u003c");
		else if (*p == '>')
			sb_str(&b, "\\u003e");
		else if (*p == '&')
			sb_str(&b, "\\u0026");
		else
			sb_add(&b, p, 1);
	}
	return sb_take(&b);
}

char *ctrfmt_go_local_time(int64_t unix_seconds)
{
	time_t t = (time_t)unix_seconds;
	struct tm tm;
	localtime_r(&t, &tm);
	char buf[96];
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z %Z", &tm);
	return xstrdup(buf);
}

char ctrfmt_change_kind(json_int_t kind)
{
	switch (kind) {
	case 0:
		return 'C';
	case 1:
		return 'A';
	case 2:
		return 'D';
	default:
		return '?';
	}
}

/* ---- flag values shared with run's (ctr-opts.c has its own copies) ---- */

int ctrfmt_parse_ram(const char *s, int64_t *out, struct berth_error **err)
{
	const char *p = s;
	char *end = NULL;
	if (!isdigit((unsigned char)*p))
		goto bad;
	errno = 0;
	double v = strtod(p, &end);
	if (errno || end == p)
		goto bad;
	p = end;
	if (*p == ' ')
		p++;
	double mul = 1;
	static const char units[] = "kmgtp";
	if (*p) {
		const char *u = strchr(units, tolower((unsigned char)*p));
		if (u) {
			for (int i = 0; i <= (int)(u - units); i++)
				mul *= 1024;
			p++;
		}
		if (*p == 'i' || *p == 'I')
			p++;
		if (*p == 'b' || *p == 'B')
			p++;
	}
	if (*p || v * mul > (double)INT64_MAX)
		goto bad;
	*out = (int64_t)(v * mul);
	return 0;
bad:
	return berth_error_set(err, EINVAL, "invalid size: '%s'", s);
}

int ctrfmt_parse_cpus(const char *s, int64_t *nano, struct berth_error **err)
{
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v * 1e9 > (double)INT64_MAX)
		return berth_error_set(err, EINVAL,
				       "invalid argument \"%s\" for \"--cpus\" flag: failed to "
				       "parse %s as a rational number",
				       s, s);
	double n = v * 1e9;
	if (fabs(n - round(n)) > 1e-3)
		return berth_error_set(err, EINVAL,
				       "invalid argument \"%s\" for \"--cpus\" flag: value is too "
				       "precise",
				       s);
	*nano = (int64_t)llround(n);
	return 0;
}

/* Go's time.ParseDuration for what users type: [-]N(.N)?unit..., units ns
 * us µs ms s m h. -1 if it does not parse. */
static int parse_duration(const char *s, double *seconds)
{
	static const struct {
		const char *u;
		double mul;
	} units[] = {{"ns", 1e-9}, {"us", 1e-6}, {"\xc2\xb5s", 1e-6}, {"ms", 1e-3},
		     {"s", 1},	   {"m", 60},	 {"h", 3600}};
	double total = 0;
	bool neg = false;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (*s == '\0')
		return -1;
	while (*s) {
		char *end = NULL;
		if (!isdigit((unsigned char)*s) && *s != '.')
			return -1;
		double v = strtod(s, &end);
		if (end == s)
			return -1;
		s = end;
		bool found = false;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && !found; i++) {
			size_t l = strlen(units[i].u);
			if (strncmp(s, units[i].u, l) == 0) {
				total += v * units[i].mul;
				s += l;
				found = true;
			}
		}
		if (!found)
			return -1;
	}
	*seconds = neg ? -total : total;
	return 0;
}

int ctrfmt_timestamp(const char *value, time_t now, char **out, struct berth_error **err)
{
	double d;
	if (strcmp(value, "0") != 0 && parse_duration(value, &d) == 0) {
		*out = xasprintf("%lld", (long long)((double)now - d));
		return 0;
	}
	int64_t t = fmt_parse_rfc3339(value);
	if (t >= 0) {
		*out = xasprintf("%lld.000000000", (long long)t);
		return 0;
	}
	const char *p = value;
	size_t dots = 0;
	for (; *p && (isdigit((unsigned char)*p) || *p == '.'); p++)
		dots += *p == '.';
	if (*p == '\0' && p != value && dots <= 1 && *value != '.') {
		*out = xstrdup(value);
		return 0;
	}
	return berth_error_set(err, EINVAL, "failed to parse value as time or duration: \"%s\"",
			       value);
}

/* ---- --format templates ---- */

const char *const ctrfmt_ps_headers[] = {
    "ID",	  "CONTAINER ID", "Image",	  "IMAGE",
    "Command",	  "COMMAND",	  "CreatedAt",	  "CREATED AT",
    "RunningFor", "CREATED",	  "Ports",	  "PORTS",
    "State",	  "STATE",	  "Status",	  "STATUS",
    "Size",	  "SIZE",	  "Names",	  "NAMES",
    "Labels",	  "LABELS",	  "Mounts",	  "MOUNTS",
    "Networks",	  "NETWORKS",	  "LocalVolumes", "LOCAL VOLUMES",
    "Platform",	  "PLATFORM",	  NULL,		  NULL};

const char *const ctrfmt_stats_headers[] = {
    "Container", "CONTAINER", "ID",    "CONTAINER ID", "Name",
    "NAME",	 "CPUPerc",   "CPU %", "MemUsage",     "MEM USAGE / LIMIT",
    "MemPerc",	 "MEM %",     "NetIO", "NET I/O",      "BlockIO",
    "BLOCK I/O", "PIDs",      "PIDS",  NULL,	       NULL};

const char *const ctrfmt_images_headers[] = {
    "ID",	   "IMAGE ID",	   "Repository",   "REPOSITORY",  "Tag",	"TAG",
    "Digest",	   "DIGEST",	   "CreatedSince", "CREATED",	  "CreatedAt",	"CREATED AT",
    "Size",	   "SIZE",	   "SharedSize",   "SHARED SIZE", "UniqueSize", "UNIQUE SIZE",
    "VirtualSize", "VIRTUAL SIZE", "Containers",   "CONTAINERS",  NULL,		NULL};

/* docker's messages for ps's, stats's and images' contexts */
static const char *tmpl_type(const char *const *headers)
{
	return headers == ctrfmt_ps_headers	  ? "*formatter.ContainerContext"
	       : headers == ctrfmt_images_headers ? "*formatter.imageContext"
						  : "*container.statsContext";
}

static const char *tmpl_prefix(const char *const *headers, bool exec)
{
	if (headers != ctrfmt_ps_headers)
		return "template parsing error";
	return exec ? "failed to execute template" : "failed to parse template";
}

/* The headers as an object: a table's header row is the template over it. */
static json_t *headers_json(const char *const *headers)
{
	json_t *o = json_object();
	for (size_t i = 0; headers[i]; i += 2)
		json_object_set_new(o, headers[i], json_string(headers[i + 1]));
	return o;
}

/* ps's .Label "key": the label's value, "" when not set; in the header row
 * the key */
static json_t *header_method(void *ud, json_t *dot, const char *name, json_t *const *args,
			     size_t nargs, bool *found, struct berth_error **err)
{
	(void)ud;
	(void)dot;
	(void)err;
	*found = strcmp(name, "Label") == 0 && nargs == 1 && json_is_string(args[0]);
	if (!*found)
		return NULL;
	/* docker: the key's last dot-separated part, '-' and '_' as spaces */
	const char *k = strrchr(json_string_value(args[0]), '.');
	cleanup_free char *h = xstrdup(k ? k + 1 : json_string_value(args[0]));
	for (char *c = h; *c; c++)
		if (*c == '-' || *c == '_')
			*c = ' ';
	return json_string(h);
}

static json_t *row_method(void *ud, json_t *dot, const char *name, json_t *const *args,
			  size_t nargs, bool *found, struct berth_error **err)
{
	(void)dot;
	*found = strcmp(name, "Label") == 0;
	if (!*found)
		return NULL;
	if (nargs != 1 || !json_is_string(args[0])) {
		berth_error_set(err, EINVAL, "wrong number of args for Label: want 1 got %zu",
				nargs);
		return NULL;
	}
	json_t *v = ud ? json_object_get(ud, json_string_value(args[0])) : NULL;
	return json_string(json_is_string(v) ? json_string_value(v) : "");
}

bool ctrfmt_is_template(const char *format)
{
	return format && strstr(format, "{{") && strcmp(format, "{{json .}}") != 0;
}

int ctrfmt_template_parse(const char *format, const char *const *headers, struct ctrfmt_template *t,
			  struct berth_error **err)
{
	*t = (struct ctrfmt_template){.headers = headers};
	const char *f = format;
	if (strncmp(f, "table", 5) == 0 && (f[5] == ' ' || f[5] == '\0')) {
		t->table = true;
		f += 5;
	}
	while (*f == ' ')
		f++;
	struct sb b = {0};
	for (; *f; f++) {
		if (f[0] == '\\' && f[1] == 't') {
			sb_str(&b, "\t");
			f++;
		} else if (f[0] == '\\' && f[1] == 'n') {
			sb_str(&b, "\n");
			f++;
		} else {
			sb_add(&b, f, 1);
		}
	}
	t->text = sb_take(&b);
	size_t n = strlen(t->text);
	while (n > 0 && t->text[n - 1] == ' ')
		t->text[--n] = '\0';
	struct berth_error *e = NULL;
	t->tmpl = gotmpl_parse(t->text, &e);
	if (t->tmpl == NULL) {
		berth_error_set(err, EINVAL, "%s: %s", tmpl_prefix(headers, false), e->msg);
		berth_error_free(&e);
		ctrfmt_template_free(t);
		return -1;
	}
	/* as docker ps's check of the fields used: the raw --format over
	 * empty fields, before any row; stats: only a field the row lacks */
	bool ps = headers == ctrfmt_ps_headers;
	struct gotmpl *raw = ps ? gotmpl_parse(format, &e) : NULL;
	berth_error_free(&e);
	cleanup_json json_t *h = headers_json(headers);
	const char *k;
	json_t *v;
	json_object_foreach(h, k, v) json_string_set(v, "");
	struct gotmpl_opts o = {.method = row_method, .dot_type = tmpl_type(headers)};
	char *out = NULL;
	int r = gotmpl_render_opts(raw ? raw : t->tmpl, h, &o, &out, &e);
	gotmpl_free(raw);
	free(out);
	if (r < 0 && (ps || strstr(e->msg, "can't evaluate field"))) {
		berth_error_set(err, EINVAL, "%s: %s", tmpl_prefix(headers, true), e->msg);
		berth_error_free(&e);
		ctrfmt_template_free(t);
		return -1;
	}
	berth_error_free(&e);
	return 0;
}

bool ctrfmt_template_uses(const struct ctrfmt_template *t, const char *field)
{
	return t->tmpl && gotmpl_uses_field(t->tmpl, field);
}

void ctrfmt_template_free(struct ctrfmt_template *t)
{
	free(t->text);
	t->text = NULL;
	gotmpl_free(t->tmpl);
	t->tmpl = NULL;
}

char *ctrfmt_template_render_row(const struct ctrfmt_template *t, json_t *row, json_t *labels,
				 struct berth_error **err)
{
	struct gotmpl_opts o = {.method = row_method,
				.ud = labels,
				.dot_type = tmpl_type(t->headers),
				.json_root_escaped = true};
	char *out = NULL;
	struct berth_error *e = NULL;
	if (gotmpl_render_opts(t->tmpl, row, &o, &out, &e) < 0) {
		berth_error_set(err, EINVAL, "%s: %s", tmpl_prefix(t->headers, true), e->msg);
		berth_error_free(&e);
		return NULL;
	}
	return out;
}

int ctrfmt_template_emit(const struct ctrfmt_template *t, json_t *row, json_t *labels,
			 struct fmt_table *table, char **lines, struct berth_error **err)
{
	cleanup_free char *line = ctrfmt_template_render_row(t, row, labels, err);
	if (line == NULL)
		return -1;
	if (t->table) {
		ctrfmt_table_add_line(table, line);
	} else {
		char *l = xasprintf("%s%s\n", *lines ? *lines : "", line);
		free(*lines);
		*lines = l;
	}
	return 0;
}

char *ctrfmt_template_render(const struct ctrfmt_template *t, json_t *row)
{
	struct berth_error *e = NULL;
	char *out = ctrfmt_template_render_row(t, row, NULL, &e);
	berth_error_free(&e);
	return out ? out : xstrdup("");
}

char *ctrfmt_template_header(const struct ctrfmt_template *t, const char *const *headers)
{
	cleanup_json json_t *h = headers_json(headers);
	struct gotmpl_opts o = {.method = headers == ctrfmt_ps_headers ? header_method : NULL,
				.dot_type = tmpl_type(headers),
				.header_funcs = true,
				.partial = true};
	char *out = NULL;
	struct berth_error *e = NULL;
	gotmpl_render_opts(t->tmpl, h, &o, &out, &e);
	berth_error_free(&e);
	return out ? out : xstrdup("");
}

void ctrfmt_table_add_line(struct fmt_table *table, const char *line)
{
	size_t n = 1;
	for (const char *c = line; *c; c++)
		n += *c == '\t';
	cleanup_free char **cells = xcalloc(n + 1, sizeof(char *));
	cleanup_free char *copy = xstrdup(line);
	char *save = copy;
	for (size_t i = 0; i < n; i++) {
		char *tab = strchr(save, '\t');
		if (tab)
			*tab = '\0';
		cells[i] = save;
		save = tab ? tab + 1 : save + strlen(save);
	}
	fmt_table_add(table, (const char *const *)cells, n);
}
