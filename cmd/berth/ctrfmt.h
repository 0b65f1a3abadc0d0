/* Pure helpers of the container commands (ps, stats, update, events, top):
 * how the docker CLI renders the API's container objects and parses the
 * flags' values. No I/O but the table flush; unit-tested
 * (tests/unit/test-cli-ctr.c). */
#ifndef BERTH_CLI_CTRFMT_H
#define BERTH_CLI_CTRFMT_H

#include "common/error.h"
#include "format.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

/* Go's strconv.Quote of a command, cut first to 20 characters with "…"
 * unless no_trunc (ps's COMMAND column). Caller frees. */
char *ctrfmt_command_display(const char *cmd, bool no_trunc);
/* Go's strconv.Quote. Caller frees. */
char *ctrfmt_go_quote(const char *s);
/* Names without their leading '/', joined by ','; truncated: only the first
 * name that is not a link ("/other/alias"). Caller frees. */
char *ctrfmt_names_display(json_t *names, bool no_trunc);
/* docker's DisplayablePorts: "0.0.0.0:8080->80/tcp, [::]:8080->80/tcp",
 * consecutive unpublished ports as ranges ("80-81/tcp"). Caller frees. */
char *ctrfmt_ports_display(json_t *ports);
/* "k=v,k2=v2" with the keys sorted. Caller frees. */
char *ctrfmt_labels_display(json_t *labels);

/* stats: CPU % from cpu_stats and precpu_stats as docker computes it
 * (cpu delta / system delta * online cpus * 100; 0 when a delta is not
 * positive). */
double ctrfmt_cpu_percent(json_t *stats);
/* Memory used without the page cache (cgroup v1: total_inactive_file,
 * v2: inactive_file) and the limit; the percentage (0 without a limit). */
void ctrfmt_mem(json_t *stats, double *usage, double *limit, double *percent);
/* Bytes received/sent over all interfaces. */
void ctrfmt_net(json_t *stats, double *rx, double *tx);
/* Bytes read/written from blkio_stats.io_service_bytes_recursive. */
void ctrfmt_blkio(json_t *stats, double *read, double *write);

/* One row of docker stats: the strings of its columns. */
struct ctrfmt_stats_row {
	char *id, *name, *cpu, *mem_usage, *mem_perc, *net_io, *block_io, *pids;
};
/* From a stats object; id and name from the object (name without '/'), or
 * "--" strings when stats is NULL (no sample yet). */
void ctrfmt_stats_row(json_t *stats, const char *fallback_id, bool no_trunc,
		      struct ctrfmt_stats_row *row);
void ctrfmt_stats_row_clear(struct ctrfmt_stats_row *row);
/* The --format json object of a row (BlockIO, CPUPerc, Container, ID,
 * MemPerc, MemUsage, Name, NetIO, PIDs). */
json_t *ctrfmt_stats_row_json(const struct ctrfmt_stats_row *row, const char *container);

/* -f key=value (repeatable) as the API's map form {"key":{"value":true}}.
 * -1 with *err on an item without '=' or with an empty key. */
int ctrfmt_filters_parse(const char *const *items, size_t n, json_t **out,
			 struct berth_error **err);
/* The query of GET /containers/json as the docker CLI sends it (keys in
 * Go's order: all, filters, limit, size): "" or "?all=1&limit=3". Caller
 * frees. */
char *ctrfmt_ps_query(bool all, long limit, bool size, json_t *filters);
/* URL query escaping (everything but A-Za-z0-9-._~). Caller frees. */
char *ctrfmt_query_escape(const char *s);

/* go-units RAMInBytes: "512m", "1g", "100k", "1.5GB", "2048" (binary
 * units, optional b/ib suffix, case-insensitive). -1 with *err. */
int ctrfmt_parse_ram(const char *s, int64_t *out, struct berth_error **err);
/* --cpus "1.5" -> NanoCpus 1500000000. -1 with *err. */
int ctrfmt_parse_cpus(const char *s, int64_t *nano, struct berth_error **err);
/* events --since/--until (docker's GetTimestamp): a Go duration ("10m")
 * before now as whole seconds, an RFC 3339 time, or Unix seconds (with a
 * fraction) as typed, as "<seconds>[.<nanoseconds>]". -1 with *err.
 * Caller frees *out. */
