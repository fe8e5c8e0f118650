/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay.c - `nfq-guard replay`: every packet of a capture goes through the
 * same decoders and engine as in the daemon, DNS snooping and late SNI/Host
 * decisions included; the capture's timestamps are the engine's clock.
 * replay_capture runs a capture and hands each decision on (replay prints
 * it, learn gathers it); replay_file prints them and the summary.
 */
#include <stdlib.h>
#include <string.h>

#include "base/lru.h"
#include "cli/capture.h"
#include "cli/defrag.h"
#include "engine/engine.h"
#include "print/event.h"
#include "print/format.h"
#include "print/json.h"
#include "cli/replay.h"

#define NACTIONS 4
/* Devices the summary lists one by one; the rest are counted. */
#define REPLAY_MAX_DEVICES 4096
#define REPLAY_DEVICE_SLOTS (2 * REPLAY_MAX_DEVICES)

/* One capture's run through an engine. */
struct run {
	const struct policy *p;
	replay_decision_fn fn;
	void *arg;
	struct replay_counts c;
	uint64_t last_ts;	   /* of the last packet: when waiting flows are decided */
	struct defrag *df;	   /* fragments put together, as the kernel does */
	struct engine_clock clock; /* the last packet's time, local (schedules) */
};

static void deliver(struct run *r, struct event *ev, const struct device_key *dev,
		    const struct decision *d)
{
	ev->has_mac = dev->has_mac;
	ev->monitor = r->p->monitor;
	ev->d = d;
	memcpy(ev->mac, dev->mac, 6);
	r->c.decisions++;
	r->fn(ev, r->arg);
}

static void deliver_decision(struct run *r, uint64_t ts_us, const struct device_key *dev,
			     const struct engine_flow_key *k, const struct decision *d,
			     const struct packet *pkt)
{
	struct event ev = { .ts_us = ts_us, .flow = k };

	if (pkt)
		event_packet(&ev, pkt);
	deliver(r, &ev, dev, d);
}

/*
 * A frame that did not decode: the daemon's decision for it (the strictest a
 * rule could give), with the addresses and ports that could be read.
 */
static void deliver_unreadable(struct run *r, uint64_t ts_us, const struct link *lk,
			       const struct packet *pkt)
{
	struct engine_flow_key k = { .family = pkt->family, .proto = pkt->proto };
	struct device_key dev = { .has_mac = lk->has_mac, .family = pkt->family };
	struct event ev = { .ts_us = ts_us, .flow = &k };
	struct decision d;

	r->c.unreadable++;
	memcpy(dev.mac, lk->src_mac, 6);
	memcpy(dev.addr, pkt->src, 16);
	memcpy(k.src, pkt->src, 16);
	memcpy(k.dst, pkt->dst, 16);
	ev.no_src = ev.no_dst = pkt->family == 0;
	ev.no_ports = true;
	/* 0 is hop-by-hop options, never the last header: the chain was not read through */
	ev.no_proto = pkt->proto == 0;
	engine_unreadable(r->p, &dev, &r->clock, &d);
	deliver(r, &ev, &dev, &d);
}

static void finish_one(const struct decision *d, const struct engine_flow_key *k,
		       const struct device_key *dev, void *arg)
{
	struct run *r = arg;

	r->c.at_end++;
	deliver_decision(r, r->last_ts, dev, k, d, NULL);
}

/* The IP packet of a fragment, put together: false while held or dropped. */
static bool reassemble(struct run *r, const uint8_t *data, const struct pcap_pkthdr *hdr,
		       uint64_t ts, const struct link *lk, struct packet *pkt)
{
	const uint8_t *whole;
	size_t n;

	switch (defrag_add(r->df, data + lk->l3_off, hdr->caplen - lk->l3_off, ts, &whole, &n)) {
	case DEFRAG_PASS:
		return true;
	case DEFRAG_HELD:
	case DEFRAG_DROPPED:
		return false;
	case DEFRAG_DONE:
		break;
	}
	if (decode_ip(whole, n, pkt, NULL) != DECODE_OK) {
		deliver_unreadable(r, ts, lk, pkt);
		return false;
	}
	return true;
}

