/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lint.c - what `check` warns of in a policy that compiles: a rule that an
 * earlier one always decides first, a group no rule names while others are
 * named, two groups that take the same devices as specifically as each
 * other, a vendor string that matches unrelated organisations, and
 * addresses that are examples rather than a site's own.  Reads the
 * compiled policy only; warnings are "FILE:LINE: warning: message".
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#define LINT_MAX_PORTS 256 /* port lists compared range by range up to this */
#define LINT_MAX_ORGS 8	   /* organisations named in one warning */
#define PATH_MAX_WHERE (PATH_MAX + 16)
#define LINT_MAX_NEEDLES 256 /* vendor strings of one group looked at */

static void warn(struct policy_errors *w, const char *file, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void warn(struct policy_errors *w, const char *file, unsigned int line, const char *fmt, ...)
{
	char msg[768], *s;
	char **n;
	va_list ap;

	if (w->n >= POLICY_MAX_ERRORS) {
		w->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (asprintf(&s, "%s:%u: warning: %s", file ? file : "?", line, msg) < 0)
		return;
	n = realloc(w->lines, (w->n + 1) * sizeof(*n));
	if (!n) {
		free(s);
		return;
	}
	w->lines = n;
	w->lines[w->n++] = s;
}

/* "line N", or "FILE:N" when other is in another file than here. */
static void where(char *buf, size_t sz, const char *here, const char *other, unsigned int line)
{
	if (here && other && strcmp(here, other))
		snprintf(buf, sz, "%s:%u", other, line);
	else
		snprintf(buf, sz, "line %u", line);
}

/* --- shadowed rules ---------------------------------------------------------- */

static bool cidr_within(const struct cidr *outer, const struct cidr *inner)
{
	return outer->len <= inner->len && cidr_contains(outer, inner->family, inner->addr);
}

static bool cidr_overlaps(const struct cidr *a, const struct cidr *b)
{
	return cidr_within(a, b) || cidr_within(b, a);
}

static bool cidr_in_wan(const struct policy *p, const struct cidr *c)
{
	const struct network *nets[2] = { p->lan, p->router };
	size_t i, k;

	for (k = 0; k < 2; k++)
		for (i = 0; nets[k] && i < nets[k]->ncidrs; i++)
			if (cidr_overlaps(&nets[k]->cidrs[i], c))
				return false;
	return true;
}

/* Whether every destination rule b matches, rule a matches too. */
static bool to_covers(const struct policy *p, const struct rule *a, const struct rule *b)
{
	size_t i, k;

	if (a->to_flags & TO_ANY)
		return true;
	if (b->to_flags & TO_ANY)
		return false;
	if ((b->to_flags & TO_WAN) && !(a->to_flags & TO_WAN))
		return false;
	for (i = 0; i < b->nto; i++) {
		bool in = (a->to_flags & TO_WAN) && cidr_in_wan(p, &b->to[i]);

		for (k = 0; !in && k < a->nto; k++)
			in = cidr_within(&a->to[k], &b->to[i]);
		if (!in)
			return false;
	}
	return true;
}

static bool ports_cover(const struct rule *a, const struct rule *b)
{
	size_t i, k;

	if (a->nports == 0)
		return true;
	if (b->nports == 0 || a->nports > LINT_MAX_PORTS || b->nports > LINT_MAX_PORTS)
		return false;
	for (i = 0; i < b->nports; i++) {
		unsigned int lo = b->ports[i].lo;
		bool moved = true;

		/* walk b's range up through a's ranges */
		while (lo <= b->ports[i].hi && moved) {
			moved = false;
			for (k = 0; k < a->nports; k++) {
				if (a->ports[k].lo <= lo && lo <= a->ports[k].hi) {
					lo = a->ports[k].hi + 1u;
					moved = true;
					break;
				}
			}
		}
		if (lo <= b->ports[i].hi)
			return false;
	}
	return true;
}

static bool blocks(enum action a)
{
	return a == ACTION_DROP || a == ACTION_REJECT;
}

/* Whether every flow rule b matches is matched by a (which stands before it). */
static bool rule_covers(const struct policy *p, const struct rule *a, const struct rule *b)
{
	if (!a->from_any && (b->from_any || (b->from & ~a->from)))
		return false;
	if (a->proto && a->proto != b->proto)
		return false;
	if (!ports_cover(a, b) || !to_covers(p, a, b))
		return false;
	if (!a->domains)
		return true;
	/*
	 * A rule that allows is matched by the name a flow sends, one that
	 * blocks by any of its names and by an unknown one (evaluate.c): an
	 * allowing a covers no blocking b.
	 */
	return b->domains && (blocks(a->action) || !blocks(b->action)) &&
	       domain_set_covers(a->domains, b->domains);
}

static void lint_shadowed(const struct policy *p, struct policy_errors *w)
{
	char at[PATH_MAX_WHERE];
	size_t i, j;

	for (j = 1; j < p->nrules; j++) {
		const struct rule *b = &p->rules[j];

		for (i = 0; i < j; i++) {
			const struct rule *a = &p->rules[i];

			if (!rule_covers(p, a, b))
				continue;
			where(at, sizeof(at), b->file, a->file, a->line);
			warn(w, b->file, b->line,
			     "rule '%s' is never reached: rule '%s' (%s) comes first and matches "
			     "every flow it does%s",
			     b->name, a->name, at,
			     a->action == b->action ? "" : ", with another action");
			break;
		}
	}
}

/* --- groups ------------------------------------------------------------------ */

/* A group no rule names, in a policy whose rules name groups. */
static void lint_unused_groups(const struct policy *p, struct policy_errors *w)
{
	uint64_t named = 0;
	size_t i;

	for (i = 0; i < p->nrules; i++)
		named |= p->rules[i].from;
	if (!named)
		return; /* every rule is for every device: no group is forgotten */
	for (i = 0; i < p->ndevices; i++)
		if (!(named & (1ull << i)))
			warn(w, p->devices[i].file, p->devices[i].line,
			     "device group '%s' is in no rule's 'from': only the rules for every "
			     "device, then the default, decide its flows",
			     p->devices[i].name);
}

/* The specificity class of a MAC block: what policy_naming_group ranks it by. */
static int prefix_class(const struct group_prefix *g)
{
	return g->kind == MATCH_VENDOR ? 1 : 0;
}

struct overlap {
	unsigned int count;
	const char *kind;
	char example[64];
};

static void overlap_add(struct overlap *o, const char *kind, const char *example)
{
	if (!o->count++) {
		o->kind = kind;
		snprintf(o->example, sizeof(o->example), "%s", example);
	}
}

/* Every pair of groups with a block, address or interface in common, as specific in both. */
static void find_overlaps(const struct policy *p, struct overlap (*o)[POLICY_MAX_DEVICES])
{
	char buf[64];
	size_t i, j, a, b;

	for (i = 0; i < p->nmac_index; i = j) {
		for (j = i + 1; j < p->nmac_index && p->mac_index[j].key == p->mac_index[i].key;
		     j++)
			;
		for (a = i; a < j; a++) {
			for (b = a + 1; b < j; b++) {
				const struct mac_index_entry *x = &p->mac_index[a],
							     *y = &p->mac_index[b];

				if (x->group == y->group ||
				    prefix_class(x->prefix) != prefix_class(y->prefix))
					continue;
				oui_format(&x->prefix->prefix, buf, sizeof(buf));
				overlap_add(&o[x->group < y->group ? x->group : y->group]
					      [x->group < y->group ? y->group : x->group],
					    prefix_class(x->prefix) ? "by vendor" : "by MAC", buf);
			}
		}
	}
	for (a = 0; a < p->ndevices; a++) {
		const struct device_group *x = &p->devices[a];

		for (b = a + 1; b < p->ndevices; b++) {
			const struct device_group *y = &p->devices[b];

			for (i = 0; i < x->nips; i++)
				for (j = 0; j < y->nips; j++)
					if (x->ips[i].family == y->ips[j].family &&
					    x->ips[i].len == y->ips[j].len &&
					    !memcmp(x->ips[i].addr, y->ips[j].addr, 16)) {
						cidr_format(&x->ips[i], buf, sizeof(buf));
						overlap_add(&o[a][b], "by address", buf);
					}
			for (i = 0; i < x->nifaces; i++)
				for (j = 0; j < y->nifaces; j++)
					if (!strcmp(x->ifaces[i], y->ifaces[j]))
						overlap_add(&o[a][b], "by interface", x->ifaces[i]);
		}
	}
}

static void lint_overlaps(const struct policy *p, struct policy_errors *w)
{
	struct overlap(*o)[POLICY_MAX_DEVICES];
	char at[PATH_MAX_WHERE];
	size_t a, b;

	if (p->ndevices < 2)
		return;
	o = calloc(POLICY_MAX_DEVICES, sizeof(*o));
	if (!o)
		return;
	find_overlaps(p, o);
	for (a = 0; a < p->ndevices; a++) {
		for (b = a + 1; b < p->ndevices; b++) {
			const struct device_group *x = &p->devices[a], *y = &p->devices[b];
			char more[32] = "";

			if (!o[a][b].count)
				continue;
			if (o[a][b].count > 1)
				snprintf(more, sizeof(more), " (and %u more)", o[a][b].count - 1);
			where(at, sizeof(at), y->file, x->file, x->line);
			warn(w, y->file, y->line,
			     "device groups '%s' and '%s' (%s) both take %s%s %s, as specifically "
			     "as each other: '%s' names such a device (it comes first)",
			     y->name, x->name, at, o[a][b].example, more, o[a][b].kind, x->name);
		}
	}
	free(o);
}

/* --- vendor names -------------------------------------------------------------- */

/* An organisation's name without case, punctuation and the words every company has. */
static void org_key(const char *org, char *out, size_t sz)
{
	static const char *const common[] = {
		"co",	      "ltd",  "inc",	      "corp",	     "corporation", "company",
		"limited",    "llc",  "gmbh",	      "ag",	     "ab",	    "sa",
		"srl",	      "bv",   "pvt",	      "private",     "plc",	    "the",
		"technology", "tech", "technologies", "electronics", "electronic",  NULL,
	};
	size_t n = 0, i;
	char word[64];

	out[0] = '\0';
	while (*org) {
		size_t k = 0;

		while (*org && !isalnum((unsigned char)*org))
			org++;
		while (isalnum((unsigned char)*org)) {
			if (k + 1 < sizeof(word))
				word[k++] = (char)tolower((unsigned char)*org);
			org++;
		}
		word[k] = '\0';
		for (i = 0; k && common[i] && strcmp(word, common[i]); i++)
			;
		if (!k || common[i] || n + k + 2 > sz)
			continue;
		if (n)
			out[n++] = ' ';
		memcpy(out + n, word, k + 1);
		n += k;
	}
}

/*
 * Whether two keys name one organisation: one is the other, or its first
 * words ("zhejiang dahua" and "zhejiang dahua technologyco", a registry's
 * typo for "Technology Co.").
 */
static bool same_org(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), n = la < lb ? la : lb;

	if (memcmp(a, b, n))
		return false;
	return la == lb || (la > lb ? a : b)[n] == ' ';
}

size_t policy_vendor_orgs(const struct device_group *g, const char *needle, struct vendor_org *oc,
			  size_t max, size_t *more)
{
	size_t i, k, n = 0;
	char key[128];

	*more = 0;
	for (i = 0; i < g->nprefixes; i++) {
		const struct group_prefix *gp = &g->prefixes[i];

		if (gp->kind != MATCH_VENDOR || gp->needle != needle)
			continue;
		org_key(gp->org, key, sizeof(key));
		for (k = 0; k < n && !same_org(oc[k].key, key); k++)
			;
		if (k == n) {
			if (n == max) {
				(*more)++;
				continue;
			}
			snprintf(oc[n].key, sizeof(oc[n].key), "%s", key);
			oc[n].org = gp->org;
			oc[n].prefixes = 0;
			n++;
		}
		oc[k].prefixes++;
	}
	return n;
}

size_t policy_group_vendors(const struct device_group *g, const char **out, size_t max)
{
	size_t i, k, n = 0;

	for (i = 0; i < g->nprefixes && n < max; i++) {
		if (g->prefixes[i].kind != MATCH_VENDOR)
			continue;
		for (k = 0; k < n && out[k] != g->prefixes[i].needle; k++)
			;
		if (k == n)
			out[n++] = g->prefixes[i].needle;
	}
	return n;
}

static void lint_vendors(const struct policy *p, struct policy_errors *w)
{
	const char *needles[LINT_MAX_NEEDLES];
	struct vendor_org oc[LINT_MAX_ORGS];
	size_t d, i, k, n, nn, more;

	for (d = 0; d < p->ndevices; d++) {
		const struct device_group *g = &p->devices[d];

		nn = policy_group_vendors(g, needles, LINT_MAX_NEEDLES);
		for (i = 0; i < nn; i++) {
			char list[1024];
			size_t len = 0;

			if ((n = policy_vendor_orgs(g, needles[i], oc, LINT_MAX_ORGS, &more)) < 2)
				continue;
			for (k = 0; k < n && len < sizeof(list); k++)
				len += (size_t)snprintf(list + len, sizeof(list) - len,
							"%s\"%s\" (%u prefix%s)", k ? ", " : "",
							oc[k].org, oc[k].prefixes,
							oc[k].prefixes == 1 ? "" : "es");
			warn(w, g->file, g->line,
			     "vendor \"%s\" of device group '%s' matches %zu%s organisations: %s%s; if "
			     "one is not the one you mean, give more of its name (or use oui)",
			     needles[i], g->name, n, more ? " or more" : "", list,
			     more ? ", ..." : "");
		}
	}
}

/* --- addresses ------------------------------------------------------------------ */

static const char *const documentation_ranges[] = {
	"192.0.2.0/24",
	"198.51.100.0/24",
	"203.0.113.0/24",
	"2001:db8::/32",
};

/* "RFC 5737"/"RFC 3849" when c lies in a documentation range, else NULL. */
static const char *documentation(const struct cidr *c)
{
	struct cidr r;
	size_t i;

	for (i = 0; i < sizeof(documentation_ranges) / sizeof(documentation_ranges[0]); i++)
		if (cidr_parse(documentation_ranges[i], &r) == 0 && cidr_within(&r, c))
			return r.family == 4 ? "RFC 5737" : "RFC 3849";
	return NULL;
}

/* Whether network n holds exactly the addresses of the shipped example ex (n of them). */
static bool shipped_example(const struct network *n, const char *const *ex, size_t nex)
{
	struct cidr c;
	size_t i;

	if (!n || n->ncidrs != nex)
		return false;
	for (i = 0; i < nex; i++)
		if (cidr_parse(ex[i], &c) || memcmp(&n->cidrs[i], &c, sizeof(c)))
			return false;
	return true;
}

/* A warning for each documentation address of what (a network or a group) name. */
static void documentation_in(struct policy_errors *w, const char *file, unsigned int line,
			     const char *what, const char *name, const struct cidr *c, size_t n)
{
	const char *rfc;
	char buf[64];
	size_t k;

	for (k = 0; k < n; k++) {
		if (!(rfc = documentation(&c[k])))
			continue;
		cidr_format(&c[k], buf, sizeof(buf));
		warn(w, file, line,
		     "%s '%s' holds %s, a documentation address (%s): an example left in?", what,
		     name, buf, rfc);
	}
}

static void lint_addresses(const struct policy *p, struct policy_errors *w)
{
	static const char *const router[] = { "192.168.1.1", "fe80::1" };
	static const char *const nvr[] = { "192.168.10.5" };
	size_t i;

	if (shipped_example(p->router, router, 2))
		warn(w, p->router->file, p->router->line,
		     "networks.router is still the shipped example (192.168.1.1, fe80::1): put "
		     "the router's own addresses there (DHCP, DNS and NTP are allowed only to "
		     "them)");
	for (i = 0; i < p->nnetworks; i++)
		if (!strcmp(p->networks[i].name, "nvr") && shipped_example(&p->networks[i], nvr, 1))
			warn(w, p->networks[i].file, p->networks[i].line,
			     "networks.nvr is still strict.conf's example (192.168.10.5): put your "
			     "NVR's addresses there");
	for (i = 0; i < p->nnetworks; i++)
		documentation_in(w, p->networks[i].file, p->networks[i].line, "network",
				 p->networks[i].name, p->networks[i].cidrs, p->networks[i].ncidrs);
	for (i = 0; i < p->ndevices; i++)
		documentation_in(w, p->devices[i].file, p->devices[i].line, "device group",
				 p->devices[i].name, p->devices[i].ips, p->devices[i].nips);
}

/* Where warning s is: its file's index in p->files (the order read) and line, as one key. */
static unsigned long long warning_pos(const struct policy *p, const char *s)
{
	size_t i, best = p->nfiles, blen = 0;

	for (i = 0; i < p->nfiles; i++) {
		size_t n = strlen(p->files[i]);

		if (n >= blen && !strncmp(s, p->files[i], n) && s[n] == ':') {
			best = i;
			blen = n;
		}
	}
	return (unsigned long long)best << 32 | strtoul(s + blen + 1, NULL, 10);
}

void policy_lint(const struct policy *p, struct policy_errors *w)
{
	size_t i, j;

	memset(w, 0, sizeof(*w));
	lint_shadowed(p, w);
	lint_unused_groups(p, w);
	lint_overlaps(p, w);
	lint_vendors(p, w);
	lint_addresses(p, w);
	/* in the order of the text, as errors are (stable: few lines) */
	for (i = 1; i < w->n; i++) {
		char *s = w->lines[i];
		unsigned long long pos = warning_pos(p, s);

		for (j = i; j > 0 && warning_pos(p, w->lines[j - 1]) > pos; j--)
			w->lines[j] = w->lines[j - 1];
		w->lines[j] = s;
	}
}
