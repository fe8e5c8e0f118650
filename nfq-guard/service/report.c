/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report.c - what `nfq-guard status` and `stats` print (see run.h): text
 * for people, or one JSON object for monitoring.  The stats are gathered
 * into a struct stats under the swap lock, briefly; the kernel's queue
 * figures are read and everything is printed after it is released, so no
 * client holds up the workers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "print/event.h"
#include "print/format.h"
#include "print/json.h"
#include "service/run.h"

static void fmt_wall(uint64_t s, char *buf, size_t sz)
{
	fmt_time(s * 1000000, buf, sz);
}

static void json_u64(FILE *f, const char *key, uint64_t v)
{
	json_key(f, key, 0);
	fprintf(f, "%" PRIu64, v);
}

static void json_bool(FILE *f, const char *key, bool v)
{
	json_key(f, key, 0);
	fputs(v ? "true" : "false", f);
}

void report_status(struct run *r, FILE *f, bool json)
{
	const struct policy *p = r->p;
	uint64_t up = (run_now_ms() - r->started_mono) / 1000;
	const char *qpath = r->nc.queue == NFT_QUEUE_NATIVE ? "native" : "compat";
	char started[40], loaded[40];

	fmt_wall(r->started_wall, started, sizeof(started));
	fmt_wall(r->policy_loaded, loaded, sizeof(loaded));
	if (json) {
		fputc('{', f);
		json_key(f, "pid", 1);
		fprintf(f, "%d", (int)getpid());
		json_key(f, "policy", 0);
		json_str(f, r->path);
		json_key(f, "mode", 0);
		json_str(f, p->monitor ? "monitor" : "enforce");
		json_key(f, "default", 0);
		json_str(f, action_str(p->dflt));
		json_key(f, "fail", 0);
		json_str(f, p->fail_open ? "open" : "closed");
		json_key(f, "queue_path", 0);
		json_str(f, qpath);
		json_u64(f, "queue_num", r->nc.queue_num);
		json_u64(f, "queue_threads", r->nworkers);
		json_key(f, "table", 0);
		json_str(f, r->nc.split ? "ip/ip6" : "inet");
		json_bool(f, "persistent", r->nc.persist);
		json_u64(f, "generation", r->nc.gen);
		json_key(f, "started", 0);
		json_str(f, started);
		json_u64(f, "uptime_s", up);
		json_key(f, "policy_loaded", 0);
		json_str(f, loaded);
		json_u64(f, "reloads", r->reloads);
		json_u64(f, "reloads_failed", r->reloads_failed);
		json_u64(f, "reinstalls", r->reinstalls);
		json_key(f, "user", 0);
		json_str(f, r->pv.user);
		json_key(f, "events", 0);
		json_str(f, r->events ? r->events_path : NULL);
		fputs("}\n", f);
		return;
	}
	fprintf(f, "policy:      %s (loaded %s)\n", r->path, loaded);
	fprintf(f, "mode:        %s, default %s, fail %s\n", p->monitor ? "monitor" : "enforce",
		action_str(p->dflt), p->fail_open ? "open" : "closed");
	fprintf(f, "queue:       %u", r->nc.queue_num);
	if (r->nworkers > 1)
		fprintf(f, "-%u", r->nc.queue_num + r->nworkers - 1);
	fprintf(f, " (%s: %s)\n", qpath,
		r->nc.queue == NFT_QUEUE_NATIVE ? "nft queue expression" :
						  "xtables NFQUEUE target");
	fprintf(f, "table:       %s %s%s\n", r->nc.split ? "ip/ip6" : "inet", NFT_TABLE_NAME,
		r->nc.persist ? " (owned, persistent)" : "");
	fprintf(f, "generation:  %u\n", r->nc.gen);
	fprintf(f, "started:     %s (up %" PRIu64 "d %02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ")\n",
		started, up / 86400, up / 3600 % 24, up / 60 % 60, up % 60);
	fprintf(f,
		"reloads:     %" PRIu64 " (%" PRIu64 " rejected); table reinstalled %" PRIu64
		" times\n",
		r->reloads, r->reloads_failed, r->reinstalls);
	fprintf(f, "user:        %s (pid %d)\n", r->pv.user, (int)getpid());
	fprintf(f, "events:      %s\n", r->events ? r->events_path : "(log only)");
}

