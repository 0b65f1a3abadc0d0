/* The functions of gotmpl's templates: Go's text/template builtins and the
 * docker CLI's (templates.basicFunctions, HeaderFunctions for table headers). */
#include "gotmpl-int.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "ctrfmt.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *fn_error(struct gotmpl_state *s, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static json_t *fn_error(struct gotmpl_state *s, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *m = xvasprintf(fmt, ap);
	va_end(ap);
	return gotmpl_efail(s, "error calling %s: %s", name, m);
}

/* Go's basic kinds for comparisons: 1 bool, 2 int, 3 float, 4 string, 0 other */
static int basic_kind(json_t *v)
{
	if (v == NULL)
		return 0;
	switch (json_typeof(v)) {
	case JSON_TRUE:
	case JSON_FALSE:
		return 1;
	case JSON_INTEGER:
		return 2;
	case JSON_REAL:
		return 3;
	case JSON_STRING:
		return 4;
	default:
		return 0;
	}
}

/* -1/0/1, or -2 with the error set */
static int compare(struct gotmpl_state *s, const char *name, json_t *a, json_t *b, bool order)
{
	int ka = basic_kind(a), kb = basic_kind(b);
	if (ka == 0 || kb == 0) {
		if (!order && a && b && json_is_null(a) && json_is_null(b))
			return 0;
		fn_error(s, name,
			 (a == NULL || b == NULL) ? "invalid type for comparison"
			 : order		  ? "invalid type for comparison"
						  : "non-comparable type");
		return -2;
	}
	if (ka != kb) {
		fn_error(s, name, "incompatible types for comparison");
		return -2;
	}
	if (ka == 1) {
		if (order) {
			fn_error(s, name, "invalid type for comparison");
			return -2;
		}
		return json_is_true(a) == json_is_true(b) ? 0 : 1;
	}
	if (ka == 2)
		return json_integer_value(a) < json_integer_value(b)   ? -1
		       : json_integer_value(a) > json_integer_value(b) ? 1
								       : 0;
	if (ka == 3)
		return json_real_value(a) < json_real_value(b)	 ? -1
		       : json_real_value(a) > json_real_value(b) ? 1
								 : 0;
	int c = strcmp(json_string_value(a), json_string_value(b));
	return c < 0 ? -1 : c > 0;
}

static json_t *fn_compare(struct gotmpl_state *s, const char *name, json_t **a, size_t n)
{
	bool eq = strcmp(name, "eq") == 0;
	if (n < 2 || (!eq && n != 2))
		return fn_error(s, name, "wrong number of args for %s: want 2 got %zu", name, n);
	if (eq) {
		for (size_t i = 1; i < n; i++) {
			int c = compare(s, name, a[0], a[i], false);
			if (c == -2)
				return NULL;
			if (c == 0)
				return json_true();
		}
		return json_false();
	}
	int c = compare(s, name, a[0], a[1], strcmp(name, "ne") != 0);
	if (c == -2)
		return NULL;
	bool r = strcmp(name, "ne") == 0   ? c != 0
		 : strcmp(name, "lt") == 0 ? c < 0
		 : strcmp(name, "le") == 0 ? c <= 0
		 : strcmp(name, "gt") == 0 ? c > 0
					   : c >= 0;
	return json_boolean(r);
}

