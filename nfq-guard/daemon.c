/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon.c - live filtering (see daemon.h).
 *
 * Signal handlers only set a flag; the loop does the work.  Every queued
 * packet gets exactly one verdict: ACCEPT with nfq-guard's bits of the mark
 * set to the decision (DESIGN.md §3), or cleared while a flow waits.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "engine.h"
#include "event.h"
#include "nft.h"
#include "queue.h"

#define TABLE_CHECK_MS 2000 /* how often the table's presence is checked */

extern char **environ;

static volatile sig_atomic_t stop, hup;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	hup = 1;
}

struct run {
	const struct policy *p;
	struct engine *e;
	struct nft_config nc;
	FILE *events;
	bool need_iface;
	uint64_t malformed;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* The verdict value a decision becomes in the kernel. */
static enum nft_verdict verdict_of(const struct run *r, const struct decision *d)
{
	if (r->p->monitor)
		return NFT_V_ALLOW;
	switch (d->action) {
	case ACTION_ALLOW:
	case ACTION_LOG:
		return NFT_V_ALLOW;
	case ACTION_DROP:
		/* a drop decided by a name must not close the address to other names */
		return d->by_address ? NFT_V_BLOCK : NFT_V_DROP;
	case ACTION_REJECT:
		return NFT_V_REJECT;
	}
	return NFT_V_DROP;
}

static void record(struct run *r, const struct queued_packet *qp, const struct packet *pkt,
		   const struct decision *d)
{
	struct engine_flow_key k = { .family = pkt->family, .proto = pkt->proto };
	struct event ev = {
		.ts_us = wall_us(),
		.has_mac = qp->has_mac,
		.flow = &k,
		.monitor = r->p->monitor,
		.d = d,
	};

	if (d->action == ACTION_ALLOW && !d->log)
		return;
	memcpy(ev.mac, qp->mac, 6);
	memcpy(k.src, pkt->src, 16);
	memcpy(k.dst, pkt->dst, 16);
	k.sport = pkt->sport;
	k.dport = pkt->dport;
	event_print_text(stderr, r->p, &ev);
	if (r->events) {
		event_print_json(r->events, r->p, &ev);
		fflush(r->events);
	}
}

static void on_packet(struct queue *q, const struct queued_packet *qp, void *arg)
{
	struct run *r = arg;
	uint32_t keep = qp->mark & ~r->nc.mask, mark = keep;
	struct engine_input in = { 0 };
	char ifname[IF_NAMESIZE];
	struct decision d;
	struct packet pkt;

	if (decode_ip(qp->data, qp->len, &pkt, NULL) != DECODE_OK) {
		/* unreadable: the policy's default, like any flow no rule matches */
		struct decision dd = { .action = r->p->dflt, .by_address = false };

		r->malformed++;
		queue_verdict(q, qp->id, keep | nft_mark(&r->nc, verdict_of(r, &dd)));
		return;
	}
	in.pkt = &pkt;
	in.has_mac = qp->has_mac;
	memcpy(in.mac, qp->mac, 6);
	in.now = now_ms();
	if (r->need_iface && qp->indev && if_indextoname(qp->indev, ifname))
		in.iface = ifname;
	if (engine_packet(r->e, &in, &d) == ENGINE_DECIDED) {
		mark = keep | nft_mark(&r->nc, verdict_of(r, &d));
		if (d.first)
			record(r, qp, &pkt, &d);
	}
	queue_verdict(q, qp->id, mark);
}

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

static int install(struct run *r)
{
	static char buf[4 << 20];
	uint32_t seq = (uint32_t)time(NULL), first;
	FILE *quiet = fopen("/dev/null", "w");
	long len;
	int err;

	/* the native queue expression first, then the xtables target */
	first = seq;
	r->nc.queue = NFT_QUEUE_NATIVE;
	len = nft_build(r->p, &r->nc, buf, sizeof(buf), &seq);
	err = len < 0 ? (int)len : nft_send(buf, (size_t)len, first, seq, quiet ? quiet : stderr);
	if (err) {
		r->nc.queue = NFT_QUEUE_COMPAT;
		first = seq;
		len = nft_build(r->p, &r->nc, buf, sizeof(buf), &seq);
		err = len < 0 ? (int)len :
				nft_send(buf, (size_t)len, first, seq, quiet ? quiet : stderr);
	}
	if (err == -ENOENT && load_module("xt_NFQUEUE") == 0) {
		/* a module target is not autoloaded for the inet family */
		first = seq;
		len = nft_build(r->p, &r->nc, buf, sizeof(buf), &seq);
		err = len < 0 ? (int)len : nft_send(buf, (size_t)len, first, seq, stderr);
	} else if (err) {
		/* say why, this time */
		first = seq;
		len = nft_build(r->p, &r->nc, buf, sizeof(buf), &seq);
		err = len < 0 ? (int)len : nft_send(buf, (size_t)len, first, seq, stderr);
	}
	if (quiet)
		fclose(quiet);
	if (err)
		return err;
	fprintf(stderr, "nfq-guard: table inet %s installed, queue %u (%s)\n", NFT_TABLE_NAME,
		r->nc.queue_num,
		r->nc.queue == NFT_QUEUE_NATIVE ? "nft queue expression" :
						  "xtables NFQUEUE target, revision 3");
	return 0;
}

static void uninstall(void)
{
	static char buf[4096];
	uint32_t seq = (uint32_t)time(NULL), first = seq;
	long len = nft_build_delete(buf, sizeof(buf), &seq);

	if (len > 0 && nft_send(buf, (size_t)len, first, seq, stderr) == 0)
		fprintf(stderr, "nfq-guard: table inet %s removed\n", NFT_TABLE_NAME);
}

/* Open the event log, creating its directory (mode 0750) when missing. */
static FILE *open_events(const char *path)
{
	char dir[4096];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		for (char *p = dir + 1; *p; p++) {
			if (*p == '/') {
				*p = '\0';
				mkdir(dir, 0755);
				*p = '/';
			}
		}
		mkdir(dir, 0750);
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	return fd < 0 ? NULL : fdopen(fd, "a");
}

int daemon_run(const struct policy *p)
{
	struct run r = { .p = p };
	uint64_t last_check;
	struct sigaction sa;
	struct queue *q;
	size_t i;
	int err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (i = 0; i < p->ndevices; i++)
		if (p->devices[i].nifaces)
			r.need_iface = true;
	nft_config_default(&r.nc);
	r.nc.bypass = p->fail_open;
	r.nc.queue_num = (uint16_t)p->queue_num;
	r.e = engine_new(p, 0);
	if (!r.e) {
		fprintf(stderr, "nfq-guard: run: out of memory\n");
		return 1;
	}
	r.events = open_events(p->events);
	if (!r.events)
		fprintf(stderr, "nfq-guard: run: events %s: %s (events go to stderr only)\n",
			p->events, strerror(errno));
	/* bind the queue before the rules send packets to it */
	q = queue_open(r.nc.queue_num, p->fail_open, &err);
	if (!q) {
		fprintf(stderr, "nfq-guard: run: queue %u: %s\n", r.nc.queue_num,
			err == -EBUSY || err == -EPERM ? "another process has bound this queue" :
							 strerror(-err));
		goto out_free;
	}
	err = install(&r);
	if (err) {
		fprintf(stderr, "nfq-guard: run: cannot install table inet %s: %s\n",
			NFT_TABLE_NAME, strerror(-err));
		goto out_close;
	}
	if (nft_flowtables() > 0)
		fprintf(stderr, "nfq-guard: WARNING: a flowtable (flow offload) is configured: "
				"offloaded flows bypass netfilter, so a device flow could escape "
				"before it is decided; keep device traffic out of the flowtable\n");
	fprintf(stderr, "nfq-guard: filtering with %s (mode %s, fail %s)\n", p->path,
		p->monitor ? "monitor" : "enforce", p->fail_open ? "open" : "closed");
	last_check = now_ms();
	while (!stop) {
		struct pollfd pfd = { .fd = queue_fd(q), .events = POLLIN };
		int n = poll(&pfd, 1, 1000);

		if (hup) {
			hup = 0;
			fprintf(stderr, "nfq-guard: SIGHUP: reloading is not there yet; restart "
					"nfq-guard to use a changed policy\n");
		}
		/* another tool's `nft flush ruleset` takes our table too: put it back */
		if (now_ms() - last_check >= TABLE_CHECK_MS) {
			last_check = now_ms();
			if (nft_table_exists() == 0) {
				fprintf(stderr,
					"nfq-guard: table inet %s is gone (flushed by another "
					"tool?): installing it again\n",
					NFT_TABLE_NAME);
				err = install(&r);
				if (err)
					fprintf(stderr,
						"nfq-guard: run: cannot install table: %s\n",
						strerror(-err));
			}
		}

		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "nfq-guard: run: poll: %s\n", strerror(errno));
			break;
		}
		if (n > 0) {
			/* drain what is waiting, bounded so a signal is seen */
			for (int k = 0; k < 64 && !stop; k++) {
				int got = queue_receive(q, on_packet, &r);

				if (got < 0) {
					fprintf(stderr, "nfq-guard: run: queue: %s\n",
						strerror(-got));
					stop = 1;
				}
				if (got <= 0)
					break;
			}
		}
	}
	/* answer what is still queued, then let go of the table */
	while (queue_receive(q, on_packet, &r) > 0)
		;
	uninstall();
	fprintf(stderr,
		"nfq-guard: stopped: %llu packets, %llu decisions, %llu unreadable, "
		"%llu socket overflows\n",
		(unsigned long long)queue_stats(q)->packets,
		(unsigned long long)engine_stats(r.e)->decisions, (unsigned long long)r.malformed,
		(unsigned long long)queue_stats(q)->enobufs);
	queue_close(q);
	if (r.events)
		fclose(r.events);
	engine_free(r.e);
	return 0;
out_close:
	queue_close(q);
out_free:
	if (r.events)
		fclose(r.events);
	engine_free(r.e);
	return 1;
}
