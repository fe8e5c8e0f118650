/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.c - compile a policy file into struct policy (see policy.h and
 * nfq-guard.conf(5)).
 *
 * @include lines are expanded here rather than by libconfig, so that a
 * relative path is taken from the including file's directory and every
 * error can name the file and line it comes from: the expanded text keeps
 * a map from its lines to (file, line).  Every problem is reported, not
 * just the first; a policy with any error is not built.
 */
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/proto.h"
#include "policy/policy.h"

#define POLICY_FILE_MAX (16u << 20) /* bytes of one policy or include file */

static const char *const registry_defaults[] = {
	"/usr/share/ieee-data/oui.csv",
	"/usr/share/ieee-data/mam.csv",
	"/usr/share/ieee-data/oui36.csv",
	"/usr/share/wireshark/manuf",
};

struct srcline {
	unsigned int file; /* index into ctx.files */
	unsigned int line;
	size_t off; /* where the line starts in ctx.text */
};

struct ctx {
	struct policy_errors *errs;
	char **files; /* every file read, for error locations */
	size_t nfiles;
	struct srcline *map; /* expanded line n (1-based) is map[n - 1] */
	size_t nmap, capmap;
	char *text; /* the expanded policy */
	size_t len, cap;
	const char *stack[POLICY_INCLUDE_DEPTH + 1]; /* real paths being read */
	size_t depth;
	unsigned int main_lines; /* lines of the main file */
	/* where each error comes from (2 * expanded line, + 1 between lines) */
	unsigned int errpos[POLICY_MAX_ERRORS];
	bool failed;
};

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
static void sort_errors(struct ctx *c)
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

static void err_at(struct ctx *c, const char *file, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void err_at(struct ctx *c, const char *file, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error(c, 2 * (unsigned int)c->nmap + 1, file, line, fmt, ap);
	va_end(ap);
}

/* An error at the expanded text's line n, reported where it came from. */
static void err_line(struct ctx *c, unsigned int n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void err_line(struct ctx *c, unsigned int n, const char *fmt, ...)
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
static unsigned int setting_line(const struct ctx *c, const config_setting_t *s)
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

#define err_set(c, s, ...) err_line((c), setting_line((c), (s)), __VA_ARGS__)

/* --- reading and expanding the files ------------------------------------ */

static int read_file(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "re");
	struct stat st;
	char *buf;
	size_t n;
	int r;

	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) < 0) {
		r = -errno;
		fclose(f);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		fclose(f);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
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
static char *include_path(const char *from, const char *name)
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

static int expand_text(struct ctx *c, unsigned int fi, const char *buf, size_t len)
{
	char name[PATH_MAX];
	unsigned int line = 0;
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		int r;

		line++;
		r = parse_include(buf + pos, n, name);
		if (memchr(buf + pos, '\0', n)) {
			/* libconfig would stop reading there */
			err_at(c, c->files[fi], line, "NUL byte in the line");
		} else if (r < 0) {
			err_at(c, c->files[fi], line,
			       "malformed @include (use: @include \"FILE\")");
		} else if (r > 0) {
			char *p = include_path(c->files[fi], name);

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
	char **files;
	size_t len = 0, i;
	char *buf = NULL;
	int r;

	if (!realpath(path, real)) {
		r = -errno;
		if (from_file)
			err_at(c, from_file, from_line, "cannot include %s: %s", path,
			       strerror(-r));
		else
			err_at(c, path, 0, "%s", strerror(-r));
		return r;
	}
	for (i = 0; i < c->depth; i++) {
		if (!strcmp(c->stack[i], real)) {
			err_at(c, from_file, from_line, "%s includes itself", path);
			return -ELOOP;
		}
	}
	if (c->depth > POLICY_INCLUDE_DEPTH) {
		err_at(c, from_file, from_line, "includes nested deeper than %d",
		       POLICY_INCLUDE_DEPTH);
		return -ELOOP;
	}
	r = read_file(path, &buf, &len);
	if (r < 0) {
		if (from_file)
			err_at(c, from_file, from_line, "cannot include %s: %s", path,
			       r == -EFBIG ? "file too large" : strerror(-r));
		else
			err_at(c, path, 0, "%s", r == -EFBIG ? "file too large" : strerror(-r));
		return r;
	}
	files = realloc(c->files, (c->nfiles + 1) * sizeof(*files));
	if (!files || !(files[c->nfiles] = strdup(path))) {
		if (files)
			c->files = files;
		free(buf);
		return -ENOMEM;
	}
	c->files = files;
	c->stack[c->depth++] = real;
	r = expand_text(c, (unsigned int)c->nfiles++, buf, len);
	c->depth--;
	free(buf);
	return r;
}

/* --- settings ------------------------------------------------------------ */

static bool check_keys(struct ctx *c, const config_setting_t *group, const char *const *keys,
		       const char *what)
{
	int i, n = config_setting_length(group);
	bool ok = true;

	for (i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(group, (unsigned int)i);
		const char *name = config_setting_name(s);
		const char *const *k;

		for (k = keys; *k; k++)
			if (name && !strcmp(name, *k))
				break;
		if (!*k) {
			err_set(c, s, "unknown key '%s' in %s", name ? name : "?", what);
			ok = false;
		}
	}
	return ok;
}

static const char *type_str(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "a number";
	case CONFIG_TYPE_FLOAT:
		return "a decimal number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "true/false";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	}
	return "something else";
}

typedef int (*string_fn)(struct ctx *c, const config_setting_t *s, const char *v, void *arg);

static int add_domain(struct ctx *c, const config_setting_t *s, const char *v, void *arg);

/*
 * A setting that holds one string, or an array [ ] or list ( ) of strings:
 * call fn for each; at most POLICY_MAX_LIST (domain lists: as many as the
 * policy may hold).  Returns the number of strings, or -1 after reporting a
 * wrong type.
 */
static int each_string(struct ctx *c, const config_setting_t *s, const char *key, string_fn fn,
		       void *arg)
{
	int i, n, type = config_setting_type(s);
	int max = fn == add_domain ? POLICY_MAX_DOMAINS : POLICY_MAX_LIST;

	if (type == CONFIG_TYPE_STRING) {
		if (fn(c, s, config_setting_get_string(s), arg) == -ENOMEM)
			err_set(c, s, "out of memory");
		return 1;
	}
	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
		err_set(c, s, "'%s' must be a string or a list of strings, not %s", key,
			type_str(type));
		return -1;
	}
	n = config_setting_length(s);
	if (n > max) {
		err_set(c, s, "'%s' has %d entries, more than %d", key, n, max);
		return -1;
	}
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			err_set(c, e, "'%s' entries must be strings, not %s", key,
				type_str(config_setting_type(e)));
			continue;
		}
		if (fn(c, e, config_setting_get_string(e), arg) == -ENOMEM)
			err_set(c, e, "out of memory");
	}
	return n;
}

