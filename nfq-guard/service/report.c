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

#ifndef NFQG_VERSION
#define NFQG_VERSION "unknown"
#endif

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
		json_u64(f, "exceptions", r->nexc);
		json_u64(f, "redecisions", r->redecisions);
		json_key(f, "state", 0);
		json_str(f, p->state);
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
	fprintf(f,
		"exceptions:  %zu (nfq-guard exceptions); device flows decided again %" PRIu64
		" times for exceptions and windows\n",
		r->nexc, r->redecisions);
	fprintf(f, "state:       %s%s\n", p->state, r->state_failing ? " (cannot be written)" : "");
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
	uint64_t *rule_flows; /* RUN_COUNTERS: per rule, the default, then per group */
	size_t nrules, ncounters;
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
		for (size_t i = 0; st->rule_flows && i < st->ncounters; i++)
			st->rule_flows[i] += r->w[w].rule_flows[i];
	}
}

/* The stats of r now; 0, or -ENOMEM.  Takes swap for as long as the copy takes. */
static int gather(struct run *r, struct stats *st)
{
	memset(st, 0, sizeof(*st));
	/* the policy changes on this thread only (reload): its rule count holds */
	st->nrules = r->p->nrules;
	st->ncounters = RUN_COUNTERS(r->p);
	st->rule_flows = calloc(st->ncounters, sizeof(uint64_t));
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
	json_cache(f, "devices_found", r->found.n, r->p->max_found);
	json_u64(f, "refused", r->found.refused);
	json_u64(f, "copies_read", r->nflog ? nflog_stats(r->nflog)->packets : 0);
	json_u64(f, "copies_lost", r->nflog ? nflog_stats(r->nflog)->enobufs : 0);
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

/* --- Prometheus text format (version 0.0.4) ------------------------------ */

static void prom_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP nfq_guard_%s %s\n# TYPE nfq_guard_%s %s\n", name, help, name, type);
}

/* A label value, escaped as the format wants (names are plain already: for safety). */
static void prom_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/* One sample without labels: a family of its own. */
static void prom_one(FILE *f, const char *name, const char *type, const char *help, uint64_t v)
{
	prom_family(f, name, type, help);
	fprintf(f, "nfq_guard_%s %" PRIu64 "\n", name, v);
}

static void prom_queues(const struct run *r, const struct stats *st, FILE *f)
{
	static const struct {
		const char *name, *type, *help;
	} fam[] = {
		{ "queue_packets_total", "counter", "Packets received from the queue." },
		{ "queue_waiting", "gauge", "Packets waiting in the kernel's queue." },
		{ "queue_kernel_dropped_total", "counter",
		  "Packets the kernel dropped or let pass (fail open) with the queue full." },
		{ "queue_socket_dropped_total", "counter",
		  "Packets the kernel could not hand over: the socket was full." },
		{ "queue_enobufs_total", "counter", "ENOBUFS on the queue's socket." },
	};

	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		prom_family(f, fam[i].name, fam[i].type, fam[i].help);
		for (unsigned int w = 0; w < r->nworkers; w++) {
			uint64_t v = i == 0 ? st->q[w].packets :
				     i == 1 ? st->kq[w].waiting :
				     i == 2 ? st->kq[w].queue_dropped :
				     i == 3 ? st->kq[w].user_dropped :
					      st->q[w].enobufs;

			fprintf(f, "nfq_guard_%s{queue=\"%u\"} %" PRIu64 "\n", fam[i].name,
				st->q[w].num, v);
		}
	}
}

static void prom_rules(const struct run *r, const struct stats *st, FILE *f)
{
	const struct policy *p = r->p;

	prom_family(f, "rule_flows_total", "counter",
		    "Flows decided by each rule since the policy was loaded.");
	for (size_t i = 0; i <= st->nrules; i++) {
		fputs("nfq_guard_rule_flows_total{rule=\"", f);
		prom_value(f, i < st->nrules ? p->rules[i].name : "default");
		fprintf(f, "\",action=\"%s\"} %" PRIu64 "\n",
			action_str(i < st->nrules ? p->rules[i].action : p->dflt),
			st->rule_flows[i]);
	}
	prom_family(f, "group_flows_total", "counter",
		    "Flows of the devices each group names, since the policy was loaded.");
	for (size_t g = 0; g < p->ndevices; g++) {
		for (int b = 0; b < 2; b++) {
			fputs("nfq_guard_group_flows_total{group=\"", f);
			prom_value(f, p->devices[g].name);
			fprintf(f, "\",verdict=\"%s\"} %" PRIu64 "\n", b ? "blocked" : "allowed",
				st->rule_flows[RUN_GROUP_FLOWS(p, g, b)]);
		}
	}
}

static void prom_caches(struct run *r, const struct stats *st, FILE *f)
{
	const struct {
		const char *cache;
		uint64_t entries, max, evicted;
	} c[] = {
		{ "names", st->sz.names.entries, st->sz.names_max, st->sz.names.evicted },
		{ "flows", st->flows, st->flows_max, st->es.flows_evicted },
		{ "device_addresses", st->sz.seen, st->sz.seen_max, st->es.devices_evicted },
		{ "devices", devtab_count(&r->devs), r->p->max_devices, r->devs.evicted },
		{ "devices_found", r->found.n, r->p->max_found, 0 },
	};
	size_t i;

	prom_family(f, "cache_entries", "gauge", "Entries in each bounded table.");
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		fprintf(f, "nfq_guard_cache_entries{cache=\"%s\"} %" PRIu64 "\n", c[i].cache,
			c[i].entries);
	prom_family(f, "cache_max_entries", "gauge", "The bound of each table.");
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		fprintf(f, "nfq_guard_cache_max_entries{cache=\"%s\"} %" PRIu64 "\n", c[i].cache,
			c[i].max);
	prom_family(f, "cache_evicted_total", "counter", "Entries pushed out by the bound.");
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		fprintf(f, "nfq_guard_cache_evicted_total{cache=\"%s\"} %" PRIu64 "\n", c[i].cache,
			c[i].evicted);
}

