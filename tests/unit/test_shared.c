/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_shared.c - several engines on one shared state, each in a thread of
 * its own (queue.threads > 1): names learned in one thread decide flows in
 * another, and every thread's decisions are the policy's.  Run under
 * ThreadSanitizer by `make tsan`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "craft.h"
#include "policy_file.h"
#include "engine/engine.h"

#define THREADS 3
#define ITERATIONS 1000 /* per thread and phase */
#define RESOLVER_MAC "\x02\xaa\xaa\xaa\xaa\xaa"

static const uint8_t ROUTER[4] = { 192, 168, 1, 1 };

/* --- packets: craft.h ---------------------------------------------------------- */

/* A DNS response to the A question q, answered with addr (TTL 300). */
static size_t dns_response(uint8_t *b, const char *q, const uint8_t addr[4])
{
	size_t o = 12;

	memset(b, 0, 12);
	b[0] = 0x12;
	b[1] = 0x34;
	b[2] = 0x81;
	b[3] = 0x80;
	b[5] = 1;
	b[7] = 1;
	o += craft_put_name(b + o, q);
	memcpy(b + o, "\x00\x01\x00\x01", 4);
	o += 4;
	o += craft_put_name(b + o, q);
	memcpy(b + o, "\x00\x01\x00\x01\x00\x00\x01\x2c\x00\x04", 10);
	o += 10;
	memcpy(b + o, addr, 4);
	return o + 4;
}

/* --- the policy --------------------------------------------------------------- */

static const char POLICY[] =
	"version = 1;\n"
	"networks = { lan = [ \"192.168.0.0/16\" ]; router = [ \"192.168.1.1\" ]; };\n"
	"devices = ( { name = \"cam\"; oui = [ \"44:47:CC\" ]; } );\n"
	"rules = (\n"
	"  { name = \"dns\"; to = \"router\"; proto = \"udp\"; port = 53; action = \"allow\"; },\n"
	"  { name = \"fw\"; from = \"cam\"; domain = [ \"*.ezvizlife.com\" ]; action = \"drop\"; },\n"
	"  { name = \"ok\"; to = \"wan\"; proto = \"tcp\"; port = 443; action = \"allow\"; },\n"
	"  { name = \"egress\"; to = \"wan\"; action = \"reject\"; }\n"
	");\n";

/* --- one thread's work ------------------------------------------------------ */

/*
 * A thread may not use cmocka's asserts: it counts what it saw against
 * what the policy gives, and the main thread asserts on that.
 */
struct worker {
	pthread_t thread;
	pthread_barrier_t *barrier;
	struct engine *e;
	int t; /* this thread's camera is camera t; phase 2 serves camera t + 1 */
	uint64_t packets, decisions, pending, answers;
	int failures;
	char why[200];
};

static void camera(int c, uint8_t addr[4], uint8_t mac[6])
{
	memcpy(addr, "\xc0\xa8\x01", 3);
	addr[3] = (uint8_t)(64 + c);
	memcpy(mac, "\x44\x47\xcc\x00\x00", 5);
	mac[5] = (uint8_t)(64 + c);
}

/* The server camera c resolves at step j of phase ph, and its name. */
static void server(int ph, int c, int j, uint8_t addr[4], char *name, size_t namesz)
{
	addr[0] = 100;
	addr[1] = (uint8_t)(64 + ph * 16 + c);
	addr[2] = (uint8_t)(j >> 8);
	addr[3] = (uint8_t)j;
	if (j % 2 == 0)
		snprintf(name, namesz, "b%d-%d-%d.ezvizlife.com", ph, c, j);
	else
		snprintf(name, namesz, "a%d-%d-%d.example.com", ph, c, j);
}

static void worker_fail(struct worker *w, const char *what, int ph, int c, int j)
{
	if (w->failures++ == 0)
		snprintf(w->why, sizeof(w->why), "thread %d: %s (phase %d, camera %d, step %d)",
			 w->t, what, ph, c, j);
}

static enum engine_result feed(struct worker *w, const struct pktbuf *pb, const uint8_t *mac,
			       uint64_t now, struct decision *d)
{
	struct engine_input in = { .pkt = &pb->p, .has_mac = true, .now = now };

	memcpy(in.mac, mac, 6);
	w->packets++;
	return engine_packet(w->e, &in, d);
}

