/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon.c - live filtering (see daemon.h).
 *
 * Signal handlers only set a flag; the main thread does the work: control
 * requests, reload, log reopening, the table watch.  Every queued packet
 * gets exactly one verdict: ACCEPT with nfq-guard's bits of the mark set to
 * the decision (DESIGN.md §3), or cleared while a flow waits.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "service/control.h"
#include "service/daemon.h"
#include "print/event.h"
#include "service/log.h"
#include "service/run.h"

#define TABLE_CHECK_MS 2000 /* how often the table's presence is checked */
#define READY "\006ready\n" /* a background daemon's word to its starter */

extern char **environ;

static volatile sig_atomic_t stop, hup, usr1;
static volatile int fatal; /* a worker could not go on: exit 1 */
static volatile int workers_stop;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		hup = 1;
	else if (sig == SIGUSR1)
		usr1 = 1;
	else
		stop = 1;
}

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

/* An event line out: text to the log, JSON to the event file.  events_lock held. */
static void write_event(const struct event *ev, void *arg)
{
	struct run *r = arg;
	char line[2048];
	FILE *m = fmemopen(line, sizeof(line), "w");

	if (m) {
		event_print_text(m, r->p, ev);
		fputc('\0', m);
		fclose(m);
		line[sizeof(line) - 1] = '\0';
		log_event(line);
	}
	if (r->events) {
		event_print_json(r->events, r->p, ev);
		fflush(r->events);
	}
	r->events_written++;
}

