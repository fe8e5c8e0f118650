/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hints.c - the scorer of DHCP and DNS hints (see hints.h): a bounded
 * table of hosts by MAC, each with the distinct names it queried lately
 * (by keyed hash, with the names of the vendors' lists kept as text for
 * the evidence).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/hostname.h"
#include "engine/hints.h"

_Static_assert(POLICY_HINT_PARAMS_MAX == DHCP_PARAMS_MAX, "a hint's list is a request's");
_Static_assert(POLICY_HINT_PATTERN_MAX == DHCP_TEXT_MAX, "a pattern is as long as the text");
_Static_assert(POLICY_MAX_HINTS <= 32, "a name's hints are a 32-bit mask");

#define EVIDENCE_NAME_MAX 64 /* one name of the evidence, escaped, NUL included */

/* A distinct name the host queried. */
struct hint_name {
	uint64_t hash;	/* siphash of the name */
	uint64_t last;	/* s: when it was last queried */
	uint32_t hints; /* bit i: p->hints[i]'s domains match it */
};

/* A name of a vendor's lists the host queried, as text, for the evidence. */
struct hint_evidence {
	uint64_t last;
	uint32_t hints;
	char name[EVIDENCE_NAME_MAX];
};

struct hint_host {
	struct lru_node node; /* first */
	struct hint_host *next_unused;
	uint8_t mac[6];
	bool identified; /* reported: nothing more to do */
	bool dwelling;	 /* the DNS condition held at the last query */
	uint8_t dwell_hint;
	uint8_t nnames;
	uint16_t lost;	  /* distinct names pushed out of names[] within the window */
	uint64_t lost_at; /* the newest of them was queried then */
	uint64_t dwell_since;
	struct hint_name names[HINTS_NAMES_MAX];
	struct hint_evidence ev[HINTS_EVIDENCE_MAX];
};

/* --- the evidence --------------------------------------------------------- */

/*
 * Escaped text into dst (cap bytes), appended: an escape (\\ or \xHH) goes
 * in whole or not at all, and text that does not fit is cut with "..." at
 * the last place three more bytes fitted.  Once cut, nothing more goes in.
 */
struct text_out {
	char *s;
	size_t cap, len, mark;
	bool cut;
};

static void out_init(struct text_out *o, char *dst, size_t cap)
{
	o->s = dst;
	o->cap = cap;
	o->len = o->mark = 0;
	o->cut = cap < 4;
	if (cap)
		dst[0] = '\0';
}

static void out_add(struct text_out *o, const char *text)
{
	size_t k;

	for (; !o->cut && *text; text += k) {
		k = 1;
		if (text[0] == '\\' && text[1] == '\\')
			k = 2;
		else if (text[0] == '\\' && text[1] == 'x' && text[2] && text[3])
			k = 4;
		if (o->len + k > o->cap - 1) {
			memcpy(o->s + o->mark, "...", 4);
			o->cut = true;
			return;
		}
		memcpy(o->s + o->len, text, k);
		o->len += k;
		o->s[o->len] = '\0';
		if (o->len + 3 <= o->cap - 1)
			o->mark = o->len;
	}
}

/* "1,3,6,12,15,28,42" */
static void out_params(struct text_out *o, const struct dhcp_request *r)
{
	char num[8];
	size_t i;

	for (i = 0; i < r->nparams; i++) {
		unsigned int v = r->params[i];
		size_t n = 0;

		if (i > 0)
			num[n++] = ',';
		if (v >= 100)
			num[n++] = (char)('0' + v / 100);
		if (v >= 10)
			num[n++] = (char)('0' + v / 10 % 10);
		num[n++] = (char)('0' + v % 10);
		num[n] = '\0';
		out_add(o, num);
	}
}

/* --- the table ------------------------------------------------------------- */

/* A secret key: from the kernel's random pool, else from what a sender cannot see either. */
static void key_new(uint8_t key[SIPHASH_KEY_LEN])
{
	uintptr_t where[2] = { (uintptr_t)key, (uintptr_t)&key_new };
	uint64_t mix;

	if (getrandom(key, SIPHASH_KEY_LEN, GRND_NONBLOCK) == SIPHASH_KEY_LEN)
		return;
	mix = siphash((const uint8_t *)"nfq-guard hints.", where, sizeof(where)) ^
	      (uint64_t)getpid() << 32;
	memcpy(key, &mix, sizeof(mix));
	mix = siphash(key, &mix, sizeof(mix));
	memcpy(key + 8, &mix, sizeof(mix));
}

