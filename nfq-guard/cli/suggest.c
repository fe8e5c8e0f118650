/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * suggest.c - suggested allow rules, inserted into the policy's own text
 * (see suggest.h).  Every string that came from the input is escaped by
 * learnset.c before it is kept, so a name or label cannot end a comment or
 * a string of the policy; what suggest.c writes itself is addresses it
 * formats, group names the policy holds, numbers and rule names it makes.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "base/proto.h"
#include "print/format.h"
#include "cli/suggest.h"

static size_t skip_line(const char *t, size_t n, size_t i)
{
	while (i < n && t[i] != '\n')
		i++;
	return i;
}

/* Past white space and comments (#, //, slash-star) from i. */
static size_t skip_space(const char *t, size_t n, size_t i)
{
	for (;;) {
		while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r' ||
				 t[i] == '\f' || t[i] == '\v'))
			i++;
		if (i < n && t[i] == '#') {
			i = skip_line(t, n, i);
		} else if (i + 1 < n && t[i] == '/' && t[i + 1] == '/') {
			i = skip_line(t, n, i);
		} else if (i + 1 < n && t[i] == '/' && t[i + 1] == '*') {
			for (i += 2; i + 1 < n && !(t[i] == '*' && t[i + 1] == '/'); i++)
				;
			i = i + 1 < n ? i + 2 : n;
		} else {
			return i;
		}
	}
}

/* Past the string that opens at i. */
static size_t skip_string(const char *t, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (t[i] == '\\')
			i++;
		else if (t[i] == '"')
			return i + 1;
	}
	return n;
}

static bool name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*';
}

static bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* After the setting name "rules" ending at i: where its list opens, or 0. */
static size_t rules_list(const char *t, size_t n, size_t i)
{
	i = skip_space(t, n, i);
	if (i >= n || (t[i] != '=' && t[i] != ':'))
		return 0;
	i = skip_space(t, n, i + 1);
	return i < n && t[i] == '(' ? i + 1 : 0;
}

enum suggest_status suggest_find_rules(const char *t, size_t n, size_t *at, bool *empty)
{
	bool include = false;
	size_t i = 0, s, open;
	int depth = 0;

	while ((i = skip_space(t, n, i)) < n) {
		char c = t[i];

		if (c == '"') {
			i = skip_string(t, n, i);
		} else if (c == '@') {
			include |= depth == 0;
			i = skip_line(t, n, i);
		} else if (c == '{' || c == '(' || c == '[') {
			depth++;
			i++;
		} else if (c == '}' || c == ')' || c == ']') {
			depth -= depth > 0;
			i++;
		} else if (name_start(c)) {
			for (s = i; i < n && name_char(t[i]); i++)
				;
			if (depth == 0 && i - s == 5 && !memcmp(t + s, "rules", 5) &&
			    (open = rules_list(t, n, i))) {
				*at = open;
				s = skip_space(t, n, open);
				*empty = s < n && t[s] == ')';
				return SUGGEST_OK;
			}
		} else {
			i++;
		}
	}
	return include ? SUGGEST_INCLUDED : SUGGEST_NO_RULES;
}

const char *learn_where(const struct policy *p, uint8_t family, const uint8_t *addr)
{
	if (p->router && cidr_list_contains(p->router->cidrs, p->router->ncidrs, family, addr))
		return "router";
	if (p->lan && cidr_list_contains(p->lan->cidrs, p->lan->ncidrs, family, addr))
		return "lan";
	return "wan";
}

/* One destination of one device, as a suggestion sees it. */
struct entry {
	const char *group;
	const struct learn_device *dev;
	const struct learn_dest *t;
	uint8_t proto; /* ICMPv6 as ICMP: a rule's "icmp" covers both */
	bool blocked;  /* a rule of the policy (not its default) dropped or rejected flows to it */
};