/* One frame of the capture through the engine. */
static void run_frame(struct run *r, struct engine *e, const struct capture *cap,
		      const struct pcap_pkthdr *hdr, const uint8_t *data)
{
	uint64_t ts = (uint64_t)hdr->ts.tv_sec * 1000000u + (uint64_t)hdr->ts.tv_usec;
	struct engine_input in = { 0 };
	enum capture_frame fr;
	struct decision d;
	struct packet pkt;
	struct link lk;

	r->c.packets++;
	r->last_ts = ts;
	if ((int64_t)(ts / 1000000) != r->clock.wall) {
		r->clock = local_clock((int64_t)(ts / 1000000));
		engine_set_clock(e, &r->clock);
	}
	fr = capture_decode(cap, data, hdr->caplen, &lk, &pkt, NULL, NULL);
	switch (fr) {
	case CAPTURE_NOT_IP:
		r->c.not_ip++;
		return;
	case CAPTURE_BAD_LINK:
	case CAPTURE_BAD_IP:
		if (fr == CAPTURE_BAD_LINK)
			memset(&pkt, 0, sizeof(pkt));
		deliver_unreadable(r, ts, &lk, &pkt);
		return;
	case CAPTURE_IP:
		break;
	}
	/* the kernel puts fragments together before the queue */
	if (pkt.fragment && !reassemble(r, data, hdr, ts, &lk, &pkt))
		return;
	in.pkt = &pkt;
	in.has_mac = lk.has_mac;
	memcpy(in.mac, lk.src_mac, 6);
	in.now = ts / 1000;
	if (engine_packet(e, &in, &d) == ENGINE_DECIDED && d.first) {
		struct engine_flow_key k;
		struct device_key dev = { .has_mac = lk.has_mac };

		memcpy(dev.mac, lk.src_mac, 6);
		decision_flow(&d, &pkt, &dev.has_mac, dev.mac, &k);
		deliver_decision(r, ts, &dev, &k, &d, &pkt);
	}
}

int replay_capture(const struct policy *p, const char *path, const char *cmd, replay_decision_fn fn,
		   void *arg, struct replay_counts *cnt, FILE *err)
{
	struct run r = { .p = p, .fn = fn, .arg = arg, .clock = { -1, -1 } };
	struct pcap_pkthdr *hdr;
	const uint8_t *data;
	struct capture cap;
	struct engine *e;
	int rc, ret = 0;

	if (capture_open(&cap, path, cmd, err))
		return -1;
	e = engine_new(p, 0); /* the policy's limits, as in the daemon */
	r.df = defrag_new();
	if (!e || !r.df) {
		fprintf(err, "nfq-guard: %s: out of memory\n", cmd);
		ret = -1;
		goto out;
	}
	while ((rc = capture_next(&cap, &hdr, &data, cmd, err)) == 1)
		run_frame(&r, e, &cap, hdr, data);
	if (rc < 0)
		ret = 1;
	engine_finish(e, r.last_ts / 1000, finish_one, &r);
	r.c.snooped = engine_stats(e)->snooped;
	r.c.names_learned = engine_names_stats(e)->learned;
	r.c.flows_evicted = engine_stats(e)->flows_evicted;
	r.c.fragments_dropped = defrag_dropped(r.df);
	if (cnt)
		*cnt = r.c;
out:
	defrag_free(r.df);
	engine_free(e);
	capture_close(&cap);
	return ret;
}

struct counts {
	uint64_t by_action[NACTIONS];
};

/* A device of the summary: by MAC, else by source address. */
struct device_row {
	bool used, has_mac;
	uint8_t mac[6];
	uint8_t family; /* without a MAC: the address (0: none read) */
	uint8_t addr[16];
	int group; /* of its last decision, -1 none */
	uint64_t allowed, blocked;
};

/* What replay prints: each decision, and the counts for the summary. */
struct printer {
	const struct policy *p;
	bool json;
	FILE *out;
	struct counts *rules;	 /* nrules + 1: the last is "default" */
	struct counts *groups;	 /* ndevices + 1: the last is "no group" */
	struct device_row *devs; /* REPLAY_DEVICE_SLOTS, open addressing */
	uint32_t *order;	 /* the rows in the order first seen */
	size_t ndevs;
	uint64_t devs_cut; /* decisions of devices past REPLAY_MAX_DEVICES */
};

static bool row_is(const struct device_row *w, const struct event *ev)
{
	if (w->has_mac != ev->has_mac)
		return false;
	if (ev->has_mac)
		return !memcmp(w->mac, ev->mac, 6);
	return w->family == (ev->no_src ? 0 : ev->flow->family) &&
	       !memcmp(w->addr, ev->flow->src, 16);
}

/* The device's row, new if need be; NULL past the bound. */
static struct device_row *device_row(struct printer *pr, const struct event *ev)
{
	uint32_t h = LRU_HASH_INIT;
	struct device_row *w;
	size_t i;

