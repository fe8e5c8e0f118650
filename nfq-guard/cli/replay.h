/* SPDX-License-Identifier: GPL-2.0-or-later */
/* replay.h - `nfq-guard replay`: a capture through the daemon's decoders and engine. */
#ifndef NFQG_REPLAY_H
#define NFQG_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

#include "policy/policy.h"
#include "print/event.h"

/* The figures of one capture's run (replay's summary). */
struct replay_counts {
	uint64_t packets, unreadable, not_ip, decisions, at_end;
	uint64_t snooped, names_learned, flows_evicted, fragments_dropped;
};

/* Called with each decision, in the order made; ev and what it points to live for the call. */
typedef void (*replay_decision_fn)(const struct event *ev, void *arg);

/*
 * replay_capture - run every frame of the capture at path through the
 * decoders and engine under policy p, as the daemon would, and call fn with
 * each decision (flows still waiting at the end last).  cmd names the
 * command in messages ("nfq-guard: CMD: ...").  Returns 0; 1 when the
 * capture could not be read through (after every decision read until
 * then); -1 when it could not be opened, or memory ran out (said on err,
 * no decision made).  *cnt (may be NULL) receives the figures unless -1.
 */
int replay_capture(const struct policy *p, const char *path, const char *cmd, replay_decision_fn fn,
		   void *arg, struct replay_counts *cnt, FILE *err);

/*
 * replay_file - decide every device flow of the capture at path under
 * policy p; print one line per decision, then a summary per rule, per
 * device group and per device.  Returns 0, or 1 when the capture cannot be
 * read (after the lines read until then).
 */
int replay_file(const struct policy *p, const char *path, bool json, FILE *out, FILE *err);

#endif