static void record(struct run *r, const struct queued_packet *qp, const struct packet *pkt,
		   const struct decision *d, uint64_t ts_us)
{
	struct engine_flow_key k = { .family = pkt->family, .proto = pkt->proto };
	struct event ev = {
		.ts_us = ts_us,
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
	if (evlimit_admit(&r->lim, &ev, now_ms()))
		write_event(&ev, r);
	pthread_mutex_unlock(&r->events_lock);
}

/* A decision at this packet: counted per rule and per device, and recorded. */
static void decided(struct worker *w, const struct queued_packet *qp, const struct packet *pkt,
		    const struct decision *d)
{
	struct run *r = w->r;
	size_t i = d->rule ? (size_t)(d->rule - r->p->rules) : r->p->nrules;
	uint64_t now = wall_us();

	__atomic_add_fetch(&w->rule_flows[i], 1, __ATOMIC_RELAXED);
	devtab_note(&r->devs, r->p, qp->has_mac, qp->mac, pkt->family, pkt->src, d,
		    d->action == ACTION_DROP || d->action == ACTION_REJECT, now / 1000000);
	record(r, qp, pkt, d, now);
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
		/* Unreadable: the policy's default, for this packet alone. */
		enum verdict v = verdict_unreadable(r->p->dflt, r->p->monitor);

		w->malformed++;
		queue_verdict(q, qp->id, keep | nft_mark(&r->nc, v));
		return;
	}
	in.pkt = &pkt;
	in.has_mac = qp->has_mac;
	memcpy(in.mac, qp->mac, 6);
	in.now = now_ms();
	if (r->need_iface && qp->indev && if_indextoname(qp->indev, ifname))
		in.iface = ifname;
	if (engine_packet(w->e, &in, &d) == ENGINE_DECIDED) {
		mark = keep | nft_mark(&r->nc, verdict_of(&d, r->p->monitor));
		if (d.first)
			decided(w, qp, &pkt, &d);
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

/*
 * Build and send the table for policy p with the settings of c: a new one
 * (replacing any), or, with update, the one in the kernel refilled in place
 * (which keeps the packets waiting in the queues).  Every failing message
 * is appended to errs.
 */
static int send_table_errors(struct run *r, const struct policy *p, const struct nft_config *c,
			     bool update, struct nft_errors *errs)
{
	static char buf[16 << 20]; /* a batch of up to 8 MiB: some 100,000 set elements */
	uint32_t seq = (uint32_t)time(NULL), first = seq;
	long len = update ? nft_build_update(p, c, buf, sizeof(buf), &seq) :
			    nft_build(p, c, buf, sizeof(buf), &seq);

	return len < 0 ? (int)len : nft_send_owned(r->owner, buf, (size_t)len, first, seq, errs);
}

/* send_table_errors with the failures printed to out. */
static int send_table(struct run *r, const struct policy *p, const struct nft_config *c,
		      bool update, FILE *out)
{
	struct nft_errors errs = { 0 };
	int e = send_table_errors(r, p, c, update, &errs);

	nft_errors_print(&errs, out);
	nft_errors_clear(&errs);
	return e;
}

/* A send's failures, one log message each, and copied to err (may be NULL). */
static void log_errors(const struct nft_errors *errs, FILE *err)
{
	char line[256];
	size_t i;

	for (i = 0; nft_errors_line(errs, i, line, sizeof(line)); i++) {
		logx(LOG_ERR, "%s", line);
		if (err)
			fprintf(err, "%s\n", line);
	}
}

/*
 * send_table with its failures logged, and copied to err (may be NULL).
 * With update, a table that is not there to refill (flushed by another
 * tool) is built anew.
 */
static int send_table_said(struct run *r, const struct policy *p, const struct nft_config *c,
			   bool update, FILE *err)
{
	struct nft_errors errs = { 0 };
	int e = send_table_errors(r, p, c, update, &errs);

	if (e == -ENOENT && update)
		e = send_table_errors(r, p, c, false, &errs);
	if (e)
		log_errors(&errs, err);
	nft_errors_clear(&errs);
	return e;
}

static const char *table_str(const struct nft_config *c)
{
	return c->split ? "ip/ip6" : "inet";
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
	struct nft_config nc = r->nc; /* r->nc changes only once one works */
	struct nft_errors errs = { 0 };
	size_t i;
	int err = -EINVAL;

	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		nc.persist = tries[i].persist;
		nc.split = tries[i].split;
		nc.queue = tries[i].queue;
		nft_errors_clear(&errs); /* only the last try's failures are told */
		err = send_table_errors(r, r->p, &nc, false, &errs);
		if (!err)
			break;
		/* a module target is not autoloaded for the inet family */
		if (err == -ENOENT && nc.queue == NFT_QUEUE_COMPAT && !r->dropped &&
		    load_module("xt_NFQUEUE") == 0) {
			err = send_table_errors(r, r->p, &nc, false, &errs);
			if (!err)
				break;
		}
	}
	if (err)
		log_errors(&errs, NULL); /* why the last try failed, kept from its send */
	nft_errors_clear(&errs);
	if (err)
		return err;
	r->nc = nc;
	logx(LOG_INFO, "table %s %s installed%s, queue %u%s (%s)", table_str(&r->nc),
	     NFT_TABLE_NAME, r->nc.persist ? " (owned, persistent)" : "", r->nc.queue_num,
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
	struct nft_errors errs = { 0 };

	if (len > 0 && nft_send_owned(r->owner, buf, (size_t)len, first, seq, &errs) == 0)
		logx(LOG_INFO, "table %s %s removed", table_str(&r->nc), NFT_TABLE_NAME);
	nft_errors_print(&errs, stderr);
	nft_errors_clear(&errs);
}

#define GENERATION_FILE DAEMON_RUN_DIR "/generation"

/* Write the generation; the file's fd when keep (for fchown), else -1. */
static int save_generation(unsigned int gen, bool keep)
{
	char buf[16];
	int fd, n = snprintf(buf, sizeof(buf), "%u\n", gen);

	mkdir(DAEMON_RUN_DIR, 0755);
	/* never through a symlink: the directory belongs to the daemon's user */
	fd = open(GENERATION_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, buf, (size_t)n) != n)
		logx(LOG_WARNING, "%s: %s", GENERATION_FILE, strerror(errno));
	if (keep)
		return fd;
	close(fd);
	return -1;
}

/*
 * The generation of this run: one more than the last run's (kept in a
 * small file under /run, which lives as long as the conntrack entries it
 * is about), so that flows a previous run decided are decided again under
 * this policy rather than passing on their old ct mark.
 */
static unsigned int next_generation(int *fd)
{
	unsigned int gen = 0;
	int rfd = open(GENERATION_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *f = rfd < 0 ? NULL : fdopen(rfd, "r");

	if (f) {
		if (fscanf(f, "%u", &gen) != 1)
			gen = 0;
		fclose(f);
		gen = (gen + 1) % (NFT_GEN_MAX + 1);
	} else {
		/* no record (first run since boot, or no /run): any but the most likely 0 */
		gen = 1 + (unsigned int)(time(NULL) % NFT_GEN_MAX);
	}
	*fd = save_generation(gen, true);
	return gen;
}

/* Open the event log, creating its directory (mode 0750) when missing. */
static FILE *open_events(const char *path)
{
	char dir[PATH_MAX];
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
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	return fd < 0 ? NULL : fdopen(fd, "a");
}

/* Reopen the event log (after rotation, or at a new path): 0 or -errno, said to out too. */
static int reopen_events(struct run *r, const char *path, FILE *out)
{
	FILE *f = open_events(path);
	int err = errno;

	if (!f) {
		logx(LOG_ERR, "events %s: %s (still writing to %s)", path, strerror(err),
		     r->events ? r->events_path : "the log only");
		if (out)
			fprintf(out, "events %s: %s (still writing to %s)\n", path, strerror(err),
				r->events ? r->events_path : "the log only");
		return -err;
	}
	pthread_mutex_lock(&r->events_lock);
	if (r->events)
		fclose(r->events);
	r->events = f;
	snprintf(r->events_path, sizeof(r->events_path), "%s", path);
	pthread_mutex_unlock(&r->events_lock);
	logx(LOG_INFO, "events reopened: %s", path);
	return 0;
}

/* A worker: answer its queue until told to stop, then what is still waiting. */
static void *work(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;

	while (!__atomic_load_n(&workers_stop, __ATOMIC_RELAXED)) {
		struct pollfd pfd = { .fd = queue_fd(w->q), .events = POLLIN };
		int n = poll(&pfd, 1, 500);

		if (n < 0 && errno != EINTR) {
			logx(LOG_ERR, "run: poll: %s", strerror(errno));
			fatal = stop = 1;
			break;
		}
		if (n <= 0)
			continue;
		/* drain what is waiting, bounded so that a reload gets its turn */
		pthread_rwlock_rdlock(&r->swap);
		for (int k = 0; k < 64; k++) {
			int got = queue_receive(w->q, on_packet, w);

			if (got < 0) {
				logx(LOG_ERR, "run: queue %u: %s", w->num, strerror(-got));
				fatal = stop = 1;
			}
			if (got <= 0)
				break;
		}
		pthread_rwlock_unlock(&r->swap);
	}
	pthread_rwlock_rdlock(&r->swap);
	while (queue_receive(w->q, on_packet, w) > 0)
		;
	pthread_rwlock_unlock(&r->swap);
	return NULL;
}

static bool needs_iface(const struct policy *p)
{
	for (size_t i = 0; i < p->ndevices; i++)
		if (p->devices[i].nifaces)
			return true;
	return false;
}

/* What a policy needs beside it: engines (sharing sh) and rule counters. */
struct generation {
	struct policy *p;
	struct engine_shared *sh;
	bool new_sh;
	struct engine *e[RUN_MAX_THREADS];
	uint64_t *rule_flows[RUN_MAX_THREADS];
};

static void generation_free(struct generation *g, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		engine_free(g->e[i]);
		free(g->rule_flows[i]);
	}
	if (g->new_sh)
		engine_shared_free(g->sh);
	policy_free(g->p);
}

/*
 * Engines for p.  The learned names and devices are kept (sh) when the new
 * policy bounds them the same way.  0 or -ENOMEM.
 */
static int generation_new(struct generation *g, struct policy *p, struct engine_shared *sh,
			  const struct policy *old, unsigned int n)
{
	memset(g, 0, sizeof(*g));
	g->p = p;
	if (sh && old && old->max_names == p->max_names &&
	    old->name_ttl_floor == p->name_ttl_floor) {
		g->sh = sh;
	} else {
		g->sh = engine_shared_new(p);
		g->new_sh = true;
	}
	if (!g->sh)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		g->e[i] = engine_new_shared(p, 0, g->sh);
		g->rule_flows[i] = calloc(p->nrules + 1, sizeof(uint64_t));
		if (!g->e[i] || !g->rule_flows[i])
			return -ENOMEM;
	}
	return 0;
}

