/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - the daemon's messages: to stderr ("nfq-guard: " first) in the
 * foreground, to syslog (facility daemon) in the background.  While a
 * background daemon starts, its messages also go to the starting process,
 * which prints them and exits with the outcome (see daemon.c).
 */
#ifndef NFQG_LOG_H
#define NFQG_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* log_to_syslog - from now on, to syslog instead of stderr. */
void log_to_syslog(void);

/* log_copy_fd - also write each message, one line, to fd (-1: stop). */
void log_copy_fd(int fd);

void logx(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* log_event - an event's text line (ending in a newline), as it is. */
void log_event(const char *line);

#endif
