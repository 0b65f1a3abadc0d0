/* Typed, validating accessors over jansson objects. `path` is the JSON path of
 * `obj` used in error messages ("process.user"); errors read
 * "process.user.uid: expected an integer, got \"x\"". Absent optional fields
 * leave *out untouched and return 0; present fields of the wrong type fail. */
#ifndef BERTH_COMMON_JSON_H
#define BERTH_COMMON_JSON_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Returns the member, or NULL (absent or JSON null). Fails if required and absent. */
int bjson_member(json_t *obj, const char *key, const char *path, json_type type, bool required,
		 json_t **out, struct berth_error **err);
int bjson_string(json_t *obj, const char *key, const char *path, bool required, char **out,
		 struct berth_error **err);
int bjson_strv(json_t *obj, const char *key, const char *path, bool required, char ***out,
	       struct berth_error **err);
int bjson_bool(json_t *obj, const char *key, const char *path, bool *out, struct berth_error **err);
/* Integers with range checks [min, max]. *present set when given (may be NULL). */
int bjson_int(json_t *obj, const char *key, const char *path, int64_t min, int64_t max,
	      int64_t *out, bool *present, struct berth_error **err);
int bjson_u64(json_t *obj, const char *key, const char *path, uint64_t *out, bool *present,
	      struct berth_error **err);
/* Lenient reads of a member (of replies shown as they come): the string, ""
 * when absent or not a string; the integer, dflt when absent or not one. */
const char *bjson_get_str(json_t *obj, const char *key);
int64_t bjson_get_int(json_t *obj, const char *key, int64_t dflt);
/* docker's MatchKVList (label filters): every value, "k" or "k=v" (a JSON
 * string), names a member of the object labels (and with "=v" one whose
 * string is v; a member that is not a string counts as ""). No values: true. */
bool bjson_match_kvlist(json_t *values, json_t *labels);
/* True (and *out) if v is an integer. */
bool bjson_as_int64(json_t *v, int64_t *out);
/* After a decode with JSON_DECODE_INT_AS_REAL (needed for integers above
 * INT64_MAX, such as RLIM_INFINITY as Go writes it): turn every integral real
 * that fits in int64 back into an integer; only the huge ones stay reals. */
void bjson_reals_to_integers(json_t *v);
/* Short description of a value for messages: "\"x\"", "42", "an object". Caller frees. */
char *bjson_describe(json_t *v);
const char *bjson_type_name(json_type t);
/* NULL-terminated string vector helpers */
size_t strv_len(char **v);
void strv_free(char **v);

#endif