/* Say why a reload failed: to the log and to the caller (err may be NULL). */
static void reload_error(FILE *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void reload_error(FILE *err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	logx(LOG_ERR, "%s", msg);
	if (err)
		fprintf(err, "%s\n", msg);
}

/*
 * Reload: the policy file again, beside the running one.  Rejected (the
 * old one keeps filtering): errors to the log and to err.  Accepted: the
 * new table and the next generation go to the kernel in one batch (decided
 * flows are decided again, address blocks and learned device addresses
 * start empty), and the engines are swapped while no worker is inside a
 * batch.  Packets queued meanwhile wait in the kernel's queue.  0 or -1.
 */
static int reload(struct run *r, FILE *err)
{
	struct policy_errors errs;
	struct generation g, old;
	struct nft_config nc;
	struct policy *p;
	unsigned int i;
	int e;

	p = policy_load(r->path, &errs);
	for (i = 0; i < errs.n; i++)
		reload_error(err, "%s", errs.lines[i]);
	if (errs.dropped)
		reload_error(err, "%s: %zu more errors not shown", r->path, errs.dropped);
	policy_errors_clear(&errs);
	if (!p) {
		r->reloads_failed++;
		reload_error(err, "reload: %s rejected; the running policy stays", r->path);
		return -1;
	}
	if (p->queue_num != r->p->queue_num || p->queue_threads != r->p->queue_threads ||
	    p->fail_open != r->p->fail_open) {
		r->reloads_failed++;
		reload_error(err,
			     "%s: queue.num, queue.threads and fail differ from the running "
			     "policy's: restart nfq-guard to change them; the running policy stays",
			     r->path);
		policy_free(p);
		return -1;
	}
	if (generation_new(&g, p, r->sh, r->p, r->nworkers)) {
		r->reloads_failed++;
		reload_error(err, "reload: out of memory; the running policy stays");
		generation_free(&g, r->nworkers);
		return -1;
	}
	nc = r->nc;
	nc.gen = (r->nc.gen + 1) % (NFT_GEN_MAX + 1);

	pthread_rwlock_wrlock(&r->swap);
	e = send_table_said(r, p, &nc, true, err);
	if (e) {
		pthread_rwlock_unlock(&r->swap);
		r->reloads_failed++;
		reload_error(err,
			     "reload: cannot install the new table: %s; the running policy "
			     "stays",
			     strerror(-e));
		generation_free(&g, r->nworkers);
		return -1;
	}
	/* held-back events point into the old policy: out with them first */
	pthread_mutex_lock(&r->events_lock);
	evlimit_expire(&r->lim, now_ms(), true);
	r->lim.interval = (uint64_t)p->events_interval * 1000;
	pthread_mutex_unlock(&r->events_lock);
	memset(&old, 0, sizeof(old));
	old.p = r->p;
	old.sh = r->sh;
	old.new_sh = g.new_sh; /* the old shared part goes when a new one replaces it */
	for (i = 0; i < r->nworkers; i++) {
		old.e[i] = r->w[i].e;
		old.rule_flows[i] = r->w[i].rule_flows;
		engine_stats_add(&r->retired, engine_stats(old.e[i]));
		r->w[i].e = g.e[i];
		r->w[i].rule_flows = g.rule_flows[i];
	}
	r->p = p;
	r->sh = g.sh;
	r->nc = nc;
	r->need_iface = needs_iface(p);
	r->policy_loaded = wall_us() / 1000000;
	pthread_rwlock_unlock(&r->swap);

	generation_free(&old, r->nworkers);
	save_generation(r->nc.gen, false);
	r->reloads++;
	if (strcmp(p->events, r->events_path))
		reopen_events(r, p->events, err);
	logx(LOG_NOTICE, "reloaded %s: mode %s, %zu rules, generation %u", r->path,
	     p->monitor ? "monitor" : "enforce", p->nrules, r->nc.gen);
	return 0;
}

/* Forget learned names and empty the table's timeout sets (same generation). */
static int flush(struct run *r, FILE *out)
{
	int e;

	pthread_rwlock_wrlock(&r->swap);
	engine_shared_flush(r->sh);
	e = send_table(r, r->p, &r->nc, true, out);
	pthread_rwlock_unlock(&r->swap);
	if (e) {
		fprintf(out, "flush: cannot replace the table: %s\n", strerror(-e));
		return -1;
	}
	r->flushes++;
	logx(LOG_NOTICE, "flushed: learned names, address blocks and device addresses forgotten");
	fprintf(out, "flushed: learned names, address blocks and learned device addresses\n");
	return 0;
}

/* One control request: the command, its answer. */
static void serve(struct run *r, int cfd, char *req)
{
	char *body = NULL, *cmd, *arg, *save = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&body, &len);
	bool json = false;
	int status = 0;

	if (!out) {
		control_reply(cfd, 1, "out of memory\n", 14);
		return;
	}
	cmd = strtok_r(req, " \t", &save);
	while ((arg = strtok_r(NULL, " \t", &save))) {
		if (!strcmp(arg, "--json")) {
			json = true;
		} else {
			fprintf(out, "%s: unknown argument '%s'\n", cmd, arg);
			status = 1;
		}
	}
	if (!cmd) {
		fprintf(out, "empty request\n");
		status = 1;
	} else if (status) {
		/* said above */
	} else if (!strcmp(cmd, "status")) {
		report_status(r, out, json);
	} else if (!strcmp(cmd, "stats")) {
		pthread_rwlock_wrlock(&r->swap);
		report_stats(r, out, json);
		pthread_rwlock_unlock(&r->swap);
	} else if (!strcmp(cmd, "devices")) {
		devtab_print(&r->devs, out, json ? DEVTAB_JSON : DEVTAB_TEXT);
		if (json)
			fputc('\n', out);
	} else if (!strcmp(cmd, "flush")) {
		status = flush(r, out) ? 1 : 0;
	} else if (!strcmp(cmd, "reload")) {
		status = reload(r, out) ? 1 : 0;
		if (!status)
			fprintf(out, "reloaded %s: generation %u\n", r->path, r->nc.gen);
	} else if (!strcmp(cmd, "reopen")) {
		status = reopen_events(r, r->p->events, out) ? 1 : 0;
		if (!status)
			fprintf(out, "events reopened: %s\n", r->events_path);
	} else {
		fprintf(out, "unknown command '%s'\n", cmd);
		status = 1;
	}
	fclose(out);
	control_reply(cfd, status, body, len);
	free(body);
}

