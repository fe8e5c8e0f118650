/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run.h - the running daemon's state and the service files' calls to each
 * other: daemon.c (setup, loop, stop, teardown; the control commands),
 * worker.c (the queues' threads), table.c (the nft table and the
 * generation file), reload.c (a policy's engines, reload, flush, the event
 * log), detach.c (background, pid file, hand-over) and report.c (what
 * status and stats print).  Private to service/.
 *
 * Locking: workers hold swap for reading while they answer a batch of
 * packets; reload, flush and the stats gathering take it for writing, so
 * they see no half-answered batch and may replace the policy and the
 * engines.  events_lock serialises the event log and its rate limiter;
 * devs has a lock of its own.  Nothing else is shared between threads
 * but workers_stop and fatal_raised() (atomics).
 */
#ifndef NFQG_RUN_H
#define NFQG_RUN_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "engine/engine.h"
#include "engine/hints.h"
#include "decode/dns.h"
#include "kernel/nft.h"
#include "kernel/nflog.h"
#include "kernel/queue.h"
#include "policy/exception.h"
#include "policy/policy.h"
#include "print/event.h"
#include "service/devtab.h"
#include "service/evlimit.h"
#include "service/found.h"
#include "service/privs.h"

#define RUN_MAX_THREADS 16

/*
 * A worker's flow counters under policy p: per rule, then the default;
 * then per device group, allowed and blocked (RUN_GROUP_FLOWS).
 */
#define RUN_COUNTERS(p) ((p)->nrules + 1 + 2 * (p)->ndevices)
#define RUN_GROUP_FLOWS(p, g, blocked) ((p)->nrules + 1 + 2 * (size_t)(g) + ((blocked) ? 1 : 0))

struct run;

/* One queue, its engine and its thread. */
struct worker {
	struct run *r;
	struct queue *q;
	struct engine *e;
	uint64_t *rule_flows; /* RUN_COUNTERS: flows decided per rule, then by group */
	uint16_t num;
	pthread_t tid;
	bool started;
	uint64_t malformed;
	struct engine_clock clock; /* of the batch being answered */
};

struct run {
	struct policy *p;
	char path[PATH_MAX];	  /* the policy file, absolute: reload reads it again */
	struct mnl_socket *owner; /* the socket the table belongs to */
	struct engine_shared *sh;
	struct nft_config nc;
	bool installed; /* the table is in the kernel, to be removed at teardown */
	pthread_rwlock_t swap;
	FILE *events;
	char events_path[PATH_MAX];
	pthread_mutex_t events_lock;
	struct evlimit lim;
	uint64_t events_written;
	struct devtab devs;
	bool need_iface;
	unsigned int nworkers; /* workers with an engine (and, once bound, a queue) */
	struct worker w[RUN_MAX_THREADS];
	atomic_bool workers_stop;
	struct engine_stats retired; /* engines replaced by reloads, summed */
	uint64_t started_wall;	     /* s */
	uint64_t started_mono;	     /* ms */
	uint64_t policy_loaded;	     /* s, wall clock */
	uint64_t reloads, reloads_failed, reinstalls, flushes;
	uint64_t metrics_next; /* ms (monotonic): when the metrics file is written next */
	bool metrics_failing;  /* the last write failed (said once) */
	struct privs pv;
	bool dropped; /* privileges dropped */
	/* run-time exceptions (exceptions.c): as given, and compiled for p */
	struct exception_spec **exc; /* each its own: the compiled set points to its counter */
	size_t nexc;
	uint64_t exc_retry; /* ms: when ending exceptions failed, the next try */
	uint32_t exc_next_id;
	struct exception_set *xset; /* the engines check it first; NULL: none */
	uint8_t *sched_open;	    /* per rule: its window open at the last tick ... */
	size_t sched_n;		    /* ... of this many rules (the policy's when they agree) */
	uint64_t redecisions;	    /* flows decided again for an exception or a window */
	uint64_t carried;	    /* flows carried into fresh engines (engine_carry) */
	bool state_failing;	    /* the last write of the state file failed (said once) */
	/* identification by behaviour (found.c) */
	struct nflog *nflog;	    /* the log rules' copies; NULL: identify reads nothing */
	struct found_list found;    /* the devices found, kept in the state file */
	uint64_t found_redecide_at; /* ms: found devices' old flows decided again then (0: none) */
	uint64_t found_warn_next;   /* ms: a full list is said again no sooner */
	struct hint_table hints;    /* DHCP and DNS hints per host, until they add up */
	bool hints_ready;
	struct dns_msg dns_scratch; /* a DNS query read (too big for the stack) */
	/* what setup made, for the one teardown: -1 / false while not made */
	int ctl, ready_fd, gen_fd;
	const char *pidfile; /* written by us */
	const char *socket;
};

/* What a policy needs beside it: engines (sharing sh) and rule counters. */
struct engine_set {
	struct policy *p;
	struct engine_shared *sh;
	bool new_sh;
	struct engine *e[RUN_MAX_THREADS];
	uint64_t *rule_flows[RUN_MAX_THREADS];
};

