/* A subset of Go's text/template over jansson values, as the docker CLI's
 * --format/-f templates use it (docker/cli templates.Parse: Go's builtins
 * and json, split, join, title, lower, upper, pad, truncate). Parsed once,
 * rendered per object. Values print as Go's fmt %v prints the decoded
 * objects: strings as is, integers, true/false, null as "<nil>", a missing
 * map key as "<no value>", objects as map[k:v ...] (keys sorted), arrays as
 * [a b]. Errors are Go's: "template: :1: unclosed action",
 * "template: :1:2: executing \"\" at <.A.B>: ...". Unit-tested
 * (tests/unit/test-gotmpl.c). */
#ifndef BERTH_CLI_GOTMPL_H
#define BERTH_CLI_GOTMPL_H

#include "common/error.h"

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

struct gotmpl;

/* A method of the data, {{.Name arg...}}: a new reference to the result,
 * or NULL with *err. found false when the object has no such method. */
typedef json_t *(*gotmpl_method_fn)(void *ud, json_t *dot, const char *name, json_t *const *args,
				    size_t nargs, bool *found, struct berth_error **err);

/* NULL with *err ("template: :LINE: ...") when text does not parse. */
struct gotmpl *gotmpl_parse(const char *text, struct berth_error **err);
/* The same for a template of that name ("template: version:1: ..."). */
struct gotmpl *gotmpl_parse_named(const char *text, const char *name, struct berth_error **err);
void gotmpl_free(struct gotmpl *t);
/* Render with data as "." and "$". 0 with *out (caller frees), or -1 with
 * *err (what was written before the error is dropped). */
int gotmpl_render(const struct gotmpl *t, json_t *data, char **out, struct berth_error **err);
/* How the Go values the docker CLI renders differ from plain decoded JSON. */
struct gotmpl_opts {
	/* methods of the data (ps's .Label "key"); NULL: none */
	gotmpl_method_fn method;
	void *ud;
	/* docker inspect: rendered as the typed object (Go field names, the
	 * zero values of omitted fields); when that fails, again over the raw
	 * map (JSON names, a null as <no value>, missingkey=error), whose result or
	 * error is the answer */
	bool raw_fallback;
	/* info/version: the typed object, then the raw map with
	 * missingkey=error: .F missing from a struct-like object (non-empty,
	 * all keys capitalized identifiers) is "map has no entry for key "F"";
	 * other objects (Labels, Networks: Go maps) give "<no value>" */
	bool missing_error;
	/* ps/stats: "." is a Go struct of that type: a missing field of it is
	 * "can't evaluate field F in type <dot_type>" */
	const char *dot_type;
	/* the docker CLI's HeaderFunctions (a table's header row): json,
	 * split, join, title, lower, upper, pad, truncate return their first
	 * argument */
	bool header_funcs;
	/* json of "." itself escapes HTML (<, >, & as \u003c...): the row
	 * contexts' MarshalJSON is json.Marshal; other values are not escaped */
	bool json_root_escaped;
	/* on an error, *out is what was written before it (the header row) */
	bool partial;
};
int gotmpl_render_opts(const struct gotmpl *t, json_t *data, const struct gotmpl_opts *opts,
		       char **out, struct berth_error **err);
/* docker info/version -f: format parsed and rendered over data (a Go
 * struct of type dot_type), the output and a newline written to out even
 * when the rendering fails (as the docker CLI). 0; 64 with "template
 * parsing error: ..." on stderr (name: the template's, "" or "version") when it does not parse; 1
 * with the error on stderr when the rendering fails. */
int gotmpl_print(FILE *out, const char *format, json_t *data, const char *name,
		 const char *dot_type);
/* Whether the template names the field .field anywhere (or "." as an
 * argument: the whole object). */
bool gotmpl_uses_field(const struct gotmpl *t, const char *field);
/* Go's fmt %v of a value (NULL: "<no value>"). Caller frees. */
char *gotmpl_print_value(json_t *v);

#endif