/* Detach: the caller waits for READY (or the end of the pipe) and returns. */
static int detach(int *ready_fd)
{
	int pfd[2], dn;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC)) {
		fprintf(stderr, "nfq-guard: run: pipe: %s\n", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "nfq-guard: run: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		/* the starter: print what the daemon says until it is ready or gone */
		char buf[4096], *ready, *nl;
		bool ok = false;
		size_t n = 0, m;
		ssize_t k;

		close(pfd[1]);
		/* a signal to the starter is not the daemon's failure */
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		while ((k = read(pfd[0], buf + n, sizeof(buf) - 1 - n)) > 0 ||
		       (k < 0 && errno == EINTR)) {
			if (k < 0)
				continue;
			n += (size_t)k;
			buf[n] = '\0';
			ready = strstr(buf, READY);
			if (ready) {
				*ready = '\0';
				fputs(buf, stderr);
				n = 0;
				ok = true;
				break;
			}
			/* whole lines out; the rest may be the start of the next */
			nl = strrchr(buf, '\n');
			m = nl ? (size_t)(nl + 1 - buf) : n == sizeof(buf) - 1 ? n : 0;
			fwrite(buf, 1, m, stderr);
			memmove(buf, buf + m, n - m);
			n -= m;
		}
		fwrite(buf, 1, n, stderr);
		close(pfd[0]);
		if (ok) {
			fprintf(stderr, "nfq-guard: running in the background (pid %d)\n",
				(int)pid);
			_exit(0);
		}
		fprintf(stderr, "nfq-guard: run: the daemon did not start\n");
		_exit(1);
	}
	close(pfd[0]);
	setsid();
	if (chdir("/")) /* cannot fail; nothing to do if it did */
		logx(LOG_WARNING, "chdir /: %s", strerror(errno));
	dn = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (dn >= 0) {
		dup2(dn, 0);
		dup2(dn, 1);
		dup2(dn, 2);
		if (dn > 2)
			close(dn);
	}
	log_to_syslog();
	log_copy_fd(pfd[1]);
	*ready_fd = pfd[1];
	return 0;
}

