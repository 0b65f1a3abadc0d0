/* Media type classification (see mediatype.h). */
#include "core/images/mediatype.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Length of the type proper: up to ';' with trailing blanks dropped. */
static size_t base_len(const char *s, const char **start)
{
	while (*s == ' ' || *s == '\t')
		s++;
	*start = s;
	size_t n = strcspn(s, ";");
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return n;
}

bool mt_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return false;
	const char *sa, *sb;
	size_t na = base_len(a, &sa), nb = base_len(b, &sb);
	return na == nb && strncasecmp(sa, sb, na) == 0;
}

static bool any(const char *mt, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (mt_equal(mt, list[i]))
			return true;
	return false;
}

#define ANY(mt, ...)                                                                               \
	any(mt, (const char *const[]){__VA_ARGS__},                                                \
	    sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

bool mt_is_image_manifest(const char *mt)
{
	return ANY(mt, MT_OCI_MANIFEST, MT_DOCKER_MANIFEST);
}

bool mt_is_index(const char *mt)
{
	return ANY(mt, MT_OCI_INDEX, MT_DOCKER_LIST);
}

bool mt_is_manifest(const char *mt)
{
	return mt_is_image_manifest(mt) || mt_is_index(mt);
}

bool mt_is_schema1(const char *mt)
{
	return ANY(mt, MT_DOCKER_SCHEMA1, MT_DOCKER_SCHEMA1_SIGNED);
}

bool mt_is_config(const char *mt)
{
	return ANY(mt, MT_OCI_CONFIG, MT_DOCKER_CONFIG);
}

bool mt_is_nondistributable(const char *mt)
{
	return ANY(mt, MT_OCI_LAYER_ND, MT_OCI_LAYER_ND_GZIP, MT_OCI_LAYER_ND_ZSTD,
		   MT_DOCKER_LAYER_FOREIGN);
}

enum mt_compression mt_layer_compression(const char *mt)
{
	if (ANY(mt, MT_OCI_LAYER, MT_OCI_LAYER_ND))
		return MT_COMPRESSION_NONE;
	if (ANY(mt, MT_OCI_LAYER_GZIP, MT_OCI_LAYER_ND_GZIP, MT_DOCKER_LAYER_GZIP,
		MT_DOCKER_LAYER_FOREIGN))
		return MT_COMPRESSION_GZIP;
	if (ANY(mt, MT_OCI_LAYER_ZSTD, MT_OCI_LAYER_ND_ZSTD))
		return MT_COMPRESSION_ZSTD;
	return MT_COMPRESSION_UNKNOWN;
}

bool mt_is_layer(const char *mt)
{
	return mt_layer_compression(mt) != MT_COMPRESSION_UNKNOWN;
}