	h = lru_hash(h, &ev->has_mac, 1);
	h = ev->has_mac ? lru_hash(h, ev->mac, 6) : lru_hash(h, ev->flow->src, 16);
	for (i = 0; i < REPLAY_DEVICE_SLOTS; i++) {
		w = &pr->devs[(h + i) % REPLAY_DEVICE_SLOTS];
		if (w->used && row_is(w, ev))
			return w;
		if (!w->used)
			break;
	}
	if (i == REPLAY_DEVICE_SLOTS || pr->ndevs >= REPLAY_MAX_DEVICES)
		return NULL;
	memset(w, 0, sizeof(*w));
	w->used = true;
	w->has_mac = ev->has_mac;
	memcpy(w->mac, ev->mac, 6);
	if (!ev->has_mac && !ev->no_src) {
		w->family = ev->flow->family;
		memcpy(w->addr, ev->flow->src, 16);
	}
	pr->order[pr->ndevs++] = (uint32_t)(w - pr->devs);
	return w;
}

static void print_one(const struct event *ev, void *arg)
{
	struct printer *pr = arg;
	const struct decision *d = ev->d;
	size_t ri = d->rule ? (size_t)(d->rule - pr->p->rules) : pr->p->nrules;
	size_t gi = d->device >= 0 ? (size_t)d->device : pr->p->ndevices;
	struct device_row *w = device_row(pr, ev);

	if (pr->json)
		event_print_json(pr->out, pr->p, ev);
	else
		event_print_text(pr->out, pr->p, ev);
	pr->rules[ri].by_action[d->action]++;
	pr->groups[gi].by_action[d->action]++;
	if (!w) {
		pr->devs_cut++;
		return;
	}
	w->group = d->device;
	if (action_blocks(d->action))
		w->blocked++;
	else
		w->allowed++;
}

static void print_counts_json(FILE *f, const char *key, const char *name, const struct counts *c)
{
	int a;

	fputc('{', f);
	json_key(f, key, 1);
	json_str(f, name);
	for (a = 0; a < NACTIONS; a++)
		fprintf(f, ",\"%s\":%llu", action_str((enum action)a),
			(unsigned long long)c->by_action[a]);
	fputc('}', f);
}

static bool any(const struct counts *c)
{
	return c->by_action[0] || c->by_action[1] || c->by_action[2] || c->by_action[3];
}

static const char *rule_name(const struct policy *p, size_t i)
{
	return i < p->nrules ? p->rules[i].name : "default";
}

static const char *group_name(const struct policy *p, size_t i)
{
	return i < p->ndevices ? p->devices[i].name : NULL;
}

/* A row's MAC, or its address (NULL when neither is known), into buf. */
static const char *row_mac(const struct device_row *w, char *buf, size_t sz)
{
	if (w->has_mac) {
		fmt_mac(w->mac, buf, sz);
		return buf;
	}
	if (!w->family)
		return NULL;
	fmt_addr(w->family, w->addr, buf, sz);
	return buf;
}

/* A list of counts by action as JSON: n named entries and the last (default / no group). */
static void print_list_json(FILE *f, const char *list, const char *key, const struct counts *c,
			    size_t n, const char *(*name)(const struct policy *, size_t),
			    const struct policy *p)
{
	bool first = true;
	size_t i;

	fprintf(f, ",\"%s\":[", list);
	for (i = 0; i <= n; i++) {
		if (!any(&c[i]))
			continue;
		if (!first)
			fputc(',', f);
		first = false;
		print_counts_json(f, key, name(p, i), &c[i]);
	}
	fputc(']', f);
}

static void print_devices_json(const struct printer *pr)
{
	char a[INET6_ADDRSTRLEN];
	FILE *f = pr->out;
	size_t i;

	fputs(",\"per_device\":[", f);
	for (i = 0; i < pr->ndevs; i++) {
		const struct device_row *w = &pr->devs[pr->order[i]];

		fputs(i ? ",{" : "{", f);
		json_key(f, "mac", 1);
		json_str(f, w->has_mac ? row_mac(w, a, sizeof(a)) : NULL);
		json_key(f, "address", 0);
		json_str(f, w->has_mac ? NULL : row_mac(w, a, sizeof(a)));
		json_key(f, "group", 0);
		json_str(f, w->group >= 0 ? pr->p->devices[w->group].name : NULL);
		json_key(f, "label", 0);
		json_str(f, w->has_mac ? policy_label(pr->p, w->mac) : NULL);
		fprintf(f, ",\"flows_allowed\":%llu,\"flows_blocked\":%llu}",
			(unsigned long long)w->allowed, (unsigned long long)w->blocked);
	}
	fprintf(f, "],\"per_device_cut\":%llu", (unsigned long long)pr->devs_cut);
}

