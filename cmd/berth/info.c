/* berth info: the main fields of docker info, or the daemon's /info as JSON. */
#include "cli.h"
#include "ctrfmt.h"
#include "format.h"
#include "gotmpl.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

static long long jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

static const char *jbool(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key)) ? "true" : "false";
}

static void print_list(const char *label, json_t *arr)
{
	printf("%s", label);
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) printf(" %s", json_is_string(v) ? json_string_value(v) : "");
	printf("\n");
}

static void print_lines(const char *label, json_t *arr)
{
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return;
	printf(" %s:\n", label);
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	    printf("  %s\n", json_is_string(v) ? json_string_value(v) : "");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_runtimes(json_t *rt)
{
	size_t n = json_object_size(rt), i = 0;
	if (n == 0)
		return;
	const char **keys = xcalloc(n, sizeof(*keys));
	const char *k;
	json_t *v;
	json_object_foreach(rt, k, v) keys[i++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	printf(" Runtimes:");
	for (i = 0; i < n; i++)
		printf(" %s", keys[i]);
	printf("\n");
	free(keys);
}

/* "name=seccomp,profile=default" -> "  seccomp\n   Profile: default" */
static void print_security(json_t *opts)
{
	if (!json_is_array(opts) || json_array_size(opts) == 0)
		return;
	printf(" Security Options:\n");
	size_t i;
	json_t *v;
	json_array_foreach(opts, i, v)
	{
		cleanup_free char *s = xstrdup(json_is_string(v) ? json_string_value(v) : "");
		char *save = NULL;
		for (char *kv = strtok_r(s, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(kv, '=');
			if (eq == NULL)
				continue;
			*eq = '\0';
			if (strcmp(kv, "name") == 0) {
				printf("  %s\n", eq + 1);
			} else {
				kv[0] = (char)(kv[0] >= 'a' && kv[0] <= 'z' ? kv[0] - 32 : kv[0]);
				printf("   %s: %s\n", kv, eq + 1);
			}
		}
	}
}

static void print_server(json_t *i)
{
	printf("\nServer:\n");
	printf(" Containers: %lld\n", jint(i, "Containers"));
	printf("  Running: %lld\n", jint(i, "ContainersRunning"));
	printf("  Paused: %lld\n", jint(i, "ContainersPaused"));
	printf("  Stopped: %lld\n", jint(i, "ContainersStopped"));
	printf(" Images: %lld\n", jint(i, "Images"));
	printf(" Server Version: %s\n", bjson_get_str(i, "ServerVersion"));
	printf(" Storage Driver: %s\n", bjson_get_str(i, "Driver"));
	size_t k;
	json_t *pair;
	json_array_foreach(json_object_get(i, "DriverStatus"), k, pair)
	{
		if (json_array_size(pair) == 2)
			printf("  %s: %s\n", json_string_value(json_array_get(pair, 0)) ?: "",
			       json_string_value(json_array_get(pair, 1)) ?: "");
	}
	printf(" Logging Driver: %s\n", bjson_get_str(i, "LoggingDriver"));
	printf(" Cgroup Driver: %s\n", bjson_get_str(i, "CgroupDriver"));
	printf(" Cgroup Version: %s\n", bjson_get_str(i, "CgroupVersion"));
	json_t *plugins = json_object_get(i, "Plugins");
	printf(" Plugins:\n");
	print_list("  Volume:", json_object_get(plugins, "Volume"));
	print_list("  Network:", json_object_get(plugins, "Network"));
	print_list("  Log:", json_object_get(plugins, "Log"));
	printf(" Swarm: %s\n", bjson_get_str(json_object_get(i, "Swarm"), "LocalNodeState"));
	print_runtimes(json_object_get(i, "Runtimes"));
	printf(" Default Runtime: %s\n", bjson_get_str(i, "DefaultRuntime"));
	print_security(json_object_get(i, "SecurityOptions"));
	printf(" Kernel Version: %s\n", bjson_get_str(i, "KernelVersion"));
	printf(" Operating System: %s\n", bjson_get_str(i, "OperatingSystem"));
	printf(" OSType: %s\n", bjson_get_str(i, "OSType"));
	printf(" Architecture: %s\n", bjson_get_str(i, "Architecture"));
	printf(" CPUs: %lld\n", jint(i, "NCPU"));
	cleanup_free char *mem = fmt_bytes_size((double)jint(i, "MemTotal"));
	printf(" Total Memory: %s\n", mem);
	printf(" Name: %s\n", bjson_get_str(i, "Name"));
	printf(" ID: %s\n", bjson_get_str(i, "ID"));
	printf(" Berth Root Dir: %s\n", bjson_get_str(i, "DockerRootDir"));
	printf(" Debug Mode: %s\n", jbool(i, "Debug"));
	printf(" Experimental: %s\n", jbool(i, "ExperimentalBuild"));
	json_t *reg = json_object_get(i, "RegistryConfig");
	print_lines("Insecure Registries", json_object_get(reg, "InsecureRegistryCIDRs"));
	print_lines("Registry Mirrors", json_object_get(reg, "Mirrors"));
	print_lines("Labels", json_object_get(i, "Labels"));
	printf(" Live Restore Enabled: %s\n", jbool(i, "LiveRestoreEnabled"));
	fflush(stdout);
	size_t w;
	json_t *warn;
	json_array_foreach(json_object_get(i, "Warnings"), w, warn)
	{
		if (json_is_string(warn))
			fprintf(stderr, "%s\n", json_string_value(warn));
	}
}

int cmd_info(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"info", "[OPTIONS]", "Display system-wide information",
					     NULL,   0,		  0};
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
	cleanup_json json_t *info = NULL;
	if (c && client_json(c, "GET", "/info", NULL, &info, &err) < 0)
		info = NULL;
	if (fmt == CLI_FORMAT_JSON || tpl) {
		cleanup_json json_t *out = info ? json_incref(info) : json_object();
		json_object_set_new(out, "ClientInfo",
				    json_pack("{s:b,s:s,s:s,s:[],s:n}", "Debug", cli->debug,
					      "Version", BERTH_VERSION, "Context", "default",
					      "Plugins", "Warnings"));
		if (err)
			json_object_set_new(out, "ServerErrors", json_pack("[s]", err->msg));
		if (tpl) {
			/* as docker: the template, then the daemon's error */
			int r = gotmpl_print(stdout, format, out, "", "system.dockerInfo");
			if (r != 0 || err == NULL)
				return berth_error_free(&err), r;
			return cli_fail(&err);
		}
		cli_print_json_line(stdout, out);
	} else {
		printf("Client:\n Version:    %s\n Context:    default\n Debug Mode: %s\n",
		       BERTH_VERSION, cli->debug ? "true" : "false");
		if (info)
			print_server(info);
	}
	fflush(stdout);
	if (err)
		return cli_fail(&err);
	return 0;
}
