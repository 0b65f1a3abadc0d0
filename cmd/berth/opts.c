/* Flag parsing for the commands: getopt_long driven by a table, with the
 * docker CLI's (pflag's) messages and help layout. */
#include "cli.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#define LONG_ONLY_BASE 256

static void print_usage_line(FILE *out, const struct cli_spec *spec)
{
	fprintf(out, "Usage:  %s %s %s\n", CLI_NAME, spec->path, spec->usage);
}

void cli_usage_error(const struct cli_spec *spec, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	print_usage_line(stderr, spec);
	fprintf(stderr, "\nRun '%s %s --help' for more information\n", CLI_NAME, spec->path);
}

static size_t opt_label(const struct cli_opt *o, char *buf, size_t n)
{
	int len;
	if (o->short_name)
		len = snprintf(buf, n, "  -%c, --%s", o->short_name, o->long_name);
	else
		len = snprintf(buf, n, "      --%s", o->long_name);
	if (o->type != CLI_OPT_BOOL && len >= 0 && (size_t)len < n)
		len +=
		    snprintf(buf + len, n - (size_t)len, " %s", o->metavar ? o->metavar : "string");
	return len < 0 ? 0 : (size_t)len;
}

static void print_help(const struct cli_spec *spec, const struct cli_opt *opts)
{
	print_usage_line(stdout, spec);
	printf("\n%s\n", spec->summary);
	if (spec->aliases)
		printf("\nAliases:\n  %s\n", spec->aliases);
	size_t width = 0;
	char buf[128];
	for (const struct cli_opt *o = opts; o->type != CLI_OPT_END; o++) {
		size_t l = opt_label(o, buf, sizeof(buf));
		if (l > width)
			width = l;
	}
	if (opts->type != CLI_OPT_END)
		printf("\nOptions:\n");
	for (const struct cli_opt *o = opts; o->type != CLI_OPT_END; o++) {
		opt_label(o, buf, sizeof(buf));
		printf("%-*s   %s\n", (int)width, buf, o->help);
	}
	printf("      --help%*s   Print usage\n", (int)(width > 12 ? width - 12 : 0), "");
}

static int set_bool(const struct cli_opt *o, const char *arg)
{
	bool *b = o->dest;
	if (arg == NULL || strcasecmp(arg, "true") == 0 || strcmp(arg, "1") == 0) {
		*b = true;
		return 0;
	}
	if (strcasecmp(arg, "false") == 0 || strcmp(arg, "0") == 0) {
		*b = false;
		return 0;
	}
	return -1;
}

static void set_value(const struct cli_opt *o, const char *arg)
{
	if (o->type == CLI_OPT_STRING) {
		*(const char **)o->dest = arg;
	} else {
		struct cli_strv *v = o->dest;
		v->v = xrealloc(v->v, (v->n + 2) * sizeof(*v->v));
		v->v[v->n++] = arg;
		v->v[v->n] = NULL;
	}
}

static int check_args(const struct cli_spec *spec, int n)
{
	const char *what = NULL;
	cleanup_free char *msg = NULL;
	if (spec->max_args == 0 && n > 0) {
		what = "accepts no arguments";
	} else if (spec->min_args == spec->max_args && n != spec->min_args) {
		msg = xasprintf("requires %d argument%s", spec->min_args,
				spec->min_args == 1 ? "" : "s");
	} else if (n < spec->min_args) {
		msg = xasprintf("requires at least %d argument%s", spec->min_args,
				spec->min_args == 1 ? "" : "s");
	} else if (spec->max_args >= 0 && n > spec->max_args) {
		msg = xasprintf("requires at most %d argument%s", spec->max_args,
				spec->max_args == 1 ? "" : "s");
	}
	if (msg)
		what = msg;
	if (what == NULL)
		return 0;
	cli_usage_error(spec, "%s: '%s %s' %s", CLI_NAME, CLI_NAME, spec->path, what);
	return 1;
}

int cli_parse(const struct cli_spec *spec, const struct cli_opt *opts, int argc, char **argv,
	      int *first)
{
	size_t n = 0;
	while (opts[n].type != CLI_OPT_END)
		n++;
	cleanup_free struct option *lo = xcalloc(n + 2, sizeof(*lo));
	cleanup_free char *so = xmalloc(2 * n + 4);
	size_t sl = 0;
	if (spec->interspersed_off)
		so[sl++] = '+'; /* flags end at the first argument */
	so[sl++] = ':';		/* report missing arguments as ':' */
	for (size_t i = 0; i < n; i++) {
		int val = opts[i].short_name ? opts[i].short_name : LONG_ONLY_BASE + (int)i;
		lo[i].name = opts[i].long_name;
		/* booleans take an optional "=false" in their long form only */
		lo[i].has_arg =
		    opts[i].type == CLI_OPT_BOOL ? optional_argument : required_argument;
		lo[i].val = val;
		if (opts[i].short_name) {
			so[sl++] = opts[i].short_name;
			if (opts[i].type != CLI_OPT_BOOL)
				so[sl++] = ':';
		}
	}
	lo[n] = (struct option){"help", no_argument, NULL, 'h' + 1000};
	so[sl] = '\0';

	optind = 0;
	opterr = 0;
	for (;;) {
		int li = -1;
		int c = getopt_long(argc, argv, so, lo, &li);
		if (c == -1)
			break;
		if (c == 'h' + 1000) {
			print_help(spec, opts);
			return CLI_PARSE_HELP;
		}
		if (c == '?') {
			if (optopt == 'h') {
				print_help(spec, opts);
				return CLI_PARSE_HELP;
			}
			if (optopt)
				cli_usage_error(spec, "unknown shorthand flag: '%c' in -%c", optopt,
						optopt);
			else
				cli_usage_error(spec, "unknown flag: %s", argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
		if (c == ':') {
			if (optopt && optopt < LONG_ONLY_BASE && optopt != 'h' + 1000) {
				const struct cli_opt *o = NULL;
				for (size_t i = 0; i < n; i++)
					if (opts[i].short_name == optopt)
						o = &opts[i];
				/* an option given in long form: "--format" */
				if (o && strncmp(argv[optind - 1], "--", 2) == 0)
					cli_usage_error(spec, "flag needs an argument: --%s",
							o->long_name);
				else
					cli_usage_error(spec, "flag needs an argument: '%c' in -%c",
							optopt, optopt);
			} else {
				cli_usage_error(spec, "flag needs an argument: %s",
						argv[optind - 1]);
			}
			return CLI_EXIT_USAGE;
		}
		const struct cli_opt *o = NULL;
		for (size_t i = 0; i < n && !o; i++) {
			int val = opts[i].short_name ? opts[i].short_name : LONG_ONLY_BASE + (int)i;
			if (val == c)
				o = &opts[i];
		}
		if (o == NULL)
			continue;
		if (o->type == CLI_OPT_BOOL) {
			if (set_bool(o, optarg) < 0) {
				cli_usage_error(spec,
						"invalid argument \"%s\" for \"--%s\" flag: "
						"strconv.ParseBool: parsing \"%s\": invalid syntax",
						optarg, o->long_name, optarg);
				return CLI_EXIT_USAGE;
			}
		} else {
			set_value(o, optarg);
		}
	}
	*first = optind;
	int rc = check_args(spec, argc - optind);
	return rc;
}