static bool get_string(struct ctx *c, const config_setting_t *group, const char *key,
		       const char **out)
{
	config_setting_t *s = config_setting_get_member(group, key);

	if (!s)
		return false;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		err_set(c, s, "'%s' must be a string, not %s", key,
			type_str(config_setting_type(s)));
		return false;
	}
	*out = config_setting_get_string(s);
	return true;
}

static bool get_uint(struct ctx *c, const config_setting_t *group, const char *key,
		     unsigned long lo, unsigned long hi, uint32_t *out)
{
	config_setting_t *s = config_setting_get_member(group, key);
	long long v;

	if (!s)
		return false;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		err_set(c, s, "'%s' must be a number, not %s", key,
			type_str(config_setting_type(s)));
		return false;
	}
	v = config_setting_get_int64(s);
	if (v < (long long)lo || v > (long long)hi) {
		err_set(c, s, "'%s' must be between %lu and %lu", key, lo, hi);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

static bool valid_ident(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= POLICY_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.'))
			return false;
	}
	return true;
}

static int parse_action(const char *s, enum action *a)
{
	static const struct {
		const char *name;
		enum action a;
	} tab[] = { { "allow", ACTION_ALLOW },
		    { "drop", ACTION_DROP },
		    { "reject", ACTION_REJECT },
		    { "log", ACTION_LOG } };
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (!strcmp(s, tab[i].name)) {
			*a = tab[i].a;
			return 0;
		}
	}
	return -EINVAL;
}

/* --- networks ------------------------------------------------------------- */

struct cidr_list {
	struct cidr *v;
	size_t n;
};

/*
 * Room for one more after the n elements of size sz at v: lists hold a
 * power of two, doubled when full (one realloc per entry is quadratic for
 * long lists).  Returns the array, or NULL when out of memory.
 */
static void *grow(void *v, size_t n, size_t sz)
{
	if (n & (n - 1))
		return v; /* n is not a power of two: the array has room */
	return realloc(v, (n ? 2 * n : 1) * sz);
}

static int cidr_push(struct cidr_list *l, const struct cidr *x)
{
	struct cidr *v = grow(l->v, l->n, sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *x;
	return 0;
}

static int add_cidr(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct cidr x;
	int r = cidr_parse(v, &x);

	if (r == -EBADMSG) {
		err_set(c, s, "'%s': address bits set past the prefix length", v);
		return r;
	}
	if (r) {
		err_set(c, s, "'%s' is not an address or CIDR prefix", v);
		return r;
	}
	return cidr_push(arg, &x);
}

static void compile_networks(struct ctx *c, struct policy *p, const config_setting_t *set)
{
	int i, n;

	if (config_setting_type(set) != CONFIG_TYPE_GROUP) {
		err_set(c, set, "'networks' must be a group { name = [ ... ]; }");
		return;
	}
	n = config_setting_length(set);
	if (n > POLICY_MAX_NETWORKS) {
		err_set(c, set, "more than %d networks", POLICY_MAX_NETWORKS);
		return;
	}
	p->networks = calloc((size_t)n, sizeof(*p->networks));
	if (n && !p->networks) {
		c->failed = true;
		return;
	}
	for (i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(set, (unsigned int)i);
		struct network *net = &p->networks[p->nnetworks];
		struct cidr_list l = { 0 };
		const char *name = config_setting_name(s);

		if (!strcmp(name, "wan") || !strcmp(name, "any")) {
			err_set(c, s,
				"'%s' cannot be defined: it is computed (wan = neither lan "
				"nor router)",
				name);
			continue;
		}
		if (strlen(name) >= POLICY_NAME_MAX) {
			err_set(c, s, "network name too long");
			continue;
		}
		each_string(c, s, name, add_cidr, &l);
		snprintf(net->name, sizeof(net->name), "%s", name);
		net->cidrs = l.v;
		net->ncidrs = l.n;
		p->nnetworks++;
	}
}

static const struct network *find_network(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nnetworks; i++)
		if (!strcmp(p->networks[i].name, name))
			return &p->networks[i];
	return NULL;
}

