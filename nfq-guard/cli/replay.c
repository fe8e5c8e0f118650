/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay.c - `nfq-guard replay`: every packet of a capture goes through the
 * same decoders and engine as in the daemon, DNS snooping and late SNI/Host
 * decisions included; the capture's timestamps are the engine's clock.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/capture.h"
#include "cli/defrag.h"
#include "engine/engine.h"
#include "print/event.h"
#include "print/format.h"
#include "print/json.h"
#include "cli/replay.h"

#define NACTIONS 4

struct counts {
	uint64_t by_action[NACTIONS];
};

struct replay {
	const struct policy *p;
	bool json;
	FILE *out;
	uint64_t packets, unreadable, not_ip, decisions, at_end;
	uint64_t last_ts;	   /* of the last packet: when waiting flows are decided */
	struct counts *rules;	   /* nrules + 1: the last is "default" */
	struct counts *devices;	   /* ndevices + 1: the last is "no group" */
	struct defrag *df;	   /* fragments put together, as the kernel does */
	struct engine_clock clock; /* the last packet's time, local (schedules) */
};

static void count(struct replay *r, const struct decision *d)
{
	size_t ri = d->rule ? (size_t)(d->rule - r->p->rules) : r->p->nrules;
	size_t di = d->device >= 0 ? (size_t)d->device : r->p->ndevices;

	r->rules[ri].by_action[d->action]++;
	r->devices[di].by_action[d->action]++;
	r->decisions++;
}

static void print_event(struct replay *r, struct event *ev, const struct device_key *dev,
			const struct decision *d)
{
	ev->has_mac = dev->has_mac;
	ev->monitor = r->p->monitor;
	ev->d = d;
	memcpy(ev->mac, dev->mac, 6);
	if (r->json)
		event_print_json(r->out, r->p, ev);
	else
		event_print_text(r->out, r->p, ev);
	count(r, d);
}

static void print_decision(struct replay *r, uint64_t ts_us, const struct device_key *dev,
			   const struct engine_flow_key *k, const struct decision *d,
			   const struct packet *pkt)
{
	struct event ev = { .ts_us = ts_us, .flow = k };

	if (pkt)
		event_packet(&ev, pkt);
	print_event(r, &ev, dev, d);
}

/*
 * A frame that did not decode: the daemon's decision for it (the strictest a
 * rule could give), with the addresses and ports that could be read.
 */
static void print_unreadable(struct replay *r, uint64_t ts_us, const struct link *lk,
			     const struct packet *pkt)
{
	struct engine_flow_key k = { .family = pkt->family, .proto = pkt->proto };
	struct device_key dev = { .has_mac = lk->has_mac, .family = pkt->family };
	struct event ev = { .ts_us = ts_us, .flow = &k };
	struct decision d;

	memcpy(dev.mac, lk->src_mac, 6);
	memcpy(dev.addr, pkt->src, 16);
	memcpy(k.src, pkt->src, 16);
	memcpy(k.dst, pkt->dst, 16);
	ev.no_src = ev.no_dst = pkt->family == 0;
	ev.no_ports = true;
	/* 0 is hop-by-hop options, never the last header: the chain was not read through */
	ev.no_proto = pkt->proto == 0;
	engine_unreadable(r->p, &dev, &r->clock, &d);
	print_event(r, &ev, &dev, &d);
}

