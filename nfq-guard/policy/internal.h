/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * internal.h - what the policy compiler's files share and nothing else
 * includes: the compile context (the expanded text, its map back to files
 * and lines, the errors so far) and the helpers that report an error
 * "FILE:LINE: message" at a setting, and read settings of a given shape.
 */
#ifndef NFQG_POLICY_INTERNAL_H
#define NFQG_POLICY_INTERNAL_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

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
	bool registry_failed; /* a registry file did not load (reported) */
	bool include_failed;  /* an @include file could not be read (reported) */
	bool no_files;	      /* POLICY_NO_FILES: refuse @include and registry files */
};

/* --- errors (source.c) ---------------------------------------------------- */

/* An error at line of file, as is (no expanded line to map). */
void ctx_err_at(struct ctx *c, const char *file, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* An error at line of file (a list's), sorted after those of expanded line n. */
void ctx_err_from(struct ctx *c, unsigned int n, const char *file, unsigned int line,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* An error at the expanded text's line n, reported where it came from. */
void ctx_err_line(struct ctx *c, unsigned int n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The expanded line a setting comes from (see source.c). */
unsigned int ctx_setting_line(const struct ctx *c, const config_setting_t *s);

/* Where setting s is: the file (as p->files holds it), the line in it, the expanded line. */
void ctx_locate(const struct ctx *c, const struct policy *p, const config_setting_t *s,
		const char **file, unsigned int *line, unsigned int *xline);

/* p->files: a copy of c's file names.  0, or -ENOMEM. */
int ctx_copy_files(const struct ctx *c, struct policy *p);

/* Errors are found setting by setting; put them in the order of the text. */
void ctx_sort_errors(struct ctx *c);

#define err_set(c, s, ...) ctx_err_line((c), ctx_setting_line((c), (s)), __VA_ARGS__)

/* --- hints (hint.c) --------------------------------------------------------- */

/*
 * hint_syntax - the likely cause of the syntax error libconfig reports at
 * expanded line n ("trailing comma before ')'", "string values need
 * quotes", ...), with its 1-based column in *col (0: not known); NULL when
 * nothing on the line looks wrong.  buf (bufsz bytes) may hold the text.
 */
const char *hint_syntax(const struct ctx *c, unsigned int n, unsigned int *col, char *buf,
			size_t bufsz);

/* hint_config_error - libconfig's error, with what likely caused a bare "syntax error". */
void hint_config_error(struct ctx *c, const config_t *cfg);

/*
 * hint_joined_strings - report two string literals with only blanks or
 * comments between them (libconfig joins them: a comma forgotten between
 * list elements).  True when it did.
 */
bool hint_joined_strings(struct ctx *c);

/*
 * hint_near - of the names name(arg, 0), name(arg, 1), ... (NULL ends them),
 * the one a short edit away from word (a misspelling), or NULL when none
 * is, or two are as near.
 */
const char *hint_near(const char *word, const char *(*name)(const void *arg, size_t i),
		      const void *arg);

/* For hint_near, arg a struct policy: its device groups; its networks, then wan and any. */
const char *hint_device_name(const void *arg, size_t i);
const char *hint_network_name(const void *arg, size_t i);

/* --- the files (source.c) --------------------------------------------------- */

/* Read path with its @include files into c.  0, or -errno (reported in c). */
int source_expand(struct ctx *c, const char *path);

/* Take len bytes of text as the main file, called name in errors. */
int source_text(struct ctx *c, const char *name, const char *text, size_t len);

/* The path name stands for, named in the file from: relative to from's directory. */
char *source_path(const char *from, const char *name);

/*
 * A plain list, the file v names in setting s (relative to the file s is
 * in): fn for each entry, with the list's path and line.  One entry a line;
 * '#' starts a comment, blank lines are skipped; blanks inside an entry and
 * a list without entries are errors.  0, or -errno (reported in c).
 */
typedef int (*list_fn)(struct ctx *c, const char *path, unsigned int line, const char *v,
		       void *arg);
int source_list(struct ctx *c, const config_setting_t *s, const char *v, list_fn fn, void *arg);

/* The vendor registries: vendors.registry, or the system's files. */
void source_registries(struct ctx *c, struct policy *p, const config_setting_t *vendors);

/* A file the daemon writes, at key of root: an absolute path (else an error),
 * copied into *out; without key dflt is copied (NULL: none). */
void source_output(struct ctx *c, const config_setting_t *root, const char *key, char **out,
		   const char *dflt);

/* Free what source_expand() read (not the errors). */
void source_free(struct ctx *c);

/* --- settings (compile.c) --------------------------------------------------- */

typedef int (*string_fn)(struct ctx *c, const config_setting_t *s, const char *v, void *arg);

struct cidr_list {
	struct cidr *v;
	size_t n;
};

bool setting_check_keys(struct ctx *c, const config_setting_t *group, const char *const *keys,
			const char *what);
const char *setting_type_str(int type);
int setting_each_string(struct ctx *c, const config_setting_t *s, const char *key, string_fn fn,
			void *arg);
bool setting_get_string(struct ctx *c, const config_setting_t *group, const char *key,
			const char **out);
bool policy_valid_name(const char *s);
void *array_grow(void *v, size_t n, size_t sz);
int cidr_list_push(struct cidr_list *l, const struct cidr *x);
int cidr_list_add(struct ctx *c, const config_setting_t *s, const char *v, void *arg);

/* Compile the expanded text in c into a policy named path; NULL on any error. */
struct policy *compile_policy(struct ctx *c, const char *path);

/* --- devices (devices.c) ---------------------------------------------------- */

/* Whether any device names a vendor (then the registries are needed). */
bool devices_use_vendor(const config_setting_t *devs);
void compile_devices(struct ctx *c, struct policy *p, const config_setting_t *devs);

/* --- domain conditions (ruledomains.c) ------------------------------------ */

/*
 * The keys domain and domain_file of group (a rule, an identify hint) into
 * a new set *ds; neither key: *ds is left alone (NULL).
 */
void compile_domains(struct ctx *c, struct policy *p, struct domain_set **ds,
		     const config_setting_t *group);

/* --- a rule's window (schedule.c) ------------------------------------------ */

/* The key schedule of rule rs into r->sched (absent: r->has_schedule false). */
void compile_rule_schedule(struct ctx *c, struct rule *r, const config_setting_t *rs);

/* --- labels (labels.c) ----------------------------------------------------- */

/* The top-level key labels (absent: NULL), as compile.c's top-level keys are compiled. */
void compile_labels(struct ctx *c, struct policy *p, const config_setting_t *root,
		    const config_setting_t *labels);

/* --- identify hints (hints.c) ---------------------------------------------- */

/*
 * The top-level key identify_hints (absent: none), and what identify's
 * "dhcp" and "dns" need of it; after identify, as compile.c's top-level
 * keys are compiled.
 */
void compile_identify_hints(struct ctx *c, struct policy *p, const config_setting_t *root,
			    const config_setting_t *s);

/* --- identification (identify.c) -------------------------------------------- */

/* The MAC index of p's device groups.  0, or -ENOMEM. */
int mac_index_build(struct policy *p);

#endif
