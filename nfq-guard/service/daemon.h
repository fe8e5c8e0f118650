/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon.h - `nfq-guard run`: live filtering, in the foreground or as a daemon. */
#ifndef NFQG_DAEMON_H
#define NFQG_DAEMON_H

#include <stdbool.h>

#include "policy/policy.h"

#define DAEMON_PIDFILE "/run/nfq-guard/nfq-guard.pid"
#define DAEMON_RUN_DIR "/run/nfq-guard"

struct daemon_opts {
	const char *config;  /* the policy file p came from */
	bool foreground;     /* else: detach, log to syslog */
	const char *pidfile; /* NULL: DAEMON_PIDFILE in the background, none in the foreground */
	const char *socket;  /* the control socket */
	const char *user;    /* NULL: PRIVS_DEFAULT_USER (or nobody) */
	const char *group;   /* the control socket's group; NULL: the user's */
};

/*
 * daemon_run - install the policy's table, bind its queues, drop
 * privileges, decide every queued packet and answer the control socket
 * until SIGTERM or SIGINT, then remove the table (or keep it: fail closed).
 * Takes p (reload replaces and frees it).  In the background the calling
 * process returns once the daemon filters (0) or failed to start (1),
 * having printed why.  Returns 0 after a clean stop, 1 when filtering could
 * not start.
 */
int daemon_run(struct policy *p, const struct daemon_opts *o);

#endif