static int cmp_entry(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c;

	if ((c = strcmp(a->group, b->group)))
		return c;
	if (a->t->family != b->t->family)
		return a->t->family < b->t->family ? -1 : 1;
	if ((c = memcmp(a->t->dst, b->t->dst, 16)))
		return c;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->blocked != b->blocked)
		return a->blocked ? 1 : -1;
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	return a->t->dport < b->t->dport ? -1 : a->t->dport > b->t->dport;
}

/* Why a suggested rule is commented out (KIND_REAL: it is not). */
enum kind {
	KIND_REAL = 0,
	KIND_WAN,
	KIND_BLOCKED,
	KIND_UNKNOWN_GROUP,
	KIND_PROTO,
	KIND_NO_PORTS,
	KIND_BOUND,
};

/* One suggested rule: the n entries at e, of one group, address and protocol. */
struct cand {
	const struct entry *e;
	size_t n;
	const char *where;
	uint64_t flows, summarised, by_action[4], first_us, last_us;
	const char *blocked_by; /* the latest rule of the policy that blocked some of them */
	uint64_t blocked_us;
	size_t ndevices;
	uint16_t *ports; /* sorted, distinct */
	size_t nports;
	bool ports_unknown; /* a flow without its port read */
	enum kind kind;
};

static int cmp_port(const void *x, const void *y)
{
	uint16_t a = *(const uint16_t *)x, b = *(const uint16_t *)y;

	return a < b ? -1 : a > b;
}

/* The figures of c's entries, its ports into c->ports (room for c->n). */
static void cand_sum(const struct learn *l, struct cand *c)
{
	size_t i, k;

	c->first_us = UINT64_MAX;
	for (i = 0; i < c->n; i++) {
		const struct learn_dest *t = c->e[i].t;
		const char *b = learn_str(l, t->blocked_by);

		c->flows += t->flows;
		c->summarised += t->summarised;
		for (k = 0; k < 4; k++)
			c->by_action[k] += t->by_action[k];
		c->first_us = t->first_us < c->first_us ? t->first_us : c->first_us;
		c->last_us = t->last_us > c->last_us ? t->last_us : c->last_us;
		if (b && (!c->blocked_by || t->blocked_us >= c->blocked_us)) {
			c->blocked_by = b;
			c->blocked_us = t->blocked_us;
		}
		if (!i || c->e[i].dev != c->e[i - 1].dev)
			c->ndevices++;
		if (t->dport >= 0)
			c->ports[c->nports++] = (uint16_t)t->dport;
		else
			c->ports_unknown = true;
	}
	qsort(c->ports, c->nports, sizeof(*c->ports), cmp_port);
	for (i = k = 0; i < c->nports; i++)
		if (!k || c->ports[i] != c->ports[k - 1])
			c->ports[k++] = c->ports[i];
	c->nports = k;
}

static bool group_in(const struct policy *p, const char *g)
{
	size_t i;

	for (i = 0; i < p->ndevices; i++)
		if (!strcmp(p->devices[i].name, g))
			return true;
	return false;
}

static enum kind cand_kind(const struct policy *p, const struct cand *c, bool room)
{
	uint8_t proto = c->e[0].proto;

	if (!group_in(p, c->e[0].group))
		return KIND_UNKNOWN_GROUP;
	if (proto != IPPROTO_NUM_TCP && proto != IPPROTO_NUM_UDP && proto != IPPROTO_NUM_ICMP)
		return KIND_PROTO;
	if (proto != IPPROTO_NUM_ICMP && !c->nports)
		return KIND_NO_PORTS;
	if (!strcmp(c->where, "wan"))
		return KIND_WAN;
	if (c->blocked_by)
		return KIND_BLOCKED;
	return room ? KIND_REAL : KIND_BOUND;
}

