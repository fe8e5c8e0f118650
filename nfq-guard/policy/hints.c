/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hints.c - the top-level key identify_hints: for each camera vendor, the
 * DHCP host names, vendor classes and parameter request lists its cameras
 * send and the domains they look up, which identify's "dhcp" and "dns"
 * signals need (engine/hints.c scores a host against them).  Not to be
 * confused with hint.c, the compiler's guesses at what an admin meant.
 */
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"

static const char *const hint_keys[] = {
	"vendor", "dhcp_hostname", "dhcp_vendor_class", "dhcp_parameters", "domain", "domain_file",
	NULL
};

/* What a pattern list is and where its patterns go. */
struct pattern_list {
	const char *key;
	const char *hint;
	char (*v)[POLICY_HINT_PATTERN_MAX];
	size_t n;
};

/*
 * A text pattern: printable ASCII (as the escaped DHCP text it is matched
 * against), shorter than that text's field, and at least 3 characters
 * besides '*': "*" or "a*" would take ordinary hosts for cameras.
 */
static int add_text_pattern(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct pattern_list *l = arg;
	size_t i, n = strlen(v), literal = 0;
	char(*grown)[POLICY_HINT_PATTERN_MAX];

	for (i = 0; i < n; i++) {
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e) {
			err_set(c, s, "identify_hints.%s: %s pattern: printable ASCII only",
				l->hint, l->key);
			return -EINVAL;
		}
		literal += v[i] != '*';
	}
	if (n >= POLICY_HINT_PATTERN_MAX) {
		err_set(c, s,
			"identify_hints.%s: %s '%s' is longer than the %d characters of the "
			"DHCP text it is matched against",
			l->hint, l->key, v, POLICY_HINT_PATTERN_MAX - 1);
		return -EINVAL;
	}
	if (literal < 3) {
		err_set(c, s,
			"identify_hints.%s: %s '%s' would match almost anything: give it at "
			"least 3 characters besides '*'",
			l->hint, l->key, v);
		return -EINVAL;
	}
	if (l->n >= POLICY_HINT_PATTERNS_MAX) {
		err_set(c, s, "identify_hints.%s: more than %d %s patterns", l->hint,
			POLICY_HINT_PATTERNS_MAX, l->key);
		return -E2BIG;
	}
	grown = array_grow(l->v, l->n, sizeof(*l->v));
	if (!grown)
		return -ENOMEM;
	l->v = grown;
	memcpy(l->v[l->n++], v, n + 1);
	return 0;
}

struct params_list {
	const char *hint;
	struct hint_params *v;
	size_t n;
};

/* "1,3,6,12,15,28,42": option numbers 1 to 254 (0 and 255 are no options), blanks allowed. */
static bool parse_params(const char *v, struct hint_params *out)
{
	const char *s = v;

	out->n = 0;
	for (;;) {
		unsigned int x = 0, digits = 0;

		while (*s == ' ')
			s++;
		while (*s >= '0' && *s <= '9' && digits < 4) {
			x = x * 10 + (unsigned int)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || x < 1 || x > 254 ||
		    out->n == POLICY_HINT_PARAMS_MAX)
			return false;
		out->v[out->n++] = (uint8_t)x;
		while (*s == ' ')
			s++;
		if (*s == '\0')
			return true;
		if (*s++ != ',')
			return false;
	}
}

static int add_params(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct params_list *l = arg;
	struct hint_params hp, *grown;

	if (!parse_params(v, &hp)) {
		err_set(c, s,
			"identify_hints.%s: dhcp_parameters '%s': 1 to %d option numbers (1-254) "
			"separated by commas, in the order the client sends them, as "
			"\"1,3,6,12,15,28,42\"",
			l->hint, v, POLICY_HINT_PARAMS_MAX);
		return -EINVAL;
	}
	if (l->n >= POLICY_HINT_PATTERNS_MAX) {
		err_set(c, s, "identify_hints.%s: more than %d dhcp_parameters lists", l->hint,
			POLICY_HINT_PATTERNS_MAX);
		return -E2BIG;
	}
	grown = array_grow(l->v, l->n, sizeof(*l->v));
	if (!grown)
		return -ENOMEM;
	l->v = grown;
	l->v[l->n++] = hp;
	return 0;
}

/* Printable ASCII but quotes and backslashes, 3 to FOUND_VENDOR_MAX - 1 bytes, no outer blanks. */
static bool valid_vendor(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 3 || n >= FOUND_VENDOR_MAX || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e || s[i] == '"' ||
		    s[i] == '\\')
			return false;
	return true;
}

static void hint_vendor(struct ctx *c, struct identify_hint *h, const config_setting_t *s)
{
	const char *v;

	if (!setting_get_string(c, s, "vendor", &v)) {
		if (!config_setting_get_member(s, "vendor"))
			err_set(c, s,
				"identify_hints.%s has no vendor: name what the hosts it identifies "
				"are found as (vendor = \"Hikvision\";)",
				h->name);
		return;
	}
	if (!valid_vendor(v)) {
		err_set(c, config_setting_get_member(s, "vendor"),
			"identify_hints.%s: vendor '%s': 3 to %d printable characters, no quotes "
			"or backslashes, no leading or trailing space",
			h->name, v, FOUND_VENDOR_MAX - 1);
		return;
	}
	snprintf(h->vendor, sizeof(h->vendor), "%s", v);
}

