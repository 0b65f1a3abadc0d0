/* docker's /events filters (daemon/events/filter.go): parsing of ?filters=
 * and matching of one event. See events.h. */
#include "core/events/events.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const filter_keys[] = {
    "container", "daemon", "event", "image",   "label",	 "network", "type", "volume",
    "plugin",	 "scope",  "node",  "service", "secret", "config",  NULL,
};

/* {"key": {"v": true}} or {"key": ["v"]} -> {"key": ["v", ...]} */
json_t *events_filter_parse(const char *f, struct berth_error **err)
{
	json_t *out = json_object();
	if (f == NULL || f[0] == '\0')
		return out;
	json_t *o = json_loads(f, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		json_decref(out);
		berth_error_set(err, EINVAL, "invalid filter: %s", f);
		return NULL;
	}
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		bool known = false;
		for (size_t i = 0; filter_keys[i] && !known; i++)
			known = strcmp(filter_keys[i], k) == 0;
		if (!known) {
			json_decref(o);
			json_decref(out);
			berth_error_set(err, EINVAL, "Invalid filter '%s'", k);
			return NULL;
		}
		json_t *vals = json_array();
		if (json_is_object(v)) {
			const char *vk;
			json_t *vv;
			json_object_foreach(v, vk, vv)
			{
				if (json_is_true(vv))
					json_array_append_new(vals, json_string(vk));
			}
		} else if (json_is_array(v)) {
			size_t i;
			json_t *vv;
			json_array_foreach(v, i, vv)
			{
				if (json_is_string(vv))
					json_array_append(vals, vv);
			}
		}
		json_object_set_new(out, k, vals);
	}
	json_decref(o);
	return out;
}

/* "sec[.frac]" -> ns; also docker's duration-free RFC 3339 is not sent by
 * the CLI (it converts), so only numbers. */
static bool key_has(json_t *f, const char *key)
{
	return json_array_size(json_object_get(f, key)) > 0;
}

/* One of the key's values equals s (or, fuzzy, is a prefix of s). */
static bool key_match(json_t *f, const char *key, const char *s, bool fuzzy)
{
	if (s == NULL)
		return false;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(f, key), i, v)
	{
		const char *want = json_string_value(v);
		if (strcmp(want, s) == 0)
			return true;
		if (fuzzy && *want && strncmp(want, s, strlen(want)) == 0)
			return true;
	}
	return false;
}

/* An image reference without its tag ("busybox:1" -> "busybox"); not a
 * registry port ("host:5000/x"). */
static char *strip_tag(const char *s)
{
	char *r = xstrdup(s);
	if (strncmp(r, "sha256:", 7) == 0)
		return r; /* an image ID, not a name with a tag */
	char *at = strchr(r, '@');
	if (at)
		*at = '\0';
	char *slash = strrchr(r, '/');
	char *colon = strrchr(r, ':');
	if (colon && (slash == NULL || colon > slash))
		*colon = '\0';
	return r;
}

/* docker's matchImage: the actor's ID or its image name (the "image"
 * attribute, "name" for image events), with or without the tag. */
static bool image_match(json_t *f, const char *type, const char *id, json_t *attrs)
{
	if (!key_has(f, "image"))
		return true;
	const char *name = json_string_value(
	    json_object_get(attrs, strcmp(type, "image") == 0 ? "name" : "image"));
	const char *cand[2] = {id, name};
	for (size_t i = 0; i < 2; i++) {
		if (cand[i] == NULL)
			continue;
		cleanup_free char *bare = strip_tag(cand[i]);
		if (key_match(f, "image", cand[i], false) || key_match(f, "image", bare, false))
			return true;
	}
	return false;
}

static bool label_match(json_t *f, json_t *attrs)
{
	/* every label filter must hold (docker's MatchKVList) */
	return bjson_match_kvlist(json_object_get(f, "label"), attrs);
}

/* The type-scoped name filters: container, volume, network, plugin, daemon. */
static bool name_match(json_t *f, const char *key, const char *type, const char *id, json_t *attrs)
{
	if (!key_has(f, key))
		return true;
	if (strcmp(type, key) != 0)
		return false;
	return key_match(f, key, id, true) ||
	       key_match(f, key, json_string_value(json_object_get(attrs, "name")), true);
}

bool events_filter_match(json_t *f, json_t *ev)
{
	if (json_object_size(f) == 0)
		return true;
	const char *type = json_string_value(json_object_get(ev, "Type"));
	const char *action = json_string_value(json_object_get(ev, "Action"));
	json_t *actor = json_object_get(ev, "Actor");
	const char *id = json_string_value(json_object_get(actor, "ID"));
	json_t *attrs = json_object_get(actor, "Attributes");
	if (type == NULL || action == NULL)
		return false;
	if (key_has(f, "type") && !key_match(f, "type", type, false))
		return false;
	if (key_has(f, "event") && !key_match(f, "event", action, false)) {
		/* "exec_start: sh -c x" matches event=exec_start */
		const char *colon = strchr(action, ':');
		cleanup_free char *head =
		    colon ? xasprintf("%.*s", (int)(colon - action), action) : NULL;
		if (head == NULL || !key_match(f, "event", head, false))
			return false;
	}
	if (key_has(f, "scope") && !key_match(f, "scope", "local", false))
		return false;
	static const char *const scoped[] = {"container", "volume", "network", "plugin", "daemon"};
	for (size_t i = 0; i < sizeof(scoped) / sizeof(scoped[0]); i++)
		if (!name_match(f, scoped[i], type, id, attrs))
			return false;
	return image_match(f, type, id, attrs) && label_match(f, attrs);
}
