/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lint.c - what `check` warns of in a policy that compiles: a rule that an
 * earlier one always decides first, a group no rule names while others are
 * named, two groups that take the same devices as specifically as each
 * other, a vendor string that matches unrelated organisations,
 * addresses that are examples rather than a site's own, and an identify
 * hint whose vendor no group names.  Reads the
 * compiled policy only; warnings are "FILE:LINE: warning: message", in the
 * order of the text.  The work is bounded: comparing every pair of rules
 * stops after LINT_STEPS steps, and says so.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#define LINT_MAX_KEPT 10000    /* warnings kept before sorting; the rest are counted */
#define LINT_STEPS 20000000ull /* work allowed for comparing the rules pairwise */
#define LINT_MAX_ORGS 8	       /* organisations named in one warning */
#define LINT_MAX_NEEDLES 256   /* vendor strings of one group looked at */
#define PATH_MAX_WHERE (PATH_MAX + 16)

/* A warning, and where it sorts: the expanded line of what it is about. */
struct warning {
	unsigned int pos;
	size_t seq;
	char *text;
};

struct lint {
	const struct policy *p;
	struct warning *v;
	size_t n, cap;
	size_t dropped;		  /* past LINT_MAX_KEPT */
	unsigned long long steps; /* left for comparing the rules pairwise */
};