/* --- vendors and devices --------------------------------------------------- */

struct registry_ctx {
	struct policy *p;
	bool loaded;
};

static int add_registry(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct policy *p = arg;
	const char *from = config_setting_source_file(s);
	unsigned int n = (unsigned int)config_setting_source_line(s), line = 0;
	char *path;
	int r;

	/* relative to the file that names it */
	if (n >= 1 && n <= c->nmap)
		from = c->files[c->map[n - 1].file];
	path = include_path(from ? from : c->files[0], v);
	if (!path)
		return -ENOMEM;
	r = registry_load(p->registry, path, &line);
	if (r == -EINVAL)
		err_set(c, s, "registry %s: line %u: not a registry entry", path, line);
	else if (r)
		err_set(c, s, "registry %s: %s", path,
			r == -EFBIG ? "file too large" : strerror(-r));
	free(path);
	return r;
}

static void load_registries(struct ctx *c, struct policy *p, const config_setting_t *vendors)
{
	config_setting_t *reg;
	size_t i;

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
		check_keys(c, vendors, keys, "vendors");
		reg = config_setting_get_member(vendors, "registry");
		if (reg) {
			each_string(c, reg, "registry", add_registry, p);
			p->nregistry = registry_count(p->registry);
			return;
		}
	}
	for (i = 0; i < sizeof(registry_defaults) / sizeof(registry_defaults[0]); i++) {
		unsigned int line;

		if (access(registry_defaults[i], R_OK) == 0)
			registry_load(p->registry, registry_defaults[i], &line);
	}
	p->nregistry = registry_count(p->registry);
}

struct prefix_list {
	struct group_prefix *v;
	size_t n;
	size_t nvendor;
	struct ctx *c;
	struct policy *p;
};