static json_t *fn_index(struct gotmpl_state *s, json_t **a, size_t n)
{
	if (n < 1)
		return fn_error(s, "index",
				"wrong number of args for index: want at least 1 got 0");
	json_t *cur = a[0] ? json_incref(a[0]) : NULL;
	for (size_t i = 1; i < n; i++) {
		json_t *k = a[i];
		json_t *nx = NULL;
		if (cur == NULL || json_is_null(cur)) {
			json_decref(cur);
			return fn_error(s, "index", "index of untyped nil");
		} else if (json_is_object(cur)) {
			if (!json_is_string(k)) {
				json_decref(cur);
				return fn_error(s, "index", "value has type %s; should be string",
						gotmpl_type_name(k));
			}
			nx = json_object_get(cur, json_string_value(k));
			if (nx) {
				json_incref(nx);
			} else {
				/* the zero value of the map's elements: "" for the
				 * docker objects' map[string]string (Labels, Options) */
				bool strings = true;
				const char *key;
				json_t *v;
				json_object_foreach(cur, key, v) strings &= json_is_string(v);
				nx = strings ? json_string("") : json_null();
			}
		} else if (json_is_array(cur) || json_is_string(cur)) {
			if (!json_is_integer(k)) {
				json_decref(cur);
				return fn_error(s, "index", "cannot index slice/array with type %s",
						gotmpl_type_name(k));
			}
			json_int_t x = json_integer_value(k);
			size_t len =
			    json_is_array(cur) ? json_array_size(cur) : json_string_length(cur);
			/* Go checks the index against the capacity, then indexes
			 * (the capacity taken as the length here) */
			if (x >= 0 && (size_t)x == len) {
				bool arr = json_is_array(cur);
				json_decref(cur);
				return fn_error(s, "index", "reflect: %s index out of range",
						arr ? "slice" : "string");
			}
			if (x < 0 || (size_t)x >= len) {
				json_decref(cur);
				return fn_error(s, "index",
						"index out of range: %" JSON_INTEGER_FORMAT, x);
			}
			nx = json_is_array(cur)
				 ? json_incref(json_array_get(cur, (size_t)x))
				 : json_integer((unsigned char)json_string_value(cur)[x]);
		} else {
			json_decref(cur);
			return fn_error(s, "index", "can't index item of type %s",
					gotmpl_type_name(cur));
		}
		json_decref(cur);
		cur = nx;
	}
	return cur;
}

/* Go's fmt verbs for printf: flags, width, precision; s d v q x t f g e */
static void printf_one(struct gotmpl_state *s, struct gotmpl_sb *b, const char *spec, char verb,
		       json_t *v)
{
	char cfmt[64];
	char buf[512];
	cleanup_free char *str = NULL;
	if (verb == 'd' && json_is_integer(v)) {
		snprintf(cfmt, sizeof(cfmt), "%%%slld", spec);
		snprintf(buf, sizeof(buf), cfmt, (long long)json_integer_value(v));
		gotmpl_sb_str(b, buf);
		return;
	}
	if (verb == 'x' && json_is_integer(v)) {
		snprintf(cfmt, sizeof(cfmt), "%%%sllx", spec);
		snprintf(buf, sizeof(buf), cfmt, (long long)json_integer_value(v));
		gotmpl_sb_str(b, buf);
		return;
	}
	if ((verb == 'f' || verb == 'g' || verb == 'e') &&
	    (json_is_real(v) || json_is_integer(v))) {
		if (json_is_integer(v)) {
			cleanup_free char *m = xasprintf("%%!%c(int=%" JSON_INTEGER_FORMAT ")",
							 verb, json_integer_value(v));
			gotmpl_sb_str(b, m);
			return;
		}
		snprintf(cfmt, sizeof(cfmt), "%%%s%c", spec, verb);
		snprintf(buf, sizeof(buf), cfmt, json_real_value(v));
		gotmpl_sb_str(b, buf);
		return;
	}
	if (verb == 'v' || (verb == 's' && json_is_string(v)) ||
	    (verb == 't' && json_is_boolean(v)))
		str = gotmpl_print_value(v);
	else if (verb == 'q' && json_is_string(v))
		str = ctrfmt_go_quote(json_string_value(v));
	else if (verb == 'x' && json_is_string(v)) {
		struct gotmpl_sb h = {0};
		for (const unsigned char *c = (const unsigned char *)json_string_value(v); *c;
		     c++) {
			char x[3];
			snprintf(x, sizeof(x), "%02x", *c);
			gotmpl_sb_str(&h, x);
		}
		str = gotmpl_sb_take(&h);
	}
	if (str == NULL) {
		cleanup_free char *pv = gotmpl_print_value(v);
		cleanup_free char *m =
		    v == NULL ? xasprintf("%%!%c(<nil>)", verb)
			      : xasprintf("%%!%c(%s=%s)", verb, gotmpl_type_name(v), pv);
		gotmpl_sb_str(b, m);
		return;
	}
	/* width and '-' apply to the string; precision cuts it */
	cleanup_free char *f = xasprintf("%%%ss", spec);
	cleanup_free char *m = NULL;
	int len = snprintf(NULL, 0, f, str);
	m = xmalloc((size_t)len + 1);
	snprintf(m, (size_t)len + 1, f, str);
	gotmpl_sb_str(b, m);
	(void)s;
}