/* One port or a range of them, into the list at buf+*o. */
static void port_item(char *buf, size_t sz, size_t *o, bool first, unsigned lo, unsigned hi)
{
	int k;

	if (lo == hi)
		k = snprintf(buf + *o, sz - *o, "%s%u", first ? "" : ", ", lo);
	else
		k = snprintf(buf + *o, sz - *o, "%s\"%u-%u\"", first ? "" : ", ", lo, hi);
	if (k > 0 && (size_t)k < sz - *o)
		*o += (size_t)k;
}

/*
 * The rule's port condition for c's ports: "port = 554; ", "port = [ 53,
 * 123 ]; " or, with ranges (runs of three and more), "port = ( 53,
 * "6970-6975" ); "; past SUGGEST_MAX_PORTS items, one range from the
 * lowest to the highest (*one_range).
 */
static void port_text(const struct cand *c, char *buf, size_t sz, bool *one_range)
{
	size_t i, j, m, items = 0, o = 0;
	bool ranges = false;
	int k;

	*one_range = false;
	buf[0] = '\0';
	if (!c->nports)
		return;
	for (i = 0; i < c->nports; i = j) {
		for (j = i + 1; j < c->nports && c->ports[j] == c->ports[j - 1] + 1; j++)
			;
		ranges |= j - i >= 3;
		items += j - i >= 3 ? 1 : j - i;
	}
	if (items > SUGGEST_MAX_PORTS) {
		*one_range = true;
		snprintf(buf, sz, "port = \"%u-%u\"; ", c->ports[0], c->ports[c->nports - 1]);
		return;
	}
	if (c->nports == 1 || (items == 1 && ranges)) {
		if (c->nports == 1)
			snprintf(buf, sz, "port = %u; ", c->ports[0]);
		else
			snprintf(buf, sz, "port = \"%u-%u\"; ", c->ports[0],
				 c->ports[c->nports - 1]);
		return;
	}
	k = snprintf(buf, sz, "port = %s ", ranges ? "(" : "[");
	o = (size_t)k;
	for (i = 0; i < c->nports; i = j) {
		for (j = i + 1; j < c->nports && c->ports[j] == c->ports[j - 1] + 1; j++)
			;
		if (j - i >= 3)
			port_item(buf, sz, &o, i == 0, c->ports[i], c->ports[j - 1]);
		else
			for (m = i; m < j; m++)
				port_item(buf, sz, &o, m == 0, c->ports[m], c->ports[m]);
	}
	snprintf(buf + o, sz - o, " %s; ", ranges ? ")" : "]");
}

/* A device as a comment names it: its MAC (or address) and label, escaped. */
static void write_device(FILE *out, const struct learn *l, const struct policy *p,
			 const struct learn_device *d)
{
	char a[INET6_ADDRSTRLEN];
	const char *label = d->has_mac ? policy_label(p, d->mac) : NULL;

	if (!label)
		label = learn_str(l, d->label);
	if (d->has_mac)
		fmt_mac(d->mac, a, sizeof(a));
	else if (d->family)
		fmt_addr(d->family, d->addr, a, sizeof(a));
	else
		snprintf(a, sizeof(a), "?");
	fputs(a, out);
	if (label)
		fprintf(out, " \"%s\"", label);
}

static void write_seen_devices(FILE *out, const struct learn *l, const struct policy *p,
			       const struct cand *c)
{
	size_t i, shown = 0;

	fprintf(out, "\t# seen: %zu device%s (", c->ndevices, c->ndevices == 1 ? "" : "s");
	for (i = 0; i < c->n && shown < SUGGEST_MAX_DEVICES; i++) {
		if (i && c->e[i].dev == c->e[i - 1].dev)
			continue;
		if (shown++)
			fputs(", ", out);
		write_device(out, l, p, c->e[i].dev);
	}
	if (c->ndevices > shown)
		fprintf(out, " and %zu more", c->ndevices - shown);
	fprintf(out, "), %llu flow%s", (unsigned long long)c->flows, c->flows == 1 ? "" : "s");
	if (c->summarised)
		fprintf(out, " and up to %llu more summed up in the event log",
			(unsigned long long)c->summarised);
	fputs("\n", out);
}