/* One of our queues' line of /proc/net/netfilter/nfnetlink_queue. */
struct kqueue {
	bool found;
	uint64_t waiting, queue_dropped, user_dropped;
};

static void read_kernel_queues(const struct run *r, struct kqueue *kq)
{
	FILE *f = fopen("/proc/net/netfilter/nfnetlink_queue", "re");
	unsigned long long num, portid, total, mode, range, qd, ud;
	char line[256];

	memset(kq, 0, sizeof(*kq) * RUN_MAX_THREADS);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llu %llu %llu %llu %llu %llu %llu", &num, &portid, &total, &mode,
			   &range, &qd, &ud) != 7)
			continue;
		if (num < r->nc.queue_num ||
		    num >= (unsigned long long)r->nc.queue_num + r->nworkers)
			continue;
		kq[num - r->nc.queue_num] = (struct kqueue){
			.found = true, .waiting = total, .queue_dropped = qd, .user_dropped = ud
		};
	}
	fclose(f);
}

uint64_t report_waiting(const struct run *r)
{
	struct kqueue kq[RUN_MAX_THREADS];
	uint64_t n = 0;

	read_kernel_queues(r, kq);
	for (unsigned int w = 0; w < r->nworkers; w++)
		n += kq[w].waiting;
	return n;
}

/* The figures of one stats report, as they stood at one moment. */
struct stats {
	struct engine_stats es; /* all engines, and those reloads retired */
	struct engine_shared_sizes sz;
	uint64_t packets, enobufs, verr, malformed, qd, ud;
	size_t flows, flows_max;
	struct {
		uint16_t num;
		uint64_t packets, enobufs;
	} q[RUN_MAX_THREADS];
	struct kqueue kq[RUN_MAX_THREADS];
	uint64_t *rule_flows; /* per rule, then the default */
	size_t nrules;
	uint64_t events_written, events_held, events_summaries;
};

/* Under swap (written): the workers' counters stand still meanwhile. */
static void gather_locked(struct run *r, struct stats *st)
{
	size_t m;

	st->es = r->retired;
	engine_shared_sizes(r->sh, &st->sz);
	for (unsigned int w = 0; w < r->nworkers; w++) {
		const struct queue_stats *q = queue_stats(r->w[w].q);

		engine_stats_add(&st->es, engine_stats(r->w[w].e));
		st->q[w].num = r->w[w].num;
		st->q[w].packets = q->packets;
		st->q[w].enobufs = q->enobufs;
		st->packets += q->packets;
		st->enobufs += q->enobufs;
		st->verr += q->verdict_errors;
		st->malformed += r->w[w].malformed;
		st->flows += engine_flow_count(r->w[w].e, &m);
		st->flows_max += m;
		for (size_t i = 0; st->rule_flows && i <= st->nrules; i++)
			st->rule_flows[i] += r->w[w].rule_flows[i];
	}
}

/* The stats of r now; 0, or -ENOMEM.  Takes swap for as long as the copy takes. */
static int gather(struct run *r, struct stats *st)
{
	memset(st, 0, sizeof(*st));
	/* the policy changes on this thread only (reload): its rule count holds */
	st->nrules = r->p->nrules;
	st->rule_flows = calloc(st->nrules + 1, sizeof(uint64_t));
	if (!st->rule_flows)
		return -ENOMEM;
	pthread_rwlock_wrlock(&r->swap);
	gather_locked(r, st);
	pthread_rwlock_unlock(&r->swap);
	pthread_mutex_lock(&r->events_lock);
	st->events_written = r->events_written;
	st->events_held = r->lim.held;
	st->events_summaries = r->lim.summaries;
	pthread_mutex_unlock(&r->events_lock);
	read_kernel_queues(r, st->kq);
	for (unsigned int w = 0; w < r->nworkers; w++) {
		st->qd += st->kq[w].queue_dropped;
		st->ud += st->kq[w].user_dropped;
	}
	return 0;
}

