/* libarchive loaded on first use (see core/lazylib.h): every libarchive function berth
 * calls. A function added elsewhere and not listed here still links (against libarchive
 * itself, through DT_NEEDED), it only costs the idle daemon the library's pages again. */
#include "core/lazylib.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdarg.h>

static struct lazylib libarchive = {.soname = "libarchive.so.13"};

LAZY_FN(libarchive, time_t, archive_entry_atime, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, int, archive_entry_atime_is_set, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, long, archive_entry_atime_nsec, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, void, archive_entry_copy_stat,
	(struct archive_entry * a0, const struct stat *a1), (a0, a1))
LAZY_FN(libarchive, void, archive_entry_copy_symlink, (struct archive_entry * a0, const char *a1),
	(a0, a1))
LAZY_FN(libarchive, mode_t, archive_entry_filetype, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, void, archive_entry_free, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, la_int64_t, archive_entry_gid, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, const char *, archive_entry_hardlink, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, time_t, archive_entry_mtime, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, long, archive_entry_mtime_nsec, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, struct archive_entry *, archive_entry_new, (void), ())
LAZY_FN(libarchive, const char *, archive_entry_pathname, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, mode_t, archive_entry_perm, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, dev_t, archive_entry_rdevmajor, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, dev_t, archive_entry_rdevminor, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, void, archive_entry_set_filetype, (struct archive_entry * a0, unsigned int a1),
	(a0, a1))
LAZY_FN(libarchive, void, archive_entry_set_gid, (struct archive_entry * a0, la_int64_t a1),
	(a0, a1))
LAZY_FN(libarchive, void, archive_entry_set_hardlink, (struct archive_entry * a0, const char *a1),
	(a0, a1))
LAZY_FN(libarchive, void, archive_entry_set_mtime, (struct archive_entry * a0, time_t a1, long a2),
	(a0, a1, a2))
LAZY_FN(libarchive, void, archive_entry_set_pathname, (struct archive_entry * a0, const char *a1),
	(a0, a1))
LAZY_FN(libarchive, void, archive_entry_set_perm, (struct archive_entry * a0, mode_t a1), (a0, a1))
LAZY_FN(libarchive, void, archive_entry_set_size, (struct archive_entry * a0, la_int64_t a1),
	(a0, a1))
LAZY_FN(libarchive, void, archive_entry_set_uid, (struct archive_entry * a0, la_int64_t a1),
	(a0, a1))
LAZY_FN(libarchive, la_int64_t, archive_entry_size, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, const char *, archive_entry_symlink, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, la_int64_t, archive_entry_uid, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, void, archive_entry_unset_atime, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, void, archive_entry_unset_birthtime, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, void, archive_entry_unset_ctime, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, void, archive_entry_xattr_add_entry,
	(struct archive_entry * a0, const char *a1, const void *a2, size_t a3), (a0, a1, a2, a3))
LAZY_FN(libarchive, int, archive_entry_xattr_next,
	(struct archive_entry * a0, const char **a1, const void **a2, size_t *a3), (a0, a1, a2, a3))
LAZY_FN(libarchive, int, archive_entry_xattr_reset, (struct archive_entry * a0), (a0))
LAZY_FN(libarchive, int, archive_errno, (struct archive * a0), (a0))
LAZY_FN(libarchive, const char *, archive_error_string, (struct archive * a0), (a0))
LAZY_FN(libarchive, la_ssize_t, archive_read_data, (struct archive * a0, void *a1, size_t a2),
	(a0, a1, a2))
LAZY_FN(libarchive, int, archive_read_data_block,
	(struct archive * a0, const void **a1, size_t *a2, la_int64_t *a3), (a0, a1, a2, a3))
LAZY_FN(libarchive, int, archive_read_free, (struct archive * a0), (a0))
LAZY_FN(libarchive, struct archive *, archive_read_new, (void), ())
LAZY_FN(libarchive, int, archive_read_next_header, (struct archive * a0, struct archive_entry **a1),
	(a0, a1))
LAZY_FN(libarchive, int, archive_read_open,
	(struct archive * a0, void *a1, archive_open_callback *a2, archive_read_callback *a3,
	 archive_close_callback *a4),
	(a0, a1, a2, a3, a4))
