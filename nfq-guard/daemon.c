/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon.c - live filtering (see daemon.h).
 *
 * Signal handlers only set a flag; the loop does the work.  Every queued
 * packet gets exactly one verdict: ACCEPT with nfq-guard's bits of the mark
 * set to the decision (DESIGN.md §3), or cleared while a flow waits.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "engine.h"
#include "event.h"
#include <libmnl/libmnl.h>

#include "nft.h"
#include "queue.h"

#define TABLE_CHECK_MS 2000 /* how often the table's presence is checked */

extern char **environ;

static volatile sig_atomic_t stop, hup;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	hup = 1;
}

#define MAX_THREADS 16

struct run;

/* One queue, its engine and its thread. */
struct worker {
	struct run *r;
	struct queue *q;
	struct engine *e;
	pthread_t tid;
	bool started;
	uint64_t malformed;
};

struct run {
	const struct policy *p;
	struct mnl_socket *owner; /* the socket the table belongs to */
	struct engine_shared *sh;
	struct nft_config nc;
	FILE *events;
	pthread_mutex_t events_lock; /* one line at a time from every worker */
	bool need_iface;
	unsigned int nworkers;
	struct worker w[MAX_THREADS];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* The verdict value a decision becomes in the kernel. */
static enum nft_verdict verdict_of(const struct run *r, const struct decision *d)
{
	if (r->p->monitor)
		return NFT_V_ALLOW;
	switch (d->action) {
	case ACTION_ALLOW:
	case ACTION_LOG:
		return NFT_V_ALLOW;
	case ACTION_DROP:
		/* a drop decided by a name must not close the address to other names */
		return d->by_address ? NFT_V_BLOCK : NFT_V_DROP;
	case ACTION_REJECT:
		return NFT_V_REJECT;
	}
	return NFT_V_DROP;
}

static void record(struct run *r, const struct queued_packet *qp, const struct packet *pkt,
		   const struct decision *d)
{
	struct engine_flow_key k = { .family = pkt->family, .proto = pkt->proto };
	struct event ev = {
		.ts_us = wall_us(),
		.has_mac = qp->has_mac,
		.flow = &k,
		.monitor = r->p->monitor,
		.d = d,
	};

	if (d->action == ACTION_ALLOW && !d->log)
		return;
	memcpy(ev.mac, qp->mac, 6);
	memcpy(k.src, pkt->src, 16);
	memcpy(k.dst, pkt->dst, 16);
	k.sport = pkt->sport;
	k.dport = pkt->dport;
	pthread_mutex_lock(&r->events_lock);
	event_print_text(stderr, r->p, &ev);
	if (r->events) {
		event_print_json(r->events, r->p, &ev);
		fflush(r->events);
	}
	pthread_mutex_unlock(&r->events_lock);
}

static void on_packet(struct queue *q, const struct queued_packet *qp, void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;
	uint32_t keep = qp->mark & ~r->nc.mask, mark = keep;
	struct engine_input in = { 0 };
	char ifname[IF_NAMESIZE];
	struct decision d;
	struct packet pkt;

	if (decode_ip(qp->data, qp->len, &pkt, NULL) != DECODE_OK) {
		/*
		 * Unreadable: the policy's default, like any flow no rule
		 * matches, for this packet.  An allowing default is not written
		 * into the flow's ct mark: a camera could otherwise open a flow
		 * with a packet we cannot read and have every rule skipped.
		 */
		struct decision dd = { .action = r->p->dflt, .by_address = false };
		enum nft_verdict v = verdict_of(r, &dd);

		w->malformed++;
		queue_verdict(q, qp->id, v == NFT_V_ALLOW ? keep : keep | nft_mark(&r->nc, v));
		return;
	}
	in.pkt = &pkt;
	in.has_mac = qp->has_mac;
	memcpy(in.mac, qp->mac, 6);
	in.now = now_ms();
	if (r->need_iface && qp->indev && if_indextoname(qp->indev, ifname))
		in.iface = ifname;
	if (engine_packet(w->e, &in, &d) == ENGINE_DECIDED) {
		mark = keep | nft_mark(&r->nc, verdict_of(r, &d));
		if (d.first)
			record(r, qp, &pkt, &d);
	}
	queue_verdict(q, qp->id, mark);
}

/* modprobe -q NAME; 0 when it ran and succeeded. */
static int load_module(const char *name)
{
	char *argv[] = { "modprobe", "-q", (char *)name, NULL };
	int status;
	pid_t pid;

	if (posix_spawnp(&pid, "modprobe", NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return 0;
}

/* Build and send the table with the queue statement and table flags of r->nc. */
static int send_table(struct run *r, FILE *errs)
{
	static char buf[16 << 20]; /* a batch of up to 8 MiB: some 100,000 set elements */
	uint32_t seq = (uint32_t)time(NULL), first = seq;
	long len = nft_build(r->p, &r->nc, buf, sizeof(buf), &seq);

	return len < 0 ? (int)len : nft_send_owned(r->owner, buf, (size_t)len, first, seq, errs);
}

/*
 * Install the table: owned and persistent where the kernel can (6.9+: no
 * other tool may flush it, and it outlives a crash), with the native queue
 * expression where the kernel has it, else the xtables target.
 */
static int install(struct run *r)
{
	static const struct {
		bool persist, split;
		enum nft_queue_kind queue;
	} tries[] = {
		{ true, false, NFT_QUEUE_NATIVE },
		{ true, false, NFT_QUEUE_COMPAT },
		{ false, false, NFT_QUEUE_NATIVE },
		{ false, false, NFT_QUEUE_COMPAT },
		/* some kernels refuse compat targets in inet tables */
		{ true, true, NFT_QUEUE_COMPAT },
		{ false, true, NFT_QUEUE_COMPAT },
	};
	FILE *quiet = fopen("/dev/null", "w");
	size_t i;
	int err = -EINVAL;

	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		r->nc.persist = tries[i].persist;
		r->nc.split = tries[i].split;
		r->nc.queue = tries[i].queue;
		err = send_table(r, quiet ? quiet : stderr);
		if (!err)
			break;
		/* a module target is not autoloaded for the inet family */
		if (err == -ENOENT && r->nc.queue == NFT_QUEUE_COMPAT &&
		    load_module("xt_NFQUEUE") == 0) {
			err = send_table(r, quiet ? quiet : stderr);
			if (!err)
				break;
		}
	}
	if (quiet)
		fclose(quiet);
	if (err) {
		/* say why, this time */
		err = send_table(r, stderr);
		if (err)
			return err;
	}
	fprintf(stderr, "nfq-guard: table %s %s installed%s, queue %u%s (%s)\n",
		r->nc.split ? "ip/ip6" : "inet", NFT_TABLE_NAME,
		r->nc.persist ? " (owned, persistent)" : "", r->nc.queue_num,
		r->nc.queue_total > 1 ? "+" : "",
		r->nc.queue == NFT_QUEUE_NATIVE ? "nft queue expression" :
						  "xtables NFQUEUE target, revision 3");
	return 0;
}

static void uninstall(struct run *r)
{
	static char buf[4096];
	uint32_t seq = (uint32_t)time(NULL), first = seq;
	long len = nft_build_delete(&r->nc, buf, sizeof(buf), &seq);

	if (len > 0 && nft_send_owned(r->owner, buf, (size_t)len, first, seq, stderr) == 0)
		fprintf(stderr, "nfq-guard: table %s %s removed\n", r->nc.split ? "ip/ip6" : "inet",
			NFT_TABLE_NAME);
}

#define GENERATION_FILE "/run/nfq-guard/generation"

/*
 * The generation of this run: one more than the last run's (kept in a
 * small file under /run, which lives as long as the conntrack entries it
 * is about), so that flows a previous run decided are decided again under
 * this policy rather than passing on their old ct mark.
 */
static unsigned int next_generation(void)
{
	unsigned int gen = 0;
	FILE *f = fopen(GENERATION_FILE, "re");

	if (f) {
		if (fscanf(f, "%u", &gen) != 1)
			gen = 0;
		fclose(f);
		gen = (gen + 1) % (NFT_GEN_MAX + 1);
	} else {
		/* no record (first run since boot, or no /run): any but the most likely 0 */
		gen = 1 + (unsigned int)(time(NULL) % NFT_GEN_MAX);
	}
	mkdir("/run/nfq-guard", 0755);
	f = fopen(GENERATION_FILE, "we");
	if (f) {
		fprintf(f, "%u\n", gen);
		fclose(f);
	}
	return gen;
}

/* Open the event log, creating its directory (mode 0750) when missing. */
static FILE *open_events(const char *path)
{
	char dir[4096];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		for (char *p = dir + 1; *p; p++) {
			if (*p == '/') {
				*p = '\0';
				mkdir(dir, 0755);
				*p = '/';
			}
		}
		mkdir(dir, 0750);
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	return fd < 0 ? NULL : fdopen(fd, "a");
}

/* A worker: answer its queue until told to stop, then what is still waiting. */
static void *work(void *arg)
{
	struct worker *w = arg;

	while (!stop) {
		struct pollfd pfd = { .fd = queue_fd(w->q), .events = POLLIN };
		int n = poll(&pfd, 1, 500);

		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "nfq-guard: run: poll: %s\n", strerror(errno));
			stop = 1;
		}
		/* drain what is waiting, bounded so that stop is seen */
		for (int k = 0; n > 0 && k < 64 && !stop; k++) {
			int got = queue_receive(w->q, on_packet, w);

			if (got < 0) {
				fprintf(stderr, "nfq-guard: run: queue: %s\n", strerror(-got));
				stop = 1;
			}
			if (got <= 0)
				break;
		}
	}
	while (queue_receive(w->q, on_packet, w) > 0)
		;
	return NULL;
}