static void json_cache(FILE *f, const char *key, size_t entries, uint64_t max)
{
	json_key(f, key, 0);
	fputc('{', f);
	json_key(f, "entries", 1);
	fprintf(f, "%zu", entries);
	json_u64(f, "max", max);
}

static void stats_json_queues(const struct run *r, const struct stats *st, FILE *f)
{
	json_key(f, "queues", 0);
	fputc('[', f);
	for (unsigned int w = 0; w < r->nworkers; w++) {
		fputs(w ? ",{" : "{", f);
		json_key(f, "num", 1);
		fprintf(f, "%u", st->q[w].num);
		json_u64(f, "packets", st->q[w].packets);
		json_u64(f, "waiting", st->kq[w].waiting);
		json_u64(f, "queue_dropped", st->kq[w].queue_dropped);
		json_u64(f, "user_dropped", st->kq[w].user_dropped);
		json_u64(f, "enobufs", st->q[w].enobufs);
		fputc('}', f);
	}
	fputc(']', f);
	json_key(f, "rules", 0);
	fputc('[', f);
	for (size_t i = 0; i <= st->nrules; i++) {
		fputs(i ? ",{" : "{", f);
		json_key(f, "rule", 1);
		json_str(f, i < st->nrules ? r->p->rules[i].name : "default");
		json_key(f, "action", 0);
		json_str(f, action_str(i < st->nrules ? r->p->rules[i].action : r->p->dflt));
		json_u64(f, "flows", st->rule_flows[i]);
		fputc('}', f);
	}
	fputc(']', f);
}

static void stats_json(struct run *r, const struct stats *st, FILE *f)
{
	fputc('{', f);
	json_key(f, "packets", 1);
	fprintf(f, "%" PRIu64, st->packets);
	json_u64(f, "decisions", st->es.decisions);
	json_u64(f, "pending", st->es.pending);
	json_u64(f, "pending_cut", st->es.pending_cut);
	json_u64(f, "snooped", st->es.snooped);
	json_u64(f, "unreadable", st->malformed);
	json_u64(f, "enobufs", st->enobufs);
	json_u64(f, "verdict_errors", st->verr);
	json_u64(f, "queue_dropped", st->qd);
	json_u64(f, "user_dropped", st->ud);
	json_u64(f, "unknown_names", st->es.unknown_names);
	json_u64(f, "waiting_full", st->es.waiting_full);
	json_u64(f, "keepalive_decisions", st->es.keepalive_decisions);
	json_u64(f, "dns_unmatched", st->es.dns_unmatched);
	json_u64(f, "dns_unread", st->es.dns_unread);
	stats_json_queues(r, st, f);
	json_key(f, "caches", 0);
	fputc('{', f);
	json_key(f, "names", 1);
	fputc('{', f);
	json_key(f, "entries", 1);
	fprintf(f, "%zu", st->sz.names.entries);
	json_u64(f, "max", st->sz.names_max);
	json_u64(f, "learned", st->sz.names.learned);
	json_u64(f, "evicted", st->sz.names.evicted);
	json_u64(f, "expired", st->sz.names.expired);
	fputc('}', f);
	json_cache(f, "flows", st->flows, st->flows_max);
	json_u64(f, "evicted", st->es.flows_evicted);
	fputc('}', f);
	json_cache(f, "device_addresses", st->sz.seen, st->sz.seen_max);
	json_u64(f, "evicted", st->es.devices_evicted);
	fputc('}', f);
	fputc('}', f);
	json_key(f, "per_device", 0);
	devtab_print(&r->devs, f, DEVTAB_JSON);
	json_key(f, "events", 0);
	fputc('{', f);
	json_key(f, "written", 1);
	fprintf(f, "%" PRIu64, st->events_written);
	json_u64(f, "held_back", st->events_held);
	json_u64(f, "summaries", st->events_summaries);
	fputc('}', f);
	fputs("}\n", f);
}

