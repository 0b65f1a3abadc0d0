/* berth cp [-a] [-L] [-q] CONTAINER:SRC DEST | SRC CONTAINER:DEST: files
 * between a container and the host through the archive endpoints, packed and
 * unpacked here with libarchive as the docker CLI does ("-" for a tar on
 * stdin or stdout).
 *
 * Out: GET /containers/{id}/archive?path=SRC; the tar's first member (the
 * source's last path element) is renamed to what DEST calls for: DEST/name
 * when DEST is a directory, DEST itself otherwise.
 * In: HEAD ...archive?path=DEST (the X-Docker-Container-Path-Stat header
 * says whether it is a directory), then PUT ...archive?path=<dir> with a tar
 * whose first member is named as the copy must be called there. */
#include "cli.h"
#include "config.h"
#include "ctrfmt.h"
#include "format.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct cp_opts {
	bool archive, follow, quiet;
};

/* "name:path" -> container and path; a local path (absolute, or "./x:y",
 * or without ':') leaves *ctr NULL. */
static void split_arg(const char *arg, char **ctr, char **path)
{
	const char *colon = strchr(arg, ':');
	if (arg[0] == '/' || arg[0] == '.' || colon == NULL || colon == arg) {
		*ctr = NULL;
		*path = xstrdup(arg);
		return;
	}
	*ctr = strndup(arg, (size_t)(colon - arg));
	*path = xstrdup(colon + 1);
}

static bool ends_with_sep(const char *p)
{
	size_t n = strlen(p);
	return n > 0 && p[n - 1] == '/';
}

/* "x/." asks for the contents of x, not x itself. */
static bool ends_with_dot(const char *p)
{
	size_t n = strlen(p);
	return (n == 1 && p[0] == '.') || (n >= 2 && strcmp(p + n - 2, "/.") == 0);
}

/* Go's filepath.Clean of an absolute path: no ".", "..", "//" or trailing
 * "/". Caller frees. */
static char *path_clean(const char *p)
{
	size_t n = strlen(p);
	char *out = xmalloc(n + 2);
	size_t o = 0;
	while (*p) {
		while (*p == '/')
			p++;
		size_t l = strcspn(p, "/");
		if (l == 0)
			break;
		if (l == 1 && p[0] == '.') {
			/* skip */
		} else if (l == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, p, l);
			o += l;
		}
		p += l;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

/* docker's last line, on stderr, when stdout is a terminal and not -q:
 * "Successfully copied 2.05kB to web:/tmp/x" (the archive's size). */
static void report(const struct cp_opts *o, int64_t bytes, const char *where)
{
	if (o->quiet || !isatty(STDOUT_FILENO))
		return;
	cleanup_free char *size = fmt_human_size_prec((double)bytes, 3);
	fprintf(stderr, "Successfully copied %s to %s\n", size, where);
}

static char *base_name(const char *p)
{
	cleanup_free char *d = xstrdup(p);
	size_t n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	return xstrdup(basename(d));
}

static char *dir_name(const char *p)
{
	cleanup_free char *d = xstrdup(p);
	size_t n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	return xstrdup(dirname(d));
}

/* An entry's name with its first component replaced by top ("" drops it):
 * NULL for the top itself when it is dropped, or for a name with "..". */
static char *rename_top(const char *name, const char *top)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (*name == '/')
		name++;
	const char *slash = strchr(name, '/');
	const char *rest = slash ? slash + 1 : "";
	for (const char *p = rest; *p;) {
		size_t l = strcspn(p, "/");
		if (l == 2 && p[0] == '.' && p[1] == '.')
			return NULL;
		p += l;
		while (*p == '/')
			p++;
	}
	size_t rl = strlen(rest);
	while (rl > 0 && rest[rl - 1] == '/')
		rl--;
	if (*top == '\0')
		return rl ? strndup(rest, rl) : NULL;
	return rl ? xasprintf("%s/%.*s", top, (int)rl, rest) : xstrdup(top);
}

/* ---- container -> host ---- */

struct download {
	struct cli *cli;
	const char *path; /* request path */
	int fd;		  /* pipe's write end, closed by the thread */
	struct berth_error *err;
};