/* The distinct names of c's destinations (the same string is the same pointer). */
static void write_seen_names(FILE *out, const struct learn *l, const struct cand *c)
{
	const char *shown[SUGGEST_MAX_NAMES];
	size_t i, k, m, n = 0;
	bool more = false;

	for (i = 0; i < c->n; i++) {
		const struct learn_dest *t = c->e[i].t;

		more |= t->more_names;
		for (k = 0; k < t->nnames; k++) {
			const char *s = learn_str(l, t->names[k]);

			for (m = 0; m < n && shown[m] != s; m++)
				;
			if (m < n || !s)
				continue;
			if (n == SUGGEST_MAX_NAMES) {
				more = true;
				continue;
			}
			shown[n++] = s;
		}
	}
	if (!n)
		return;
	fputs("\t#   names:", out);
	for (i = 0; i < n; i++)
		fprintf(out, "%s %s", i ? "," : "", shown[i]);
	fputs(more ? ", and more\n" : "\n", out);
}

static const char *const kind_why[] = {
	[KIND_REAL] = NULL,
	[KIND_WAN] = "not in the networks lan or router: review before you allow it",
	[KIND_BLOCKED] = NULL, /* says which rule */
	[KIND_UNKNOWN_GROUP] = "the device group is not in this policy",
	[KIND_PROTO] = "a rule's proto is tcp, udp, icmp or any: this protocol needs \"any\"",
	[KIND_NO_PORTS] = "no destination port was read",
	[KIND_BOUND] = "the policy would hold more than 4096 rules",
};

/* What was seen, as comment lines above the rule. */
static void write_seen(FILE *out, const struct learn *l, const struct policy *p,
		       const struct cand *c, bool one_range)
{
	char t1[40], t2[40];
	const char *sep = "";
	int k;

	write_seen_devices(out, l, p, c);
	fmt_time(c->first_us, t1, sizeof(t1));
	fmt_time(c->last_us, t2, sizeof(t2));
	fprintf(out, "\t#   from %s to %s (%s)\n", t1, t2, c->where);
	write_seen_names(out, l, c);
	fputs("\t#   the policy gave:", out);
	for (k = 0; k < 4; k++) {
		if (!c->by_action[k])
			continue;
		fprintf(out, "%s %s %llu", sep, action_str((enum action)k),
			(unsigned long long)c->by_action[k]);
		sep = ",";
	}
	if (c->blocked_by)
		fprintf(out, " (blocked by rule %s)", c->blocked_by);
	fputs("\n", out);
	if (one_range)
		fprintf(out, "\t#   %zu ports, written as one range\n", c->nports);
	if (c->ports_unknown && c->nports)
		fputs("\t#   some of its flows had no port read\n", out);
	if (c->kind == KIND_BLOCKED)
		fprintf(out, "\t#   commented out: rule %s blocks it on purpose?  review it\n",
			c->blocked_by);
	else if (c->kind != KIND_REAL)
		fprintf(out, "\t#   commented out: %s\n", kind_why[c->kind]);
}

static bool name_taken(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nrules; i++)
		if (!strcmp(p->rules[i].name, name))
			return true;
	return false;
}

/* Whether s may stand in a rule name (as policy names are): 1 to 40 of [A-Za-z0-9._-]. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++)
		if (!name_char(s[i]) && s[i] != '.')
			return false;
	return n >= 1 && n <= 40 && !strchr(s, '*');
}

/* A rule name of p's none: learn-GROUP-N, N counting on in *serial. */
static void rule_name(const struct policy *p, const char *group, unsigned *serial, char *buf,
		      size_t sz)
{
	bool fits = valid_name(group);

	do
		snprintf(buf, sz, "learn-%s%s%u", fits ? group : "", fits ? "-" : "", ++*serial);
	while (name_taken(p, buf));
}