int hints_init(struct hint_table *t, size_t max_hosts)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	if (max_hosts == 0)
		return -EINVAL;
	t->hosts = calloc(max_hosts, sizeof(*t->hosts));
	if (!t->hosts)
		return -ENOMEM;
	if (lru_init(&t->t, max_hosts) < 0) {
		free(t->hosts);
		t->hosts = NULL;
		return -ENOMEM;
	}
	for (i = max_hosts; i-- > 0;) {
		t->hosts[i].next_unused = t->unused;
		t->unused = &t->hosts[i];
	}
	key_new(t->key);
	return 0;
}

void hints_fini(struct hint_table *t)
{
	lru_fini(&t->t);
	free(t->hosts);
	memset(t, 0, sizeof(*t));
}

static void host_forget_dns(struct hint_host *h)
{
	h->dwelling = false;
	h->nnames = 0;
	h->lost = 0;
	h->lost_at = 0;
	memset(h->ev, 0, sizeof(h->ev));
}

void hints_flush(struct hint_table *t)
{
	struct lru_node *n;

	for (n = t->t.head; n; n = n->next)
		host_forget_dns((struct hint_host *)(void *)n);
}

/* The policy the table's matches were made under is p; else they are forgotten. */
static void policy_is(struct hint_table *t, const struct policy *p)
{
	if (t->p != p)
		hints_flush(t);
	t->p = p;
}

static bool host_eq(const struct lru_node *n, const void *key)
{
	return !memcmp(((const struct hint_host *)(const void *)n)->mac, key, 6);
}

static uint32_t mac_hash(const struct hint_table *t, const uint8_t mac[6])
{
	return (uint32_t)siphash(t->key, mac, 6);
}

static struct hint_host *host_find(struct hint_table *t, const uint8_t mac[6])
{
	return (struct hint_host *)(void *)lru_find(&t->t, mac_hash(t, mac), host_eq, mac);
}

/* The host of mac, new if need be (the least recently seen one gives way). */
static struct hint_host *host_get(struct hint_table *t, const uint8_t mac[6])
{
	struct hint_host *h = host_find(t, mac);

	if (h)
		return h;
	if (lru_full(&t->t)) {
		h = (struct hint_host *)(void *)lru_victim(&t->t);
		lru_remove(&t->t, &h->node);
		t->st.evicted++;
	} else {
		h = t->unused;
		t->unused = h->next_unused;
	}
	memset(h, 0, sizeof(*h));
	memcpy(h->mac, mac, 6);
	lru_insert(&t->t, &h->node, mac_hash(t, mac));
	t->st.hosts = t->t.count;
	return h;
}

static void host_identified(struct hint_table *t, struct hint_host *h)
{
	h->identified = true;
	host_forget_dns(h);
	t->st.identified++;
}

/* --- DHCP ------------------------------------------------------------------- */

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether s matches pattern, ignoring case, '*' any run of characters. */
static bool glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *from = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			from = s;
		} else if (*pat && lower(*pat) == lower(*s)) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++from;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static bool any_glob(const char (*pats)[POLICY_HINT_PATTERN_MAX], size_t n, const char *s)
{
	size_t i;

	for (i = 0; s[0] && i < n; i++)
		if (glob_match(pats[i], s))
			return true;
	return false;
}

static bool any_params(const struct hint_params *v, size_t n, const struct dhcp_request *r)
{
	size_t i;

	for (i = 0; !r->params_cut && i < n; i++)
		if (v[i].n == r->nparams && !memcmp(v[i].v, r->params, r->nparams))
			return true;
	return false;
}

/* What of r matched hint h: bit 0 host name, 1 vendor class, 2 parameters. */
enum { M_HOSTNAME = 1, M_VENDOR_CLASS = 2, M_PARAMS = 4 };

static unsigned int dhcp_matches(const struct identify_hint *h, const struct dhcp_request *r)
{
	unsigned int m = 0;

	if (any_glob(h->hostnames, h->nhostnames, r->hostname))
		m |= M_HOSTNAME;
	if (any_glob(h->vendor_classes, h->nvendor_classes, r->vendor_class))
		m |= M_VENDOR_CLASS;
	if (any_params(h->params, h->nparams, r))
		m |= M_PARAMS;
	return m;
}

