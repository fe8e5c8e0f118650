/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reload.c - a policy's engines (struct engine_set), reload into a fresh
 * set beside the running one, flush, and the event log's file (see run.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "print/format.h"
#include "service/log.h"
#include "service/run.h"

bool policy_needs_iface(const struct policy *p)
{
	for (size_t i = 0; i < p->ndevices; i++)
		if (p->devices[i].nifaces)
			return true;
	return false;
}

void engine_set_free(struct engine_set *g, unsigned int n)
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
 * n engines for p.  The learned names and devices are kept (sh) when the
 * new policy bounds them the same way as old.  0 or -ENOMEM; on failure
 * engine_set_free(g, n) undoes what was made.
 */
int engine_set_new(struct engine_set *g, struct policy *p, struct engine_shared *sh,
		   const struct policy *old, unsigned int n)
{
	memset(g, 0, sizeof(*g));
	g->p = p;
	if (sh && old && old->max_names == p->max_names && old->max_devices == p->max_devices &&
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
		g->rule_flows[i] = calloc(RUN_COUNTERS(p), sizeof(uint64_t));
		if (!g->e[i] || !g->rule_flows[i])
			return -ENOMEM;
	}
	return 0;
}

/* Say why a reload failed: to the log and to the caller (err may be NULL). */
static void reload_error(struct run *r, FILE *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reload_error(struct run *r, FILE *err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	logx(LOG_ERR, "%s", msg);
	if (err)
		fprintf(err, "%s\n", msg);
	if (r)
		r->reloads_failed++;
}

/* The policy file again, its errors said; NULL when rejected (counted). */
static struct policy *reload_policy(struct run *r, FILE *err)
{
	struct policy_errors errs;
	struct policy *p = policy_load(r->path, &errs);

	for (size_t i = 0; i < errs.n; i++)
		reload_error(NULL, err, "%s", errs.lines[i]);
	if (errs.dropped)
		reload_error(NULL, err, "%s: %zu more errors not shown", r->path, errs.dropped);
	policy_errors_clear(&errs);
	if (!p) {
		reload_error(r, err, "reload: %s rejected; the running policy stays", r->path);
		return NULL;
	}
	if (p->queue_num != r->p->queue_num || p->queue_threads != r->p->queue_threads ||
	    p->fail_open != r->p->fail_open) {
		reload_error(r, err,
			     "%s: queue.num, queue.threads and fail differ from the running "
			     "policy's: restart nfq-guard to change them; the running policy stays",
			     r->path);
		policy_free(p);
		return NULL;
	}
	return p;
}

/*
 * Put g in the running place and its settings in force; g then holds what
 * was running, to be freed.  Caller holds swap for writing.
 */
static void swap_in(struct run *r, struct engine_set *g, const struct nft_config *nc)
{
	struct engine_set old = { .p = r->p, .sh = r->sh, .new_sh = g->new_sh };

	/* held-back events point into the old policy: out with them first */
	pthread_mutex_lock(&r->events_lock);
	evlimit_expire(&r->lim, run_now_ms(), true);
	r->lim.interval = (uint64_t)g->p->events_interval * 1000;
	pthread_mutex_unlock(&r->events_lock);
	/* the old shared part goes when a new one replaces it */
	for (unsigned int i = 0; i < r->nworkers; i++) {
		old.e[i] = r->w[i].e;
		old.rule_flows[i] = r->w[i].rule_flows;
		engine_stats_add(&r->retired, engine_stats(old.e[i]));
		r->w[i].e = g->e[i];
		r->w[i].rule_flows = g->rule_flows[i];
	}
	r->p = g->p;
	if (!g->new_sh)
		engine_shared_policy(g->sh, g->p); /* it pointed at the old policy */
	r->sh = g->sh;
	r->nc = *nc;
	r->need_iface = policy_needs_iface(r->p);
	devtab_bound(&r->devs, r->p->max_devices);
	r->policy_loaded = run_wall_us() / 1000000;
	*g = old;
}

/* The exceptions x for the engines of g. */
static void engine_set_exceptions_all(struct engine_set *g, unsigned int n,
				      const struct exception_set *x)
{
	for (unsigned int i = 0; i < n; i++)
		engine_set_exceptions(g->e[i], x);
}

/*
 * The running engines' flows into g's (the same queue each), decided again
 * now under g's policy and exceptions.  Caller holds swap for writing.
 */
static void carry_flows(struct run *r, struct engine_set *g)
{
	struct engine_clock c = local_clock((int64_t)(run_wall_us() / 1000000));
	uint64_t now = run_now_ms();

	for (unsigned int i = 0; i < r->nworkers; i++) {
		engine_set_clock(g->e[i], &c);
		r->carried += engine_carry(g->e[i], r->w[i].e, now);
	}
}

int run_redecide(struct run *r, struct exception_set *x, const char *why)
{
	struct nft_config nc = r->nc;
	struct exception_set *old_x;
	struct engine_set g;
	int e;

	if (engine_set_new(&g, r->p, r->sh, r->p, r->nworkers)) {
		logx(LOG_ERR, "%s: out of memory: flows not decided again", why);
		g.p = NULL;
		engine_set_free(&g, r->nworkers);
		exception_set_free(x);
		return -1;
	}
	engine_set_exceptions_all(&g, r->nworkers, x);
	nc.gen = (r->nc.gen + 1) % (NFT_GEN_MAX + 1);
	nc.keep_seen = true;
	pthread_rwlock_wrlock(&r->swap);
	e = table_send(r, r->p, &nc, true, NULL);
	if (!e) {
		/* held-back events may point into the old exceptions: out with them first */
		pthread_mutex_lock(&r->events_lock);
		evlimit_expire(&r->lim, run_now_ms(), true);
		pthread_mutex_unlock(&r->events_lock);
		carry_flows(r, &g);
		/* the same policy: its counters stay, the new engines' go */
		for (unsigned int i = 0; i < r->nworkers; i++) {
			struct engine *old = r->w[i].e;

			engine_stats_add(&r->retired, engine_stats(old));
			r->w[i].e = g.e[i];
			g.e[i] = old;
		}
		nc.keep_seen = false;
		r->nc = nc;
		old_x = r->xset;
		r->xset = x;
		x = old_x;
	}
	pthread_rwlock_unlock(&r->swap);
	g.p = NULL; /* still running */
	engine_set_free(&g, r->nworkers);
	exception_set_free(x); /* the old set, or the refused new one */
	if (e) {
		logx(LOG_ERR, "%s: cannot install the table of the next generation: %s", why,
		     strerror(-e));
		return -1;
	}
	table_save_generation(r->nc.gen);
	r->redecisions++;
	log_notice("%s: device flows decided again (generation %u)", why, r->nc.gen);
	return 0;
}

/*
 * Reload: the policy file again, beside the running one.  Rejected (the
 * old one keeps filtering): errors to the log and to err.  Accepted: the
 * new table and the next generation go to the kernel in one batch (address
 * blocks start empty, learned device addresses stay), the running
 * engines' flows are carried into the new ones, decided again, and the
 * engines are swapped while no worker is inside a batch.  Packets queued meanwhile wait in the kernel's queue.  0 or -1.
 */
int run_reload(struct run *r, FILE *err)
{
	struct policy *p = reload_policy(r, err);
	struct exception_set *x;
	struct nft_config nc;
	struct engine_set g;
	uint8_t *open;
	int e;

	if (!p)
		return -1;
	/* the windows open now, taken before the flows are decided: an edge passed
	 * meanwhile is seen at the next look */
	open = windows_open_now(p);
	x = exceptions_build(r, p);
	if (!x || engine_set_new(&g, p, r->sh, r->p, r->nworkers)) {
		reload_error(r, err, "reload: out of memory; the running policy stays");
		exception_set_free(x);
		engine_set_free(&g, r->nworkers);
		free(open);
		return -1;
	}
	engine_set_exceptions_all(&g, r->nworkers, x);
	nc = r->nc;
	nc.gen = (r->nc.gen + 1) % (NFT_GEN_MAX + 1);
	nc.keep_seen = true;
	found_config(r, p, &nc); /* the devices found stay; its identify may differ */
	pthread_rwlock_wrlock(&r->swap);
	e = table_send(r, p, &nc, true, err);
	nc.keep_seen = false;
	if (!e) {
		struct exception_set *old_x = r->xset;

		/* the flows come over, decided under p, while the old engines still hold them */
		carry_flows(r, &g);
		swap_in(r, &g, &nc);
		r->xset = x;
		x = old_x;
	}
	pthread_rwlock_unlock(&r->swap);
	engine_set_free(&g, r->nworkers); /* the old set, or the refused new one */
	exception_set_free(x);
	if (e) {
		reload_error(r, err,
			     "reload: cannot install the new table: %s; the running policy stays",
			     strerror(-e));
		free(open);
		return -1;
	}
	table_save_generation(r->nc.gen);
	r->reloads++;
	windows_store(r, open); /* NULL (no memory): the next look takes them as they are */
	exceptions_prune(r);
	found_start(r); /* an identify the old policy did not have */
	if (strcmp(p->events, r->events_path))
		events_reopen(r, p->events, err);
	log_notice("reloaded %s: mode %s, %zu rules, generation %u", r->path,
		   p->monitor ? "monitor" : "enforce", p->nrules, r->nc.gen);
	return 0;
}

/* Forget learned names and empty the table's timeout sets (same generation). */
int run_flush(struct run *r, FILE *out)
{
	int e;

	pthread_rwlock_wrlock(&r->swap);
	engine_shared_flush(r->sh);
	e = table_refill(r, out);
	pthread_rwlock_unlock(&r->swap);
	if (e) {
		fprintf(out, "flush: cannot replace the table: %s\n", strerror(-e));
		return -1;
	}
	r->flushes++;
	log_notice("flushed: learned names, address blocks and device addresses forgotten");
	fprintf(out, "flushed: learned names, address blocks and learned device addresses\n");
	return 0;
}

/* Open the event log, creating its directory (mode 0750) when missing. */
FILE *events_open(const char *path)
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
int events_reopen(struct run *r, const char *path, FILE *out)
{
	FILE *f = events_open(path);
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
	log_info("events reopened: %s", path);
	return 0;
}