static void *download_thread(void *arg)
{
	struct download *d = arg;
	struct berth_error *err = NULL;
	struct client *c = cli_client(d->cli, &err);
	if (c) {
		struct client_req req;
		client_req_init(&req, "GET", d->path);
		req.download_fd = d->fd;
		struct client_resp resp;
		if (client_call(c, &req, &resp, &err) == 0)
			client_resp_clear(&resp);
	}
	close(d->fd);
	d->err = err;
	return NULL;
}

static int copy_data(struct archive *in, struct archive *out)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	for (;;) {
		int r = archive_read_data_block(in, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return -1;
		if (archive_write_data_block(out, buf, size, off) < ARCHIVE_WARN)
			return -1;
	}
}

/* Where the archive's top member goes: the directory to extract into (we
 * chdir there) and the name it takes ("" for its contents). */
static int out_target(const char *src, const char *dst, bool src_dir, char **dir, char **top)
{
	struct stat st;
	bool exists = stat(dst, &st) == 0;
	if (exists && S_ISDIR(st.st_mode)) {
		*dir = xstrdup(dst);
		*top = ends_with_dot(src) && src_dir ? xstrdup("") : NULL;
		return 0;
	}
	/* docker's messages */
	if (exists && src_dir) {
		fprintf(stderr, "cannot copy directory\n");
		return -1;
	}
	if (!exists && errno == ENOTDIR) {
		fprintf(stderr, "stat %s: not a directory\n", dst);
		return -1;
	}
	if (!exists && ends_with_sep(dst) && !src_dir) {
		fprintf(stderr, "no such directory\n");
		return -1;
	}
	cleanup_free char *parent = dir_name(dst);
	if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "invalid output path: directory \"%s\" does not exist\n", parent);
		return -1;
	}
	*dir = steal_ptr(parent);
	*top = base_name(dst);
	return 0;
}

/* An entry's new name: as rename_top, or, for an archive whose first member
 * is "." (its names are relative to the source), under top. */
static char *map_name(const char *name, const char *top, bool rooted)
{
	if (!rooted)
		return rename_top(name, top);
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (*name == '/')
		name++;
	if (*name == '\0' || strcmp(name, ".") == 0)
		return *top ? xstrdup(top) : NULL;
	cleanup_free char *dummy = xasprintf("x/%s", name);
	return rename_top(dummy, top);
}

/* Unpack the tar on fd as DST calls for. -1 after printing an error about
 * the destination; -2 with *read_err when the archive could not be read
 * (the daemon's error, if any, says more). */