int ctrfmt_timestamp(const char *value, time_t now, char **out, struct berth_error **err);
/* --restart: no, always, unless-stopped, on-failure[:N] ->
 * {"Name":..,"MaximumRetryCount":N}. -1 with *err. */
int ctrfmt_parse_restart(const char *s, json_t **out, struct berth_error **err);
/* A decimal integer that fits in a long; -1 with *err naming the flag. */
int ctrfmt_parse_long(const char *s, const char *flag, long *out, struct berth_error **err);

/* docker's event line: "<time RFC3339Nano fixed> <Type> <Action> <ID> (k=v,
 * ...)" without the newline, the time in the local zone ("Z" for UTC).
 * Caller frees. */
char *ctrfmt_event_line(json_t *ev);

/* One --format json row as the docker CLI prints it: compact, keys in the
 * order given, and Go's HTML escaping of <, > and & (\u003c \u003e
 * \u0026). Caller frees. */
char *ctrfmt_go_json(json_t *v);

/* --format Go templates (gotmpl.h) over a row object of strings (ps's,
 * stats's, images'): "\\t" and "\\n" as tab and newline, and a "table "
 * prefix for docker's tabwriter table with a header row (the template
 * rendered over the headers: NULL-terminated pairs {field, header}).
 * ctrfmt_template_parse(): -1 with *err for a template that does not parse
 * or names a field the row does not have (docker's messages). */
struct gotmpl;
struct ctrfmt_template {
	char *text; /* after the "table " prefix, escapes replaced */
	bool table;
	struct gotmpl *tmpl;
	const char *const *headers;
};
/* A --format that is a template berth renders (not "", "table", "json"
 * or "{{json .}}", which cli_format_parse() takes). */
bool ctrfmt_is_template(const char *format);
int ctrfmt_template_parse(const char *format, const char *const *headers, struct ctrfmt_template *t,
			  struct berth_error **err);
void ctrfmt_template_free(struct ctrfmt_template *t);
#define cleanup_template __attribute__((cleanup(ctrfmt_template_free)))
/* Whether the template shows the field (or the whole row with {{json .}}). */
bool ctrfmt_template_uses(const struct ctrfmt_template *t, const char *field);
/* One row rendered; "" when it fails. Caller frees. */
char *ctrfmt_template_render(const struct ctrfmt_template *t, json_t *row);
/* One row rendered, with ps's .Label "key" method over labels (the
 * container's Labels object; NULL: none): NULL with *err (docker's
 * message) when it fails. Caller frees. */
char *ctrfmt_template_render_row(const struct ctrfmt_template *t, json_t *row, json_t *labels,
				 struct berth_error **err);
/* One row of ps/images rendered and kept: a table template's row goes to
 * table, another's line (and a newline) is appended to *lines (the caller
 * prints them once every row rendered: as docker, a row that fails fails the
 * command with nothing printed). -1 with *err (docker's message). */
int ctrfmt_template_emit(const struct ctrfmt_template *t, json_t *row, json_t *labels,
			 struct fmt_table *table, char **lines, struct berth_error **err);
/* The header row of a table template. Caller frees. */
char *ctrfmt_template_header(const struct ctrfmt_template *t, const char *const *headers);
/* Add a rendered row to a table: its cells split at tabs. */
void ctrfmt_table_add_line(struct fmt_table *table, const char *line);
/* The field -> header names of ps and stats. */
extern const char *const ctrfmt_ps_headers[];
extern const char *const ctrfmt_stats_headers[];
extern const char *const ctrfmt_images_headers[];

/* Go's time.Time.String() of a Unix time in the local zone:
 * "2026-11-23 16:24:50 +0000 UTC", "2026-11-23 11:24:50 -0500 EST".
 * Caller frees. */
char *ctrfmt_go_local_time(int64_t unix_seconds);

/* docker diff: Kind 0 C, 1 A, 2 D -> 'C' 'A' 'D', '?' otherwise. */
char ctrfmt_change_kind(json_int_t kind);

#endif