static int prefix_push(struct prefix_list *l, const struct group_prefix *g)
{
	struct group_prefix *v;

	if (l->n >= POLICY_MAX_LIST * 4)
		return -E2BIG;
	v = grow(l->v, l->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *g;
	return 0;
}

static int add_mac(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct group_prefix g = { .kind = MATCH_MAC };

	if (mac_parse(v, g.prefix.addr)) {
		err_set(c, s, "'%s' is not a MAC address (use aa:bb:cc:dd:ee:ff)", v);
		return -EINVAL;
	}
	g.prefix.bits = 48;
	return prefix_push(arg, &g);
}

static int add_oui(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct group_prefix g = { .kind = MATCH_OUI };

	if (oui_parse(v, &g.prefix) || g.prefix.bits == 48) {
		err_set(c, s,
			"'%s' is not a MAC prefix (use AA:BB:CC, AA:BB:CC:D/28 or "
			"AA:BB:CC:DD:E/36)",
			v);
		return -EINVAL;
	}
	return prefix_push(arg, &g);
}

/* A copy of s that lives as long as the policy (libconfig's strings do not). */
static const char *policy_strdup(struct policy *p, const char *s)
{
	char **v = grow(p->strings, p->nstrings, sizeof(*v));

	if (!v)
		return NULL;
	p->strings = v;
	v[p->nstrings] = strdup(s);
	return v[p->nstrings] ? v[p->nstrings++] : NULL;
}

static int add_vendor(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct prefix_list *l = arg;
	struct registry_hit *hits;
	const char *needle;
	size_t n, i;

	if (strlen(v) < 3) {
		err_set(c, s, "vendor '%s' is too short to name an organisation", v);
		return -EINVAL;
	}
	if (!l->p->registry || registry_count(l->p->registry) == 0) {
		err_set(c, s, "vendor '%s': no vendor registry loaded (set vendors.registry)", v);
		return -ENOENT;
	}
	n = registry_match(l->p->registry, v, NULL, 0);
	if (n == 0) {
		err_set(c, s, "vendor '%s' matches no organisation in the registries", v);
		return -ENOENT;
	}
	hits = calloc(n, sizeof(*hits));
	needle = policy_strdup(l->p, v);
	if (!hits || !needle) {
		free(hits);
		return -ENOMEM;
	}
	registry_match(l->p->registry, v, hits, n);
	for (i = 0; i < n; i++) {
		struct group_prefix g = { .kind = MATCH_VENDOR,
					  .prefix = hits[i].prefix,
					  .org = hits[i].org,
					  .needle = needle };
		int r = prefix_push(l, &g);

		if (r) {
			if (r == -E2BIG)
				err_set(c, s,
					"vendor '%s': more than %d MAC prefixes in one device", v,
					POLICY_MAX_LIST * 4);
			free(hits);
			return r;
		}
		l->nvendor++;
	}
	free(hits);
	return 0;
}

struct iface_list {
	char (*v)[IF_NAMESIZE];
	size_t n;
};

static int add_iface(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct iface_list *l = arg;
	char(*nv)[IF_NAMESIZE];

	if (strlen(v) == 0 || strlen(v) >= IF_NAMESIZE || strchr(v, '/') || strchr(v, ' ')) {
		err_set(c, s, "'%s' is not an interface name", v);
		return -EINVAL;
	}
	nv = grow(l->v, l->n, sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	l->v = nv;
	snprintf(l->v[l->n++], IF_NAMESIZE, "%s", v);
	return 0;
}

/* Order of blocks: address, then length. */
static int prefix_block_cmp(const void *a, const void *b)
{
	const struct group_prefix *x = a, *y = b;
	int r = memcmp(x->prefix.addr, y->prefix.addr, 6);

	return r ? r : (int)x->prefix.bits - (int)y->prefix.bits;
}

static int prefix_cmp(const void *a, const void *b)
{
	const struct group_prefix *x = a, *y = b;
	int r = prefix_block_cmp(a, b);

	/* the same block named twice: policy_identify reports the first */
	return r ? r : (int)x->kind - (int)y->kind;
}

static bool uses_vendor(const config_setting_t *devs)
{
	int i, n = devs ? config_setting_length(devs) : 0;

	for (i = 0; i < n; i++) {
		config_setting_t *d = config_setting_get_elem(devs, (unsigned int)i);

		if (config_setting_type(d) == CONFIG_TYPE_GROUP &&
		    config_setting_get_member(d, "vendor"))
			return true;
	}
	return false;
}

static void compile_device(struct ctx *c, struct policy *p, const config_setting_t *d)
{
	static const char *const keys[] = { "name", "vendor", "oui", "mac", "ip", "iface", NULL };
	struct device_group *g = &p->devices[p->ndevices];
	struct prefix_list pl = { .c = c, .p = p };
	struct cidr_list ips = { 0 };
	struct iface_list ifs = { 0 };
	config_setting_t *s;
	const char *name;
	size_t i;

	if (config_setting_type(d) != CONFIG_TYPE_GROUP) {
		err_set(c, d, "each device must be a group { name = \"...\"; ... }");
		return;
	}
	check_keys(c, d, keys, "a device");
	if (!get_string(c, d, "name", &name)) {
		if (!config_setting_get_member(d, "name"))
			err_set(c, d, "device without a name");
		return;
	}
	if (!valid_ident(name) || !strcmp(name, "*")) {
		err_set(c, d, "device name '%s': use letters, digits, '-', '_' and '.'", name);
		return;
	}
	for (i = 0; i < p->ndevices; i++) {
		if (!strcmp(p->devices[i].name, name)) {
			err_set(c, d, "device '%s' is defined twice (first at line %u)", name,
				p->devices[i].line);
			return;
		}
	}
	if ((s = config_setting_get_member(d, "mac")))
		each_string(c, s, "mac", add_mac, &pl);
	if ((s = config_setting_get_member(d, "oui")))
		each_string(c, s, "oui", add_oui, &pl);
	if ((s = config_setting_get_member(d, "vendor")))
		each_string(c, s, "vendor", add_vendor, &pl);
	if ((s = config_setting_get_member(d, "ip")))
		each_string(c, s, "ip", add_cidr, &ips);
	if ((s = config_setting_get_member(d, "iface")))
		each_string(c, s, "iface", add_iface, &ifs);
	if (!config_setting_get_member(d, "mac") && !config_setting_get_member(d, "oui") &&
	    !config_setting_get_member(d, "vendor") && !config_setting_get_member(d, "ip") &&
	    !config_setting_get_member(d, "iface"))
		err_set(c, d, "device '%s' names no mac, oui, vendor, ip or iface", name);

	snprintf(g->name, sizeof(g->name), "%s", name);
	g->line = (unsigned int)config_setting_source_line(d);
	if (g->line >= 1 && g->line <= c->nmap)
		g->line = c->map[g->line - 1].line;
	if (pl.n)
		qsort(pl.v, pl.n, sizeof(*pl.v), prefix_cmp);
	g->prefixes = pl.v;
	g->nprefixes = pl.n;
	g->nvendor_prefixes = pl.nvendor;
	g->ips = ips.v;
	g->nips = ips.n;
	g->ifaces = ifs.v;
	g->nifaces = ifs.n;
	p->ndevices++;
}

static void compile_devices(struct ctx *c, struct policy *p, const config_setting_t *devs)
{
	int i, n;

	if (config_setting_type(devs) != CONFIG_TYPE_LIST) {
		err_set(c, devs, "'devices' must be a list ( { ... }, { ... } )");
		return;
	}
	n = config_setting_length(devs);
	if (n > POLICY_MAX_DEVICES) {
		err_set(c, devs, "%d devices, more than %d", n, POLICY_MAX_DEVICES);
		return;
	}
	p->devices = calloc((size_t)n + 1, sizeof(*p->devices));
	if (!p->devices) {
		c->failed = true;
		return;
	}
	for (i = 0; i < n; i++)
		compile_device(c, p, config_setting_get_elem(devs, (unsigned int)i));
}

/* --- rules ----------------------------------------------------------------- */

struct rule_ctx {
	struct policy *p;
	struct rule *r;
	struct cidr_list to;
};

static int add_from(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct rule_ctx *rc = arg;
	size_t i;

	if (!strcmp(v, "*")) {
		rc->r->from_any = true;
		return 0;
	}
	for (i = 0; i < rc->p->ndevices; i++) {
		if (!strcmp(rc->p->devices[i].name, v)) {
			rc->r->from |= 1ull << i;
			return 0;
		}
	}
	err_set(c, s, "unknown device '%s' in 'from'", v);
	return -ENOENT;
}

static int add_to(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct rule_ctx *rc = arg;
	const struct network *net;
	struct cidr x;
	size_t i;

	if (!strcmp(v, "*") || !strcmp(v, "any")) {
		rc->r->to_flags |= TO_ANY;
		return 0;
	}
	if (!strcmp(v, "wan")) {
		rc->r->to_flags |= TO_WAN;
		return 0;
	}
	net = find_network(rc->p, v);
	if (net) {
		for (i = 0; i < net->ncidrs; i++)
			if (cidr_push(&rc->to, &net->cidrs[i]))
				return -ENOMEM;
		return 0;
	}
	if (cidr_parse(v, &x) == 0)
		return cidr_push(&rc->to, &x);
	if (strchr(v, '.') || strchr(v, ':'))
		return add_cidr(c, s, v, &rc->to); /* reports the address error */
	err_set(c, s, "unknown network '%s' in 'to' (define it under 'networks')", v);
	return -ENOENT;
}

static int add_domain(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct rule_ctx *rc = arg;
	size_t before;
	int r;

	if (rc->p->ndomains >= POLICY_MAX_DOMAINS) {
		if (rc->p->ndomains++ == POLICY_MAX_DOMAINS)
			err_set(c, s, "more than %d domains in the policy", POLICY_MAX_DOMAINS);
		return -E2BIG;
	}
	before = domain_set_count(rc->r->domains);
	r = domain_set_add(rc->r->domains, v);
	if (r == -EINVAL)
		err_set(c, s, "'%s' is not a domain name or *.domain pattern", v);
	/* a duplicate is no new pattern */
	rc->p->ndomains += domain_set_count(rc->r->domains) - before;
	return r;
}

static int port_push(struct rule *r, unsigned long lo, unsigned long hi)
{
	struct port_range *v;

	if (r->nports >= POLICY_MAX_LIST)
		return -E2BIG;
	v = grow(r->ports, r->nports, sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->ports = v;
	r->ports[r->nports].lo = (uint16_t)lo;
	r->ports[r->nports].hi = (uint16_t)hi;
	r->nports++;
	return 0;
}

static int add_port_string(struct ctx *c, const config_setting_t *s, const char *v, struct rule *r)
{
	unsigned long lo, hi;
	char *end;

	errno = 0;
	if (v[0] < '0' || v[0] > '9')
		goto bad;
	lo = strtoul(v, &end, 10);
	hi = lo;
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			goto bad;
		hi = strtoul(end + 1, &end, 10);
	}
	if (errno || *end || lo > 65535 || hi > 65535 || lo > hi)
		goto bad;
	if (port_push(r, lo, hi)) {
		err_set(c, s, "out of memory");
		return -ENOMEM;
	}
	return 0;
bad:
	err_set(c, s, "port '%s': use a number or a range \"lo-hi\" within 0-65535", v);
	return -EINVAL;
}

static void compile_ports(struct ctx *c, struct rule *r, const config_setting_t *s)
{
	int type = config_setting_type(s), i, n;

	if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64 || type == CONFIG_TYPE_STRING) {
		n = 1;
	} else if (type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST) {
		n = config_setting_length(s);
		if (n > POLICY_MAX_LIST) {
			err_set(c, s, "'port' has %d entries, more than %d", n, POLICY_MAX_LIST);
			return;
		}
	} else {
		err_set(c, s, "'port' must be a number, a \"lo-hi\" string or a list of them");
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *e = type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST ?
						    config_setting_get_elem(s, (unsigned int)i) :
						    s;
		int et = config_setting_type(e);

		if (et == CONFIG_TYPE_INT || et == CONFIG_TYPE_INT64) {
			long long v = config_setting_get_int64(e);

			if (v < 0 || v > 65535)
				err_set(c, e, "port %lld is outside 0-65535", v);
			else if (port_push(r, (unsigned long)v, (unsigned long)v))
				err_set(c, e, "out of memory");
		} else if (et == CONFIG_TYPE_STRING) {
			add_port_string(c, e, config_setting_get_string(e), r);
		} else {
			err_set(c, e, "port entries must be numbers or \"lo-hi\" strings, not %s",
				type_str(et));
		}
	}
}

static void compile_rule(struct ctx *c, struct policy *p, const config_setting_t *rs)
{
	static const char *const keys[] = { "name",   "from",	"to",  "proto", "port",
					    "domain", "action", "log", NULL };
	struct rule *r = &p->rules[p->nrules];
	struct rule_ctx rc = { .p = p, .r = r };
	config_setting_t *s;
	const char *v;
	size_t i;

	if (config_setting_type(rs) != CONFIG_TYPE_GROUP) {
		err_set(c, rs, "each rule must be a group { ... }");
		return;
	}
	memset(r, 0, sizeof(*r));
	check_keys(c, rs, keys, "a rule");
	r->line = (unsigned int)config_setting_source_line(rs);
	if (get_string(c, rs, "name", &v)) {
		if (!valid_ident(v))
			err_set(c, rs, "rule name '%s': use letters, digits, '-', '_' and '.'", v);
		snprintf(r->name, sizeof(r->name), "%s", v);
	} else {
		snprintf(r->name, sizeof(r->name), "rule%zu", p->nrules + 1);
	}
	if (r->line >= 1 && r->line <= c->nmap)
		r->line = c->map[r->line - 1].line;
	for (i = 0; i < p->nrules; i++)
		if (!strcmp(p->rules[i].name, r->name))
			err_set(c, rs, "rule name '%s' is used twice (first at line %u)", r->name,
				p->rules[i].line);

	if ((s = config_setting_get_member(rs, "from")))
		each_string(c, s, "from", add_from, &rc);
	else
		r->from_any = true;

	if ((s = config_setting_get_member(rs, "to")))
		each_string(c, s, "to", add_to, &rc);
	else
		r->to_flags |= TO_ANY;
	r->to = rc.to.v;
	r->nto = rc.to.n;

	r->proto = 0;
	if (get_string(c, rs, "proto", &v)) {
		if (!strcmp(v, "tcp"))
			r->proto = IPPROTO_NUM_TCP;
		else if (!strcmp(v, "udp"))
			r->proto = IPPROTO_NUM_UDP;
		else if (!strcmp(v, "icmp"))
			r->proto = IPPROTO_NUM_ICMP;
		else if (strcmp(v, "any"))
			err_set(c, config_setting_get_member(rs, "proto"),
				"proto '%s': use tcp, udp, icmp or any", v);
	}
	if ((s = config_setting_get_member(rs, "port"))) {
		if (r->proto == IPPROTO_NUM_ICMP)
			err_set(c, s, "'port' does not go with proto \"icmp\"");
		else
			compile_ports(c, r, s);
	}
	if ((s = config_setting_get_member(rs, "domain"))) {
		r->domains = domain_set_new();
		if (!r->domains)
			c->failed = true;
		else
			each_string(c, s, "domain", add_domain, &rc);
	}
	if (get_string(c, rs, "action", &v)) {
		if (parse_action(v, &r->action))
			err_set(c, config_setting_get_member(rs, "action"),
				"action '%s': use allow, drop, reject or log", v);
	} else if (!config_setting_get_member(rs, "action")) {
		err_set(c, rs, "rule '%s' has no action", r->name);
	}
	if ((s = config_setting_get_member(rs, "log"))) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			err_set(c, s, "'log' must be true or false");
		else
			r->log = config_setting_get_bool(s);
	}
	p->nrules++;
}

