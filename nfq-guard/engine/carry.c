// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * carry.c - a running engine's flows into its successor (engine_carry):
 * when every device flow is decided again (a reload, an exception that
 * begins or ends, a window that opens or closes), the fresh engine would
 * meet each connection in its middle, where no ClientHello or request head
 * is to be read, and take it for one that sends no name: a flow an
 * exception let pass by its name would then pass under a later rule that
 * lets nameless flows out.  So each flow comes over with what it was
 * known by - its own name, the queries a DNS flow awaits answers for, the
 * QUIC connection IDs it goes by - and is decided again at once under the
 * successor's policy, exceptions and clock.  A flow whose name was still
 * being read, or whose later requests were (kept-alive HTTP), comes over
 * with an unknown name: what could not be read is not allowed.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"

/* Why a flow comes over with an unknown name, or NULL when its name is known. */
static const char *carried_unknown(const struct eflow *f)
{
	if (!f->decided)
		return "its name was still being read when the flows were decided again";
	if (f->watch)
		return "its later requests were being read when the flows were decided again";
	if (f->d.name_source == NAME_UNREADABLE)
		return f->d.note ? f->d.note : "its name could not be read";
	/* decided at its first packet, no rule needing its name then: it went by unread */
	if (f->name_unread)
		return "it was decided before its name was read";
	return NULL;
}

/* f, of the engine before, as a flow of e decided now.  False when it is not carried. */
static bool carry_one(struct engine *e, const struct eflow *f, uint64_t now)
{
	struct group_match how[POLICY_MAX_DEVICES];
	const char *why = carried_unknown(f), *pat;
	const struct rule *r;
	struct eval ev;
	struct eflow *g;
	uint64_t groups;
	bool pending;
	int idx;

	/* DNS answer streams over TCP are read from their start or not at all */
	if (f->sniff == SNIFF_DNS || f->sniff == SNIFF_DNS_OFF)
		return false;
	groups = f->sniff == SNIFF_INBOUND ? 0 : policy_identify(e->p, &f->dev, how);
	if (!groups && f->sniff != SNIFF_INBOUND)
		return false; /* no device under this policy: its next packet says so */
	g = flow_new(e, &f->key);
	if (!g)
		return false;
	g->dev = f->dev;
	g->indev = f->indev;
	g->has_isn = f->has_isn;
	g->isn = f->isn;
	g->sniff = f->sniff == SNIFF_INBOUND ? SNIFF_INBOUND : SNIFF_NAME;
	g->nqcid = f->nqcid;
	memcpy(g->qcid_len, f->qcid_len, sizeof(g->qcid_len));
	memcpy(g->qcid, f->qcid, sizeof(g->qcid));
	g->nq = f->nq;
	memcpy(g->q, f->q, sizeof(g->q));
	g->decided = true;
	if (g->sniff == SNIFF_INBOUND)
		return true;
	eval_init(e, g, groups, now, &ev);
	if (why) {
		ev.unknown = true;
		ev.unknown_why = why;
	} else if (f->d.has_name && ev.nnames < EVAL_MAX_NAMES) {
		/*
		 * the name it was decided by: the one it sent itself, or the DNS
		 * one (the cache may be a new one, emptied by the reload)
		 */
		ev.names[ev.nnames] = &f->d.name;
		ev.sources[ev.nnames++] = f->d.name_source;
	}
	r = evaluate(e->p, &ev, &pending, &idx, &pat);
	fill_decision(e->p, &ev, r, idx, pat, how, &g->d); /* copies the name: f goes */
	g->d.first = true;
	g->d.waited = f->d.waited;
	g->carried = true;
	e->st.decisions++;
	if (why)
		e->st.unknown_names++;
	return true;
}

/* The flows of one table of from, oldest first, so that e's order is theirs. */
static size_t carry_table(struct engine *e, const struct engine *from, const struct lru_table *t,
			  uint64_t now)
{
	size_t n = 0;

	(void)from;
	for (struct lru_node *node = lru_oldest(t); node; node = node->prev)
		n += carry_one(e, (const struct eflow *)node, now);
	return n;
}

size_t engine_carry(struct engine *e, const struct engine *from, uint64_t now)
{
	return carry_table(e, from, &from->flows, now) + carry_table(e, from, &from->waiting, now);
}