static void warn(struct lint *l, unsigned int pos, const char *file, unsigned int line,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void warn(struct lint *l, unsigned int pos, const char *file, unsigned int line,
		 const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	if (l->n >= LINT_MAX_KEPT) {
		l->dropped++;
		return;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct warning *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->dropped++;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (asprintf(&l->v[l->n].text, "%s:%u: warning: %s", file ? file : "?", line, msg) < 0) {
		l->dropped++;
		return;
	}
	l->v[l->n].pos = pos;
	l->v[l->n].seq = l->n;
	l->n++;
}

/* n steps of the pairwise comparison spent (none left: it stops). */
static void spend(struct lint *l, unsigned long long n)
{
	l->steps -= n < l->steps ? n : l->steps;
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

static bool cidr_in_wan(struct lint *l, const struct cidr *c)
{
	const struct network *nets[2] = { l->p->lan, l->p->router };
	size_t i, k;

	for (k = 0; k < 2; k++) {
		if (!nets[k])
			continue;
		spend(l, nets[k]->ncidrs);
		for (i = 0; i < nets[k]->ncidrs; i++)
			if (cidr_overlaps(&nets[k]->cidrs[i], c))
				return false;
	}
	return true;
}

/* Whether every destination rule b matches, rule a matches too. */
static bool to_covers(struct lint *l, const struct rule *a, const struct rule *b)
{
	size_t i, k;

	if (a->to_flags & TO_ANY)
		return true;
	if (b->to_flags & TO_ANY)
		return false;
	if ((b->to_flags & TO_WAN) && !(a->to_flags & TO_WAN))
		return false;
	for (i = 0; i < b->nto && l->steps; i++) {
		bool in = (a->to_flags & TO_WAN) && cidr_in_wan(l, &b->to[i]);

		spend(l, a->nto);
		for (k = 0; !in && k < a->nto; k++)
			in = cidr_within(&a->to[k], &b->to[i]);
		if (!in)
			return false;
	}
	return l->steps > 0;
}

/* A rule's ports as sorted, merged ranges (for a linear comparison). */
struct spans {
	struct port_range *v;
	size_t n;
};

static int range_cmp(const void *x, const void *y)
{
	const struct port_range *a = x, *b = y;

	return a->lo != b->lo ? (a->lo < b->lo ? -1 : 1) : (a->hi > b->hi) - (a->hi < b->hi);
}

static int spans_of(const struct rule *r, struct spans *out)
{
	size_t i, n = 0;

	out->n = 0;
	out->v = NULL;
	if (!r->nports)
		return 0;
	out->v = malloc(r->nports * sizeof(*out->v));
	if (!out->v)
		return -1;
	memcpy(out->v, r->ports, r->nports * sizeof(*out->v));
	qsort(out->v, r->nports, sizeof(*out->v), range_cmp);
	for (i = 1; i < r->nports; i++) {
		if ((unsigned int)out->v[i].lo <= (unsigned int)out->v[n].hi + 1u) {
			if (out->v[i].hi > out->v[n].hi)
				out->v[n].hi = out->v[i].hi;
		} else {
			out->v[++n] = out->v[i];
		}
	}
	out->n = n + 1;
	return 0;
}

/* Whether a's ports take every port of b's (none: every port). */
static bool ports_cover(struct lint *l, const struct spans *a, const struct spans *b)
{
	size_t i, k = 0;

	if (a->n == 0)
		return true;
	if (b->n == 0)
		return false;
	spend(l, a->n + b->n);
	for (i = 0; i < b->n; i++) {
		while (k < a->n && a->v[k].hi < b->v[i].lo)
			k++;
		if (k == a->n || a->v[k].lo > b->v[i].lo || a->v[k].hi < b->v[i].hi)
			return false;
	}
	return true;
}

/* Whether every flow rule b matches is matched by a (which stands before it). */
static bool rule_covers(struct lint *l, const struct rule *a, const struct spans *pa,
			const struct rule *b, const struct spans *pb)
{
	if (!a->from_any && (b->from_any || (b->from & ~a->from)))
		return false;
	/* a window covers only a rule with the same window */
	if (a->has_schedule && (!b->has_schedule || a->sched.days != b->sched.days ||
				a->sched.from != b->sched.from || a->sched.to != b->sched.to))
		return false;
	if (a->proto && a->proto != b->proto)
		return false;
	if (!ports_cover(l, pa, pb) || !to_covers(l, a, b))
		return false;
	if (!a->domains)
		return true;
	/*
	 * A rule that allows is matched by the name a flow sends, one that
	 * blocks by any of its names and by an unknown one (evaluate.c): an
	 * allowing a covers no blocking b.
	 */
	if (!b->domains || !(action_blocks(a->action) || !action_blocks(b->action)))
		return false;
	spend(l, domain_set_count(b->domains));
	return domain_set_covers(a->domains, b->domains);
}

static void shadowed_one(struct lint *l, const struct rule *a, const struct rule *b)
{
	char at[PATH_MAX_WHERE];

	where(at, sizeof(at), b->file, a->file, a->line);
	if (action_strictness(b->action) > action_strictness(a->action) &&
	    action_strictness(b->action) > action_strictness(l->p->dflt))
		warn(l, b->xline, b->file, b->line,
		     "rule '%s' is never reached by a flow: rule '%s' (%s) comes first and "
		     "matches every flow it does, with another action; it still gives its "
		     "verdict to the packets of its devices that do not decode (the strictest "
		     "rule decides those)",
		     b->name, a->name, at);
	else
		warn(l, b->xline, b->file, b->line,
		     "rule '%s' is never reached: rule '%s' (%s) comes first and matches every "
		     "flow it does%s",
		     b->name, a->name, at, a->action == b->action ? "" : ", with another action");
}

static void lint_shadowed(struct lint *l)
{
	const struct policy *p = l->p;
	struct spans *ports;
	size_t i, j;

	ports = calloc(p->nrules ? p->nrules : 1, sizeof(*ports));
	if (!ports)
		return;
	for (i = 0; i < p->nrules; i++)
		if (spans_of(&p->rules[i], &ports[i]))
			goto out;
	for (j = 1; j < p->nrules; j++) {
		const struct rule *b = &p->rules[j];

		for (i = 0; i < j && l->steps; i++, l->steps--) {
			if (rule_covers(l, &p->rules[i], &ports[i], b, &ports[j])) {
				shadowed_one(l, &p->rules[i], b);
				break;
			}
		}
		if (!l->steps) {
			warn(l, b->xline, b->file, b->line,
			     "the search for rules never reached stopped at rule '%s': too many "
			     "rules, ports, destinations or names to compare every pair",
			     b->name);
			break;
		}
	}
out:
	for (i = 0; i < p->nrules; i++)
		free(ports[i].v);
	free(ports);
}

/* --- groups ------------------------------------------------------------------ */

/* A group no rule names, in a policy whose rules name groups. */
static void lint_unused_groups(struct lint *l)
{
	const struct policy *p = l->p;
	uint64_t named = 0;
	size_t i;

	for (i = 0; i < p->nrules; i++)
		named |= p->rules[i].from;
	if (!named)
		return; /* every rule is for every device: no group is forgotten */
	for (i = 0; i < p->ndevices; i++)
		if (!(named & (1ull << i)))
			warn(l, p->devices[i].xline, p->devices[i].file, p->devices[i].line,
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

static void overlap_add(struct overlap (*o)[POLICY_MAX_DEVICES], size_t a, size_t b,
			const char *kind, const char *example)
{
	struct overlap *x = a < b ? &o[a][b] : &o[b][a];

	if (!x->count++) {
		x->kind = kind;
		snprintf(x->example, sizeof(x->example), "%s", example);
	}
}

/* An address prefix or an interface of a group, for finding the same in two. */
struct selector {
	const struct cidr *cidr; /* or */
	const char *iface;
	size_t group;
};

static int selector_cmp(const void *x, const void *y)
{
	const struct selector *a = x, *b = y;
	int d;

	if (a->cidr && b->cidr) {
		d = memcmp(a->cidr, b->cidr, sizeof(*a->cidr));
		if (d)
			return d;
	} else if (a->cidr || b->cidr) {
		return a->cidr ? -1 : 1;
	} else if ((d = strcmp(a->iface, b->iface))) {
		return d;
	}
	return (a->group > b->group) - (a->group < b->group);
}

static bool selector_same(const struct selector *a, const struct selector *b)
{
	return a->cidr ? b->cidr && !memcmp(a->cidr, b->cidr, sizeof(*a->cidr)) :
			 !b->cidr && !strcmp(a->iface, b->iface);
}

/* Groups' addresses and interfaces in common: sorted once, then runs of equals. */
static void selector_overlaps(const struct policy *p, struct overlap (*o)[POLICY_MAX_DEVICES])
{
	struct selector *v;
	size_t n = 0, g, i, j, a, b;
	char buf[64];

	for (g = 0; g < p->ndevices; g++)
		n += p->devices[g].nips + p->devices[g].nifaces;
	if (!n || !(v = calloc(n, sizeof(*v))))
		return;
	n = 0;
	for (g = 0; g < p->ndevices; g++) {
		for (i = 0; i < p->devices[g].nips; i++)
			v[n++] = (struct selector){ .cidr = &p->devices[g].ips[i], .group = g };
		for (i = 0; i < p->devices[g].nifaces; i++)
			v[n++] = (struct selector){ .iface = p->devices[g].ifaces[i], .group = g };
	}
	qsort(v, n, sizeof(*v), selector_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && selector_same(&v[i], &v[j]); j++)
			;
		/* one entry a group (a group may list a selector twice): at most 64 */
		for (a = i; a < j; a++) {
			if (a > i && v[a].group == v[a - 1].group)
				continue;
			for (b = a + 1; b < j; b++) {
				if (v[b].group == v[b - 1].group)
					continue;
				if (v[a].cidr)
					cidr_format(v[a].cidr, buf, sizeof(buf));
				overlap_add(o, v[a].group, v[b].group,
					    v[a].cidr ? "by address" : "by interface",
					    v[a].cidr ? buf : v[a].iface);
			}
		}
	}
	free(v);
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
				overlap_add(o, x->group, y->group,
					    prefix_class(x->prefix) ? "by vendor" : "by MAC", buf);
			}
		}
	}
	selector_overlaps(p, o);
}

static void lint_overlaps(struct lint *l)
{
	const struct policy *p = l->p;
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
			warn(l, y->xline, y->file, y->line,
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

static void lint_vendors(struct lint *l)
{
	const char *needles[LINT_MAX_NEEDLES];
	struct vendor_org oc[LINT_MAX_ORGS];
	size_t d, i, k, n, nn, more;

	for (d = 0; d < l->p->ndevices; d++) {
		const struct device_group *g = &l->p->devices[d];

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
			warn(l, g->xline, g->file, g->line,
			     "vendor \"%s\" of device group '%s' matches %s%zu organisations: %s%s; "
			     "if one is not the one you mean, give more of its name (or use oui)",
			     needles[i], g->name, more ? "more than " : "", n, list,
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
static void documentation_in(struct lint *l, unsigned int pos, const char *file, unsigned int line,
			     const char *what, const char *name, const struct cidr *c, size_t n)
{
	const char *rfc;
	char buf[64];
	size_t k;

	for (k = 0; k < n; k++) {
		if (!(rfc = documentation(&c[k])))
			continue;
		cidr_format(&c[k], buf, sizeof(buf));
		warn(l, pos, file, line,
		     "%s '%s' holds %s, a documentation address (%s): an example left in?", what,
		     name, buf, rfc);
	}
}

static void lint_addresses(struct lint *l)
{
	static const char *const router[] = { "192.168.1.1", "fe80::1" };
	static const char *const nvr[] = { "192.168.10.5" };
	const struct policy *p = l->p;
	size_t i;

	if (shipped_example(p->router, router, 2))
		warn(l, p->router->xline, p->router->file, p->router->line,
		     "networks.router is still the shipped example (192.168.1.1, fe80::1): put "
		     "the router's own addresses there (DHCP, DNS and NTP are allowed only to "
		     "them)");
	for (i = 0; i < p->nnetworks; i++)
		if (!strcmp(p->networks[i].name, "nvr") && shipped_example(&p->networks[i], nvr, 1))
			warn(l, p->networks[i].xline, p->networks[i].file, p->networks[i].line,
			     "networks.nvr is still strict.conf's example (192.168.10.5): put your "
			     "NVR's addresses there");
	for (i = 0; i < p->nnetworks; i++)
		documentation_in(l, p->networks[i].xline, p->networks[i].file, p->networks[i].line,
				 "network", p->networks[i].name, p->networks[i].cidrs,
				 p->networks[i].ncidrs);
	for (i = 0; i < p->ndevices; i++)
		documentation_in(l, p->devices[i].xline, p->devices[i].file, p->devices[i].line,
				 "device group", p->devices[i].name, p->devices[i].ips,
				 p->devices[i].nips);
}

/*
 * An identify hint whose vendor no group's vendor string names: a host it
 * identifies is found, and joins no group (policy_identify, MATCH_FOUND).
 */
static void lint_hints(struct lint *l)
{
	const struct policy *p = l->p;
	size_t i;

	for (i = 0; i < p->nhints; i++) {
		const struct identify_hint *h = &p->hints[i];
		struct device_key k = { .found_by = FOUND_DHCP };

		snprintf(k.found_vendor, sizeof(k.found_vendor), "%s", h->vendor);
		if (!policy_identify(p, &k, NULL))
			warn(l, h->xline, h->file, h->line,
			     "identify_hints.%s: no device group's vendor names '%s': a host it "
			     "identifies joins no group, and nothing filters it",
			     h->name, h->vendor);
	}
}

static int warning_cmp(const void *x, const void *y)
{
	const struct warning *a = x, *b = y;

	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

void policy_lint(const struct policy *p, struct policy_errors *w)
{
	struct lint l = { .p = p, .steps = LINT_STEPS };
	size_t i;

	memset(w, 0, sizeof(*w));
	lint_shadowed(&l);
	lint_unused_groups(&l);
	lint_overlaps(&l);
	lint_vendors(&l);
	lint_addresses(&l);
	lint_hints(&l);
	/* in the order of the text, as errors are; then the first POLICY_MAX_ERRORS */
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), warning_cmp);
	w->dropped = l.dropped;
	w->lines = calloc(l.n ? l.n : 1, sizeof(*w->lines));
	for (i = 0; i < l.n; i++) {
		if (w->lines && w->n < POLICY_MAX_ERRORS)
			w->lines[w->n++] = l.v[i].text;
		else {
			free(l.v[i].text);
			w->dropped++;
		}
	}
	free(l.v);
}
