/* libFuzzer target for the config.json parser: oci_spec_parse() on arbitrary
 * bytes must either fail with an error message or return a spec that holds
 * the invariants the rest of the runtime relies on; it must never crash,
 * leak or read out of bounds (ASan/UBSan are on, see meson.build). */
#include "common/json.h"
#include "oci/spec.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__,         \
				__LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void check_spec(const struct oci_spec *s)
{
	CHECK(s->oci_version != NULL);
	CHECK(s->root_path != NULL && s->root_path[0] != '\0');
	CHECK(s->annotations != NULL && json_is_object(s->annotations));
	CHECK(s->raw != NULL);
	if (s->process) {
		const struct oci_process *p = s->process;
		CHECK(p->cwd != NULL && p->cwd[0] == '/');
		CHECK(p->args != NULL && p->args[0] != NULL && p->args[0][0] != '\0');
		CHECK(p->env != NULL);
		for (size_t i = 0; p->env[i]; i++)
			CHECK(strchr(p->env[i], '=') > p->env[i]);
		for (size_t i = 0; i < p->n_rlimits; i++)
			CHECK(p->rlimits[i].soft <= p->rlimits[i].hard);
	}
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct oci_mount *m = &s->mounts[i];
		CHECK(m->destination != NULL && m->destination[0] == '/');
		CHECK(m->bind || m->type != NULL);
		CHECK(!m->bind || m->source != NULL);
		CHECK(!m->recursive_bind || m->bind);
	}
	for (int k = 0; k < OCI_HOOK_KINDS; k++)
		for (size_t i = 0; i < s->hooks[k].n; i++) {
			CHECK(s->hooks[k].hooks[i].path[0] == '/');
			CHECK(s->hooks[k].hooks[i].timeout >= 0);
		}
	for (size_t i = 0; i < s->n_namespaces; i++) {
		const struct oci_namespace *ns = &s->namespaces[i];
		CHECK(ns->type > 0);
		CHECK(ns->path == NULL || ns->path[0] == '/');
		for (size_t j = 0; j < i; j++)
			CHECK(s->namespaces[j].type != ns->type);
	}
	for (size_t i = 0; i < s->n_devices; i++) {
		const struct oci_device *d = &s->devices[i];
		CHECK(d->path[0] == '/');
		CHECK(d->type == 'c' || d->type == 'b' || d->type == 'p');
	}
	for (size_t i = 0; i < s->n_uid_mappings; i++)
		CHECK(s->uid_mappings[i].size > 0);
	for (size_t i = 0; i < s->n_gid_mappings; i++)
		CHECK(s->gid_mappings[i].size > 0);
	for (size_t i = 0; i < s->n_sysctl; i++) {
		const char *k = s->sysctl[i].key;
		CHECK(k[0] != '\0' && k[0] != '/' && k[0] != '.' && strstr(k, "..") == NULL);
		CHECK(s->sysctl[i].value != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oci_spec *s = NULL;
	struct berth_error *err = NULL;
	if (oci_spec_parse((const char *)data, size, &s, &err) == 0) {
		CHECK(s != NULL);
		CHECK(err == NULL);
		check_spec(s);
		oci_spec_free(s);
	} else {
		CHECK(s == NULL);
		CHECK(err != NULL && err->msg != NULL && err->msg[0] != '\0');
		/* the message must be loggable: the json log format needs UTF-8 */
		json_t *msg = json_string(err->msg);
		CHECK(msg != NULL);
		json_decref(msg);
		berth_error_free(&err);
	}
	return 0;
}
