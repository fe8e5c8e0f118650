/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - the daemon's messages: to stderr ("nfq-guard: " first) in the
 * foreground, to syslog (facility daemon) in the background.  While a
 * background daemon starts, its messages also go to the starting process,
 * which prints them and exits with the outcome (see detach.c).
 *
 * The OpenBSD daemons' habit: log_warn and fatal append ": " and
 * strerror(errno) themselves; no call site writes it by hand.
 */
#ifndef NFQG_LOG_H
#define NFQG_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* log_to_syslog - from now on, to syslog instead of stderr. */
void log_to_syslog(void);

/* log_copy_fd - also write each message, one line, to fd (-1: stop). */
void log_copy_fd(int fd);

/* logx - one message at priority prio, as it is. */
void logx(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* log_warn, log_warnx - LOG_WARNING, with and without strerror(errno). */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* log_info, log_notice - LOG_INFO and LOG_NOTICE. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * fatal, fatalx - the daemon cannot go on: the message at LOG_ERR (fatal
 * with strerror(errno)), and the daemon is to stop with exit status 1.
 * Unlike OpenBSD's they return, from any thread: the caller unwinds, and
 * daemon_run's one teardown keeps the fail mode's promise (the table
 * removed, or kept to fail closed).  fatal_raised tells whether either
 * was called (an atomic: workers raise it, the main thread reads it).
 */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool fatal_raised(void);

/* log_event - an event's text line (ending in a newline), as it is. */
void log_event(const char *line);

#endif