static void workers_free(struct run *r)
{
	unsigned int i;

	for (i = 0; i < r->nworkers; i++) {
		queue_close(r->w[i].q);
		engine_free(r->w[i].e);
	}
}

int daemon_run(const struct policy *p)
{
	struct run r = { .p = p };
	uint64_t last_check, packets = 0, decisions = 0, malformed = 0, enobufs = 0;
	unsigned int threads = p->queue_threads ? p->queue_threads : 1;
	struct sigaction sa;
	sigset_t all, old;
	size_t i;
	int err = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_mutex_init(&r.events_lock, NULL);

	for (i = 0; i < p->ndevices; i++)
		if (p->devices[i].nifaces)
			r.need_iface = true;
	nft_config_default(&r.nc);
	r.nc.bypass = p->fail_open;
	r.nc.queue_num = (uint16_t)p->queue_num;
	r.nc.queue_total = (uint16_t)threads;
	r.nc.gen = next_generation();
	r.sh = engine_shared_new(p);
	if (!r.sh) {
		fprintf(stderr, "nfq-guard: run: out of memory\n");
		return 1;
	}
	r.owner = nft_owner_open();
	if (!r.owner) {
		fprintf(stderr, "nfq-guard: run: netlink: %s\n", strerror(errno));
		engine_shared_free(r.sh);
		return 1;
	}
	r.events = open_events(p->events);
	if (!r.events)
		fprintf(stderr, "nfq-guard: run: events %s: %s (events go to stderr only)\n",
			p->events, strerror(errno));
	/* bind the queues before the rules send packets to them */
	for (r.nworkers = 0; r.nworkers < threads; r.nworkers++) {
		struct worker *w = &r.w[r.nworkers];
		unsigned int num = r.nc.queue_num + r.nworkers;

		w->r = &r;
		w->e = engine_new_shared(p, 0, r.sh);
		w->q = w->e ? queue_open((uint16_t)num, p->fail_open, &err) : NULL;
		if (!w->q) {
			fprintf(stderr, "nfq-guard: run: queue %u: %s\n", num,
				!w->e ? "out of memory" :
				err == -EBUSY || err == -EPERM ?
					"another process has bound this queue" :
					strerror(-err));
			engine_free(w->e);
			goto out_free;
		}
	}
	err = install(&r);
	if (err) {
		fprintf(stderr, "nfq-guard: run: cannot install table inet %s: %s\n",
			NFT_TABLE_NAME, strerror(-err));
		goto out_free;
	}
	if (nft_flowtables() > 0)
		fprintf(stderr, "nfq-guard: WARNING: a flowtable (flow offload) is configured: "
				"offloaded flows bypass netfilter, so a device flow could escape "
				"before it is decided; keep device traffic out of the flowtable\n");
	/* signals go to this thread; the workers only watch the stop flag */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < r.nworkers; i++)
		r.w[i].started = pthread_create(&r.w[i].tid, NULL, work, &r.w[i]) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (i = 0; i < r.nworkers; i++)
		if (!r.w[i].started)
			stop = 1;
	fprintf(stderr,
		"nfq-guard: filtering with %s (mode %s, fail %s, %u queue%s, generation %u)\n",
		p->path, p->monitor ? "monitor" : "enforce", p->fail_open ? "open" : "closed",
		r.nworkers, r.nworkers > 1 ? "s" : "", r.nc.gen);
	last_check = now_ms();
	while (!stop) {
		poll(NULL, 0, 250);
		if (hup) {
			hup = 0;
			fprintf(stderr, "nfq-guard: SIGHUP: reloading is not there yet; restart "
					"nfq-guard to use a changed policy\n");
		}
		/* another tool's `nft flush ruleset` takes our table too: put it back */
		if (now_ms() - last_check >= TABLE_CHECK_MS) {
			last_check = now_ms();
			if (nft_table_exists(&r.nc) == 0) {
				fprintf(stderr,
					"nfq-guard: table inet %s is gone (flushed by another "
					"tool?): installing it again\n",
					NFT_TABLE_NAME);
				err = install(&r);
				if (err)
					fprintf(stderr,
						"nfq-guard: run: cannot install table: %s\n",
						strerror(-err));
			}
		}
	}
	/* the workers answer what is still queued; then let go of the table */
	for (i = 0; i < r.nworkers; i++) {
		if (!r.w[i].started)
			continue;
		pthread_join(r.w[i].tid, NULL);
		packets += queue_stats(r.w[i].q)->packets;
		enobufs += queue_stats(r.w[i].q)->enobufs;
		decisions += engine_stats(r.w[i].e)->decisions;
		malformed += r.w[i].malformed;
	}
	/* fail closed with a persistent table: device traffic stays stopped */
	if (r.nc.persist && !p->fail_open)
		fprintf(stderr, "nfq-guard: table %s %s kept: fail closed\n",
			r.nc.split ? "ip/ip6" : "inet", NFT_TABLE_NAME);
	else
		uninstall(&r);
	fprintf(stderr,
		"nfq-guard: stopped: %llu packets, %llu decisions, %llu unreadable, "
		"%llu socket overflows\n",
		(unsigned long long)packets, (unsigned long long)decisions,
		(unsigned long long)malformed, (unsigned long long)enobufs);
	err = 0;
	goto out_close;
out_free:
	err = 1;
out_close:
	workers_free(&r);
	if (r.events)
		fclose(r.events);
	engine_shared_free(r.sh);
	nft_owner_close(r.owner);
	pthread_mutex_destroy(&r.events_lock);
	return err;
}