static void compile_rules(struct ctx *c, struct policy *p, const config_setting_t *rules)
{
	int i, n;

	if (config_setting_type(rules) != CONFIG_TYPE_LIST) {
		err_set(c, rules, "'rules' must be a list ( { ... }, { ... } )");
		return;
	}
	n = config_setting_length(rules);
	if (n > POLICY_MAX_RULES) {
		err_set(c, rules, "%d rules, more than %d", n, POLICY_MAX_RULES);
		return;
	}
	p->rules = calloc((size_t)n + 1, sizeof(*p->rules));
	if (!p->rules) {
		c->failed = true;
		return;
	}
	for (i = 0; i < n; i++)
		compile_rule(c, p, config_setting_get_elem(rules, (unsigned int)i));
}

static int build_mac_index(struct policy *p);

/* --- the whole file -------------------------------------------------------- */

static void compile_top(struct ctx *c, struct policy *p, const config_t *cfg)
{
	static const char *const keys[] = { "version",	       "mode",	   "default",
					    "default_log",     "networks", "vendors",
					    "devices",	       "rules",	   "limits",
					    "name_ttl_floor",  "fail",	   "events",
					    "events_interval", "queue",	   NULL };
	static const char *const queue_keys[] = { "num", "threads", NULL };
	static const char *const limit_keys[] = { "names", "flows", "pending_packets",
						  "pending_seconds", NULL };
	const config_setting_t *root = config_root_setting(cfg);
	config_setting_t *s, *devs;
	const char *v;
	uint32_t version;

	check_keys(c, root, keys, "the policy");
	if (!get_uint(c, root, "version", 0, UINT32_MAX, &version)) {
		if (!config_setting_get_member(root, "version"))
			err_line(c, 1, "missing 'version = 1;'");
	} else if (version != 1) {
		err_set(c, config_setting_get_member(root, "version"),
			"version %u is not supported (this nfq-guard reads version 1)", version);
	}
	if (get_string(c, root, "mode", &v)) {
		if (!strcmp(v, "monitor"))
			p->monitor = true;
		else if (strcmp(v, "enforce"))
			err_set(c, config_setting_get_member(root, "mode"),
				"mode '%s': use enforce or monitor", v);
	}
	p->dflt = ACTION_DROP;
	if (get_string(c, root, "default", &v) && parse_action(v, &p->dflt))
		err_set(c, config_setting_get_member(root, "default"),
			"default '%s': use allow, drop, reject or log", v);
	if ((s = config_setting_get_member(root, "default_log"))) {
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			err_set(c, s, "'default_log' must be true or false");
		else
			p->dflt_log = config_setting_get_bool(s);
	}
	p->name_ttl_floor = 3600;
	get_uint(c, root, "name_ttl_floor", 0, 7 * 86400, &p->name_ttl_floor);
	p->max_names = 16384;
	p->max_flows = 4096;
	p->pending_packets = 8;
	p->pending_seconds = 5;
	p->fail_open = true;
	if (get_string(c, root, "fail", &v)) {
		if (!strcmp(v, "closed"))
			p->fail_open = false;
		else if (strcmp(v, "open"))
			err_set(c, config_setting_get_member(root, "fail"),
				"fail '%s': use open or closed", v);
	}
	if (get_string(c, root, "events", &v)) {
		if (v[0] != '/')
			err_set(c, config_setting_get_member(root, "events"),
				"events '%s': use an absolute path", v);
		else if (!(p->events = strdup(v)))
			c->failed = true;
	} else if (!(p->events = strdup(POLICY_EVENTS_DEFAULT))) {
		c->failed = true;
	}
	p->events_interval = 10;
	get_uint(c, root, "events_interval", 0, 3600, &p->events_interval);
	if ((s = config_setting_get_member(root, "queue"))) {
		if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
			err_set(c, s, "'queue' must be a group { num = N; }");
		} else {
			check_keys(c, s, queue_keys, "queue");
			get_uint(c, s, "num", 0, 65535, &p->queue_num);
			get_uint(c, s, "threads", 1, 16, &p->queue_threads);
			if (p->queue_num + (p->queue_threads ? p->queue_threads : 1) > 65536)
				err_set(c, s,
					"queues num to num + threads - 1 must be below 65536");
		}
	}
	if ((s = config_setting_get_member(root, "limits"))) {
		if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
			err_set(c, s, "'limits' must be a group { ... }");
		} else {
			check_keys(c, s, limit_keys, "limits");
			get_uint(c, s, "names", 16, 4u << 20, &p->max_names);
			get_uint(c, s, "flows", 16, 1u << 20, &p->max_flows);
			get_uint(c, s, "pending_packets", 1, 64, &p->pending_packets);
			get_uint(c, s, "pending_seconds", 1, 60, &p->pending_seconds);
		}
	}
	if ((s = config_setting_get_member(root, "networks")))
		compile_networks(c, p, s);
	p->lan = find_network(p, "lan");
	p->router = find_network(p, "router");

	devs = config_setting_get_member(root, "devices");
	if (uses_vendor(devs))
		load_registries(c, p, config_setting_get_member(root, "vendors"));
	else if ((s = config_setting_get_member(root, "vendors")))
		load_registries(c, p, s);
	if (devs)
		compile_devices(c, p, devs);
	if (build_mac_index(p))
		c->failed = true;
	if ((s = config_setting_get_member(root, "rules")))
		compile_rules(c, p, s);
	else
		err_line(c, 1, "no 'rules' list: nothing would be decided");
}