static json_t *fn_printf(struct gotmpl_state *s, json_t **a, size_t n)
{
	if (n < 1 || !json_is_string(a[0]))
		return fn_error(s, "printf", "wrong type for value; expected string; got %s",
				n ? gotmpl_type_name(a[0]) : "<nil>");
	const char *f = json_string_value(a[0]);
	struct gotmpl_sb b = {0};
	size_t next = 1;
	for (const char *p = f; *p; p++) {
		if (*p != '%') {
			gotmpl_sb_add(&b, p, 1);
			continue;
		}
		if (p[1] == '%') {
			gotmpl_sb_str(&b, "%");
			p++;
			continue;
		}
		const char *st = p + 1;
		const char *q = st;
		while (*q && strchr("-+# 0", *q))
			q++;
		while (isdigit((unsigned char)*q) || *q == '.')
			q++;
		if (*q == '\0') {
			gotmpl_sb_str(&b, "%!(NOVERB)");
			break;
		}
		cleanup_free char *spec = strndup(st, (size_t)(q - st));
		if (next >= n) {
			char m[32];
			snprintf(m, sizeof(m), "%%!%c(MISSING)", *q);
			gotmpl_sb_str(&b, m);
		} else {
			printf_one(s, &b, spec, *q, a[next++]);
		}
		p = q;
	}
	if (next < n) {
		gotmpl_sb_str(&b, "%!(EXTRA ");
		for (size_t i = next; i < n; i++) {
			cleanup_free char *pv = gotmpl_print_value(a[i]);
			if (i > next)
				gotmpl_sb_str(&b, ", ");
			gotmpl_sb_str(&b, gotmpl_type_name(a[i]));
			gotmpl_sb_str(&b, "=");
			gotmpl_sb_str(&b, pv);
		}
		gotmpl_sb_str(&b, ")");
	}
	cleanup_free char *r = gotmpl_sb_take(&b);
	return json_string(r);
}

/* print / println (Go's Sprint: a space between operands when neither is a
 * string; Sprintln: always, and a newline) */
static json_t *fn_print(json_t **a, size_t n, bool ln)
{
	struct gotmpl_sb b = {0};
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (ln || (!json_is_string(a[i - 1]) && !json_is_string(a[i]))))
			gotmpl_sb_str(&b, " ");
		gotmpl_print_to(&b, a[i]);
	}
	if (ln)
		gotmpl_sb_str(&b, "\n");
	cleanup_free char *r = gotmpl_sb_take(&b);
	return json_string(r);
}

static char *str_arg(json_t *v)
{
	return json_is_string(v) ? xstrdup(json_string_value(v)) : gotmpl_print_value(v);
}

static json_t *fn_strings(struct gotmpl_state *s, const char *name, json_t **a, size_t n)
{
	if (n != 1)
		return fn_error(s, name, "wrong number of args for %s: want 1 got %zu", name, n);
	if (!json_is_string(a[0]))
		return gotmpl_efail(s, "wrong type for value; expected string; got %s",
				    gotmpl_type_name(a[0]));
	cleanup_free char *r = xstrdup(json_string_value(a[0]));
	bool word_start = true;
	for (char *c = r; *c; c++) {
		unsigned char u = (unsigned char)*c;
		if (name[0] == 'l')
			*c = (char)tolower(u);
		else if (name[0] == 'u')
			*c = (char)toupper(u);
		else {
			if (word_start && u < 0x80)
				*c = (char)toupper(u);
			word_start = !(isalnum(u) || u == '_' || u >= 0x80 || u == '\'');
		}
	}
	return json_string(r);
}

