/* SPDX-License-Identifier: GPL-2.0-or-later */
/* daemon.h - `nfq-guard run -f`: live filtering in the foreground. */
#ifndef NFQG_DAEMON_H
#define NFQG_DAEMON_H

#include "policy.h"

/*
 * daemon_run - install the policy's table, bind its queue, decide every
 * queued packet until SIGTERM or SIGINT, then remove the table.  Logs to
 * stderr.  Returns 0 after a clean stop, 1 when filtering could not start.
 */
int daemon_run(const struct policy *p);

#endif