void policy_errors_clear(struct policy_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		free(errs->lines[i]);
	free(errs->lines);
	memset(errs, 0, sizeof(*errs));
}

void policy_free(struct policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nnetworks; i++)
		free(p->networks[i].cidrs);
	free(p->networks);
	for (i = 0; i < p->ndevices; i++) {
		free(p->devices[i].prefixes);
		free(p->devices[i].ips);
		free(p->devices[i].ifaces);
	}
	free(p->devices);
	free(p->mac_index);
	free(p->mac_hash);
	for (i = 0; i < p->nrules; i++) {
		free(p->rules[i].to);
		free(p->rules[i].ports);
		domain_set_free(p->rules[i].domains);
	}
	free(p->rules);
	registry_free(p->registry);
	for (i = 0; i < p->nstrings; i++)
		free(p->strings[i]);
	free(p->strings);
	free(p->path);
	free(p->events);
	free(p);
}

struct policy *policy_load(const char *path, struct policy_errors *errs)
{
	struct ctx c = { .errs = errs };
	struct policy *p = NULL;
	config_t cfg;
	size_t i;

	memset(errs, 0, sizeof(*errs));
	if (expand(&c, path, NULL, 0) < 0) {
		if (!c.failed)
			err_at(&c, path, 0, "out of memory");
		goto out_free_ctx;
	}
	config_init(&cfg);
	if (config_read_string(&cfg, c.text ? c.text : "") != CONFIG_TRUE) {
		const char *msg = config_error_text(&cfg);

		err_line(&c, (unsigned int)config_error_line(&cfg), "%s%s", msg,
			 strstr(msg, "mismatched element type") ?
				 " (an array [ ] holds one type: use a list ( ) to mix numbers "
				 "and strings)" :
				 "");
		goto out_destroy_cfg;
	}
	p = calloc(1, sizeof(*p));
	if (!p || !(p->path = strdup(path))) {
		err_at(&c, path, 0, "out of memory");
		goto out_destroy_cfg;
	}
	compile_top(&c, p, &cfg);
	if (c.failed) {
		policy_free(p);
		p = NULL;
	}
out_destroy_cfg:
	config_destroy(&cfg);
out_free_ctx:
	for (i = 0; i < c.nfiles; i++)
		free(c.files[i]);
	free(c.files);
	free(c.map);
	free(c.text);
	if (!p && errs->n == 0)
		err_at(&c, path, 0, "cannot be compiled");
	sort_errors(&c);
	return p;
}

