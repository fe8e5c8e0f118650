/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * worker.c - the queues' threads (see run.h): each answers its queue with
 * its own engine.  Every queued packet gets exactly one verdict: ACCEPT
 * with nfq-guard's bits of the mark set to the decision (DESIGN.md §3), or
 * cleared while a flow waits.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "print/event.h"
#include "print/format.h"
#include "service/log.h"
#include "service/run.h"

#define WORKER_BATCH 64 /* receives per turn: a reload gets its turn after them */

/* An event line out: text to the log, JSON to the event file.  events_lock held. */
void run_write_event(const struct event *ev, void *arg)
{
	struct run *r = arg;
	char line[2048];
	FILE *m = fmemopen(line, sizeof(line), "w");

	if (m) {
		event_print_text(m, r->p, ev);
		fputc('\0', m);
		fclose(m);
		line[sizeof(line) - 1] = '\0';
		log_event(line);
	}
	if (r->events) {
		event_print_json(r->events, r->p, ev);
		fflush(r->events);
	}
	r->events_written++;
}

/* The name of interface idx into buf, "" when there is none. */
static void iface_name(uint32_t idx, char buf[IF_NAMESIZE])
{
	if (!idx || !if_indextoname(idx, buf))
		buf[0] = '\0';
}

static void record(struct run *r, const struct queued_packet *qp, const struct packet *pkt,
		   const struct decision *d, uint64_t ts_us)
{
	struct engine_flow_key k;
	struct event ev = {
		.ts_us = ts_us,
		.has_mac = qp->has_mac,
		.flow = &k,
		.monitor = r->p->monitor,
		.d = d,
	};

	/* monitor mode records every decision: a week of it is what learn reads */
	if (d->action == ACTION_ALLOW && !d->log && !r->p->monitor)
		return;
	memcpy(ev.mac, qp->mac, 6);
	decision_flow(d, pkt, &ev.has_mac, ev.mac, &k);
	ev.no_src = ev.no_dst = pkt->family == 0;
	ev.no_ports = !pkt->l4;
	ev.no_proto = !pkt->l4 && pkt->proto == 0; /* an IPv6 chain not read through */
	event_packet(&ev, pkt);
	/* decided at the server's packet: it came in where the flow goes out */
	iface_name(d->at_reply ? d->dev_indev : qp->indev, ev.in_iface);
	iface_name(d->at_reply ? qp->indev : 0, ev.out_iface);
	pthread_mutex_lock(&r->events_lock);
	if (evlimit_admit(&r->lim, &ev, run_now_ms()))
		run_write_event(&ev, r);
	pthread_mutex_unlock(&r->events_lock);
}

/* A decision at this packet: counted per rule and per device, and recorded. */
static void decided(struct worker *w, const struct queued_packet *qp, const struct packet *pkt,
		    const struct decision *d)
{
	struct run *r = w->r;
	const struct exception_rule *x = exception_of(d->rule);
	size_t i = !d->rule ? r->p->nrules : x ? 0 : (size_t)(d->rule - r->p->rules);
	uint64_t now = run_wall_us();

	bool blocked = d->action == ACTION_DROP || d->action == ACTION_REJECT;
	struct engine_flow_key k;
	bool has_mac = qp->has_mac;
	uint8_t mac[6];

	if (x)
		__atomic_add_fetch(x->flows, 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&w->rule_flows[i], 1, __ATOMIC_RELAXED);
	if (d->device >= 0)
		__atomic_add_fetch(&w->rule_flows[RUN_GROUP_FLOWS(r->p, d->device, blocked)], 1,
				   __ATOMIC_RELAXED);
	memcpy(mac, qp->mac, 6);
	decision_flow(d, pkt, &has_mac, mac, &k);
	devtab_note(&r->devs, r->p, has_mac, mac, pkt->family, k.src, d, blocked, now / 1000000);
	record(r, qp, pkt, d, now);
}

/* A packet that did not decode: decided as strictly as any rule could, and recorded. */
static void unreadable(struct worker *w, const struct queued_packet *qp,
		       const struct engine_input *in, struct decision *d)
{
	struct device_key dev = { .has_mac = in->has_mac, .family = in->pkt->family };

	memcpy(dev.mac, in->mac, 6);
	memcpy(dev.addr, in->pkt->src, 16);
	if (in->iface)
		snprintf(dev.iface, sizeof(dev.iface), "%s", in->iface);
	engine_device_found(w->e, &dev); /* a found camera's bad packet is a device's */
	w->malformed++;
	engine_unreadable(w->r->p, &dev, &w->clock, d);
	record(w->r, qp, in->pkt, d, run_wall_us());
}

