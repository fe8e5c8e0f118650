/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.c - the daemon's messages (see log.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "service/log.h"

static bool use_syslog;
static int copy_fd = -1;
static atomic_bool fatal_flag;

void log_to_syslog(void)
{
	openlog("nfq-guard", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	use_syslog = true;
}

void log_copy_fd(int fd)
{
	copy_fd = fd;
}

/* The message out; with errnum (not 0), ": strerror(errnum)" after it. */
static void __attribute__((format(printf, 3, 0)))
vlog(int prio, int errnum, const char *fmt, va_list ap)
{
	char msg[1024];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum) {
		n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(errnum));
	}
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

#define LOG_WITH(prio, errnum)                   \
	do {                                     \
		va_list ap;                      \
		va_start(ap, fmt);               \
		vlog((prio), (errnum), fmt, ap); \
		va_end(ap);                      \
	} while (0)

void logx(int prio, const char *fmt, ...)
{
	LOG_WITH(prio, 0);
}

void log_warn(const char *fmt, ...)
{
	int e = errno;

	LOG_WITH(LOG_WARNING, e);
}

void log_warnx(const char *fmt, ...)
{
	LOG_WITH(LOG_WARNING, 0);
}

void log_info(const char *fmt, ...)
{
	LOG_WITH(LOG_INFO, 0);
}

void log_notice(const char *fmt, ...)
{
	LOG_WITH(LOG_NOTICE, 0);
}

void fatal(const char *fmt, ...)
{
	int e = errno;

	LOG_WITH(LOG_ERR, e);
	atomic_store(&fatal_flag, true);
}

void fatalx(const char *fmt, ...)
{
	LOG_WITH(LOG_ERR, 0);
	atomic_store(&fatal_flag, true);
}

bool fatal_raised(void)
{
	return atomic_load(&fatal_flag);
}

void log_event(const char *line)
{
	if (use_syslog)
		syslog(LOG_INFO, "%s", line);
	else
		fputs(line, stderr);
}
