/* berth version: client and server versions, as docker version prints them. */
#include "cli.h"
#include "ctrfmt.h"
#include "format.h"
#include "gotmpl.h"
#include "host.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "engine/build-info.h"

#include <string.h>

#if defined(__x86_64__)
#define GOARCH "amd64"
#elif defined(__aarch64__)
#define GOARCH "arm64"
#elif defined(__i386__)
#define GOARCH "386"
#elif defined(__arm__)
#define GOARCH "arm"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define GOARCH "ppc64le"
#elif defined(__s390x__)
#define GOARCH "s390x"
#elif defined(__riscv) && __riscv_xlen == 64
#define GOARCH "riscv64"
#else
#define GOARCH "unknown"
#endif

/* An RFC 3339 build time as Go's time.ANSIC ("Fri May 30 12:07:14 2025"). */
static char *ansic(const char *rfc3339)
{
	int64_t t = fmt_parse_rfc3339(rfc3339);
	if (t < 0)
		return xstrdup(rfc3339);
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", &tm);
	return xstrdup(buf);
}

static void print_client(const char *api)
{
	cleanup_free char *built = ansic(BERTH_BUILD_TIME);
	printf("Client:\n");
	printf(" %-19s%s\n", "Version:", BERTH_VERSION);
	if (strcmp(api, CLI_API_VERSION_MAX) == 0)
		printf(" %-19s%s\n", "API version:", api);
	else
		printf(" %-19s%s (downgraded from %s)\n", "API version:", api, CLI_API_VERSION_MAX);
	printf(" %-19s%s\n", "Compiler:", BERTH_COMPILER);
	printf(" %-19s%s\n", "Git commit:", BERTH_GIT_COMMIT);
	printf(" %-19s%s\n", "Built:", built);
	printf(" %-19s%s/%s\n", "OS/Arch:", "linux", GOARCH);
	printf(" %-19s%s\n", "Context:", "default");
}

static void print_engine(json_t *d, const char *version)
{
	cleanup_free char *built = ansic(bjson_get_str(d, "BuildTime"));
	printf(" Engine:\n");
	printf("  %-18s%s\n", "Version:", version);
	printf("  %-18s%s (minimum version %s)\n", "API version:", bjson_get_str(d, "ApiVersion"),
	       bjson_get_str(d, "MinAPIVersion"));
	printf("  %-18s%s\n", "Compiler:", bjson_get_str(d, "GoVersion"));
	printf("  %-18s%s\n", "Git commit:", bjson_get_str(d, "GitCommit"));
	printf("  %-18s%s\n", "Built:", built);
	printf("  %-18s%s/%s\n", "OS/Arch:", bjson_get_str(d, "Os"), bjson_get_str(d, "Arch"));
	printf("  %-18s%s\n", "Experimental:", bjson_get_str(d, "Experimental"));
}

static void print_server(json_t *v)
{
	const char *platform = bjson_get_str(json_object_get(v, "Platform"), "Name");
	printf("\nServer:%s%s\n", *platform ? " " : "", platform);
	size_t i;
	json_t *comp;
	json_array_foreach(json_object_get(v, "Components"), i, comp)
	{
		json_t *d = json_object_get(comp, "Details");
		if (strcmp(bjson_get_str(comp, "Name"), "Engine") == 0) {
			print_engine(d, bjson_get_str(comp, "Version"));
			continue;
		}
		printf(" %s:\n", bjson_get_str(comp, "Name"));
		printf("  %-18s%s\n", "Version:", bjson_get_str(comp, "Version"));
		const char *k;
		json_t *val;
		json_object_foreach(d, k, val)
		{
			cleanup_free char *label = xasprintf("%s:", k);
			printf("  %-18s%s\n", label,
			       json_is_string(val) ? json_string_value(val) : "");
		}
	}
}

static json_t *client_json_info(const char *api)
{
	cleanup_free char *built = ansic(BERTH_BUILD_TIME);
	return json_pack("{s:{s:s},s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Platform", "Name", "",
			 "Version", BERTH_VERSION, "ApiVersion", api, "DefaultAPIVersion",
			 CLI_API_VERSION_MAX, "GitCommit", BERTH_GIT_COMMIT, "GoVersion",
			 BERTH_COMPILER, "Os", "linux", "Arch", GOARCH, "BuildTime", built,
			 "Context", "default");
}

int cmd_version(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {
	    "version", "[OPTIONS]", "Show the berth version information", NULL, 0, 0};
	const char *format = NULL;
	const struct cli_opt opts[] = {
	    {'f', "format", CLI_OPT_STRING, &format, "string",
	     "Format output: 'json' or a Go template"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	enum cli_format fmt = CLI_FORMAT_TABLE;
	bool tpl = ctrfmt_is_template(format);
	if (!tpl && cli_format_parse(format, false, &fmt, &err) < 0)
		return cli_fail(&err);

	struct client *c = cli_client(cli, &err);
	cleanup_json json_t *server = NULL;
	if (c && client_json(c, "GET", "/version", NULL, &server, &err) < 0)
		server = NULL;
	const char *api = c ? client_api_version(c) : CLI_API_VERSION_MAX;
	if (fmt == CLI_FORMAT_JSON || tpl) {
		cleanup_json json_t *all = json_pack("{s:o,s:O}", "Client", client_json_info(api),
						     "Server", server ? server : json_null());
		if (tpl) {
			int r = gotmpl_print(stdout, format, all, "version", "system.versionInfo");
			if (r != 0 || err == NULL)
				return berth_error_free(&err), r;
			return cli_fail(&err);
		}
		cli_print_json_line(stdout, all);
	} else {
		print_client(api);
		if (server)
			print_server(server);
	}
	fflush(stdout);
	if (err)
		return cli_fail(&err);
	return 0;
}