static int extract(int fd, const char *src, const char *dst, const struct cp_opts *o,
		   char **read_err, int64_t *bytes)
{
	bool rooted = false;
	cleanup_free char *dir = NULL;
	cleanup_free char *top = NULL;
	cleanup_free char *first = NULL;
	struct archive_entry *e;
	struct archive *in = archive_read_new();
	archive_read_support_format_tar(in);
	struct archive *out = archive_write_disk_new();
	int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
		    ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
	if (o->archive)
		flags |= ARCHIVE_EXTRACT_OWNER;
	archive_write_disk_set_options(out, flags);
	archive_write_disk_set_standard_lookup(out);
	int rc = 0;
	if (archive_read_open_fd(in, fd, 64 * 1024) != ARCHIVE_OK)
		goto fail;
	for (;;) {
		int r = archive_read_next_header(in, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			goto fail;
		if (first == NULL) {
			const char *f = archive_entry_pathname(e);
			while (f[0] == '.' && f[1] == '/')
				f += 2;
			while (*f == '/')
				f++;
			first = strndup(f, strcspn(f, "/"));
			rooted = *first == '\0' || strcmp(first, ".") == 0;
			bool is_dir = archive_entry_filetype(e) == AE_IFDIR;
			if (out_target(src, dst, is_dir, &dir, &top) < 0) {
				rc = -1;
				break;
			}
			/* members are named relative to the target directory */
			if (chdir(dir) < 0) {
				fprintf(stderr, "Error: chdir %s: %s\n", dir, strerror(errno));
				rc = -1;
				break;
			}
		}
		cleanup_free char *name =
		    map_name(archive_entry_pathname(e), top ? top : first, rooted);
		if (name == NULL)
			continue;
		archive_entry_set_pathname(e, name);
		const char *hl = archive_entry_hardlink(e);
		if (hl) {
			cleanup_free char *h = map_name(hl, top ? top : first, rooted);
			if (h == NULL)
				continue;
			archive_entry_set_hardlink(e, h);
		}
		if (archive_write_header(out, e) < ARCHIVE_WARN) {
			fprintf(stderr, "Error: extract %s: %s\n", name, archive_error_string(out));
			rc = -1;
			break;
		}
		if (archive_entry_size(e) > 0 && copy_data(in, out) < 0) {
			fprintf(stderr, "Error: extract %s: %s\n", name,
				archive_error_string(out) ?: archive_error_string(in));
			rc = -1;
			break;
		}
		archive_write_finish_entry(out);
	}
	goto done;
fail:
	*read_err = xasprintf("Error: read the archive of %s: %s", src,
			      archive_error_string(in) ?: "bad archive");
	rc = -2;
done:
	*bytes = archive_filter_bytes(in, 0);
	archive_write_close(out);
	archive_write_free(out);
	archive_read_free(in);
	return rc;
}

static int copy_from(struct cli *cli, const char *ctr, const char *src, const char *dst,
		     const struct cp_opts *o)
{
	cleanup_free char *e = cli_path_escape(ctr);
	cleanup_free char *q = ctrfmt_query_escape(src);
	cleanup_free char *path = xasprintf("/containers/%s/archive?path=%s", e, q);
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	if (strcmp(dst, "-") == 0) {
		struct client_req req;
		client_req_init(&req, "GET", path);
		req.download_fd = STDOUT_FILENO;
		struct client_resp resp;
		if (client_call(c, &req, &resp, &err) < 0)
			return cli_fail(&err);
		client_resp_clear(&resp);
		return 0;
	}
	cleanup_free char *adst = NULL;
	if (dst[0] == '/') {
		adst = xstrdup(dst);
	} else {
		cleanup_free char *cwd = getcwd(NULL, 0);
		adst = xasprintf("%s/%s", cwd ? cwd : ".", dst);
	}
	/* as docker: a destination that cannot be is refused before the request */
	struct stat st;
	if (stat(adst, &st) < 0) {
		if (errno == ENOTDIR) {
			fprintf(stderr, "stat %s: not a directory\n", adst);
			return 1;
		}
		cleanup_free char *parent = dir_name(adst);
		if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, "invalid output path: directory \"%s\" does not exist\n",
				parent);
			return 1;
		}
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		fprintf(stderr, "Error: pipe: %s\n", strerror(errno));
		return 1;
	}
	struct download d = {.cli = cli, .path = path, .fd = p[1]};
	pthread_t t;
	if (pthread_create(&t, NULL, download_thread, &d) != 0) {
		close(p[0]);
		close(p[1]);
		fprintf(stderr, "Error: cannot start the download thread\n");
		return 1;
	}
	cleanup_free char *read_err = NULL;
	int64_t bytes = 0;
	int rc = extract(p[0], src, adst, o, &read_err, &bytes);
	close(p[0]); /* a download still running gets EPIPE */
	pthread_join(t, NULL);
	if (d.err) {
		if (rc == -1)
			berth_error_free(&d.err);
		else
			return cli_fail(&d.err);
	}
	if (read_err)
		fprintf(stderr, "%s\n", read_err);
	if (rc == 0) {
		cleanup_free char *clean = path_clean(adst);
		report(o, bytes, clean);
	}
	return rc < 0 ? 1 : 0;
}

/* ---- host -> container ---- */

struct upload {
	const char *src; /* local path */
	const char *top; /* the name of its copy in the archive ("" for contents) */
	bool follow;
	int fd; /* pipe's write end, closed by the thread */
	int rc;
	char *error;
	int64_t bytes; /* the archive's size */
};

static int write_entry_data(struct archive *disk, struct archive *out)
{
	char buf[64 * 1024];
	for (;;) {
		la_ssize_t n = archive_read_data(disk, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0 || archive_write_data(out, buf, (size_t)n) < 0)
			return -1;
	}
}

