/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * table.c - the daemon's nft table (see run.h): install it the way this
 * kernel takes it, refill it, watch that it stays, drain the queues and
 * remove it; and the generation file that makes a new run decide again
 * what an earlier one decided.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "service/daemon.h"
#include "service/log.h"
#include "service/run.h"

#define TABLE_CHECK_MS 2000 /* how often the table's presence is checked */
#define GENERATION_FILE DAEMON_RUN_DIR "/generation"

extern char **environ;

/* modprobe -q NAME; 0 when it ran and succeeded. */
static int load_module(const char *name)
{
	char *argv[] = { "modprobe", "-q", (char *)name, NULL };
	int status;
	pid_t pid;

	if (posix_spawnp(&pid, "modprobe", NULL, NULL, argv, environ) != 0)
		return -1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return 0;
}

/*
 * Build and send the table for policy p with the settings of c: a new one
 * (replacing any), or, with update, the one in the kernel refilled in place
 * (which keeps the packets waiting in the queues).  Every failing message
 * is appended to errs.
 */
static int send_errors(struct run *r, const struct policy *p, const struct nft_config *c,
		       bool update, struct nft_errors *errs)
{
	static char buf[16 << 20]; /* a batch of up to 8 MiB: some 100,000 set elements */
	uint32_t seq = (uint32_t)time(NULL), first = seq;
	long len = update ? nft_build_update(p, c, buf, sizeof(buf), &seq) :
			    nft_build(p, c, buf, sizeof(buf), &seq);

	return len < 0 ? (int)len : nft_send_owned(r->owner, buf, (size_t)len, first, seq, errs);
}

/* A send's failures, one log message each, and copied to err (may be NULL). */
static void log_errors(const struct nft_errors *errs, FILE *err)
{
	char line[256];
	size_t i;

	for (i = 0; nft_errors_line(errs, i, line, sizeof(line)); i++) {
		logx(LOG_ERR, "%s", line);
		if (err)
			fprintf(err, "%s\n", line);
	}
}

/*
 * The table for p, its failures logged and copied to err (may be NULL).
 * With update, a table that is not there to refill (flushed by another
 * tool) is built anew.
 */
int table_send(struct run *r, const struct policy *p, const struct nft_config *c, bool update,
	       FILE *err)
{
	struct nft_errors errs = { 0 };
	int e = send_errors(r, p, c, update, &errs);

	if (e == -ENOENT && update)
		e = send_errors(r, p, c, false, &errs);
	if (e)
		log_errors(&errs, err);
	nft_errors_clear(&errs);
	return e;
}

/* The running table refilled in place (same generation); failures to out. */
int table_refill(struct run *r, FILE *out)
{
	struct nft_errors errs = { 0 };
	int e = send_errors(r, r->p, &r->nc, true, &errs);

	nft_errors_print(&errs, out);
	nft_errors_clear(&errs);
	return e;
}

const char *table_str(const struct nft_config *c)
{
	return c->split ? "ip/ip6" : "inet";
}

/* A small batch (delete, quiesce) to the table's owner socket; failures to stderr. */
static int send_small(struct run *r, long len, const char *buf, uint32_t first, uint32_t seq)
{
	struct nft_errors errs = { 0 };
	int e = len <= 0 ? -EINVAL : nft_send_owned(r->owner, buf, (size_t)len, first, seq, &errs);

	nft_errors_print(&errs, stderr);
	nft_errors_clear(&errs);
	return e;
}

/*
 * Install the table: owned and persistent where the kernel can (6.9+: no
 * other tool may flush it, and it outlives a crash), with the native queue
 * expression where the kernel has it, else the xtables target.  Only the
 * last try's failures are told, kept from its send.
 */