static json_t *fn_join_split(struct gotmpl_state *s, const char *name, json_t **a, size_t n)
{
	if (n != 2)
		return fn_error(s, name, "wrong number of args for %s: want 2 got %zu", name, n);
	if (!json_is_string(a[1]))
		return gotmpl_efail(s, "wrong type for value; expected string; got %s",
				    gotmpl_type_name(a[1]));
	const char *sep = json_string_value(a[1]);
	if (name[0] == 'j') {
		if (a[0] && json_is_null(a[0]))
			return json_string("");
		if (!json_is_array(a[0]))
			return gotmpl_efail(s, "wrong type for value; expected []string; got %s",
					    gotmpl_type_name(a[0]));
		struct gotmpl_sb b = {0};
		for (size_t i = 0; i < json_array_size(a[0]); i++) {
			if (i)
				gotmpl_sb_str(&b, sep);
			gotmpl_print_to(&b, json_array_get(a[0], i));
		}
		cleanup_free char *r = gotmpl_sb_take(&b);
		return json_string(r);
	}
	if (!json_is_string(a[0]))
		return gotmpl_efail(s, "wrong type for value; expected string; got %s",
				    gotmpl_type_name(a[0]));
	const char *str = json_string_value(a[0]);
	json_t *arr = json_array();
	size_t sl = strlen(sep);
	if (sl == 0) {
		for (const char *c = str; *c; c++)
			json_array_append_new(arr, json_stringn(c, 1));
		return arr;
	}
	for (;;) {
		const char *m = strstr(str, sep);
		if (m == NULL) {
			json_array_append_new(arr, json_string(str));
			return arr;
		}
		json_array_append_new(arr, json_stringn(str, (size_t)(m - str)));
		str = m + sl;
	}
}