static inline uint64_t run_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ms since boot, counted in suspend too: what an exception's time is counted on beside the wall. */
static inline uint64_t run_boot_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline uint64_t run_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* worker.c */
void run_write_event(const struct event *ev, void *arg); /* events_lock held */
int workers_bind(struct run *r);			 /* 0 or -1 (logged) */
void workers_start(struct run *r);
void workers_join(struct run *r);
void workers_free(struct run *r);

/* table.c: 0 or -errno, the kernel's reasons logged (and copied to err) */
int table_install(struct run *r);
void table_uninstall(struct run *r);
int table_send(struct run *r, const struct policy *p, const struct nft_config *c, bool update,
	       FILE *err);
int table_refill(struct run *r, FILE *out);
const char *table_str(const struct nft_config *c);
unsigned int table_next_generation(int *fd);
void table_save_generation(unsigned int gen);
void table_watch(struct run *r, uint64_t *last_check);
void table_drain(struct run *r);

/* reload.c */
bool policy_needs_iface(const struct policy *p);
int engine_set_new(struct engine_set *g, struct policy *p, struct engine_shared *sh,
		   const struct policy *old, unsigned int n);
void engine_set_free(struct engine_set *g, unsigned int n);
int run_reload(struct run *r, FILE *err); /* 0 or -1, said to the log and err */
int run_flush(struct run *r, FILE *out);
/*
 * run_redecide - every device flow decided again, as after a reload but
 * with the same policy: fresh engines checking the exceptions x (which
 * replace r->xset), the next generation, the address blocks emptied.  why
 * goes to the log.  0, or -1 (said; x freed, the old set kept).
 */
int run_redecide(struct run *r, struct exception_set *x, const char *why);
FILE *events_open(const char *path);
int events_reopen(struct run *r, const char *path, FILE *out);

/* exceptions.c: the control commands allow, exceptions, revoke; expiry and windows */
int exceptions_allow(struct run *r, int argc, char *const *argv, uid_t uid, FILE *out, bool json);
int exceptions_list(struct run *r, FILE *out, bool json);
int exceptions_revoke(struct run *r, int argc, char *const *argv, uid_t uid, FILE *out, bool json);
/*
 * The exceptions not over compiled for p (those p has no longer room for
 * left out: exceptions_prune ends them once p runs).  NULL: ENOMEM.
 */
struct exception_set *exceptions_build(struct run *r, const struct policy *p);
void exceptions_prune(struct run *r);
/*
 * At start, before the table: the state file's exceptions, those that
 * ended while the daemon was down said and gone, the rest compiled into
 * r->xset; the windows noted.  0, or -ENOMEM.
 */
int exceptions_start(struct run *r);
void exceptions_free(struct run *r);
/* Once a loop turn: exceptions that are over end, windows that opened or closed; both re-decide. */
void exceptions_tick(struct run *r);
/* Which rules' windows are open now, in r->sched_open (after a start or reload); 0 or -ENOMEM. */
int schedules_note(struct run *r);
/* windows_open_now - per rule of p, its window open now (NULL: ENOMEM); windows_store - r's, kept. */
uint8_t *windows_open_now(const struct policy *p);
void windows_store(struct run *r, uint8_t *open);

/* state.c: the state file (policy key state) */
int state_load(struct run *r); /* the exceptions kept; 0, or -1 (said: the file is kept aside) */
void state_save(struct run *r);

/* found.c: identification by behaviour */
void found_config(struct run *r, const struct policy *p, struct nft_config *c);
int found_start(struct run *r); /* the nflog socket bound (once), the found devices to sh */
void found_read(struct run *r); /* the copies waiting, read (bounded) */
void found_tick(struct run *r); /* found devices' flows decided again, coalesced */
void found_stop(struct run *r);

/* detach.c */
int detach(int *ready_fd);
void detach_ready(int *ready_fd);
int pidfile_write(const char *path);
void hand_over(struct run *r, int gen_fd);

/* report.c: the reports, written to f (text, or one JSON object) */
void report_status(struct run *r, FILE *f, bool json);
enum report_style { REPORT_TEXT, REPORT_JSON, REPORT_PROMETHEUS };
/* Takes swap itself, briefly.  0, or -ENOMEM (said on f). */
int report_stats(struct run *r, FILE *f, enum report_style style);
/* Packets the kernel holds in our queues, waiting for a verdict. */
uint64_t report_waiting(const struct run *r);

/*
 * file.c: file_replace - path written whole: fill writes a temporary
 * PATH.tmp (mode, synced to disk when sync), renamed over path; a reader
 * finds the old file or the new, never half.  0, or -errno.
 */
int file_replace(const char *path, mode_t mode, bool sync, int (*fill)(FILE *f, void *arg),
		 void *arg);

/* metrics.c: the policy's metrics file, written again every metrics_interval seconds. */
void metrics_tick(struct run *r, uint64_t now_ms);

#endif