static void print_summary_json(const struct printer *pr, const struct replay_counts *c)
{
	const struct policy *p = pr->p;
	FILE *f = pr->out;

	fprintf(f,
		"{\"event\":\"summary\",\"packets\":%llu,\"unreadable\":%llu,"
		"\"not_ip\":%llu,\"decisions\":%llu,\"decided_at_end\":%llu,"
		"\"dns_answers\":%llu,\"names_learned\":%llu,\"flows_evicted\":%llu,"
		"\"fragments_dropped\":%llu",
		(unsigned long long)c->packets, (unsigned long long)c->unreadable,
		(unsigned long long)c->not_ip, (unsigned long long)c->decisions,
		(unsigned long long)c->at_end, (unsigned long long)c->snooped,
		(unsigned long long)c->names_learned, (unsigned long long)c->flows_evicted,
		(unsigned long long)c->fragments_dropped);
	print_list_json(f, "rules", "rule", pr->rules, p->nrules, rule_name, p);
	print_list_json(f, "devices", "device", pr->groups, p->ndevices, group_name, p);
	print_devices_json(pr);
	fputs("}\n", f);
}

/* A table of counts by action: n named rows and the last one (default / no group). */
static void print_counts_text(FILE *f, const char *what, const struct counts *c, size_t n,
			      const char *(*name)(const struct policy *, size_t),
			      const struct policy *p)
{
	const char *s;
	size_t i;

	fprintf(f, "%-24s %8s %8s %8s %8s\n", what, "allow", "drop", "reject", "log");
	for (i = 0; i <= n; i++)
		if (any(&c[i]))
			fprintf(f, "%-24s %8llu %8llu %8llu %8llu\n", (s = name(p, i)) ? s : "-",
				(unsigned long long)c[i].by_action[0],
				(unsigned long long)c[i].by_action[1],
				(unsigned long long)c[i].by_action[2],
				(unsigned long long)c[i].by_action[3]);
}

/* Per device: its MAC (or address), group, label, flows allowed and blocked. */
static void print_devices_text(const struct printer *pr)
{
	char a[INET6_ADDRSTRLEN];
	const char *s, *label;
	FILE *f = pr->out;
	size_t i;

	fprintf(f, "%-24s %-16s %-20s %8s %8s\n", "mac", "group", "label", "allowed", "blocked");
	for (i = 0; i < pr->ndevs; i++) {
		const struct device_row *w = &pr->devs[pr->order[i]];

		label = w->has_mac ? policy_label(pr->p, w->mac) : NULL;
		fprintf(f, "%-24s %-16s %-20s %8llu %8llu\n",
			(s = row_mac(w, a, sizeof(a))) ? s : "-",
			w->group >= 0 ? pr->p->devices[w->group].name : "-", label ? label : "-",
			(unsigned long long)w->allowed, (unsigned long long)w->blocked);
	}
	if (pr->devs_cut)
		fprintf(f, "(%llu decisions of devices past the first %d not listed)\n",
			(unsigned long long)pr->devs_cut, REPLAY_MAX_DEVICES);
}

static void print_summary_text(const struct printer *pr, const struct replay_counts *c)
{
	FILE *f = pr->out;

	fprintf(f,
		"\n%llu packets, %llu decisions (%llu at the end of the capture), "
		"%llu DNS answers snooped, %llu names learned, %llu unreadable\n",
		(unsigned long long)c->packets, (unsigned long long)c->decisions,
		(unsigned long long)c->at_end, (unsigned long long)c->snooped,
		(unsigned long long)c->names_learned, (unsigned long long)c->unreadable);
	print_counts_text(f, "rule", pr->rules, pr->p->nrules, rule_name, pr->p);
	print_counts_text(f, "device", pr->groups, pr->p->ndevices, group_name, pr->p);
	print_devices_text(pr);
}

int replay_file(const struct policy *p, const char *path, bool json, FILE *out, FILE *err)
{
	struct printer pr = { .p = p, .json = json, .out = out };
	struct replay_counts c;
	int rc, ret = 1;

	pr.rules = calloc(p->nrules + 1, sizeof(*pr.rules));
	pr.groups = calloc(p->ndevices + 1, sizeof(*pr.groups));
	pr.devs = calloc(REPLAY_DEVICE_SLOTS, sizeof(*pr.devs));
	pr.order = calloc(REPLAY_MAX_DEVICES, sizeof(*pr.order));
	if (!pr.rules || !pr.groups || !pr.devs || !pr.order) {
		fprintf(err, "nfq-guard: replay: out of memory\n");
		goto out;
	}
	rc = replay_capture(p, path, "replay", print_one, &pr, &c, err);
	if (rc < 0)
		goto out;
	if (json)
		print_summary_json(&pr, &c);
	else
		print_summary_text(&pr, &c);
	ret = rc;
	if (fflush(out) != 0) {
		fprintf(err, "nfq-guard: replay: write error\n");
		ret = 1;
	}
out:
	free(pr.rules);
	free(pr.groups);
	free(pr.devs);
	free(pr.order);
	return ret;
}