/* The rule itself: real, or commented out on one line. */
static void write_rule(FILE *out, const struct policy *p, const struct cand *c, unsigned *serial,
		       const char *ports, bool comma)
{
	char name[POLICY_NAME_MAX], a[INET6_ADDRSTRLEN], pr[8];
	uint8_t proto = c->e[0].proto;

	rule_name(p, c->e[0].group, serial, name, sizeof(name));
	fmt_addr(c->e[0].t->family, c->e[0].t->dst, a, sizeof(a));
	if (proto == IPPROTO_NUM_TCP || proto == IPPROTO_NUM_UDP || proto == IPPROTO_NUM_ICMP)
		fmt_proto(proto, pr, sizeof(pr));
	else
		snprintf(pr, sizeof(pr), "any");
	fprintf(out,
		"\t%s{ name = \"%s\"; from = \"%s\"; to = \"%s\"; proto = \"%s\"; %s"
		"action = \"allow\"; }%s\n",
		c->kind == KIND_REAL ? "" : "# ", name, c->e[0].group, a, pr, ports,
		comma ? "," : "");
}

/* The entries: every destination with an address and a protocol, of a device with a group. */
static struct entry *entries(const struct learn *l, size_t *n, struct suggest_counts *c)
{
	size_t i, j, total = 0;
	struct entry *e;

	for (i = 0; i < learn_ndevices(l); i++)
		total += learn_device(l, i)->ndests;
	e = calloc(total + 1, sizeof(*e));
	if (!e)
		return NULL;
	*n = 0;
	for (i = 0; i < learn_ndevices(l); i++) {
		const struct learn_device *d = learn_device(l, i);
		const char *g = learn_str(l, d->group);

		for (j = 0; j < d->ndests; j++) {
			const struct learn_dest *t = learn_dest(l, d, j);

			if (!t->family || t->proto < 0) {
				c->no_address++;
				continue;
			}
			if (!g) {
				c->no_group++;
				continue;
			}
			e[*n].group = g;
			e[*n].dev = d;
			e[*n].t = t;
			e[*n].proto = t->proto == IPPROTO_NUM_ICMPV6 ? IPPROTO_NUM_ICMP :
								       (uint8_t)t->proto;
			e[*n].blocked = t->blocked_by != LEARN_NONE;
			(*n)++;
		}
	}
	qsort(e, *n, sizeof(*e), cmp_entry);
	return e;
}

static bool same_cand(const struct entry *a, const struct entry *b)
{
	return !strcmp(a->group, b->group) && a->t->family == b->t->family &&
	       !memcmp(a->t->dst, b->t->dst, 16) && a->proto == b->proto &&
	       a->blocked == b->blocked;
}

/* The candidates: runs of entries alike, each summed up and its kind decided. */
static struct cand *candidates(const struct learn *l, const struct policy *p, struct entry *e,
			       size_t n, size_t *ncand, uint16_t *ports)
{
	size_t i, j, real = 0;
	struct cand *c = calloc(n + 1, sizeof(*c));

	if (!c)
		return NULL;
	*ncand = 0;
	for (i = 0; i < n; i = j) {
		struct cand *k = &c[(*ncand)++];

		for (j = i + 1; j < n && same_cand(&e[i], &e[j]); j++)
			;
		k->e = &e[i];
		k->n = j - i;
		k->ports = ports + i;
		k->where = learn_where(p, e[i].t->family, e[i].t->dst);
		cand_sum(l, k);
		k->kind = cand_kind(p, k, p->nrules + real < POLICY_MAX_RULES);
		real += k->kind == KIND_REAL;
	}
	return c;
}

