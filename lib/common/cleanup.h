/* __attribute__((cleanup)) helpers. Hand ownership off by nulling the variable
 * (or setting an fd to -1). */
#ifndef BERTH_COMMON_CLEANUP_H
#define BERTH_COMMON_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

static inline void cleanup_free_fn(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_close_fn(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void cleanup_fclose_fn(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void cleanup_closedir_fn(DIR **d)
{
	if (*d)
		closedir(*d);
}

static inline void cleanup_json_fn(json_t **j)
{
	if (*j)
		json_decref(*j);
}

static inline void cleanup_strv_fn(char ***v)
{
	if (*v) {
		for (char **p = *v; *p; p++)
			free(*p);
		free(*v);
	}
}

#define cleanup_free __attribute__((cleanup(cleanup_free_fn)))
#define cleanup_close __attribute__((cleanup(cleanup_close_fn)))
#define cleanup_fclose __attribute__((cleanup(cleanup_fclose_fn)))
#define cleanup_closedir __attribute__((cleanup(cleanup_closedir_fn)))
#define cleanup_json __attribute__((cleanup(cleanup_json_fn)))
#define cleanup_strv __attribute__((cleanup(cleanup_strv_fn)))

/* Take ownership out of a cleanup variable. */
#define steal_ptr(p)                                                                               \
	({                                                                                         \
		__typeof__(p) tmp_ = (p);                                                          \
		(p) = NULL;                                                                        \
		tmp_;                                                                              \
	})
#define steal_fd(fd)                                                                               \
	({                                                                                         \
		int tmp_ = (fd);                                                                   \
		(fd) = -1;                                                                         \
		tmp_;                                                                              \
	})

#endif
