/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics.c - the policy's metrics file: `stats --prometheus` written every
 * metrics_interval seconds for node_exporter's textfile collector.  Written
 * to PATH.tmp beside it, then renamed over it: the collector reads a whole
 * file or the one before, never half of one (and skips the .tmp, which does
 * not end in .prom).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "service/log.h"
#include "service/run.h"

/* Write the file once: 0, or -errno. */
static int metrics_write(struct run *r, const char *path)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	/* for the collector, another user: readable whatever the daemon's umask */
	if (fchmod(fd, 0644)) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	err = report_stats(r, f, REPORT_PROMETHEUS);
	if (fflush(f) || ferror(f))
		err = errno ? -errno : -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

void metrics_tick(struct run *r, uint64_t now_ms)
{
	const struct policy *p = r->p;
	int err;

	if (!p->metrics || now_ms < r->metrics_next)
		return;
	r->metrics_next = now_ms + (uint64_t)p->metrics_interval * 1000;
	err = metrics_write(r, p->metrics);
	if (err && !r->metrics_failing)
		log_warnx("metrics %s: %s (tried again every %u s, said once)", p->metrics,
			  strerror(-err), p->metrics_interval);
	else if (!err && r->metrics_failing)
		log_notice("metrics %s: written again", p->metrics);
	r->metrics_failing = err != 0;
}
