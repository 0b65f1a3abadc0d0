#include "common/json.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

const char *bjson_type_name(json_type t)
{
	switch (t) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "a value";
}

char *bjson_describe(json_t *v)
{
	if (json_is_string(v)) {
		cleanup_free char *s = json_dumps(v, JSON_ENCODE_ANY);
		if (s && strlen(s) > 80) {
			/* cut on a character boundary: messages must stay valid UTF-8
			 * (the json log format cannot carry anything else) */
			int n = 77;
			while (n > 1 && ((unsigned char)s[n] & 0xC0) == 0x80)
				n--;
			return xasprintf("%.*s...\"", n, s);
		}
		return xstrdup(s ? s : "\"\"");
	}
	if (json_is_integer(v))
		return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%g", json_real_value(v));
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "true" : "false");
	return xstrdup(bjson_type_name(json_typeof(v)));
}

static int type_error(json_t *v, const char *path, const char *key, const char *want,
		      struct berth_error **err)
{
	cleanup_free char *d = bjson_describe(v);
	return berth_error_set(err, EINVAL, "%s%s%s: expected %s, got %s", path, *path ? "." : "",
			       key, want, d);
}

int bjson_member(json_t *obj, const char *key, const char *path, json_type type, bool required,
		 json_t **out, struct berth_error **err)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return berth_error_set(err, EINVAL, "%s%s%s: required field is missing",
					       path, *path ? "." : "", key);
		return 0;
	}
	bool ok = json_typeof(v) == type || (type == JSON_TRUE && json_is_boolean(v)) ||
		  (type == JSON_REAL && json_is_number(v));
	if (!ok)
		return type_error(v, path, key, bjson_type_name(type), err);
	*out = v;
	return 0;
}

int bjson_string(json_t *obj, const char *key, const char *path, bool required, char **out,
		 struct berth_error **err)
{
	json_t *v;
	if (bjson_member(obj, key, path, JSON_STRING, required, &v, err) < 0)
		return -1;
	if (v) {
		free(*out);
		*out = xstrdup(json_string_value(v));
	}
	return 0;
}

int bjson_strv(json_t *obj, const char *key, const char *path, bool required, char ***out,
	       struct berth_error **err)
{
	json_t *v;
	if (bjson_member(obj, key, path, JSON_ARRAY, required, &v, err) < 0)
		return -1;
	if (v == NULL)
		return 0;
	size_t n = json_array_size(v);
	char **res = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);
		if (!json_is_string(e)) {
			cleanup_free char *d = bjson_describe(e);
			strv_free(res);
			return berth_error_set(err, EINVAL,
					       "%s%s%s[%zu]: expected a string, got %s", path,
					       *path ? "." : "", key, i, d);
		}
		res[i] = xstrdup(json_string_value(e));
	}
	strv_free(*out);
	*out = res;
	return 0;
}

int bjson_bool(json_t *obj, const char *key, const char *path, bool *out, struct berth_error **err)
{
	json_t *v;
	if (bjson_member(obj, key, path, JSON_TRUE, false, &v, err) < 0)
		return -1;
	if (v)
		*out = json_is_true(v);
	return 0;
}

const char *bjson_get_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

int64_t bjson_get_int(json_t *obj, const char *key, int64_t dflt)
{
	json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

bool bjson_match_kvlist(json_t *values, json_t *labels)
{
	size_t i;
	json_t *v;
	json_array_foreach(values, i, v)
	{
		const char *s = json_string_value(v);
		if (s == NULL)
			return false;
		const char *eq = strchr(s, '=');
		cleanup_free char *k = eq ? xasprintf("%.*s", (int)(eq - s), s) : xstrdup(s);
		json_t *have = json_object_get(labels, k);
		if (have == NULL)
			return false;
		const char *hs = json_string_value(have);
		if (eq && strcmp(hs ? hs : "", eq + 1) != 0)
			return false;
	}
	return true;
}

bool bjson_as_int64(json_t *v, int64_t *out)
{
	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

static json_t *integral(json_t *v)
{
	double d = json_real_value(v);
	if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
		return json_integer((json_int_t)d);
	return NULL;
}

void bjson_reals_to_integers(json_t *v)
{
	size_t i;
	const char *k;
	json_t *e, *n;
	if (json_is_object(v)) {
		json_object_foreach(v, k, e)
		{
			if (json_is_real(e) && (n = integral(e)))
				json_object_set_new(v, k, n);
			else
				bjson_reals_to_integers(e);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e)
		{
			if (json_is_real(e) && (n = integral(e)))
				json_array_set_new(v, i, n);
			else
				bjson_reals_to_integers(e);
		}
	}
}

int bjson_int(json_t *obj, const char *key, const char *path, int64_t min, int64_t max,
	      int64_t *out, bool *present, struct berth_error **err)
{
	json_t *v = json_object_get(obj, key);
	if (present)
		*present = false;
	if (v == NULL || json_is_null(v))
		return 0;
	int64_t i;
	if (!bjson_as_int64(v, &i))
		return type_error(v, path, key, "an integer", err);
	if (i < min || i > max)
		return berth_error_set(
		    err, ERANGE, "%s%s%s: %" PRId64 " is out of range [%" PRId64 ", %" PRId64 "]",
		    path, *path ? "." : "", key, i, min, max);
	*out = i;
	if (present)
		*present = true;
	return 0;
}

int bjson_u64(json_t *obj, const char *key, const char *path, uint64_t *out, bool *present,
	      struct berth_error **err)
{
	json_t *v = json_object_get(obj, key);
	if (present)
		*present = false;
	if (v == NULL || json_is_null(v))
		return 0;
	/* jansson stores integers as long long: a document with values above
	 * INT64_MAX (RLIM_INFINITY as Go writes it) is decoded with reals */
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0)
			return berth_error_set(
			    err, ERANGE, "%s%s%s: %" JSON_INTEGER_FORMAT " must not be negative",
			    path, *path ? "." : "", key, i);
		*out = (uint64_t)i;
	} else if (json_is_real(v) && json_real_value(v) >= 0 &&
		   json_real_value(v) == floor(json_real_value(v)) &&
		   json_real_value(v) <= 18446744073709551615.0) {
		double d = json_real_value(v);
		*out = d >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)d;
	} else {
		return type_error(v, path, key, "an unsigned integer", err);
	}
	if (present)
		*present = true;
	return 0;
}

size_t strv_len(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void strv_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}