json_t *gotmpl_call_func(struct gotmpl_state *s, const char *name, json_t **a, size_t n)
{
	static const char *const header_funcs[] = {"json",  "split", "join", "title",
						   "lower", "upper", "pad",  "truncate"};
	for (size_t i = 0; s->header_funcs && i < sizeof(header_funcs) / sizeof(char *); i++)
		if (strcmp(name, header_funcs[i]) == 0) {
			if (n < 1 || !json_is_string(a[0]))
				return gotmpl_efail(s,
						    "wrong type for value; expected string; got %s",
						    n ? gotmpl_type_name(a[0]) : "<nil>");
			return json_incref(a[0]);
		}
	if (strcmp(name, "and") == 0 || strcmp(name, "or") == 0) {
		if (n < 1)
			return fn_error(s, name,
					"wrong number of args for %s: want at least 1 got 0", name);
		bool is_and = name[0] == 'a';
		for (size_t i = 0; i < n - 1; i++)
			if (gotmpl_truth(a[i]) != is_and)
				return a[i] ? json_incref(a[i]) : NULL;
		return a[n - 1] ? json_incref(a[n - 1]) : NULL;
	}
	if (strcmp(name, "not") == 0) {
		if (n != 1)
			return fn_error(s, name, "wrong number of args for not: want 1 got %zu", n);
		return json_boolean(!gotmpl_truth(a[0]));
	}
	if (strcmp(name, "len") == 0) {
		if (n != 1)
			return fn_error(s, name, "wrong number of args for len: want 1 got %zu", n);
		if (json_is_string(a[0]))
			return json_integer((json_int_t)json_string_length(a[0]));
		if (json_is_array(a[0]))
			return json_integer((json_int_t)json_array_size(a[0]));
		if (json_is_object(a[0]))
			return json_integer((json_int_t)json_object_size(a[0]));
		if (a[0] == NULL || json_is_null(a[0]))
			return fn_error(s, name, "len of nil pointer");
		return fn_error(s, name, "len of type %s", gotmpl_type_name(a[0]));
	}
	if (strcmp(name, "index") == 0)
		return fn_index(s, a, n);
	if (strcmp(name, "printf") == 0)
		return fn_printf(s, a, n);
	if (strcmp(name, "print") == 0 || strcmp(name, "println") == 0)
		return fn_print(a, n, name[5] == 'l');
	if (strlen(name) == 2 && strchr("enlg", name[0]))
		return fn_compare(s, name, a, n);
	if (strcmp(name, "json") == 0) {
		if (n != 1)
			return fn_error(s, name, "wrong number of args for json: want 1 got %zu",
					n);
		/* docker's json: an encoder without HTML escaping; the row
		 * contexts' own MarshalJSON (json.Marshal) escapes */
		if (s->raw && a[0]) {
			/* a map[string]interface{}: sorted keys */
			cleanup_free char *j =
			    json_dumps(a[0], JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
			return json_string(j ? j : "null");
		}
		cleanup_free char *j =
		    a[0] == NULL || a[0] == s->nil_slice || a[0] == s->nil_map ? xstrdup("null")
		    : a[0] == s->root && s->json_root_escaped
			? ctrfmt_go_json(a[0])
			: json_dumps(a[0], JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
		return json_string(j ? j : "null");
	}
	if (strcmp(name, "lower") == 0 || strcmp(name, "upper") == 0 || strcmp(name, "title") == 0)
		return fn_strings(s, name, a, n);
	if (strcmp(name, "join") == 0 || strcmp(name, "split") == 0)
		return fn_join_split(s, name, a, n);
	if (strcmp(name, "html") == 0 || strcmp(name, "urlquery") == 0) {
		/* Go's HTMLEscapeString / QueryEscape of the operands printed */
		cleanup_json json_t *p = fn_print(a, n, false);
		struct gotmpl_sb b = {0};
		for (const unsigned char *c = (const unsigned char *)json_string_value(p); *c;
		     c++) {
			char x[8];
			if (name[0] == 'h') {
				const char *e = *c == '<'    ? "&lt;"
						: *c == '>'  ? "&gt;"
						: *c == '&'  ? "&amp;"
						: *c == '\'' ? "&#39;"
						: *c == '"'  ? "&#34;"
							     : NULL;
				if (e)
					gotmpl_sb_str(&b, e);
				else
					gotmpl_sb_add(&b, (const char *)c, 1);
			} else if (isalnum(*c) || strchr("-_.~", *c)) {
				gotmpl_sb_add(&b, (const char *)c, 1);
			} else if (*c == ' ') {
				gotmpl_sb_str(&b, "+");
			} else {
				snprintf(x, sizeof(x), "%%%02X", *c);
				gotmpl_sb_str(&b, x);
			}
		}
		cleanup_free char *r = gotmpl_sb_take(&b);
		return json_string(r);
	}
	if (strcmp(name, "pad") == 0 || strcmp(name, "truncate") == 0) {
		size_t want = name[0] == 'p' ? 3 : 2;
		if (n != want)
			return fn_error(s, name, "wrong number of args for %s: want %zu got %zu",
					name, want, n);
		for (size_t i = 1; i < n; i++)
			if (!json_is_integer(a[i]))
				return gotmpl_efail(s, "wrong type for value; expected int; got %s",
						    gotmpl_type_name(a[i]));
		cleanup_free char *str = str_arg(a[0]);
		if (name[0] == 't') {
			json_int_t l = json_integer_value(a[1]);
			if (l >= 0 && (size_t)l < strlen(str))
				str[l] = '\0';
			return json_string(str);
		}
		json_int_t pre = json_integer_value(a[1]), post = json_integer_value(a[2]);
		struct gotmpl_sb b = {0};
		for (json_int_t i = 0; i < pre; i++)
			gotmpl_sb_str(&b, " ");
		gotmpl_sb_str(&b, str);
		for (json_int_t i = 0; i < post; i++)
			gotmpl_sb_str(&b, " ");
		cleanup_free char *r = gotmpl_sb_take(&b);
		return json_string(r);
	}
	return gotmpl_efail(s, "%s is not supported by berth", name);
}
