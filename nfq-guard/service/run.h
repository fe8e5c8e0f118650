/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run.h - the running daemon's state, shared by daemon.c (life cycle,
 * workers, reload) and report.c (what status, stats and devices print).
 * Private to those two.
 *
 * Locking: workers hold swap for reading while they answer a batch of
 * packets; reload, flush and the reports take it for writing, so they see
 * no half-answered batch and may replace the policy and the engines.
 * events_lock serialises the event log and its rate limiter; devs has a
 * lock of its own.
 */
#ifndef NFQG_RUN_H
#define NFQG_RUN_H

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "service/devtab.h"
#include "engine/engine.h"
#include "service/evlimit.h"
#include "kernel/nft.h"
#include "policy/policy.h"
#include "service/privs.h"
#include "kernel/queue.h"

#define RUN_MAX_THREADS 16

struct run;

/* One queue, its engine and its thread. */
struct worker {
	struct run *r;
	struct queue *q;
	struct engine *e;
	uint64_t *rule_flows; /* per rule of the policy, then the default: flows decided */
	uint16_t num;
	pthread_t tid;
	bool started;
	uint64_t malformed;
};

struct run {
	struct policy *p;
	char path[PATH_MAX];	  /* the policy file, absolute: reload reads it again */
	struct mnl_socket *owner; /* the socket the table belongs to */
	struct engine_shared *sh;
	struct nft_config nc;
	pthread_rwlock_t swap;
	FILE *events;
	char events_path[PATH_MAX];
	pthread_mutex_t events_lock;
	struct evlimit lim;
	uint64_t events_written;
	struct devtab devs;
	bool need_iface;
	unsigned int nworkers;
	struct worker w[RUN_MAX_THREADS];
	struct engine_stats retired; /* engines replaced by reloads, summed */
	uint64_t started_wall;	     /* s */
	uint64_t started_mono;	     /* ms */
	uint64_t policy_loaded;	     /* s, wall clock */
	uint64_t reloads, reloads_failed, reinstalls, flushes;
	struct privs pv;
	bool dropped; /* privileges dropped */
};

/* The reports, written to f (text, or one JSON object). */
void report_status(struct run *r, FILE *f, bool json);
void report_stats(struct run *r, FILE *f, bool json);
/* Packets the kernel holds in our queues, waiting for a verdict. */
uint64_t report_waiting(const struct run *r);

#endif
