/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * detach.c - into the background (the starter waits for the daemon's
 * word and exits with the outcome), the pid file, and handing the files
 * the unprivileged daemon writes to its user (see run.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/daemon.h"
#include "service/log.h"
#include "service/run.h"

#define READY "\006ready\n" /* a background daemon's word to its starter */

/* The starter: print what the daemon says until it is ready or gone, then exit. */
static void __attribute__((noreturn)) starter_wait(int fd, pid_t pid)
{
	char buf[4096], *ready, *nl;
	bool ok = false;
	size_t n = 0, m;
	ssize_t k;

	/* a signal to the starter is not the daemon's failure */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	while ((k = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0 || (k < 0 && errno == EINTR)) {
		if (k < 0)
			continue;
		n += (size_t)k;
		buf[n] = '\0';
		ready = strstr(buf, READY);
		if (ready) {
			*ready = '\0';
			fputs(buf, stderr);
			n = 0;
			ok = true;
			break;
		}
		/* whole lines out; the rest may be the start of the next */
		nl = strrchr(buf, '\n');
		m = nl ? (size_t)(nl + 1 - buf) : n == sizeof(buf) - 1 ? n : 0;
		fwrite(buf, 1, m, stderr);
		memmove(buf, buf + m, n - m);
		n -= m;
	}
	fwrite(buf, 1, n, stderr);
	close(fd);
	if (ok) {
		fprintf(stderr, "nfq-guard: running in the background (pid %d)\n", (int)pid);
		_exit(0);
	}
	fprintf(stderr, "nfq-guard: run: the daemon did not start\n");
	_exit(1);
}

/* Detach: the caller waits for READY (or the end of the pipe) and returns. */
int detach(int *ready_fd)
{
	int pfd[2], dn;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC)) {
		fatal("run: pipe");
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fatal("run: fork");
		return -1;
	}
	if (pid > 0) {
		close(pfd[1]);
		starter_wait(pfd[0], pid);
	}
	close(pfd[0]);
	setsid();
	if (chdir("/")) /* cannot fail; nothing to do if it did */
		log_warn("chdir /");
	dn = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (dn >= 0) {
		dup2(dn, 0);
		dup2(dn, 1);
		dup2(dn, 2);
		if (dn > 2)
			close(dn);
	}
	log_to_syslog();
	log_copy_fd(pfd[1]);
	*ready_fd = pfd[1];
	return 0;
}

/* The daemon filters: let the starter go, before any thread could log to its pipe. */
void detach_ready(int *ready_fd)
{
	if (*ready_fd < 0)
		return;
	log_copy_fd(-1);
	if (write(*ready_fd, READY, strlen(READY)) < 0)
		log_warn("the starting process went away");
	close(*ready_fd);
	*ready_fd = -1;
}

int pidfile_write(const char *path)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

	if (fd < 0 || write(fd, buf, (size_t)n) != n) {
		fatal("run: pid file %s", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* What the unprivileged daemon will write: the run directory, the event log's. */
void hand_over(struct run *r, int gen_fd)
{
	char dir[PATH_MAX], *slash;

	if (!r->pv.as_root)
		return;
	/* files by their descriptors, directories root made: no symlink is followed */
	if (chown(DAEMON_RUN_DIR, r->pv.uid, r->pv.gid) ||
	    (gen_fd >= 0 && fchown(gen_fd, r->pv.uid, r->pv.gid)))
		log_warn("%s: chown", DAEMON_RUN_DIR);
	if (r->events && fchown(fileno(r->events), r->pv.uid, r->pv.gid))
		log_warn("%s: chown", r->events_path);
	/* a directory of its own (…/nfq-guard): so that reopen can create the file */
	snprintf(dir, sizeof(dir), "%s", r->events_path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		slash = strrchr(dir, '/');
		if (slash && !strcmp(slash + 1, "nfq-guard") && chown(dir, r->pv.uid, r->pv.gid))
			log_warn("%s: chown", dir);
	}
}