static void stats_text(struct run *r, const struct stats *st, FILE *f)
{
	fprintf(f,
		"packets:     %" PRIu64 " queued, %" PRIu64 " flows decided, %" PRIu64
		" waited for a name (%" PRIu64 " cut short), %" PRIu64
		" DNS answers snooped (%" PRIu64 " answering no query seen, %" PRIu64
		" streams not read), %" PRIu64 " unreadable\n"
		"names:       %" PRIu64 " flows decided with an unknown name, %" PRIu64
		" could not wait (limits.pending_flows), %" PRIu64
		" later verdicts of kept-alive HTTP flows\n",
		st->packets, st->es.decisions, st->es.pending, st->es.pending_cut, st->es.snooped,
		st->es.dns_unmatched, st->es.dns_unread, st->malformed, st->es.unknown_names,
		st->es.waiting_full, st->es.keepalive_decisions);
	fprintf(f,
		"queues:      %" PRIu64 " dropped by the kernel (queue full), %" PRIu64
		" dropped (socket full), %" PRIu64 " ENOBUFS, %" PRIu64 " verdict errors\n",
		st->qd, st->ud, st->enobufs, st->verr);
	for (unsigned int w = 0; w < r->nworkers; w++)
		fprintf(f,
			"  queue %-5u %" PRIu64 " packets, %" PRIu64 " waiting, %" PRIu64
			" queue_dropped, %" PRIu64 " user_dropped\n",
			st->q[w].num, st->q[w].packets, st->kq[w].waiting, st->kq[w].queue_dropped,
			st->kq[w].user_dropped);
	fprintf(f, "rules:       flows decided since the policy was loaded\n");
	for (size_t i = 0; i <= st->nrules; i++)
		fprintf(f, "  %-24s %-7s %" PRIu64 "\n",
			i < st->nrules ? r->p->rules[i].name : "(default)",
			action_str(i < st->nrules ? r->p->rules[i].action : r->p->dflt),
			st->rule_flows[i]);
	fprintf(f,
		"caches:      names %zu/%zu (%" PRIu64 " learned, %" PRIu64 " evicted, %" PRIu64
		" expired); flows %zu/%zu (%" PRIu64 " evicted); device addresses %zu/%zu (%" PRIu64
		" evicted); devices %zu (%" PRIu64 " evicted)\n",
		st->sz.names.entries, st->sz.names_max, st->sz.names.learned, st->sz.names.evicted,
		st->sz.names.expired, st->flows, st->flows_max, st->es.flows_evicted, st->sz.seen,
		st->sz.seen_max, st->es.devices_evicted, devtab_count(&r->devs), r->devs.evicted);
	fprintf(f, "devices:     flows allowed / blocked (or, in monitor mode, that would be)\n");
	devtab_print(&r->devs, f, DEVTAB_BRIEF);
	fprintf(f,
		"events:      %" PRIu64 " written, %" PRIu64 " held back (%" PRIu64
		" summary lines)\n",
		st->events_written, st->events_held, st->events_summaries);
}

void report_stats(struct run *r, FILE *f, bool json)
{
	struct stats st;

	if (gather(r, &st)) {
		fprintf(f, "stats: out of memory\n");
		return;
	}
	if (json)
		stats_json(r, &st, f);
	else
		stats_text(r, &st, f);
	free(st.rule_flows);
}