/* --- identification -------------------------------------------------------- */

static uint64_t mac_key(const struct oui_prefix *p)
{
	uint64_t k = 0;
	int i;

	for (i = 0; i < 6; i++)
		k = k << 8 | p->addr[i];
	return k << 8 | p->bits;
}

static int index_cmp(const void *a, const void *b)
{
	const struct mac_index_entry *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return (int)x->prefix->kind - (int)y->prefix->kind;
}

static size_t mac_hash_slot(uint64_t key, size_t mask)
{
	key *= 0x9e3779b97f4a7c15ull;
	return (size_t)(key >> 32) & mask;
}

/* A hash of the index's keys: one probe per prefix length and packet. */
static int build_mac_hash(struct policy *p)
{
	size_t n = 16, i;

	while (n < 2 * p->nmac_index)
		n <<= 1;
	p->mac_hash = calloc(n, sizeof(*p->mac_hash));
	if (!p->mac_hash)
		return -ENOMEM;
	p->mac_hash_mask = n - 1;
	for (i = 0; i < p->nmac_index; i++) {
		size_t h;

		if (i > 0 && p->mac_index[i - 1].key == p->mac_index[i].key)
			continue; /* the first entry of a key stands for all */
		h = mac_hash_slot(p->mac_index[i].key, p->mac_hash_mask);
		while (p->mac_hash[h])
			h = (h + 1) & p->mac_hash_mask;
		p->mac_hash[h] = (uint32_t)i + 1;
	}
	return 0;
}

