/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics.c - the policy's metrics file: `stats --prometheus` written every
 * metrics_interval seconds for node_exporter's textfile collector.  Written
 * to PATH.tmp beside it, then renamed over it: the collector reads a whole
 * file or the one before, never half of one (and skips the .tmp, which does
 * not end in .prom).
 */
#include <stdio.h>
#include <string.h>

#include "service/log.h"
#include "service/run.h"

static int metrics_fill(FILE *f, void *arg)
{
	return report_stats(arg, f, REPORT_PROMETHEUS);
}

void metrics_tick(struct run *r, uint64_t now_ms)
{
	const struct policy *p = r->p;
	int err;

	if (!p->metrics || now_ms < r->metrics_next)
		return;
	r->metrics_next = now_ms + (uint64_t)p->metrics_interval * 1000;
	/* mode 0644: the collector is another user */
	err = file_replace(p->metrics, 0644, false, metrics_fill, r);
	if (err && !r->metrics_failing)
		log_warnx("metrics %s: %s (tried again every %u s, said once)", p->metrics,
			  strerror(-err), p->metrics_interval);
	else if (!err && r->metrics_failing)
		log_notice("metrics %s: written again", p->metrics);
	r->metrics_failing = err != 0;
}