static void stats_prometheus(struct run *r, const struct stats *st, FILE *f)
{
	prom_family(f, "info", "gauge", "The running daemon: version, mode, queue path.");
	fprintf(f, "nfq_guard_info{version=\"%s\",mode=\"%s\",queue_path=\"%s\"} 1\n", NFQG_VERSION,
		r->p->monitor ? "monitor" : "enforce",
		r->nc.queue == NFT_QUEUE_NATIVE ? "native" : "compat");
	prom_one(f, "start_time_seconds", "gauge",
		 "When the daemon started, seconds since the epoch.", r->started_wall);
	prom_one(f, "policy_loaded_time_seconds", "gauge",
		 "When the running policy was loaded, seconds since the epoch.", r->policy_loaded);
	prom_one(f, "policy_generation", "gauge", "The table's generation.", r->nc.gen);
	prom_one(f, "reloads_total", "counter", "Policy reloads applied.", r->reloads);
	prom_one(f, "reloads_failed_total", "counter", "Policy reloads refused.",
		 r->reloads_failed);
	prom_one(f, "table_reinstalls_total", "counter", "Times the table was put back.",
		 r->reinstalls);
	prom_one(f, "exceptions", "gauge", "Run-time exceptions in force (nfq-guard allow).",
		 r->nexc);
	prom_one(f, "redecisions_total", "counter",
		 "Times every device flow was decided again for an exception or a window.",
		 r->redecisions);
	prom_one(f, "devices_found_refused_total", "counter",
		 "Devices found by their behaviour while limits.found were held already.",
		 r->found.refused);
	prom_one(f, "flows_decided_total", "counter", "Device flows decided.", st->es.decisions);
	prom_one(f, "flows_waited_total", "counter", "Flows that waited for their name.",
		 st->es.pending);
	prom_one(f, "waits_cut_total", "counter", "Waits ended by the packet or time bound.",
		 st->es.pending_cut);
	prom_one(f, "unknown_names_total", "counter",
		 "Flows decided with a name that should have been readable and was not.",
		 st->es.unknown_names);
	prom_one(f, "waiting_full_total", "counter",
		 "New flows that could not wait: limits.pending_flows.", st->es.waiting_full);
	prom_one(f, "keepalive_decisions_total", "counter",
		 "Later verdicts of kept-alive HTTP flows.", st->es.keepalive_decisions);
	prom_one(f, "dns_answers_snooped_total", "counter", "DNS answers to devices read.",
		 st->es.snooped);
	prom_one(f, "dns_answers_unmatched_total", "counter",
		 "DNS answers over UDP that answer no query seen.", st->es.dns_unmatched);
	prom_one(f, "dns_streams_unread_total", "counter", "DNS over TCP streams not read.",
		 st->es.dns_unread);
	prom_one(f, "unreadable_packets_total", "counter",
		 "Packets that did not decode (given the strictest verdict).", st->malformed);
	prom_one(f, "verdict_errors_total", "counter", "Verdicts the kernel refused.", st->verr);
	prom_queues(r, st, f);
	prom_rules(r, st, f);
	prom_caches(r, st, f);
	prom_one(f, "names_learned_total", "counter", "Names learned from DNS answers.",
		 st->sz.names.learned);
	prom_one(f, "names_expired_total", "counter", "Learned names that expired.",
		 st->sz.names.expired);
	prom_one(f, "events_written_total", "counter", "Decision events written.",
		 st->events_written);
	prom_one(f, "events_held_back_total", "counter", "Events held back by events_interval.",
		 st->events_held);
	prom_one(f, "event_summaries_total", "counter", "Summary lines for events held back.",
		 st->events_summaries);
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
		" evicted); devices %zu (%" PRIu64 " evicted); devices found %zu/%u (%" PRIu64
		" refused)\n",
		st->sz.names.entries, st->sz.names_max, st->sz.names.learned, st->sz.names.evicted,
		st->sz.names.expired, st->flows, st->flows_max, st->es.flows_evicted, st->sz.seen,
		st->sz.seen_max, st->es.devices_evicted, devtab_count(&r->devs), r->devs.evicted,
		r->found.n, r->p->max_found, r->found.refused);
	fprintf(f, "devices:     flows allowed / blocked (or, in monitor mode, that would be)\n");
	devtab_print(&r->devs, f, DEVTAB_BRIEF);
	fprintf(f,
		"events:      %" PRIu64 " written, %" PRIu64 " held back (%" PRIu64
		" summary lines)\n",
		st->events_written, st->events_held, st->events_summaries);
}

int report_stats(struct run *r, FILE *f, enum report_style style)
{
	struct stats st;

	if (gather(r, &st)) {
		fprintf(f, "stats: out of memory\n");
		return -ENOMEM;
	}
	if (style == REPORT_JSON)
		stats_json(r, &st, f);
	else if (style == REPORT_PROMETHEUS)
		stats_prometheus(r, &st, f);
	else
		stats_text(r, &st, f);
	free(st.rule_flows);
	return 0;
}