static void on_packet(struct queue *q, const struct queued_packet *qp, void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;
	uint32_t keep = qp->mark & ~r->nc.mask, mark = keep;
	struct engine_input in = { 0 };
	char ifname[IF_NAMESIZE];
	struct decision d;
	struct packet pkt;

	in.pkt = &pkt;
	in.has_mac = qp->has_mac;
	memcpy(in.mac, qp->mac, 6);
	in.now = run_now_ms();
	in.indev = qp->indev;
	if (r->need_iface && qp->indev && if_indextoname(qp->indev, ifname))
		in.iface = ifname;
	if (decode_ip(qp->data, qp->len, &pkt, NULL) != DECODE_OK) {
		/* Unreadable: the strictest verdict a rule could give it. */
		unreadable(w, qp, &in, &d);
		queue_verdict(q, qp->id,
			      keep | nft_mark(&r->nc, verdict_unreadable(d.action, r->p->monitor)));
		return;
	}
	if (engine_packet(w->e, &in, &d) == ENGINE_DECIDED) {
		mark = keep | nft_mark(&r->nc, verdict_of(&d, r->p->monitor));
		if (d.first)
			decided(w, qp, &pkt, &d);
	}
	queue_verdict(q, qp->id, mark);
}

/* One turn: what is waiting, bounded.  Caller holds swap for reading. */
static void answer_batch(struct worker *w)
{
	/* one time for the batch: a rule's window or an exception that ends meanwhile is
	 * the main thread's to act on (run_tick) */
	w->clock = local_clock((int64_t)(run_wall_us() / 1000000));
	engine_set_clock(w->e, &w->clock);
	for (int k = 0; k < WORKER_BATCH; k++) {
		int got = queue_receive(w->q, on_packet, w);

		if (got < 0)
			fatalx("run: queue %u: %s", w->num, strerror(-got));
		if (got <= 0)
			break;
	}
}

/* A worker: answer its queue until told to stop, then what is still waiting. */
static void *work(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;

	while (!atomic_load_explicit(&r->workers_stop, memory_order_relaxed)) {
		struct pollfd pfd = { .fd = queue_fd(w->q), .events = POLLIN };
		int n = poll(&pfd, 1, 500);

		if (n < 0 && errno != EINTR) {
			fatal("run: poll");
			break;
		}
		if (n <= 0)
			continue;
		/* after a failed receive, go on answering until the daemon stops */
		pthread_rwlock_rdlock(&r->swap);
		answer_batch(w);
		pthread_rwlock_unlock(&r->swap);
	}
	pthread_rwlock_rdlock(&r->swap);
	while (queue_receive(w->q, on_packet, w) > 0)
		;
	pthread_rwlock_unlock(&r->swap);
	return NULL;
}

/* Bind each worker's queue, before the rules send packets to them. */
int workers_bind(struct run *r)
{
	for (unsigned int i = 0; i < r->nworkers; i++) {
		struct worker *w = &r->w[i];
		int err = 0;

		w->q = queue_open(w->num, r->p->fail_open, &err);
		if (!w->q) {
			fatalx("run: queue %u: %s", w->num,
			       err == -EBUSY || err == -EPERM ?
				       "bound by another process, or no CAP_NET_ADMIN" :
				       strerror(-err));
			return -1;
		}
	}
	return 0;
}

/*
 * A worker's stack: decrypting a QUIC Initial takes one datagram's worth
 * (decode/quic.c, about 66 KiB) besides the decoders' own; musl's default
 * (128 KiB, OpenWrt) would not do.
 */
#define WORKER_STACK (1024 * 1024)

/* The threads; signals stay with the calling thread.  A failed start is fatal. */
void workers_start(struct run *r)
{
	sigset_t all, old;
	pthread_attr_t at;
	unsigned int i;

	if (pthread_attr_init(&at) || pthread_attr_setstacksize(&at, WORKER_STACK))
		fatalx("run: cannot set the threads' stack size");
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < r->nworkers; i++)
		r->w[i].started = pthread_create(&r->w[i].tid, &at, work, &r->w[i]) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&at);
	for (i = 0; i < r->nworkers; i++)
		if (!r->w[i].started)
			fatalx("run: cannot start the thread of queue %u", r->w[i].num);
}

/* Tell the threads to stop; back once each has answered what was queued. */
void workers_join(struct run *r)
{
	atomic_store(&r->workers_stop, true);
	for (unsigned int i = 0; i < r->nworkers; i++) {
		if (r->w[i].started)
			pthread_join(r->w[i].tid, NULL);
		r->w[i].started = false;
	}
}

void workers_free(struct run *r)
{
	for (unsigned int i = 0; i < r->nworkers; i++) {
		queue_close(r->w[i].q);
		engine_free(r->w[i].e);
		free(r->w[i].rule_flows);
	}
	r->nworkers = 0;
}
