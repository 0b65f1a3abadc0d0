/* A string set for the mark phase: open addressing, FNV-1a, grown at 1/2. */
#include "core/gc/gc-internal.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t slot_of(char **slots, size_t cap, const char *s)
{
	size_t i = (size_t)hash(s) & (cap - 1);
	while (slots[i] && strcmp(slots[i], s) != 0)
		i = (i + 1) & (cap - 1);
	return i;
}

static void grow(struct gc_set *set)
{
	size_t cap = set->cap ? set->cap * 2 : 64;
	char **slots = xcalloc(cap, sizeof(*slots));
	for (size_t i = 0; i < set->cap; i++)
		if (set->slots[i])
			slots[slot_of(slots, cap, set->slots[i])] = set->slots[i];
	free(set->slots);
	set->slots = slots;
	set->cap = cap;
}

bool gc_set_add(struct gc_set *set, const char *s)
{
	if ((set->n + 1) * 2 > set->cap)
		grow(set);
	size_t i = slot_of(set->slots, set->cap, s);
	if (set->slots[i])
		return false;
	set->slots[i] = xstrdup(s);
	set->n++;
	return true;
}

bool gc_set_has(const struct gc_set *set, const char *s)
{
	return set->cap && set->slots[slot_of(set->slots, set->cap, s)] != NULL;
}

void gc_set_free(struct gc_set *set)
{
	for (size_t i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

char *gc_key_content(const char *digest)
{
	return xasprintf("c %s", digest);
}

char *gc_key_ingest(const char *ref)
{
	return xasprintf("i %s", ref);
}

char *gc_key_snapshot(const char *snapshotter, const char *key)
{
	return xasprintf("s %s %s", snapshotter, key);
}