static void write_heading(FILE *out, const struct policy *p, const struct suggest_counts *c,
			  const char *const *sources, size_t nsources, bool empty)
{
	char esc[LEARN_STR_MAX];
	size_t i;

	fprintf(out,
		"\n\t# ---- nfq-guard learn --suggest: %zu rule%s, %zu more commented out "
		"for review ----\n\t# read from",
		c->rules, c->rules == 1 ? "" : "s", c->commented);
	for (i = 0; i < nsources && i < 8; i++) {
		learn_escape(sources[i], strlen(sources[i]), LEARN_ESC_SPACE, esc, sizeof(esc));
		fprintf(out, "%s %s", i ? "," : "", esc);
	}
	if (nsources > 8)
		fprintf(out, " and %zu more", nsources - 8);
	fputs("\n\t# One rule per device group, destination and protocol, with the ports seen.\n"
	      "\t# Destinations in the networks lan and router are allowed, unless a rule\n"
	      "\t# blocked them; the others are commented out: review each before you take it.\n"
	      "\t# Flows are counted as the event log names them: where it summed up repeats\n"
	      "\t# (events_interval), those held back are counted apart (\"up to N more\").\n",
	      out);
	if (c->not_written)
		fprintf(out, "\t# %zu more destinations not written (at most %d)\n", c->not_written,
			SUGGEST_MAX);
	if (empty)
		fputs("\t# The list was empty: put a comma between rules as you uncomment them.\n",
		      out);
	(void)p;
}

/* The rules of cands, real ones first, then those commented out. */
static void write_cands(FILE *out, const struct learn *l, const struct policy *p,
			const struct cand *cands, size_t n, bool empty, size_t nreal)
{
	char ports[SUGGEST_MAX_PORTS * 16 + 32];
	unsigned serial = 0;
	size_t i, written = 0, real = 0;
	bool one_range;
	int pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n && written < SUGGEST_MAX; i++) {
			const struct cand *c = &cands[i];

			if ((c->kind == KIND_REAL) != (pass == 0))
				continue;
			written++;
			port_text(c, ports, sizeof(ports), &one_range);
			write_seen(out, l, p, c, one_range);
			real += c->kind == KIND_REAL;
			/* an empty list takes no comma after its last rule */
			write_rule(out, p, c, &serial, ports,
				   !empty || (c->kind == KIND_REAL && real < nreal));
		}
}

enum suggest_status suggest_write(const struct learn *l, const struct policy *p, const char *text,
				  size_t len, const char *const *sources, size_t nsources,
				  FILE *out, struct suggest_counts *c)
{
	enum suggest_status st;
	struct entry *e = NULL;
	struct cand *cands = NULL;
	uint16_t *ports = NULL;
	size_t at, n = 0, ncand = 0, i;
	bool empty;

	memset(c, 0, sizeof(*c));
	if ((st = suggest_find_rules(text, len, &at, &empty)) != SUGGEST_OK)
		return st;
	if (!(e = entries(l, &n, c)) || !(ports = calloc(n + 1, sizeof(*ports))) ||
	    !(cands = candidates(l, p, e, n, &ncand, ports))) {
		st = SUGGEST_NOMEM;
		goto out;
	}
	/* as write_cands goes: the real rules first, up to SUGGEST_MAX in all */
	for (i = 0; i < ncand; i++)
		c->rules += cands[i].kind == KIND_REAL;
	c->commented = ncand - c->rules;
	if (c->rules > SUGGEST_MAX)
		c->rules = SUGGEST_MAX;
	if (c->commented > SUGGEST_MAX - c->rules)
		c->commented = SUGGEST_MAX - c->rules;
	c->not_written = ncand - c->rules - c->commented;
	fwrite(text, 1, at, out);
	write_heading(out, p, c, sources, nsources, empty);
	write_cands(out, l, p, cands, ncand, empty, c->rules);
	fputs("\t# ---- end of nfq-guard learn ----\n", out);
	fwrite(text + at, 1, len - at, out);
out:
	free(cands);
	free(ports);
	free(e);
	return st;
}