static void *pack_thread(void *arg)
{
	struct upload *u = arg;
	struct archive *out = archive_write_new();
	archive_write_set_format_pax_restricted(out);
	archive_write_set_bytes_in_last_block(out, 1); /* no padding, as Go's tar */
	struct archive *disk = archive_read_disk_new();
	archive_read_disk_set_standard_lookup(disk);
	if (u->follow)
		archive_read_disk_set_symlink_logical(disk);
	else
		archive_read_disk_set_symlink_physical(disk);
	size_t sl = strlen(u->src);
	while (sl > 1 && u->src[sl - 1] == '/')
		sl--;
	u->rc = -1;
	if (archive_write_open_fd(out, u->fd) != ARCHIVE_OK ||
	    archive_read_disk_open(disk, u->src) != ARCHIVE_OK) {
		u->error = xasprintf("%s: %s", u->src,
				     archive_error_string(disk) ?: archive_error_string(out));
		goto done;
	}
	for (;;) {
		struct archive_entry *e = archive_entry_new();
		int r = archive_read_next_header2(disk, e);
		if (r == ARCHIVE_EOF) {
			archive_entry_free(e);
			u->rc = 0;
			break;
		}
		if (r < ARCHIVE_WARN) {
			u->error = xasprintf("%s: %s", u->src, archive_error_string(disk));
			archive_entry_free(e);
			break;
		}
		archive_read_disk_descend(disk);
		const char *name = archive_entry_pathname(e);
		const char *rest = strlen(name) > sl ? name + sl : "";
		while (*rest == '/')
			rest++;
		cleanup_free char *n =
		    *u->top
			? (*rest ? xasprintf("%s/%s", u->top, rest) : xstrdup(u->top))
			: (*rest ? xasprintf("./%s", rest) : xstrdup("./")); /* DIR/.: as docker */
		archive_entry_set_pathname(e, n);
		bool ok = archive_write_header(out, e) >= ARCHIVE_WARN &&
			  (archive_entry_filetype(e) != AE_IFREG || archive_entry_size(e) == 0 ||
			   write_entry_data(disk, out) == 0);
		archive_entry_free(e);
		if (!ok) {
			u->error = xasprintf(
			    "%s: %s", n, archive_error_string(out) ?: archive_error_string(disk));
			break;
		}
	}
done:
	archive_read_free(disk);
	archive_write_close(out);
	u->bytes = archive_filter_bytes(out, -1);
	archive_write_free(out);
	close(u->fd);
	return NULL;
}

/* HEAD the destination: 1 directory, 0 something else, -2 missing, -1
 * another error (printed). */
static int stat_dest(struct client *c, const char *ectr, const char *dst)
{
	cleanup_free char *q = ctrfmt_query_escape(dst);
	cleanup_free char *path = xasprintf("/containers/%s/archive?path=%s", ectr, q);
	struct client_req req;
	client_req_init(&req, "HEAD", path);
	struct client_resp resp;
	struct berth_error *err = NULL;
	if (client_do(c, &req, &resp, &err) < 0)
		return cli_fail(&err), -1;
	int rc;
	if (resp.status == 404) {
		rc = -2;
	} else if (resp.status >= 400) {
		client_daemon_error(resp.status, resp.body, &err);
		cli_fail(&err);
		rc = -1;
	} else {
		size_t len = 0;
		cleanup_free char *raw =
		    resp.path_stat ? cli_base64_decode(resp.path_stat, &len) : NULL;
		cleanup_json json_t *st = raw ? json_loadb(raw, len, 0, NULL) : NULL;
		json_t *mode = json_object_get(st, "mode");
		rc = json_is_integer(mode) && (json_integer_value(mode) & (1LL << 31)) ? 1 : 0;
	}
	client_resp_clear(&resp);
	return rc;
}

static int put_archive(struct client *c, const char *ectr, const char *dir, int fd, bool uidgid)
{
	cleanup_free char *q = ctrfmt_query_escape(dir);
	cleanup_free char *path =
	    xasprintf("/containers/%s/archive?%snoOverwriteDirNonDir=true&path=%s", ectr,
		      uidgid ? "copyUIDGID=true&" : "", q);
	struct client_req req;
	client_req_init(&req, "PUT", path);
	req.upload_fd = fd;
	req.content_type = "text/plain";
	struct client_resp resp;
	struct berth_error *err = NULL;
	if (client_call(c, &req, &resp, &err) < 0)
		return cli_fail(&err);
	client_resp_clear(&resp);
	return 0;
}

