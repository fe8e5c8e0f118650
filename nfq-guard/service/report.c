/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report.c - what `nfq-guard status` and `stats` print (see run.h): text
 * for people, or one JSON object for monitoring.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "print/event.h"
#include "print/format.h"
#include "print/json.h"
#include "service/run.h"

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

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
	uint64_t up = (mono_ms() - r->started_mono) / 1000;
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

/* Flows decided by rule i (nrules: the default), all queues together. */
static uint64_t rule_flows(const struct run *r, size_t i)
{
	uint64_t n = 0;

	for (unsigned int w = 0; w < r->nworkers; w++)
		n += __atomic_load_n(&r->w[w].rule_flows[i], __ATOMIC_RELAXED);
	return n;
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

/* Caller holds r->swap for writing: the workers' counters stand still. */
void report_stats(struct run *r, FILE *f, bool json)
{
	struct kqueue kq[RUN_MAX_THREADS];
	struct engine_stats es = r->retired;
	struct engine_shared_sizes sz;
	uint64_t packets = 0, enobufs = 0, verr = 0, malformed = 0, qd = 0, ud = 0;
	size_t flows = 0, flows_max = 0, m, i;
	unsigned int w;

	read_kernel_queues(r, kq);
	engine_shared_sizes(r->sh, &sz);
	for (w = 0; w < r->nworkers; w++) {
		const struct engine_stats *s = engine_stats(r->w[w].e);
		const struct queue_stats *q = queue_stats(r->w[w].q);

		engine_stats_add(&es, s);
		packets += q->packets;
		enobufs += q->enobufs;
		verr += q->verdict_errors;
		malformed += r->w[w].malformed;
		qd += kq[w].queue_dropped;
		ud += kq[w].user_dropped;
		flows += engine_flow_count(r->w[w].e, &m);
		flows_max += m;
	}
	if (json) {
		fputc('{', f);
		json_key(f, "packets", 1);
		fprintf(f, "%" PRIu64, packets);
		json_u64(f, "decisions", es.decisions);
		json_u64(f, "pending", es.pending);
		json_u64(f, "pending_cut", es.pending_cut);
		json_u64(f, "snooped", es.snooped);
		json_u64(f, "unreadable", malformed);
		json_u64(f, "enobufs", enobufs);
		json_u64(f, "verdict_errors", verr);
		json_u64(f, "queue_dropped", qd);
		json_u64(f, "user_dropped", ud);
		json_key(f, "queues", 0);
		fputc('[', f);
		for (w = 0; w < r->nworkers; w++) {
			fputs(w ? ",{" : "{", f);
			json_key(f, "num", 1);
			fprintf(f, "%u", r->w[w].num);
			json_u64(f, "packets", queue_stats(r->w[w].q)->packets);
			json_u64(f, "waiting", kq[w].waiting);
			json_u64(f, "queue_dropped", kq[w].queue_dropped);
			json_u64(f, "user_dropped", kq[w].user_dropped);
			json_u64(f, "enobufs", queue_stats(r->w[w].q)->enobufs);
			fputc('}', f);
		}
		fputc(']', f);
		json_key(f, "rules", 0);
		fputc('[', f);
		for (i = 0; i <= r->p->nrules; i++) {
			fputs(i ? ",{" : "{", f);
			json_key(f, "rule", 1);
			json_str(f, i < r->p->nrules ? r->p->rules[i].name : "default");
			json_key(f, "action", 0);
			json_str(f,
				 action_str(i < r->p->nrules ? r->p->rules[i].action : r->p->dflt));
			json_u64(f, "flows", rule_flows(r, i));
			fputc('}', f);
		}
		fputc(']', f);
		json_key(f, "caches", 0);
		fputc('{', f);
		json_key(f, "names", 1);
		fputc('{', f);
		json_key(f, "entries", 1);
		fprintf(f, "%zu", sz.names.entries);
		json_u64(f, "max", sz.names_max);
		json_u64(f, "learned", sz.names.learned);
		json_u64(f, "evicted", sz.names.evicted);
		json_u64(f, "expired", sz.names.expired);
		fputc('}', f);
		json_key(f, "flows", 0);
		fputc('{', f);
		json_key(f, "entries", 1);
		fprintf(f, "%zu", flows);
		json_u64(f, "max", flows_max);
		json_u64(f, "evicted", es.flows_evicted);
		fputc('}', f);
		json_key(f, "device_addresses", 0);
		fputc('{', f);
		json_key(f, "entries", 1);
		fprintf(f, "%zu", sz.seen);
		json_u64(f, "max", sz.seen_max);
		json_u64(f, "evicted", es.devices_evicted);
		fputc('}', f);
		fputc('}', f);
		json_key(f, "per_device", 0);
		devtab_print(&r->devs, f, DEVTAB_JSON);
		pthread_mutex_lock(&r->events_lock);
		json_key(f, "events", 0);
		fputc('{', f);
		json_key(f, "written", 1);
		fprintf(f, "%" PRIu64, r->events_written);
		json_u64(f, "held_back", r->lim.held);
		json_u64(f, "summaries", r->lim.summaries);
		fputc('}', f);
		pthread_mutex_unlock(&r->events_lock);
		fputs("}\n", f);
		return;
	}
	fprintf(f,
		"packets:     %" PRIu64 " queued, %" PRIu64 " flows decided, %" PRIu64
		" waited for a name (%" PRIu64 " cut short), %" PRIu64
		" DNS answers snooped, %" PRIu64 " unreadable\n",
		packets, es.decisions, es.pending, es.pending_cut, es.snooped, malformed);
	fprintf(f,
		"queues:      %" PRIu64 " dropped by the kernel (queue full), %" PRIu64
		" dropped (socket full), %" PRIu64 " ENOBUFS, %" PRIu64 " verdict errors\n",
		qd, ud, enobufs, verr);
	for (w = 0; w < r->nworkers; w++)
		fprintf(f,
			"  queue %-5u %" PRIu64 " packets, %" PRIu64 " waiting, %" PRIu64
			" queue_dropped, %" PRIu64 " user_dropped\n",
			r->w[w].num, queue_stats(r->w[w].q)->packets, kq[w].waiting,
			kq[w].queue_dropped, kq[w].user_dropped);
	fprintf(f, "rules:       flows decided since the policy was loaded\n");
	for (i = 0; i <= r->p->nrules; i++)
		fprintf(f, "  %-24s %-7s %" PRIu64 "\n",
			i < r->p->nrules ? r->p->rules[i].name : "(default)",
			action_str(i < r->p->nrules ? r->p->rules[i].action : r->p->dflt),
			rule_flows(r, i));
	fprintf(f,
		"caches:      names %zu/%zu (%" PRIu64 " learned, %" PRIu64 " evicted, %" PRIu64
		" expired); flows %zu/%zu (%" PRIu64 " evicted); device addresses %zu/%zu (%" PRIu64
		" evicted); devices %zu (%" PRIu64 " evicted)\n",
		sz.names.entries, sz.names_max, sz.names.learned, sz.names.evicted,
		sz.names.expired, flows, flows_max, es.flows_evicted, sz.seen, sz.seen_max,
		es.devices_evicted, devtab_count(&r->devs), r->devs.evicted);
	fprintf(f, "devices:     flows allowed / blocked (or, in monitor mode, that would be)\n");
	devtab_print(&r->devs, f, DEVTAB_BRIEF);
	pthread_mutex_lock(&r->events_lock);
	fprintf(f,
		"events:      %" PRIu64 " written, %" PRIu64 " held back (%" PRIu64
		" summary lines)\n",
		r->events_written, r->lim.held, r->lim.summaries);
	pthread_mutex_unlock(&r->events_lock);
}
