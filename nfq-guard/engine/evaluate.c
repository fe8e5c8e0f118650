// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evaluate.c - a flow against the policy's rules (pure): first match wins;
 * a domain rule that a name arriving later could still match makes the
 * flow wait; an unknown name matches every domain rule that drops or
 * rejects and none that allows (DESIGN.md §6).
 */
#include <string.h>

#include "engine/internal.h"

static bool rule_to_matches(const struct policy *p, const struct rule *r, const struct eval *ev)
{
	if (r->to_flags & TO_ANY)
		return true;
	if ((r->to_flags & TO_WAN) &&
	    !(p->lan && cidr_list_contains(p->lan->cidrs, p->lan->ncidrs, ev->family, ev->dst)) &&
	    !(p->router &&
	      cidr_list_contains(p->router->cidrs, p->router->ncidrs, ev->family, ev->dst)))
		return true;
	return cidr_list_contains(r->to, r->nto, ev->family, ev->dst);
}

static bool rule_port_matches(const struct rule *r, const struct eval *ev)
{
	size_t i;

	if (r->nports == 0)
		return true;
	if (!ev->has_port)
		return false;
	for (i = 0; i < r->nports; i++)
		if (ev->dport >= r->ports[i].lo && ev->dport <= r->ports[i].hi)
			return true;
	return false;
}

static bool rule_proto_matches(const struct rule *r, const struct eval *ev)
{
	if (r->proto == 0)
		return true;
	if (r->proto == IPPROTO_NUM_ICMP)
		return ev->proto == IPPROTO_NUM_ICMP || ev->proto == IPPROTO_NUM_ICMPV6;
	return r->proto == ev->proto;
}

/* Is r in force at the time of ev: a rule with a window only inside it (time unknown: if it blocks). */
static bool rule_in_force(const struct rule *r, const struct eval *ev)
{
	if (!r->has_schedule)
		return true;
	if (ev->week_min < 0)
		return action_blocks(r->action);
	return schedule_open(&r->sched, ev->week_min);
}

/* What evaluate keeps while it goes down the rules. */
struct eval_walk {
	const struct rule *maybe[16]; /* domain rules a later name could still match */
	size_t nmaybe;
	bool sent; /* the flow sent a name of its own */
	bool pending;
	int name_idx;
	const char *pattern;
};

/* Does r match ev now?  With a name that may still arrive, it may later: noted in w. */
static bool rule_check(const struct policy *p, const struct rule *r, const struct eval *ev,
		       struct eval_walk *w)
{
	size_t k;

	if (!r->from_any && !(r->from & ev->groups))
		return false;
	if (!rule_proto_matches(r, ev) || !rule_port_matches(r, ev) || !rule_to_matches(p, r, ev) ||
	    !rule_in_force(r, ev))
		return false;
	if (!r->domains)
		return true;
	/* an unknown name: no domain rule that allows can match */
	if (ev->unknown && !action_blocks(r->action))
		return false;
	for (k = 0; k < ev->nnames; k++) {
		if (w->sent && ev->sources[k] == NAME_DNS && !action_blocks(r->action))
			continue;
		w->pattern = domain_set_match(r->domains, ev->names[k]);
		if (w->pattern) {
			w->name_idx = (int)k;
			return true;
		}
	}
	/* ... and every one that drops or rejects does */
	if (ev->unknown)
		return true;
	if (ev->late_possible) {
		if (w->nmaybe < sizeof(w->maybe) / sizeof(w->maybe[0]))
			w->maybe[w->nmaybe++] = r;
		else
			w->pending = true; /* too many to weigh: wait */
	}
	return false;
}

/* r (NULL: the default) matched: does a rule that may match later make the flow wait? */
static const struct rule *rule_matched(const struct policy *p, const struct rule *r,
				       const struct eval *ev, struct eval_walk *w)
{
	enum action act = r ? r->action : p->dflt;

	for (size_t k = 0; k < w->nmaybe; k++)
		if (w->maybe[k]->action != act)
			w->pending = true;
	/* let pass by a DNS name only: the name the flow may yet send decides */
	if (r && r->domains && w->name_idx >= 0 && ev->sources[w->name_idx] == NAME_DNS &&
	    !action_blocks(act) && ev->late_possible)
		w->pending = true;
	return r;
}

/*
 * First match wins: the run-time exceptions (exception.h) that are not
 * over, then the policy's rules in force.  A rule with domains that no
 * known name matches may still match when a name arrives later; if one
 * such rule stands before the rule that matches now and would give another
 * action, the flow waits.  Returns the matching rule (NULL: default),
 * *pending, and in *name_idx the name that matched a domain rule (-1 for
 * none).
 */