static void finish_one(const struct decision *d, const struct engine_flow_key *k,
		       const struct device_key *dev, void *arg)
{
	struct replay *r = arg;

	r->at_end++;
	print_decision(r, r->last_ts, dev, k, d, NULL);
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

static const char *device_name(const struct policy *p, size_t i)
{
	return i < p->ndevices ? p->devices[i].name : "-";
}

/* A table of counts by action: n named rows and the last one (default / no group). */
static void print_counts_text(FILE *f, const char *what, const struct counts *c, size_t n,
			      const char *(*name)(const struct policy *, size_t),
			      const struct policy *p)
{
	size_t i;

	fprintf(f, "%-24s %8s %8s %8s %8s\n", what, "allow", "drop", "reject", "log");
	for (i = 0; i <= n; i++)
		if (any(&c[i]))
			fprintf(f, "%-24s %8llu %8llu %8llu %8llu\n", name(p, i),
				(unsigned long long)c[i].by_action[0],
				(unsigned long long)c[i].by_action[1],
				(unsigned long long)c[i].by_action[2],
				(unsigned long long)c[i].by_action[3]);
}

static void print_summary(struct replay *r, const struct engine *e)
{
	const struct engine_stats *st = engine_stats(e);
	const struct names_stats *ns = engine_names_stats(e);
	const struct policy *p = r->p;
	FILE *f = r->out;
	size_t i;
	bool first = true;

	if (r->json) {
		fprintf(f,
			"{\"event\":\"summary\",\"packets\":%llu,\"unreadable\":%llu,"
			"\"not_ip\":%llu,\"decisions\":%llu,\"decided_at_end\":%llu,"
			"\"dns_answers\":%llu,\"names_learned\":%llu,\"flows_evicted\":%llu,"
			"\"fragments_dropped\":%llu,\"rules\":[",
			(unsigned long long)r->packets, (unsigned long long)r->unreadable,
			(unsigned long long)r->not_ip, (unsigned long long)r->decisions,
			(unsigned long long)r->at_end, (unsigned long long)st->snooped,
			(unsigned long long)ns->learned, (unsigned long long)st->flows_evicted,
			(unsigned long long)defrag_dropped(r->df));
		for (i = 0; i <= p->nrules; i++) {
			if (!any(&r->rules[i]))
				continue;
			if (!first)
				fputc(',', f);
			first = false;
			print_counts_json(f, "rule", rule_name(p, i), &r->rules[i]);
		}
		fputs("],\"devices\":[", f);
		first = true;
		for (i = 0; i <= p->ndevices; i++) {
			if (!any(&r->devices[i]))
				continue;
			if (!first)
				fputc(',', f);
			first = false;
			print_counts_json(f, "device", i < p->ndevices ? p->devices[i].name : NULL,
					  &r->devices[i]);
		}
		fputs("]}\n", f);
		return;
	}
	fprintf(f,
		"\n%llu packets, %llu decisions (%llu at the end of the capture), "
		"%llu DNS answers snooped, %llu names learned, %llu unreadable\n",
		(unsigned long long)r->packets, (unsigned long long)r->decisions,
		(unsigned long long)r->at_end, (unsigned long long)st->snooped,
		(unsigned long long)ns->learned, (unsigned long long)r->unreadable);
	print_counts_text(f, "rule", r->rules, p->nrules, rule_name, p);
	print_counts_text(f, "device", r->devices, p->ndevices, device_name, p);
}

int replay_file(const struct policy *p, const char *path, bool json, FILE *out, FILE *err)
{
	struct replay r = { .p = p, .json = json, .out = out, .clock = { -1, -1 } };
	struct pcap_pkthdr *hdr;
	const uint8_t *data;
	struct capture cap;
	struct defrag *df = NULL;
	struct engine *e;
	int rc, ret = 0;

	if (capture_open(&cap, path, "replay", err))
		return 1;
	r.rules = calloc(p->nrules + 1, sizeof(*r.rules));
	r.devices = calloc(p->ndevices + 1, sizeof(*r.devices));
	e = engine_new(p, 0); /* the policy's limits, as in the daemon */
	df = r.df = defrag_new();
	if (!r.rules || !r.devices || !e || !df) {
		fprintf(err, "nfq-guard: replay: out of memory\n");
		ret = 1;
		goto out;
	}
	while ((rc = capture_next(&cap, &hdr, &data, "replay", err)) == 1) {
		struct engine_input in = { 0 };
		struct decision d;
		struct packet pkt;
		struct link lk;
		uint64_t ts = (uint64_t)hdr->ts.tv_sec * 1000000u + (uint64_t)hdr->ts.tv_usec;

		r.packets++;
		r.last_ts = ts;
		if ((int64_t)(ts / 1000000) != r.clock.wall) {
			r.clock = local_clock((int64_t)(ts / 1000000));
			engine_set_clock(e, &r.clock);
		}
		enum capture_frame fr =
			capture_decode(&cap, data, hdr->caplen, &lk, &pkt, NULL, NULL);

		switch (fr) {
		case CAPTURE_NOT_IP:
			r.not_ip++;
			continue;
		case CAPTURE_BAD_LINK:
		case CAPTURE_BAD_IP:
			if (fr == CAPTURE_BAD_LINK)
				memset(&pkt, 0, sizeof(pkt));
			r.unreadable++;
			print_unreadable(&r, ts, &lk, &pkt);
			continue;
		case CAPTURE_IP:
			break;
		}
		if (pkt.fragment) {
			/* the kernel puts fragments together before the queue */
			const uint8_t *whole;
			size_t n;

			switch (defrag_add(df, data + lk.l3_off, hdr->caplen - lk.l3_off, ts,
					   &whole, &n)) {
			case DEFRAG_PASS:
				break;
			case DEFRAG_HELD:
			case DEFRAG_DROPPED:
				continue;
			case DEFRAG_DONE:
				if (decode_ip(whole, n, &pkt, NULL) != DECODE_OK) {
					r.unreadable++;
					print_unreadable(&r, ts, &lk, &pkt);
					continue;
				}
				break;
			}
		}
		in.pkt = &pkt;
		in.has_mac = lk.has_mac;
		memcpy(in.mac, lk.src_mac, 6);
		in.now = ts / 1000;
		if (engine_packet(e, &in, &d) == ENGINE_DECIDED && d.first) {
			struct engine_flow_key k;
			struct device_key dev = { .has_mac = lk.has_mac };

			memcpy(dev.mac, lk.src_mac, 6);
			decision_flow(&d, &pkt, &dev.has_mac, dev.mac, &k);
			print_decision(&r, ts, &dev, &k, &d, &pkt);
		}
	}
	if (rc < 0)
		ret = 1;
	engine_finish(e, r.last_ts / 1000, finish_one, &r);
	print_summary(&r, e);
	if (fflush(out) != 0) {
		fprintf(err, "nfq-guard: replay: write error\n");
		ret = 1;
	}
out:
	defrag_free(df);
	engine_free(e);
	free(r.rules);
	free(r.devices);
	capture_close(&cap);
	return ret;
}