/* The string list key of s through fn; an empty one is an error. */
static void hint_list(struct ctx *c, const config_setting_t *s, const char *key, string_fn fn,
		      void *arg)
{
	const config_setting_t *k = config_setting_get_member(s, key);

	if (k && setting_each_string(c, k, key, fn, arg) == 0 && !c->include_failed)
		err_set(c, k, "'%s' has no patterns: add some, or remove the key", key);
}

/* What the keys say together: something to match, and no corroboration alone. */
static void hint_meaning(struct ctx *c, const struct identify_hint *h, const config_setting_t *s)
{
	bool hostname = config_setting_get_member(s, "dhcp_hostname") != NULL;
	bool domains = config_setting_get_member(s, "domain") ||
		       config_setting_get_member(s, "domain_file");

	if (!hostname && (config_setting_get_member(s, "dhcp_vendor_class") ||
			  config_setting_get_member(s, "dhcp_parameters")))
		/* a vendor class or parameter list names a DHCP client, not a maker */
		err_set(c, s,
			"identify_hints.%s: dhcp_vendor_class and dhcp_parameters count only "
			"beside a dhcp_hostname match (devices of every kind share a DHCP "
			"client): add dhcp_hostname",
			h->name);
	else if (!hostname && !domains)
		err_set(c, s,
			"identify_hints.%s matches nothing: give it dhcp_hostname or domain_file",
			h->name);
}

static void compile_hint(struct ctx *c, struct policy *p, const config_setting_t *s)
{
	struct identify_hint *h = &p->hints[p->nhints];
	const char *name = config_setting_name(s);
	struct pattern_list hosts = { .key = "dhcp_hostname", .hint = name };
	struct pattern_list classes = { .key = "dhcp_vendor_class", .hint = name };
	struct params_list params = { .hint = name };
	bool keys_ok;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		err_set(c, s, "identify_hints.%s must be a group { vendor = \"...\"; ... }", name);
		return;
	}
	if (!policy_valid_name(name)) {
		err_set(c, s, "identify_hints: name '%s': use letters, digits, '-', '_' and '.'",
			name);
		return;
	}
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", name);
	ctx_locate(c, p, s, &h->file, &h->line, &h->xline);
	keys_ok = setting_check_keys(c, s, hint_keys, "an identify hint");
	hint_vendor(c, h, s);
	hint_list(c, s, "dhcp_hostname", add_text_pattern, &hosts);
	hint_list(c, s, "dhcp_vendor_class", add_text_pattern, &classes);
	hint_list(c, s, "dhcp_parameters", add_params, &params);
	h->hostnames = hosts.v;
	h->nhostnames = hosts.n;
	h->vendor_classes = classes.v;
	h->nvendor_classes = classes.n;
	h->params = params.v;
	h->nparams = params.n;
	compile_domains(c, p, &h->domains, s);
	if (keys_ok)
		hint_meaning(c, h, s);
	p->nhints++;
}

/* The element of identify (a string, or a list of them) that is word. */
static const config_setting_t *identify_word(const config_setting_t *id, const char *word)
{
	int i, n;

	if (config_setting_type(id) == CONFIG_TYPE_STRING)
		return id;
	n = config_setting_length(id);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(id, (unsigned int)i);

		if (config_setting_type(e) == CONFIG_TYPE_STRING &&
		    !strcmp(config_setting_get_string(e), word))
			return e;
	}
	return id;
}

/* identify's "dhcp" and "dns" need a hint that can match what they read. */
static void identify_needs(struct ctx *c, const struct policy *p, const config_setting_t *root)
{
	static const struct {
		unsigned int bit;
		const char *word, *what;
	} needs[] = {
		{ IDENTIFY_DHCP, "dhcp", "dhcp_hostname" },
		{ IDENTIFY_DNS, "dns", "domain_file" },
	};
	const config_setting_t *id = config_setting_get_member(root, "identify");
	size_t i, j;

	for (i = 0; id && i < sizeof(needs) / sizeof(needs[0]); i++) {
		bool have = false;

		if (!(p->identify & needs[i].bit))
			continue;
		for (j = 0; j < p->nhints; j++)
			have |= needs[i].bit == IDENTIFY_DHCP ? p->hints[j].nhostnames > 0 :
								p->hints[j].domains != NULL;
		if (!have)
			err_set(c, identify_word(id, needs[i].word),
				"identify: \"%s\" needs identify_hints with %s (see "
				"policies/identify-hints.conf)",
				needs[i].word, needs[i].what);
	}
}

void compile_identify_hints(struct ctx *c, struct policy *p, const config_setting_t *root,
			    const config_setting_t *s)
{
	size_t errors = c->errs->n + c->errs->dropped;
	int i, n;

	if (s && config_setting_type(s) != CONFIG_TYPE_GROUP) {
		err_set(c, s,
			"'identify_hints' must be a group { name = { vendor = \"...\"; ... }; }");
		return;
	}
	if (s) {
		n = config_setting_length(s);
		if (n > POLICY_MAX_HINTS) {
			err_set(c, s, "%d identify_hints, more than %d", n, POLICY_MAX_HINTS);
			return;
		}
		p->hints = calloc((size_t)n + 1, sizeof(*p->hints));
		if (!p->hints) {
			c->failed = true;
			return;
		}
		for (i = 0; i < n; i++)
			compile_hint(c, p, config_setting_get_elem(s, (unsigned int)i));
	}
	/* a hint with an error may be the one that was needed: that error says it */
	if (c->errs->n + c->errs->dropped == errors)
		identify_needs(c, p, root);
}