LAZY_FN(libarchive, int, archive_read_open_fd, (struct archive * a0, int a1, size_t a2),
	(a0, a1, a2))
LAZY_FN(libarchive, int, archive_read_open_memory, (struct archive * a0, const void *a1, size_t a2),
	(a0, a1, a2))
LAZY_FN(libarchive, int, archive_read_support_filter_all, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_read_support_filter_bzip2, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_read_support_filter_gzip, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_read_support_filter_xz, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_read_support_filter_zstd, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_read_support_format_gnutar, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_read_support_format_raw, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_read_support_format_tar, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_write_add_filter_gzip, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_write_add_filter_zstd, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_write_close, (struct archive * a0), (a0))
LAZY_FN(libarchive, la_ssize_t, archive_write_data,
	(struct archive * a0, const void *a1, size_t a2), (a0, a1, a2))
LAZY_FN(libarchive, int, archive_write_free, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_write_header, (struct archive * a0, struct archive_entry *a1),
	(a0, a1))
LAZY_FN(libarchive, struct archive *, archive_write_new, (void), ())
LAZY_FN(libarchive, int, archive_write_open,
	(struct archive * a0, void *a1, archive_open_callback *a2, archive_write_callback *a3,
	 archive_close_callback *a4),
	(a0, a1, a2, a3, a4))
LAZY_FN(libarchive, int, archive_write_open2,
	(struct archive * a0, void *a1, archive_open_callback *a2, archive_write_callback *a3,
	 archive_close_callback *a4, archive_free_callback *a5),
	(a0, a1, a2, a3, a4, a5))
LAZY_FN(libarchive, int, archive_write_set_bytes_in_last_block, (struct archive * a0, int a1),
	(a0, a1))
LAZY_FN(libarchive, int, archive_write_set_bytes_per_block, (struct archive * a0, int a1), (a0, a1))
LAZY_FN(libarchive, int, archive_write_set_filter_option,
	(struct archive * a0, const char *a1, const char *a2, const char *a3), (a0, a1, a2, a3))
LAZY_FN(libarchive, int, archive_write_set_format_pax_restricted, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_write_set_format_raw, (struct archive * a0), (a0))

void archive_set_error(struct archive *a, int err, const char *fmt, ...)
{
	static void (*fp)(struct archive *, int, const char *, ...);
	void (*f)(struct archive *, int, const char *, ...) =
	    __atomic_load_n(&fp, __ATOMIC_ACQUIRE);
	if (f == NULL) {
		f = (void (*)(struct archive *, int, const char *, ...))lazylib_sym(
		    &libarchive, "archive_set_error");
		__atomic_store_n(&fp, f, __ATOMIC_RELEASE);
	}
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f(a, err, "%s", msg);
}

/* the berth CLI's cp (cmd/berth/cp.c links this file so that libarchive is not
 * loaded by every command) */
LAZY_FN(libarchive, la_int64_t, archive_filter_bytes, (struct archive * a0, int a1), (a0, a1))
LAZY_FN(libarchive, int, archive_read_disk_descend, (struct archive * a0), (a0))
LAZY_FN(libarchive, struct archive *, archive_read_disk_new, (void), ())
LAZY_FN(libarchive, int, archive_read_disk_open, (struct archive * a0, const char *a1), (a0, a1))
LAZY_FN(libarchive, int, archive_read_disk_set_standard_lookup, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_read_disk_set_symlink_logical, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_read_disk_set_symlink_physical, (struct archive * a0), (a0))
LAZY_FN(libarchive, la_ssize_t, archive_write_data_block,
	(struct archive * a0, const void *a1, size_t a2, la_int64_t a3), (a0, a1, a2, a3))
LAZY_FN(libarchive, struct archive *, archive_write_disk_new, (void), ())
LAZY_FN(libarchive, int, archive_write_disk_set_options, (struct archive * a0, int a1), (a0, a1))
LAZY_FN(libarchive, int, archive_write_disk_set_standard_lookup, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_write_finish_entry, (struct archive * a0), (a0))
LAZY_FN(libarchive, int, archive_write_open_fd, (struct archive * a0, int a1), (a0, a1))
LAZY_FN(libarchive, int, archive_read_next_header2, (struct archive * a0, struct archive_entry *a1),
	(a0, a1))