static int write_pidfile(const char *path)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

	if (fd < 0 || write(fd, buf, (size_t)n) != n) {
		logx(LOG_ERR, "run: pid file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* What the unprivileged daemon will write: the run directory, the event log's. */
static void hand_over(struct run *r, int gen_fd)
{
	char dir[PATH_MAX], *slash;

	if (!r->pv.as_root)
		return;
	/* files by their descriptors, directories root made: no symlink is followed */
	if (chown(DAEMON_RUN_DIR, r->pv.uid, r->pv.gid) ||
	    (gen_fd >= 0 && fchown(gen_fd, r->pv.uid, r->pv.gid)))
		logx(LOG_WARNING, "%s: chown: %s", DAEMON_RUN_DIR, strerror(errno));
	if (r->events && fchown(fileno(r->events), r->pv.uid, r->pv.gid))
		logx(LOG_WARNING, "%s: chown: %s", r->events_path, strerror(errno));
	/* a directory of its own (…/nfq-guard): so that reopen can create the file */
	snprintf(dir, sizeof(dir), "%s", r->events_path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		slash = strrchr(dir, '/');
		if (slash && !strcmp(slash + 1, "nfq-guard") && chown(dir, r->pv.uid, r->pv.gid))
			logx(LOG_WARNING, "%s: chown: %s", dir, strerror(errno));
	}
}

static gid_t socket_group(const struct daemon_opts *o, const struct run *r, bool *ok)
{
	const struct group *gr;

	*ok = true;
	if (!o->group)
		return r->pv.gid;
	gr = getgrnam(o->group);
	if (!gr) {
		logx(LOG_ERR, "run: no group \"%s\"", o->group);
		*ok = false;
		return 0;
	}
	return gr->gr_gid;
}

static void workers_free(struct run *r)
{
	for (unsigned int i = 0; i < r->nworkers; i++) {
		queue_close(r->w[i].q);
		engine_free(r->w[i].e);
		free(r->w[i].rule_flows);
	}
}

static void handle_signals(struct run *r)
{
	if (hup) {
		hup = 0;
		logx(LOG_NOTICE, "SIGHUP: reloading %s", r->path);
		reload(r, NULL);
	}
	if (usr1) {
		usr1 = 0;
		reopen_events(r, r->p->events, NULL);
	}
}

static void watch_table(struct run *r, uint64_t *last_check)
{
	int err;

	if (now_ms() - *last_check < TABLE_CHECK_MS)
		return;
	*last_check = now_ms();
	/* another tool's `nft flush ruleset` takes our table too: put it back */
	if (nft_table_exists(&r->nc) != 0)
		return;
	logx(LOG_WARNING, "table %s %s is gone (flushed by another tool?): installing it again",
	     table_str(&r->nc), NFT_TABLE_NAME);
	err = install(r);
	if (err)
		logx(LOG_ERR, "run: cannot install table: %s", strerror(-err));
	else
		r->reinstalls++;
}

/* The policy file's absolute path, symlinks kept: a reload follows a switched link. */
static int absolute(const char *path, char *out, size_t size)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return snprintf(out, size, "%s", path) < (int)size ? 0 : -1;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	return snprintf(out, size, "%s/%s", cwd, path) < (int)size ? 0 : -1;
}

/* Stop queueing, then wait (bounded) until the kernel holds no packet for us. */
static void drain_queues(struct run *r)
{
	static char buf[4096];
	uint32_t seq = (uint32_t)time(NULL), first = seq;
	long len = nft_build_quiesce(&r->nc, buf, sizeof(buf), &seq);
	struct nft_errors errs = { 0 };
	int i, e = len <= 0 ? -1 : nft_send_owned(r->owner, buf, (size_t)len, first, seq, &errs);

	nft_errors_print(&errs, stderr);
	nft_errors_clear(&errs);
	if (e)
		return;
	for (i = 0; i < 100 && report_waiting(r) > 0; i++)
		poll(NULL, 0, 20);
}

int daemon_run(struct policy *p, const struct daemon_opts *o)
{
	struct run *r = calloc(1, sizeof(*r));
	uint64_t last_check, packets = 0, decisions = 0, malformed = 0, enobufs = 0;
	unsigned int threads = p->queue_threads ? p->queue_threads : 1;
	const char *pidfile = o->pidfile ? o->pidfile : o->foreground ? NULL : DAEMON_PIDFILE;
	bool gid_ok, wrote_pid = false;
	pthread_rwlockattr_t rwa;
	struct generation g;
	struct sigaction sa;
	sigset_t all, old;
	int err = 0, ctl = -1, ready_fd = -1, gen_fd = -1;
	gid_t sgid;
	size_t i;

	if (!r) {
		fprintf(stderr, "nfq-guard: run: out of memory\n");
		policy_free(p);
		return 1;
	}
	if (absolute(o->config, r->path, sizeof(r->path))) {
		fprintf(stderr, "nfq-guard: run: %s: %s\n", o->config, strerror(errno));
		policy_free(p);
		free(r);
		return 1;
	}
	r->p = p;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_mutex_init(&r->events_lock, NULL);
	pthread_rwlockattr_init(&rwa);
	/* a reload waiting for the workers must not be overtaken by them forever */
	pthread_rwlockattr_setkind_np(&rwa, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&r->swap, &rwa);
	pthread_rwlockattr_destroy(&rwa);
	if (devtab_init(&r->devs, ENGINE_MAX_DEVICES)) {
		fprintf(stderr, "nfq-guard: run: out of memory\n");
		goto out_early;
	}
	if (!o->foreground && detach(&ready_fd))
		goto out_early;
	if (privs_resolve(o->user, &r->pv))
		goto out_early;
	sgid = socket_group(o, r, &gid_ok);
	if (!gid_ok)
		goto out_early;
	/* first the socket: it says whether another nfq-guard runs, before any harm */
	ctl = control_listen(o->socket, r->pv.uid, sgid);
	if (ctl < 0)
		goto out_early;
	if (pidfile) {
		mkdir(DAEMON_RUN_DIR, 0755);
		if (write_pidfile(pidfile))
			goto out_early;
		wrote_pid = true;
	}
	if (evlimit_init(&r->lim, (uint64_t)p->events_interval * 1000, write_event, r)) {
		logx(LOG_ERR, "run: out of memory");
		goto out_early;
	}
	r->need_iface = needs_iface(p);
	nft_config_default(&r->nc);
	r->nc.bypass = p->fail_open;
	r->nc.queue_num = (uint16_t)p->queue_num;
	r->nc.queue_total = (uint16_t)threads;
	r->nc.gen = next_generation(&gen_fd);
	r->owner = nft_owner_open();
	if (!r->owner) {
		logx(LOG_ERR, "run: netlink: %s", strerror(errno));
		goto out_early;
	}
	if (generation_new(&g, p, NULL, NULL, threads)) {
		logx(LOG_ERR, "run: out of memory");
		g.p = NULL; /* still r->p's */
		generation_free(&g, threads);
		goto out_early;
	}
	r->sh = g.sh;
	r->events = open_events(p->events);
	if (r->events)
		snprintf(r->events_path, sizeof(r->events_path), "%s", p->events);
	else
		logx(LOG_WARNING, "run: events %s: %s (events go to the log only)", p->events,
		     strerror(errno));
	/* bind the queues before the rules send packets to them */
	for (r->nworkers = 0; r->nworkers < threads; r->nworkers++) {
		struct worker *w = &r->w[r->nworkers];

		w->r = r;
		w->num = (uint16_t)(r->nc.queue_num + r->nworkers);
		w->e = g.e[r->nworkers];
		w->rule_flows = g.rule_flows[r->nworkers];
		w->q = queue_open(w->num, p->fail_open, &err);
		if (!w->q) {
			logx(LOG_ERR, "run: queue %u: %s", w->num,
			     err == -EBUSY || err == -EPERM ?
				     "bound by another process, or no CAP_NET_ADMIN" :
				     strerror(-err));
			r->nworkers++; /* its engine is freed with the others */
			for (unsigned int k = r->nworkers; k < threads; k++) {
				engine_free(g.e[k]);
				free(g.rule_flows[k]);
			}
			goto out_free;
		}
	}
	err = install(r);
	if (err) {
		logx(LOG_ERR, "run: cannot install table inet %s: %s", NFT_TABLE_NAME,
		     strerror(-err));
		goto out_free;
	}
	if (nft_flowtables() > 0)
		logx(LOG_WARNING,
		     "WARNING: a flowtable (flow offload) is configured: offloaded "
		     "flows bypass netfilter, so a device flow could escape before it is "
		     "decided; keep device traffic out of the flowtable");
	hand_over(r, gen_fd);
	if (privs_drop(&r->pv))
		goto out_uninstall;
	r->dropped = true;
	r->started_wall = r->policy_loaded = wall_us() / 1000000;
	r->started_mono = now_ms();
	logx(LOG_NOTICE,
	     "filtering with %s (mode %s, fail %s, %u queue%s, generation %u, user %s, "
	     "control %s)",
	     r->path, p->monitor ? "monitor" : "enforce", p->fail_open ? "open" : "closed",
	     r->nworkers, r->nworkers > 1 ? "s" : "", r->nc.gen, r->pv.user, o->socket);
	/* the starter goes before any thread could log to its pipe */
	if (ready_fd >= 0) {
		log_copy_fd(-1);
		if (write(ready_fd, READY, strlen(READY)) < 0)
			logx(LOG_WARNING, "the starting process went away: %s", strerror(errno));
		close(ready_fd);
		ready_fd = -1;
	}
	/* signals go to this thread; the workers only watch their stop flag */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < r->nworkers; i++)
		r->w[i].started = pthread_create(&r->w[i].tid, NULL, work, &r->w[i]) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (i = 0; i < r->nworkers; i++)
		if (!r->w[i].started) {
			logx(LOG_ERR, "run: cannot start the thread of queue %u", r->w[i].num);
			fatal = stop = 1;
		}
	last_check = now_ms();
	while (!stop) {
		struct pollfd pfd = { .fd = ctl, .events = POLLIN };
		char req[CONTROL_REQ_MAX];

		if (poll(&pfd, 1, 250) > 0) {
			int cfd = control_accept(ctl, req, sizeof(req));

			if (cfd >= 0)
				serve(r, cfd, req);
		}
		handle_signals(r);
		watch_table(r, &last_check);
		pthread_mutex_lock(&r->events_lock);
		evlimit_expire(&r->lim, now_ms(), false);
		pthread_mutex_unlock(&r->events_lock);
	}
	/*
	 * Fail closed with a persistent table: it stays, and device traffic
	 * stays stopped.  Otherwise stop queueing, let the workers answer what
	 * is queued, and only then remove the table: deleting its hooks would
	 * drop every packet still waiting.
	 */
	if (r->nc.persist && !r->p->fail_open) {
		logx(LOG_NOTICE, "table %s %s kept: fail closed", table_str(&r->nc),
		     NFT_TABLE_NAME);
	} else {
		drain_queues(r);
		uninstall(r);
	}
	__atomic_store_n(&workers_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < r->nworkers; i++) {
		if (!r->w[i].started)
			continue;
		pthread_join(r->w[i].tid, NULL);
		packets += queue_stats(r->w[i].q)->packets;
		enobufs += queue_stats(r->w[i].q)->enobufs;
		decisions += engine_stats(r->w[i].e)->decisions;
		malformed += r->w[i].malformed;
	}
	pthread_mutex_lock(&r->events_lock);
	evlimit_expire(&r->lim, now_ms(), true);
	pthread_mutex_unlock(&r->events_lock);
	logx(LOG_NOTICE,
	     "stopped: %llu packets, %llu decisions, %llu unreadable, %llu socket overflows",
	     (unsigned long long)packets, (unsigned long long)(decisions + r->retired.decisions),
	     (unsigned long long)malformed, (unsigned long long)enobufs);
	err = fatal ? 1 : 0;
	goto out_close;
out_uninstall:
	uninstall(r);
out_free:
	err = 1;
out_close:
	workers_free(r);
	if (r->events)
		fclose(r->events);
	engine_shared_free(r->sh);
	goto out_end;
out_early:
	err = 1;
out_end:
	if (ctl >= 0) {
		close(ctl);
		unlink(o->socket);
	}
	if (gen_fd >= 0)
		close(gen_fd);
	if (r->owner)
		nft_owner_close(r->owner);
	evlimit_fini(&r->lim);
	devtab_fini(&r->devs);
	pthread_mutex_destroy(&r->events_lock);
	pthread_rwlock_destroy(&r->swap);
	if (wrote_pid)
		unlink(pidfile);
	policy_free(r->p);
	free(r);
	return err;
}