/* The router answers camera c's question for the server of (ph, c, j). */
static void answer(struct worker *w, int ph, int c, int j, uint64_t now)
{
	uint8_t cam[4], mac[6], srv[4], msg[512];
	struct pktbuf pb;
	struct decision d;
	char name[64];
	size_t len;

	camera(c, cam, mac);
	server(ph, c, j, srv, name, sizeof(name));
	/* the camera's query first, on this engine's queue as its answer is */
	len = craft_dns_query(msg, name);
	if (craft_udp(&pb, cam, ROUTER, 40000, 53, msg, len) ||
	    feed(w, &pb, mac, now, &d) != ENGINE_DECIDED)
		worker_fail(w, "query not decided", ph, c, j);
	if (d.first)
		w->decisions++; /* the first query this engine saw of that camera's flow */
	len = dns_response(msg, name, srv);
	if (craft_udp(&pb, ROUTER, cam, 53, 40000, msg, len) ||
	    feed(w, &pb, (const uint8_t *)RESOLVER_MAC, now, &d) != ENGINE_SNOOPED)
		worker_fail(w, "answer not snooped", ph, c, j);
	w->answers++;
}

/*
 * Camera c connects to the server of (ph, c, j) from port sport: a name of
 * the blocked domain is dropped at the SYN; any other waits for the SNI and
 * is allowed by "ok".  NULL, or what went otherwise.
 */
static const char *flow_check(struct worker *w, int ph, int c, int j, uint16_t sport, uint64_t now)
{
	uint8_t cam[4], mac[6], srv[4], hello[600];
	enum engine_result res;
	struct pktbuf pb;
	struct decision d;
	char name[64];
	size_t n;

	camera(c, cam, mac);
	server(ph, c, j, srv, name, sizeof(name));
	if (craft_tcp(&pb, cam, srv, sport, 443, TCPF_SYN, 1000, NULL, 0))
		return "SYN not decoded";
	res = feed(w, &pb, mac, now, &d);
	if (j % 2 == 0) {
		if (res != ENGINE_DECIDED || d.action != ACTION_DROP || !d.rule ||
		    strcmp(d.rule->name, "fw") || d.name_source != NAME_DNS ||
		    strcmp(d.name.s, name))
			return "blocked name not dropped at the SYN";
		w->decisions++;
		return NULL;
	}
	if (res != ENGINE_PENDING)
		return "allowed name not waiting for the SNI";
	w->pending++;
	n = craft_client_hello(hello, name);
	if (craft_tcp(&pb, cam, srv, sport, 443, TCPF_ACK | TCPF_PSH, 1001, hello, n))
		return "ClientHello not decoded";
	if (feed(w, &pb, mac, now, &d) != ENGINE_PENDING)
		return "allowed name decided before the server acknowledged the hello";
	/* the server's acknowledgement of the hello confirms the allow */
	if (craft_tcp_ack(&pb, srv, cam, 443, sport, TCPF_ACK, 5000, 1001 + (uint32_t)n, NULL, 0))
		return "ACK not decoded";
	res = feed(w, &pb, (const uint8_t *)"\x02\xbb\xbb\xbb\xbb\xbb", now, &d);
	if (res != ENGINE_DECIDED || d.action != ACTION_ALLOW || !d.rule ||
	    strcmp(d.rule->name, "ok") || d.name_source != NAME_SNI || strcmp(d.name.s, name))
		return "allowed name not allowed at the SNI";
	w->decisions++;
	return NULL;
}

static void connect_to(struct worker *w, int ph, int c, int j, uint16_t sport, uint64_t now)
{
	const char *bad = flow_check(w, ph, c, j, sport, now);

	if (bad)
		worker_fail(w, bad, ph, c, j);
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	int other = (w->t + 1) % THREADS, j;
	uint8_t cam[4], mac[6];
	struct pktbuf pb;
	struct decision d;

	/* the camera's query makes it a known device address, for every engine */
	camera(w->t, cam, mac);
	if (craft_udp(&pb, cam, ROUTER, 40000, 53, "q", 1) ||
	    feed(w, &pb, mac, 1000000, &d) != ENGINE_DECIDED)
		worker_fail(w, "query not decided", 0, w->t, 0);
	w->decisions++;
	pthread_barrier_wait(w->barrier);
	/* phase 1: this thread's camera, its answers and flows interleaved */
	for (j = 0; j < ITERATIONS; j++) {
		answer(w, 1, w->t, j, 1000000 + (uint64_t)j);
		connect_to(w, 1, w->t, j, (uint16_t)(10000 + j), 1000000 + (uint64_t)j);
	}
	pthread_barrier_wait(w->barrier);
	/*
	 * phase 2: the next thread's camera, whose flows this engine never saw:
	 * to the servers another thread learned in phase 1, and to new ones
	 * learned here while the other threads learn for other cameras.
	 */
	for (j = 0; j < ITERATIONS; j++) {
		uint64_t now = 2000000 + (uint64_t)j;

		connect_to(w, 1, other, j, (uint16_t)(20000 + j), now);
		answer(w, 2, other, j, now);
		connect_to(w, 2, other, j, (uint16_t)(30000 + j), now);
	}
	return NULL;
}

/* --- tests ------------------------------------------------------------------- */