static unsigned int dhcp_points(unsigned int m)
{
	return !!(m & M_HOSTNAME) + !!(m & M_VENDOR_CLASS) + !!(m & M_PARAMS);
}

static void dhcp_found(const struct identify_hint *h, const struct dhcp_request *r, unsigned int m,
		       struct hint_found *out)
{
	struct text_out o;

	memset(out, 0, sizeof(*out));
	out->by = FOUND_DHCP;
	memcpy(out->vendor, h->vendor, sizeof(out->vendor));
	out_init(&o, out->detail, sizeof(out->detail));
	out_add(&o, "hostname=");
	out_add(&o, r->hostname);
	if (m & M_VENDOR_CLASS) {
		out_add(&o, " vendor_class=");
		out_add(&o, r->vendor_class);
	}
	if (m & M_PARAMS) {
		out_add(&o, " parameters=");
		out_params(&o, r);
	}
}

bool hints_dhcp(struct hint_table *t, const struct policy *p, const uint8_t mac[6],
		const struct dhcp_request *r, uint64_t now, struct hint_found *out)
{
	unsigned int best_m = 0, best_points = 0, m;
	const struct identify_hint *best = NULL;
	struct hint_host *h;
	size_t i;

	(void)now;
	if (!p || !(p->identify & IDENTIFY_DHCP) || memcmp(r->chaddr, mac, 6))
		return false;
	policy_is(t, p);
	h = host_find(t, mac);
	if (h && h->identified)
		return false;
	for (i = 0; i < p->nhints; i++) {
		m = dhcp_matches(&p->hints[i], r);
		/* the host name is what names the maker; the rest only backs it up */
		if (!(m & M_HOSTNAME) || dhcp_points(m) < 2 || dhcp_points(m) <= best_points)
			continue;
		best = &p->hints[i];
		best_m = m;
		best_points = dhcp_points(m);
	}
	if (!best)
		return false;
	host_identified(t, h ? h : host_get(t, mac));
	dhcp_found(best, r, best_m, out);
	return true;
}

/* --- DNS -------------------------------------------------------------------- */

static bool in_window(uint64_t last, uint64_t now, uint32_t window)
{
	return last >= now || now - last < window;
}

/* Names queried before the window are no longer counted. */
static void host_expire(struct hint_host *h, uint64_t now, uint32_t window)
{
	unsigned int i = 0;

	while (i < h->nnames) {
		if (in_window(h->names[i].last, now, window)) {
			i++;
			continue;
		}
		h->names[i] = h->names[--h->nnames];
	}
	if (h->lost && !in_window(h->lost_at, now, window))
		h->lost = 0;
}

/* The name queried now: a new one takes the place of the oldest when all are taken. */
static void host_note(struct hint_host *h, uint64_t hash, uint32_t hints, uint64_t now)
{
	unsigned int i, oldest = 0;

	for (i = 0; i < h->nnames; i++) {
		if (h->names[i].hash == hash) {
			h->names[i].last = now;
			return;
		}
		if (h->names[i].last < h->names[oldest].last)
			oldest = i;
	}
	if (h->nnames == HINTS_NAMES_MAX) {
		/* still in the window (host_expire ran): it keeps counting */
		if (h->lost < UINT16_MAX)
			h->lost++;
		if (h->names[oldest].last > h->lost_at)
			h->lost_at = h->names[oldest].last;
		i = oldest;
	} else {
		i = h->nnames++;
	}
	h->names[i].hash = hash;
	h->names[i].last = now;
	h->names[i].hints = hints;
}

/* A name of a vendor's lists, kept as text: the same name again, else a free slot, else the oldest. */
static void host_evidence(struct hint_host *h, const struct name *n, uint32_t hints, uint64_t now)
{
	char esc[NAME_ESCAPED_MAX], cut[EVIDENCE_NAME_MAX];
	struct hint_evidence *e = NULL;
	struct text_out o;
	size_t i;

	name_escape(n, esc, sizeof(esc));
	out_init(&o, cut, sizeof(cut));
	out_add(&o, esc);
	for (i = 0; !e && i < HINTS_EVIDENCE_MAX; i++)
		if (h->ev[i].hints && !strcmp(h->ev[i].name, cut))
			e = &h->ev[i];
	for (i = 0; !e && i < HINTS_EVIDENCE_MAX; i++)
		if (!h->ev[i].hints)
			e = &h->ev[i];
	if (!e) {
		e = &h->ev[0];
		for (i = 1; i < HINTS_EVIDENCE_MAX; i++)
			if (h->ev[i].last < e->last)
				e = &h->ev[i];
	}
	e->last = now;
	e->hints = hints;
	memcpy(e->name, cut, sizeof(cut));
}

