/* Internals of cmd/berth/gotmpl.c shared with gotmpl-funcs.c (the
 * template functions): the evaluation state and value helpers. */
#ifndef BERTH_CLI_GOTMPL_INT_H
#define BERTH_CLI_GOTMPL_INT_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "gotmpl.h"

struct gotmpl_sb {
	char *s;
	size_t len, cap;
};
void gotmpl_sb_add(struct gotmpl_sb *b, const char *s, size_t n);
void gotmpl_sb_str(struct gotmpl_sb *b, const char *s);
/* The text (an empty string when nothing was added); b is reset. */
char *gotmpl_sb_take(struct gotmpl_sb *b);

struct gotmpl_var {
	const char *name;
	json_t *v;
};

struct gotmpl_state {
	const struct gotmpl *t;
	struct gotmpl_sb out;
	struct gotmpl_var *vars;
	size_t nvars;
	gotmpl_method_fn method;
	void *ud;
	bool missing_error;
	bool fallback; /* typed first: an error renders again raw */
	bool raw;      /* the raw map: numbers are float64, no Go names */
	const char *dot_type;
	bool header_funcs;
	bool json_root_escaped;
	json_t *root;
	json_t *nil_slice, *nil_map; /* Go's nil slice and map (json: null) */
	size_t at_pos;
	const char *at_src;
	struct berth_error **err;
	bool failed;
};

/* Set the execution error (Go's "template: :L:C: executing ... at <...>:
 * msg") at the node evaluated last; NULL. */
json_t *gotmpl_efail(struct gotmpl_state *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Go's truth of a value (NULL, null, false, 0, "", empty: false). */
bool gotmpl_truth(json_t *v);
/* Go's type name of a value in messages ("string", "int", ...). */
const char *gotmpl_type_name(json_t *v);
/* Go's %v of v appended to b. */
void gotmpl_print_to(struct gotmpl_sb *b, json_t *v);
/* The function name over args (gotmpl-funcs.c): a new reference, or NULL
 * (with s->failed when it failed). */
json_t *gotmpl_call_func(struct gotmpl_state *s, const char *name, json_t **args, size_t n);

#endif