/* One sorted array of every group's blocks: a MAC costs four searches in all. */
static int build_mac_index(struct policy *p)
{
	size_t i, j, n = 0;

	for (i = 0; i < p->ndevices; i++)
		n += p->devices[i].nprefixes;
	if (n == 0)
		return 0;
	p->mac_index = calloc(n, sizeof(*p->mac_index));
	if (!p->mac_index)
		return -ENOMEM;
	for (i = 0; i < p->ndevices; i++) {
		for (j = 0; j < p->devices[i].nprefixes; j++) {
			struct mac_index_entry *e = &p->mac_index[p->nmac_index++];

			e->prefix = &p->devices[i].prefixes[j];
			e->key = mac_key(&e->prefix->prefix);
			e->group = (uint32_t)i;
		}
	}
	qsort(p->mac_index, p->nmac_index, sizeof(*p->mac_index), index_cmp);
	return build_mac_hash(p);
}

/* The first entry with this key, or nmac_index. */
static size_t index_find(const struct policy *p, uint64_t key)
{
	size_t h = mac_hash_slot(key, p->mac_hash_mask);

	for (; p->mac_hash[h]; h = (h + 1) & p->mac_hash_mask)
		if (p->mac_index[p->mac_hash[h] - 1].key == key)
			return p->mac_hash[h] - 1;
	return p->nmac_index;
}

/* Every group's longest block (an exact MAC first) containing mac, into how. */
static uint64_t identify_mac(const struct policy *p, const uint8_t mac[6], struct group_match *how)
{
	static const unsigned int lens[] = { 48, 36, 28, 24 };
	struct oui_prefix op;
	uint64_t mask = 0;
	size_t l, i;

	for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		oui_of(mac, lens[l], &op);
		for (i = index_find(p, mac_key(&op));
		     i < p->nmac_index && p->mac_index[i].key == mac_key(&op); i++) {
			const struct mac_index_entry *e = &p->mac_index[i];

			if (mask & (1ull << e->group))
				continue; /* a longer block of this group matched */
			mask |= 1ull << e->group;
			how[e->group].kind = e->prefix->kind;
			how[e->group].prefix = e->prefix;
			how[e->group].cidr = NULL;
		}
	}
	return mask;
}

uint64_t policy_identify(const struct policy *p, const struct device_key *key,
			 struct group_match *how)
{
	struct group_match local[POLICY_MAX_DEVICES];
	uint64_t mask = 0;
	size_t i, j;

	if (!how)
		how = local;
	if (key->has_mac && p->nmac_index)
		mask = identify_mac(p, key->mac, how);
	for (i = 0; i < p->ndevices; i++) {
		const struct device_group *g = &p->devices[i];
		struct group_match m = { MATCH_NONE, NULL, NULL };

		if (mask & (1ull << i))
			continue;
		if (key->family) {
			for (j = 0; j < g->nips; j++) {
				if (cidr_contains(&g->ips[j], key->family, key->addr)) {
					m.kind = MATCH_IP;
					m.cidr = &g->ips[j];
					break;
				}
			}
		}
		if (m.kind == MATCH_NONE && key->iface[0]) {
			for (j = 0; j < g->nifaces; j++)
				if (!strcmp(g->ifaces[j], key->iface))
					m.kind = MATCH_IFACE;
		}
		if (m.kind != MATCH_NONE) {
			mask |= 1ull << i;
			how[i] = m;
		}
	}
	return mask;
}

const char *action_str(enum action a)
{
	switch (a) {
	case ACTION_ALLOW:
		return "allow";
	case ACTION_DROP:
		return "drop";
	case ACTION_REJECT:
		return "reject";
	case ACTION_LOG:
		return "log";
	}
	return "?";
}

void group_match_format(const struct group_match *m, char *buf, size_t sz)
{
	buf[0] = '\0';
	if (m->prefix)
		oui_format(&m->prefix->prefix, buf, sz);
	else if (m->cidr)
		cidr_format(m->cidr, buf, sz);
}

const char *match_kind_str(enum match_kind k)
{
	switch (k) {
	case MATCH_NONE:
		return "none";
	case MATCH_MAC:
		return "mac";
	case MATCH_OUI:
		return "oui";
	case MATCH_VENDOR:
		return "vendor";
	case MATCH_IP:
		return "ip";
	case MATCH_IFACE:
		return "iface";
	}
	return "?";
}