const struct rule *evaluate(const struct policy *p, const struct eval *ev, bool *pending,
			    int *name_idx, const char **pattern)
{
	struct eval_walk w = { .name_idx = -1 };
	const struct rule *hit = NULL;
	bool found = false;
	size_t i, k;

	/*
	 * A name the flow sends itself (TLS, QUIC, HTTP, SOCKS) is the one its
	 * server goes by: only it can let the flow pass.  A name learned from
	 * DNS for the address lets a flow pass only when it sends none (a CDN
	 * address serves other names too); it blocks in any case.
	 */
	for (k = 0; k < ev->nnames; k++)
		w.sent |= ev->sources[k] != NAME_DNS;
	for (i = 0; ev->x && i < ev->x->n && !found; i++) {
		const struct exception_rule *x = &ev->x->v[i];

		/* no time known: no exception is known not to be over */
		if (!ev->wall || __atomic_load_n(x->until, __ATOMIC_RELAXED) <= ev->wall ||
		    !exception_matches_device(x, ev->groups, ev->mac))
			continue;
		if ((found = rule_check(p, &x->r, ev, &w)))
			hit = &x->r;
	}
	for (i = 0; i < p->nrules && !found; i++)
		if ((found = rule_check(p, &p->rules[i], ev, &w)))
			hit = &p->rules[i];
	hit = rule_matched(p, hit, ev, &w);
	*pending = w.pending;
	*name_idx = w.name_idx;
	*pattern = w.name_idx >= 0 ? w.pattern : NULL;
	return hit;
}

/* Fill d from the evaluation: action, rule, device reported, name. */
void fill_decision(const struct policy *p, const struct eval *ev, const struct rule *r,
		   int name_idx, const char *pattern, const struct group_match *how,
		   struct decision *d)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	d->rule = r;
	d->pattern = pattern;
	d->action = r ? r->action : p->dflt;
	d->log = r ? r->log : p->dflt_log;
	d->groups = ev->groups;
	/* the group reported: the one that names the device, whichever rule decided */
	d->device = policy_naming_group(p, ev->groups, how);
	if (d->device >= 0 && how)
		d->how = how[d->device];
	if (name_idx < 0) {
		/* no name decided it: report the flow's own name, else the DNS one */
		for (i = 0; i < ev->nnames; i++)
			if (ev->sources[i] != NAME_DNS)
				name_idx = (int)i;
		if (name_idx < 0 && ev->nnames > 0)
			name_idx = 0;
	}
	if (ev->unknown) {
		/* the name that counts is the one we could not read */
		d->name_source = NAME_UNREADABLE;
		d->note = ev->unknown_why;
	} else if (name_idx >= 0) {
		d->has_name = true;
		d->name = *ev->names[name_idx];
		d->name_source = ev->sources[name_idx];
	}
	d->by_address = !ev->unknown && (!r || !r->domains);
}

void engine_decide(const struct policy *p, const struct device_key *dev, uint8_t family,
		   const uint8_t dst[16], uint8_t proto, uint16_t dport, const struct name *name,
		   enum name_source source, const struct engine_clock *clk, struct decision *d)
{
	struct group_match how[POLICY_MAX_DEVICES];
	struct eval ev = { 0 };
	const struct rule *r;
	const char *pat;
	bool pending;
	int idx;

	memset(how, 0, sizeof(how));
	ev.groups = policy_identify(p, dev, how);
	ev.mac = dev->has_mac ? dev->mac : NULL;
	ev.week_min = clk->week_min;
	ev.wall = clk->wall;
	ev.family = family;
	ev.dst = dst;
	ev.proto = proto;
	ev.has_port = proto == IPPROTO_NUM_TCP || proto == IPPROTO_NUM_UDP;
	ev.dport = dport;
	if (name) {
		ev.names[0] = name;
		ev.sources[0] = source;
		ev.nnames = 1;
	}
	r = evaluate(p, &ev, &pending, &idx, &pat);
	fill_decision(p, &ev, r, idx, pat, how, d);
	d->first = true;
}

/* How strict an action is: drop, then reject, then the ones that let pass. */
void engine_unreadable(const struct policy *p, const struct device_key *dev,
		       const struct engine_clock *clk, struct decision *d)
{
	struct group_match how[POLICY_MAX_DEVICES];
	struct eval ev = { 0 };
	const struct rule *pick = NULL;
	enum action act = p->dflt;
	size_t i;

	memset(how, 0, sizeof(how));
	ev.groups = policy_identify(p, dev, how);
	ev.week_min = clk->week_min;
	for (i = 0; i < p->nrules; i++) {
		const struct rule *r = &p->rules[i];

		/* a device named by address alone is not known here: every rule counts */
		if ((ev.groups && !r->from_any && !(r->from & ev.groups)) || !rule_in_force(r, &ev))
			continue;
		if (action_strictness(r->action) > action_strictness(act)) {
			act = r->action;
			pick = r;
		}
	}
	fill_decision(p, &ev, pick, -1, NULL, how, d);
	d->action = act;
	d->log = pick ? pick->log : p->dflt_log;
	d->by_address = false;
	d->first = true;
	d->note = "undecodable packet: the strictest verdict a rule could give it";
}