/*
 * The hint whose names dominate the host's DNS now: at least
 * HINTS_DNS_MIN_NAMES of them, and at least half of the distinct names in
 * the window (those pushed out count too).  -1 for none.
 */
static int dns_dominant(const struct policy *p, const struct hint_host *h)
{
	unsigned int total = h->nnames + h->lost, best_n = 0, n;
	int best = -1;
	size_t i, j;

	for (i = 0; i < p->nhints; i++) {
		for (j = 0, n = 0; j < h->nnames; j++)
			n += (h->names[j].hints >> i) & 1;
		if (n >= HINTS_DNS_MIN_NAMES && 2 * n >= total && n > best_n) {
			best = (int)i;
			best_n = n;
		}
	}
	return best;
}

static void dns_found(const struct hint_host *h, const struct identify_hint *hint, unsigned int i,
		      uint64_t now, uint32_t window, struct hint_found *out)
{
	bool done[HINTS_EVIDENCE_MAX] = { false };
	struct text_out o;
	size_t k, j;

	memset(out, 0, sizeof(*out));
	out->by = FOUND_DNS;
	memcpy(out->vendor, hint->vendor, sizeof(out->vendor));
	out_init(&o, out->detail, sizeof(out->detail));
	out_add(&o, "dns:");
	for (k = 0; k < HINTS_EVIDENCE_MAX; k++) {
		const struct hint_evidence *e = NULL;
		size_t at = 0;

		/* the newest not yet written, of this hint, in the window */
		for (j = 0; j < HINTS_EVIDENCE_MAX; j++) {
			const struct hint_evidence *c = &h->ev[j];

			if (done[j] || !((c->hints >> i) & 1) || !in_window(c->last, now, window))
				continue;
			if (!e || c->last > e->last) {
				e = c;
				at = j;
			}
		}
		if (!e)
			break;
		done[at] = true;
		out_add(&o, k ? ", " : " ");
		out_add(&o, e->name);
	}
}

/* The hints whose domain lists match n. */
static uint32_t dns_hints(const struct policy *p, const struct name *n, bool *any)
{
	uint32_t m = 0;
	size_t i;

	*any = false;
	for (i = 0; i < p->nhints; i++) {
		if (!p->hints[i].domains)
			continue;
		*any = true;
		if (domain_set_match(p->hints[i].domains, n))
			m |= 1u << i;
	}
	return m;
}

bool hints_dns(struct hint_table *t, const struct policy *p, const uint8_t mac[6],
	       const char *qname, uint64_t now, struct hint_found *out)
{
	struct hint_host *h;
	struct name n;
	uint32_t match;
	bool any;
	int best;

	if (!p || !(p->identify & IDENTIFY_DNS) || !qname ||
	    name_set(&n, (const uint8_t *)qname, strlen(qname)))
		return false;
	match = dns_hints(p, &n, &any);
	if (!any)
		return false;
	policy_is(t, p);
	h = host_get(t, mac);
	if (h->identified)
		return false;
	host_expire(h, now, p->dns_window);
	if (h->nnames == 0 && h->lost == 0)
		h->dwelling = false; /* a window without a query: it starts again */
	host_note(h, siphash(t->key, n.s, n.len), match, now);
	if (match)
		host_evidence(h, &n, match, now);
	best = dns_dominant(p, h);
	if (best < 0 || (h->dwelling && h->dwell_hint != best)) {
		h->dwelling = best >= 0;
		h->dwell_hint = best >= 0 ? (uint8_t)best : 0;
		h->dwell_since = now;
		return false;
	}
	if (!h->dwelling) {
		h->dwelling = true;
		h->dwell_hint = (uint8_t)best;
		h->dwell_since = now;
	}
	if (now < h->dwell_since || now - h->dwell_since < p->dns_dwell)
		return false;
	dns_found(h, &p->hints[best], (unsigned int)best, now, p->dns_window, out);
	host_identified(t, h);
	return true;
}