static void test_threads_share_names(void **state)
{
	struct policy *p = policy_of_text(POLICY);
	struct engine_shared *sh = engine_shared_new(p);
	struct worker w[THREADS];
	struct engine_stats sum = { 0 };
	struct engine_shared_sizes sz;
	uint64_t packets = 0, decisions = 0, pending = 0, answers = 0;
	pthread_barrier_t barrier;
	int i;

	(void)state;
	assert_non_null(sh);
	assert_int_equal(pthread_barrier_init(&barrier, NULL, THREADS), 0);
	memset(w, 0, sizeof(w));
	for (i = 0; i < THREADS; i++) {
		w[i].t = i;
		w[i].barrier = &barrier;
		w[i].e = engine_new_shared(p, 4 * ITERATIONS, sh);
		assert_non_null(w[i].e);
	}
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&w[i].thread, NULL, worker_run, &w[i]), 0);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
	for (i = 0; i < THREADS; i++) {
		if (w[i].failures)
			fprintf(stderr, "%s; %d failures\n", w[i].why, w[i].failures);
		assert_int_equal(w[i].failures, 0);
		engine_stats_add(&sum, engine_stats(w[i].e));
		packets += w[i].packets;
		decisions += w[i].decisions;
		pending += w[i].pending;
		answers += w[i].answers;
	}
	/* the counters sum: every packet, decision, wait and answer once */
	assert_int_equal(answers, THREADS * 2 * ITERATIONS);
	assert_int_equal(sum.packets, packets);
	assert_int_equal(sum.decisions, decisions);
	assert_int_equal(sum.pending, pending);
	assert_int_equal(sum.snooped, answers);
	assert_int_equal(sum.flows_evicted, 0);
	assert_int_equal(sum.pending_cut, 0);
	assert_int_equal(sum.devices_evicted, 0);
	assert_int_equal(sum.stream_full, 0);
	engine_shared_sizes(sh, &sz);
	assert_int_equal(sz.names.learned, answers);
	assert_int_equal(sz.names.entries, answers);
	assert_int_equal(sz.names.evicted, 0);
	assert_int_equal(sz.names.expired, 0);
	assert_int_equal(sz.seen, THREADS);
	for (i = 0; i < THREADS; i++)
		engine_free(w[i].e);
	pthread_barrier_destroy(&barrier);
	engine_shared_free(sh);
	policy_free(p);
}

/* A flush from another thread while engines learn and decide: no race, no crash. */
struct flusher {
	struct engine_shared *sh;
	int *stop; /* under m */
	pthread_mutex_t *m;
};

static void *flush_run(void *arg)
{
	struct flusher *fl = arg;
	struct engine_shared_sizes sz;
	int i, stop = 0;

	for (i = 0; i < 100000 && !stop; i++) {
		engine_shared_flush(fl->sh);
		engine_shared_sizes(fl->sh, &sz);
		pthread_mutex_lock(fl->m);
		stop = *fl->stop;
		pthread_mutex_unlock(fl->m);
	}
	return NULL;
}

static void *learn_run(void *arg)
{
	struct worker *w = arg;
	int j;

	for (j = 0; j < ITERATIONS; j++)
		answer(w, 1, w->t, j, 1000000 + (uint64_t)j);
	return NULL;
}

static void test_flush_while_learning(void **state)
{
	struct policy *p = policy_of_text(POLICY);
	struct engine_shared *sh = engine_shared_new(p);
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	int stop = 0;
	struct flusher fl = { sh, &stop, &m };
	struct worker w[2];
	pthread_t ft;
	uint8_t cam[4], mac[6];
	struct pktbuf pb;
	struct decision d;
	int i;

	(void)state;
	assert_non_null(sh);
	memset(w, 0, sizeof(w));
	for (i = 0; i < 2; i++) {
		w[i].t = i;
		w[i].e = engine_new_shared(p, 0, sh);
		assert_non_null(w[i].e);
		camera(i, cam, mac);
		assert_int_equal(craft_udp(&pb, cam, ROUTER, 40000, 53, "q", 1), 0);
		assert_int_equal(feed(&w[i], &pb, mac, 1000000, &d), ENGINE_DECIDED);
	}
	assert_int_equal(pthread_create(&ft, NULL, flush_run, &fl), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&w[i].thread, NULL, learn_run, &w[i]), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
	pthread_mutex_lock(&m);
	stop = 1;
	pthread_mutex_unlock(&m);
	assert_int_equal(pthread_join(ft, NULL), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(w[i].failures, 0);
		assert_int_equal(engine_stats(w[i].e)->snooped, ITERATIONS);
		engine_free(w[i].e);
	}
	engine_shared_free(sh);
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_share_names),
		cmocka_unit_test(test_flush_while_learning),
	};

	return cmocka_run_group_tests_name("shared", tests, NULL, NULL);
}