static int copy_to(struct cli *cli, const char *src, const char *ctr, const char *dst,
		   const struct cp_opts *o)
{
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	cleanup_free char *e = cli_path_escape(ctr);
	if (strcmp(src, "-") == 0)
		return put_archive(c, e, dst, STDIN_FILENO, o->archive);
	/* as docker: the destination first, then the source; docker's messages */
	int kind = stat_dest(c, e, dst);
	if (kind == -1)
		return 1;
	struct stat st;
	if ((o->follow ? stat(src, &st) : lstat(src, &st)) < 0) {
		int saved = errno;
		cleanup_free char *cwd = getcwd(NULL, 0);
		cleanup_free char *abs =
		    src[0] == '/' ? xstrdup(src) : xasprintf("%s/%s", cwd ? cwd : ".", src);
		cleanup_free char *msg = xstrdup(strerror(saved));
		msg[0] = (char)tolower((unsigned char)msg[0]);
		fprintf(stderr, "%s %s: %s\n", o->follow ? "stat" : "lstat", abs, msg);
		return 1;
	}
	bool src_dir = S_ISDIR(st.st_mode);
	cleanup_free char *dir = NULL;
	cleanup_free char *top = NULL;
	if (kind == 1) {
		dir = xstrdup(dst);
		top = src_dir && ends_with_dot(src) ? xstrdup("") : base_name(src);
	} else if (kind == 0 && src_dir) {
		fprintf(stderr, "cannot copy directory\n");
		return 1;
	} else if (kind == -2 && ends_with_sep(dst) && !src_dir) {
		fprintf(stderr, "no such directory\n");
		return 1;
	} else {
		dir = dir_name(dst);
		top = base_name(dst);
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		fprintf(stderr, "Error: pipe: %s\n", strerror(errno));
		return 1;
	}
	struct upload u = {.src = src, .top = top, .follow = o->follow, .fd = p[1]};
	pthread_t t;
	if (pthread_create(&t, NULL, pack_thread, &u) != 0) {
		close(p[0]);
		close(p[1]);
		fprintf(stderr, "Error: cannot start the archive thread\n");
		return 1;
	}
	int rc = put_archive(c, e, dir, p[0], o->archive);
	close(p[0]); /* a packer still writing gets EPIPE */
	pthread_join(t, NULL);
	if (u.rc < 0) {
		fprintf(stderr, "Error: archive %s\n", u.error ? u.error : src);
		rc = 1;
	}
	free(u.error);
	if (rc == 0) {
		cleanup_free char *where = xasprintf("%s:%s", ctr, dst);
		report(o, u.bytes, where);
	}
	return rc;
}

int cmd_cp(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {
	    "cp",
	    "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\t" CLI_NAME
	    " cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
	    "Copy files/folders between a container and the local filesystem",
	    CLI_NAME " container cp, " CLI_NAME " cp",
	    2,
	    2};
	struct cp_opts o = {0};
	const struct cli_opt opts[] = {
	    {'a', "archive", CLI_OPT_BOOL, &o.archive, NULL,
	     "Archive mode (copy all uid/gid information)"},
	    {'L', "follow-link", CLI_OPT_BOOL, &o.follow, NULL,
	     "Always follow symbol link in SRC_PATH"},
	    {'q', "quiet", CLI_OPT_BOOL, &o.quiet, NULL, "Suppress progress output during copy"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	cleanup_free char *sctr = NULL;
	cleanup_free char *spath = NULL;
	cleanup_free char *dctr = NULL;
	cleanup_free char *dpath = NULL;
	split_arg(argv[first], &sctr, &spath);
	split_arg(argv[first + 1], &dctr, &dpath);
	if (sctr && dctr) {
		fprintf(stderr, "copying between containers is not supported\n");
		return 1;
	}
	if (!sctr && !dctr) {
		fprintf(stderr, "must specify at least one container source\n");
		return 1;
	}
	if (*(sctr ? spath : dpath) == '\0') {
		fprintf(stderr, "Error: path cannot be empty\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	/* container paths are absolute (relative ones start at its root) */
	char **cpath = sctr ? &spath : &dpath;
	if (**cpath != '/') {
		char *a = xasprintf("/%s", *cpath);
		free(*cpath);
		*cpath = a;
	}
	if (sctr)
		return copy_from(cli, sctr, spath, dpath, &o);
	return copy_to(cli, spath, dctr, dpath, &o);
}