int table_install(struct run *r)
{
	static const struct {
		bool persist, split;
		enum nft_queue_kind queue;
	} tries[] = {
		{ true, false, NFT_QUEUE_NATIVE },
		{ true, false, NFT_QUEUE_COMPAT },
		{ false, false, NFT_QUEUE_NATIVE },
		{ false, false, NFT_QUEUE_COMPAT },
		/* some kernels refuse compat targets in inet tables */
		{ true, true, NFT_QUEUE_COMPAT },
		{ false, true, NFT_QUEUE_COMPAT },
	};
	struct nft_config nc = r->nc; /* r->nc changes only once one works */
	struct nft_errors errs = { 0 };
	int err = -EINVAL;

	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]) && err; i++) {
		nc.persist = tries[i].persist;
		nc.split = tries[i].split;
		nc.queue = tries[i].queue;
		nft_errors_clear(&errs);
		err = send_errors(r, r->p, &nc, false, &errs);
		/* a module target is not autoloaded for the inet family */
		if (err == -ENOENT && nc.queue == NFT_QUEUE_COMPAT && !r->dropped &&
		    load_module("xt_NFQUEUE") == 0)
			err = send_errors(r, r->p, &nc, false, &errs);
	}
	if (err)
		log_errors(&errs, NULL);
	nft_errors_clear(&errs);
	if (err)
		return err;
	r->nc = nc;
	r->installed = true;
	log_info("table %s %s installed%s, queue %u%s (%s)", table_str(&r->nc), NFT_TABLE_NAME,
		 r->nc.persist ? " (owned, persistent)" : "", r->nc.queue_num,
		 r->nc.queue_total > 1 ? "+" : "",
		 r->nc.queue == NFT_QUEUE_NATIVE ? "nft queue expression" :
						   "xtables NFQUEUE target, revision 3");
	return 0;
}

void table_uninstall(struct run *r)
{
	static char buf[4096];
	uint32_t seq = (uint32_t)time(NULL), first = seq;
	long len = nft_build_delete(&r->nc, buf, sizeof(buf), &seq);

	if (send_small(r, len, buf, first, seq) == 0)
		log_info("table %s %s removed", table_str(&r->nc), NFT_TABLE_NAME);
	r->installed = false;
}

/* Stop queueing, then wait (bounded) until the kernel holds no packet for us. */
void table_drain(struct run *r)
{
	static char buf[4096];
	uint32_t seq = (uint32_t)time(NULL), first = seq;
	long len = nft_build_quiesce(&r->nc, buf, sizeof(buf), &seq);

	if (send_small(r, len, buf, first, seq))
		return;
	for (int i = 0; i < 100 && report_waiting(r) > 0; i++)
		poll(NULL, 0, 20);
}

/* Another tool's `nft flush ruleset` takes our table too: put it back. */
void table_watch(struct run *r, uint64_t *last_check)
{
	int err;

	if (run_now_ms() - *last_check < TABLE_CHECK_MS)
		return;
	*last_check = run_now_ms();
	if (nft_table_exists(&r->nc) != 0)
		return;
	log_warnx("table %s %s is gone (flushed by another tool?): installing it again",
		  table_str(&r->nc), NFT_TABLE_NAME);
	err = table_install(r);
	if (err)
		logx(LOG_ERR, "run: cannot install table: %s", strerror(-err));
	else
		r->reinstalls++;
}

/* Write the generation; the file's fd when keep (for fchown), else -1. */
static int save_generation(unsigned int gen, bool keep)
{
	char buf[16];
	int fd, n = snprintf(buf, sizeof(buf), "%u\n", gen);

	mkdir(DAEMON_RUN_DIR, 0755);
	/* never through a symlink: the directory belongs to the daemon's user */
	fd = open(GENERATION_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, buf, (size_t)n) != n)
		log_warn("%s", GENERATION_FILE);
	if (keep)
		return fd;
	close(fd);
	return -1;
}

void table_save_generation(unsigned int gen)
{
	save_generation(gen, false);
}

/*
 * The generation of this run: one more than the last run's (kept in a
 * small file under /run, which lives as long as the conntrack entries it
 * is about), so that flows a previous run decided are decided again under
 * this policy rather than passing on their old ct mark.  *fd: the file,
 * kept open for the hand-over (or -1).
 */
unsigned int table_next_generation(int *fd)
{
	unsigned int gen = 0;
	int rfd = open(GENERATION_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *f = rfd < 0 ? NULL : fdopen(rfd, "r");

	if (f) {
		if (fscanf(f, "%u", &gen) != 1)
			gen = 0;
		fclose(f);
		gen = (gen + 1) % (NFT_GEN_MAX + 1);
	} else {
		/* no record (first run since boot, or no /run): any but the most likely 0 */
		gen = 1 + (unsigned int)(time(NULL) % NFT_GEN_MAX);
	}
	*fd = save_generation(gen, true);
	return gen;
}
