/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * source.c - the policy's text and where each line of it came from: the
 * only file I/O of the policy layer (the policy file, its @include files,
 * the vendor registries, the plain domain lists), and the errors, each at
 * its file and line.
 *
 * @include lines are expanded here rather than by libconfig, so that a
 * relative path is taken from the including file's directory and every
 * error can name the file and line it comes from: the expanded text keeps
 * a map from its lines to (file, line).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/internal.h"

#define POLICY_FILE_MAX (16u << 20) /* bytes of one policy or include file */

static const char *const registry_defaults[] = {
	"/usr/share/ieee-data/oui.csv",
	"/usr/share/ieee-data/mam.csv",
	"/usr/share/ieee-data/oui36.csv",
	"/usr/share/wireshark/manuf",
};

/* --- errors ---------------------------------------------------------------- */

static void add_error(struct ctx *c, unsigned int pos, const char *file, unsigned int line,
		      const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void add_error(struct ctx *c, unsigned int pos, const char *file, unsigned int line,
		      const char *fmt, va_list ap)
{
	struct policy_errors *e = c->errs;
	char msg[512], *s;
	char **n;

	c->failed = true;
	if (e->n >= POLICY_MAX_ERRORS) {
		e->dropped++;
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (asprintf(&s, "%s:%u: %s", file, line, msg) < 0)
		return;
	n = realloc(e->lines, (e->n + 1) * sizeof(*n));
	if (!n) {
		free(s);
		return;
	}
	e->lines = n;
	c->errpos[e->n] = pos;
	e->lines[e->n++] = s;
}

/* Errors are found setting by setting; report them in the order of the text. */
void ctx_sort_errors(struct ctx *c)
{
	struct policy_errors *e = c->errs;
	size_t i, j;

	for (i = 1; i < e->n; i++) {
		unsigned int pos = c->errpos[i];
		char *s = e->lines[i];

		for (j = i; j > 0 && c->errpos[j - 1] > pos; j--) {
			c->errpos[j] = c->errpos[j - 1];
			e->lines[j] = e->lines[j - 1];
		}
		c->errpos[j] = pos;
		e->lines[j] = s;
	}
}

void ctx_err_at(struct ctx *c, const char *file, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error(c, 2 * (unsigned int)c->nmap + 1, file, line, fmt, ap);
	va_end(ap);
}

void ctx_err_from(struct ctx *c, unsigned int n, const char *file, unsigned int line,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error(c, 2 * n + 1, file, line, fmt, ap);
	va_end(ap);
}

/* An error at the expanded text's line n, reported where it came from. */
void ctx_err_line(struct ctx *c, unsigned int n, const char *fmt, ...)
{
	const char *file = c->nfiles ? c->files[0] : "?";
	unsigned int line = n;
	va_list ap;

	if (n >= 1 && n <= c->nmap) {
		file = c->files[c->map[n - 1].file];
		line = c->map[n - 1].line;
	} else if (n > c->nmap && c->nfiles) {
		/* past the end of the text ("unexpected end"): the end of the main file */
		line = c->main_lines + (n - (unsigned int)c->nmap);
	}
	va_start(ap, fmt);
	add_error(c, 2 * n, file, line, fmt, ap);
	va_end(ap);
}

/* Whether line n (1-based) of the expanded text holds the string literal "v". */
static bool line_has_string(const struct ctx *c, unsigned int n, const char *v)
{
	const char *line = c->text + c->map[n - 1].off, *end, *p;
	size_t len = strlen(v);

	end = memchr(line, '\n', c->len - c->map[n - 1].off);
	for (p = line; end && p < end; p++) {
		p = memmem(p, (size_t)(end - p), v, len);
		if (!p)
			break;
		if (p > line && p[-1] == '"' && p + len < end && p[len] == '"')
			return true;
	}
	return false;
}

/* Whether line n of the expanded text is empty, blank or a comment. */
static bool line_is_blank(const struct ctx *c, unsigned int n)
{
	const char *p = c->text + c->map[n - 1].off;

	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return *p == '\n' || *p == '#' || (p[0] == '/' && p[1] == '/');
}

/*
 * The expanded line a setting comes from.  libconfig numbers a string in a
 * list by the token after it (it looks ahead for another string to join),
 * which may be on a later line or in another file: when that line does not
 * hold the string, take the last line before it that is not blank.
 */
unsigned int ctx_setting_line(const struct ctx *c, const config_setting_t *s)
{
	unsigned int n = (unsigned int)config_setting_source_line(s), m;
	const char *v;

	if (n < 1 || n > c->nmap || config_setting_name(s) ||
	    config_setting_type(s) != CONFIG_TYPE_STRING)
		return n;
	v = config_setting_get_string(s);
	if (line_has_string(c, n, v))
		return n;
	for (m = n - 1; m >= 1 && line_is_blank(c, m); m--)
		;
	return m >= 1 && line_has_string(c, m, v) ? m : n;
}

void ctx_locate(const struct ctx *c, const struct policy *p, const config_setting_t *s,
		const char **file, unsigned int *line, unsigned int *xline)
{
	unsigned int n = ctx_setting_line(c, s);

	*xline = n;
	*file = p->nfiles ? p->files[0] : "?";
	*line = n;
	if (n >= 1 && n <= c->nmap && c->map[n - 1].file < p->nfiles) {
		*file = p->files[c->map[n - 1].file];
		*line = c->map[n - 1].line;
	}
}

int ctx_copy_files(const struct ctx *c, struct policy *p)
{
	size_t i;

	p->files = calloc(c->nfiles ? c->nfiles : 1, sizeof(*p->files));
	if (!p->files)
		return -ENOMEM;
	for (i = 0; i < c->nfiles; i++) {
		if (!(p->files[i] = strdup(c->files[i])))
			return -ENOMEM;
		p->nfiles++;
	}
	return 0;
}

/* --- reading and expanding the files ------------------------------------ */

static int read_file(const char *path, char **out, size_t *len)
{
	/* O_NONBLOCK: a FIFO without a writer must not hang the open */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	char *buf;
	FILE *f;
	size_t n;
	int r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	if (fcntl(fd, F_SETFL, 0) < 0 || !(f = fdopen(fd, "r"))) {
		r = -errno;
		close(fd);
		return r;
	}
	if ((size_t)st.st_size > POLICY_FILE_MAX) {
		fclose(f);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int append(struct ctx *c, const char *s, size_t n, unsigned int file, unsigned int line)
{
	if (c->len + n + 2 > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 65536;
		char *t;

		while (cap < c->len + n + 2)
			cap *= 2;
		t = realloc(c->text, cap);
		if (!t)
			return -ENOMEM;
		c->text = t;
		c->cap = cap;
	}
	if (c->nmap == c->capmap) {
		size_t cap = c->capmap ? c->capmap * 2 : 1024;
		struct srcline *m = realloc(c->map, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		c->map = m;
		c->capmap = cap;
	}
	c->map[c->nmap].off = c->len;
	memcpy(c->text + c->len, s, n);
	c->len += n;
	c->text[c->len++] = '\n';
	c->text[c->len] = '\0';
	c->map[c->nmap].file = file;
	c->map[c->nmap].line = line;
	c->nmap++;
	return 0;
}

/* The path an @include names, relative to the including file's directory. */
char *source_path(const char *from, const char *name)
{
	const char *slash = strrchr(from, '/');
	char *p;

	if (name[0] == '/' || !slash)
		return strdup(name);
	if (asprintf(&p, "%.*s/%s", (int)(slash - from), from, name) < 0)
		return NULL;
	return p;
}

/*
 * If line is an @include directive, return 1 with the quoted name in
 * name (NUL-terminated, up to PATH_MAX), -1 if it starts with @include but
 * is not well-formed, 0 otherwise.
 */
static int parse_include(const char *line, size_t n, char *name)
{
	size_t i = 0, j;

	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (n - i < 8 || memcmp(line + i, "@include", 8))
		return 0;
	i += 8;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i >= n || line[i] != '"')
		return -1;
	for (j = ++i; j < n && line[j] != '"'; j++)
		;
	if (j >= n || j == i || j - i >= PATH_MAX)
		return -1;
	memcpy(name, line + i, j - i);
	name[j - i] = '\0';
	for (j++; j < n; j++)
		if (line[j] != ' ' && line[j] != '\t' && line[j] != '\r')
			return -1;
	return 1;
}

static int expand(struct ctx *c, const char *path, const char *from_file, unsigned int from_line);

/* Add path to the files errors can name. */
static int add_file(struct ctx *c, const char *path)
{
	char **files = realloc(c->files, (c->nfiles + 1) * sizeof(*files));

	if (!files)
		return -ENOMEM;
	c->files = files;
	if (!(files[c->nfiles] = strdup(path)))
		return -ENOMEM;
	c->nfiles++;
	return 0;
}

/* The length of the UTF-8 byte order mark buf starts with (Windows editors write one): 3 or 0. */
static size_t bom_len(const char *buf, size_t len)
{
	return len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3) ? 3 : 0;
}

static int expand_text(struct ctx *c, unsigned int fi, const char *buf, size_t len)
{
	char name[PATH_MAX];
	unsigned int line = 0;
	size_t pos = bom_len(buf, len);

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		int r;

		line++;
		r = parse_include(buf + pos, n, name);
		if (memchr(buf + pos, '\0', n)) {
			/* libconfig would stop reading there */
			ctx_err_at(c, c->files[fi], line, "NUL byte in the line");
		} else if (r < 0) {
			ctx_err_at(c, c->files[fi], line,
				   "malformed @include (use: @include \"FILE\")");
		} else if (r > 0 && c->no_files) {
			ctx_err_at(c, c->files[fi], line, "@include is not allowed here");
		} else if (r > 0) {
			char *p = source_path(c->files[fi], name);

			if (!p)
				return -ENOMEM;
			/* keep line numbers: the directive's line stays, empty */
			if (append(c, "", 0, fi, line) < 0) {
				free(p);
				return -ENOMEM;
			}
			r = expand(c, p, c->files[fi], line);
			free(p);
			if (r == -ENOMEM)
				return r;
		} else if (append(c, buf + pos, n, fi, line) < 0) {
			return -ENOMEM;
		}
		pos += n + 1;
	}
	if (fi == 0)
		c->main_lines = line;
	return 0;
}

static int expand(struct ctx *c, const char *path, const char *from_file, unsigned int from_line)
{
	char real[PATH_MAX];
	size_t len = 0, i;
	char *buf = NULL;
	int r;

	if (!realpath(path, real)) {
		char cwd[PATH_MAX];

		r = -errno;
		c->include_failed = true;
		/* where it was looked for, whatever the directory nfq-guard runs in */
		if (from_file && path[0] != '/' && getcwd(cwd, sizeof(cwd)))
			ctx_err_at(c, from_file, from_line,
				   "cannot include %s (looked for %s/%s): %s", path, cwd, path,
				   strerror(-r));
		else if (from_file)
			ctx_err_at(c, from_file, from_line, "cannot include %s: %s", path,
				   strerror(-r));
		else
			ctx_err_at(c, path, 0, "%s", strerror(-r));
		return r;
	}
	for (i = 0; i < c->depth; i++) {
		if (!strcmp(c->stack[i], real)) {
			ctx_err_at(c, from_file, from_line, "%s includes itself", path);
			return -ELOOP;
		}
	}
	if (c->depth > POLICY_INCLUDE_DEPTH) {
		ctx_err_at(c, from_file, from_line, "includes nested deeper than %d",
			   POLICY_INCLUDE_DEPTH);
		return -ELOOP;
	}
	r = read_file(path, &buf, &len);
	if (r < 0) {
		c->include_failed = true;
		if (from_file)
			ctx_err_at(c, from_file, from_line, "cannot include %s: %s", path,
				   r == -EFBIG ? "file too large" : strerror(-r));
		else
			ctx_err_at(c, path, 0, "%s", r == -EFBIG ? "file too large" : strerror(-r));
		return r;
	}
	if (add_file(c, path) < 0) {
		free(buf);
		return -ENOMEM;
	}
	c->stack[c->depth++] = real;
	r = expand_text(c, (unsigned int)c->nfiles - 1, buf, len);
	c->depth--;
	free(buf);
	return r;
}

int source_expand(struct ctx *c, const char *path)
{
	return expand(c, path, NULL, 0);
}

int source_text(struct ctx *c, const char *name, const char *text, size_t len)
{
	if (len > POLICY_FILE_MAX) {
		ctx_err_at(c, name, 0, "file too large");
		return -EFBIG;
	}
	if (add_file(c, name) < 0)
		return -ENOMEM;
	return expand_text(c, 0, text, len);
}

void source_free(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c->map);
	free(c->text);
	c->files = NULL;
	c->map = NULL;
	c->text = NULL;
	c->nfiles = 0;
}

/* --- vendor registries ------------------------------------------------------ */

/* The path v names in setting s: relative to the file s is in. */
static char *setting_path(const struct ctx *c, const config_setting_t *s, const char *v)
{
	const char *from = config_setting_source_file(s);
	/* the string's own line (libconfig may give the next token's, in another file) */
	unsigned int n = ctx_setting_line(c, s);

	if (n >= 1 && n <= c->nmap)
		from = c->files[c->map[n - 1].file];
	return source_path(from ? from : c->files[0], v);
}

/* "WHAT PATH: error", with the directory looked in for a relative path not found. */
static void err_file(struct ctx *c, const config_setting_t *s, const char *what, const char *path,
		     int err)
{
	char cwd[PATH_MAX];

	if (err == -EINVAL) /* read_file: not a regular file */
		err_set(c, s, "%s %s: not a regular file", what, path);
	else if (err == -ENOENT && path[0] != '/' && getcwd(cwd, sizeof(cwd)))
		err_set(c, s, "%s %s (looked for %s/%s): %s", what, path, cwd, path,
			strerror(-err));
	else
		err_set(c, s, "%s %s: %s", what, path,
			err == -EFBIG ? "file too large" : strerror(-err));
}

static int add_registry(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct policy *p = arg;
	unsigned int line = 0;
	char *path;
	int r;

	if (c->no_files) {
		err_set(c, s, "registry %s: reading files is not allowed here", v);
		return -EPERM;
	}
	path = setting_path(c, s, v);
	if (!path)
		return -ENOMEM;
	r = registry_load(p->registry, path, &line);
	c->registry_failed |= r != 0;
	if (r == -EINVAL)
		err_set(c, s, "registry %s: line %u: not a registry entry", path, line);
	else if (r)
		err_file(c, s, "registry", path, r);
	free(path);
	return r;
}

/* The system's registry files that exist, into r (as a policy without vendors.registry has them). */
static void load_system_registries(struct registry *r)
{
	unsigned int line;
	size_t i;

	for (i = 0; i < sizeof(registry_defaults) / sizeof(registry_defaults[0]); i++)
		if (access(registry_defaults[i], R_OK) == 0)
			registry_load(r, registry_defaults[i], &line);
}

void source_registries(struct ctx *c, struct policy *p, const config_setting_t *vendors)
{
	config_setting_t *reg;

	p->registry = registry_new();
	if (!p->registry) {
		c->failed = true;
		return;
	}
	if (vendors) {
		static const char *const keys[] = { "registry", NULL };

		if (config_setting_type(vendors) != CONFIG_TYPE_GROUP) {
			err_set(c, vendors, "'vendors' must be a group { registry = [ ... ]; }");
			return;
		}
		setting_check_keys(c, vendors, keys, "vendors");
		reg = config_setting_get_member(vendors, "registry");
		if (reg) {
			setting_each_string(c, reg, "registry", add_registry, p);
			p->nregistry = registry_count(p->registry);
			return;
		}
	}
	if (!c->no_files)
		load_system_registries(p->registry);
	p->nregistry = registry_count(p->registry);
}

struct registry *registry_system(void)
{
	struct registry *r = registry_new();

	if (r)
		load_system_registries(r);
	return r;
}

/* --- plain lists -------------------------------------------------------------- */

/*
 * One line of a list: what is left once a '#' comment, a CR and the blanks
 * around are taken off, NUL-terminated in place; NULL for a line with
 * nothing, or (*bad set) with blanks inside.
 */
static char *list_entry(char *line, bool *bad)
{
	char *e, *hash = strchr(line, '#');

	if (hash)
		*hash = '\0';
	while (*line && strchr(" \t\r\v\f", *line))
		line++;
	e = line + strlen(line);
	while (e > line && strchr(" \t\r\v\f", e[-1]))
		*--e = '\0';
	*bad = strpbrk(line, " \t\r\v\f") != NULL;
	return *line ? line : NULL;
}

int source_list(struct ctx *c, const config_setting_t *s, const char *v, list_fn fn, void *arg)
{
	unsigned int n = ctx_setting_line(c, s), line = 0, entries = 0;
	char *path, *buf, *p, *next;
	size_t len;
	int err;

	if (c->no_files) {
		err_set(c, s, "list %s: reading files is not allowed here", v);
		return -EPERM;
	}
	path = setting_path(c, s, v);
	if (!path)
		return -ENOMEM;
	err = read_file(path, &buf, &len);
	if (err) {
		err_file(c, s, "list", path, err);
		free(path);
		return err;
	}
	if (memchr(buf, '\0', len)) {
		err_set(c, s, "list %s: not a text file (a NUL byte)", path);
		err = -EINVAL;
	}
	for (p = buf + bom_len(buf, len); !err && p < buf + len; p = next) {
		char *entry;
		bool bad;

		/* read_file ends the text with a NUL: so is the last line */
		next = memchr(p, '\n', (size_t)(buf + len - p));
		if (next)
			*next++ = '\0';
		else
			next = buf + len;
		line++;
		entry = list_entry(p, &bad);
		if (!entry)
			continue;
		entries++;
		if (bad)
			ctx_err_from(c, n, path, line, "one pattern a line, not '%s'", entry);
		else if (fn(c, path, line, entry, arg) == -ENOMEM)
			err = -ENOMEM;
	}
	if (!err && !entries)
		err_set(c, s, "list %s has no patterns: add some, or take it out of domain_file",
			path);
	if (err == -ENOMEM)
		c->failed = true;
	free(buf);
	free(path);
	return err;
}

/* --- registry files ---------------------------------------------------------- */

#define REGISTRY_FILE_MAX ((size_t)64 << 20)

int registry_load(struct registry *r, const char *path, unsigned int *line)
{
	size_t len = 0, cap = 65536;
	struct stat st;
	char *buf;
	int fd, err;

	/* O_NONBLOCK for the open only: a FIFO without a writer reads as empty, never hangs */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fcntl(fd, F_SETFL, 0) < 0) {
		err = -errno;
		goto out_close;
	}
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out_close;
	}
	if (S_ISREG(st.st_mode)) {
		if ((uintmax_t)st.st_size > REGISTRY_FILE_MAX) {
			err = -EFBIG;
			goto out_close;
		}
		/* one more byte, to see the end of file without growing */
		cap = (size_t)st.st_size + 1;
	}
	buf = malloc(cap);
	if (!buf) {
		err = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *b;

			/* the file may have grown since fstat, or not be regular */
			if (cap > REGISTRY_FILE_MAX) {
				err = -EFBIG;
				goto out_free_buf;
			}
			cap = cap > REGISTRY_FILE_MAX / 2 ? REGISTRY_FILE_MAX + 1 : cap * 2;
			b = realloc(buf, cap);
			if (!b) {
				err = -ENOMEM;
				goto out_free_buf;
			}
			buf = b;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out_free_buf;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	err = registry_parse(r, buf, len, line);
out_free_buf:
	free(buf);
out_close:
	close(fd);
	return err;
}

void source_output(struct ctx *c, const config_setting_t *root, const char *key, char **out,
		   const char *dflt)
{
	const config_setting_t *s = config_setting_get_member(root, key);
	const char *v = dflt;

	if (setting_get_string(c, root, key, &v) && v[0] != '/')
		err_set(c, s, "%s '%s': use an absolute path", key, v);
	else if (v && !(*out = strdup(v)))
		c->failed = true;
}
