/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.c - the daemon's messages (see log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "service/log.h"

static bool use_syslog;
static int copy_fd = -1;

void log_to_syslog(void)
{
	openlog("nfq-guard", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	use_syslog = true;
}

void log_copy_fd(int fd)
{
	copy_fd = fd;
}

void logx(int prio, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* one line per message, whatever the arguments held */
	for (char *c = msg; *c; c++)
		if (*c == '\n')
			*c = ' ';
	if (use_syslog)
		syslog(prio, "%s", msg);
	else
		fprintf(stderr, "nfq-guard: %s\n", msg);
	if (copy_fd >= 0) {
		n = strlen(msg);
		msg[n < sizeof(msg) - 1 ? n++ : n - 1] = '\n';
		if (write(copy_fd, msg, n) < 0)
			copy_fd = -1;
	}
}

void log_event(const char *line)
{
	if (use_syslog)
		syslog(LOG_INFO, "%s", line);
	else
		fputs(line, stderr);
}
