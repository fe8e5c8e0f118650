/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * connload.c - the camera side of the queue benchmarks, run inside a camera
 * namespace of the lab.
 *
 *   connload rate SECONDS WINDOW RESOLVER LAN WAN[,WAN...] TAG
 *     Keeps WINDOW operations in flight for SECONDS: of every five, one DNS
 *     query to RESOLVER (a vendor cloud name, a harmless name, or a name
 *     never asked before, answered NXDOMAIN), two TCP connections to LAN
 *     and two to the WAN addresses, each to a new port (20000-49999).  A
 *     connection counts when it gets its answer, whatever it is: SYN-ACK
 *     (allowed, listener), RST (allowed, no listener; or rejected by the
 *     router).  Prints "key value" lines: connections, dns answers,
 *     timeouts, and connections per second.
 *
 *   connload lat COUNT DST
 *     COUNT connections one after another to DST (ports 20000-...), each
 *     timed from connect() to its answer.  Prints p50/p99/mean in µs.
 *
 * Every socket is closed with a reset (SO_LINGER 0): no TIME_WAIT piles up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_WINDOW 1024
#define MAX_WAN 16
#define PORT_BASE 20000
#define PORT_SPAN 30000
#define TIMEOUT_NS 1000000000LL

enum kind { K_FREE, K_DNS, K_LAN, K_WAN };

struct op {
	int fd;
	enum kind kind;
	long long start;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int tcp_start(struct in_addr dst, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = dst, .sin_port = htons(port) };
	struct linger lg = { 1, 0 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* a DNS query for NAME, type A, id ID */
static size_t dns_query(uint8_t *buf, const char *name, uint16_t id)
{
	size_t n = 12;
	const char *p = name;

	memset(buf, 0, 12);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[2] = 0x01; /* RD */
	buf[5] = 1;    /* QDCOUNT */
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		buf[n++] = (uint8_t)l;
		memcpy(buf + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	buf[n++] = 0;
	buf[n++] = 0;
	buf[n++] = 1; /* A */
	buf[n++] = 0;
	buf[n++] = 1; /* IN */
	return n;
}

static int dns_start(struct in_addr resolver, const char *name, uint16_t id)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = resolver,
				  .sin_port = htons(53) };
	uint8_t q[300];
	size_t n = dns_query(q, name, id);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || send(fd, q, n, 0) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static int rate(int argc, char **argv)
{
	static struct op ops[MAX_WINDOW];
	static const char *names[] = { "litedev.ezvizlife.com", "p2p.easy4ipcloud.com",
				       "www.example.org" };
	struct in_addr resolver, lan, wan[MAX_WAN];
	unsigned long long conns = 0, dns = 0, timeouts = 0, errors = 0, seq = 0;
	double seconds;
	int window, nwan = 0, ep, i;
	long long t0, end, last_scan;
	char *list, *tok;
	const char *tag;

	if (argc != 8)
		return 2;
	seconds = atof(argv[2]);
	window = atoi(argv[3]);
	if (window < 1 || window > MAX_WINDOW || !inet_aton(argv[4], &resolver) ||
	    !inet_aton(argv[5], &lan))
		return 2;
	list = argv[6];
	for (tok = strtok(list, ","); tok && nwan < MAX_WAN; tok = strtok(NULL, ","))
		if (inet_aton(tok, &wan[nwan]))
			nwan++;
	if (!nwan)
		return 2;
	tag = argv[7];
	ep = epoll_create1(EPOLL_CLOEXEC);
	t0 = now_ns();
	end = t0 + (long long)(seconds * 1e9);
	last_scan = t0;
	for (;;) {
		struct epoll_event ev[64];
		long long t = now_ns();
		int n;

		/* fill the window */
		for (i = 0; i < window && t < end; i++) {
			struct op *o = &ops[i];
			unsigned long long k;
			uint16_t port;

			if (o->kind != K_FREE)
				continue;
			k = seq++;
			port = (uint16_t)(PORT_BASE + (k / 5) % PORT_SPAN);
			switch (k % 5) {
			case 0: {
				char name[128];

				if ((k / 5) % 4 == 3)
					snprintf(name, sizeof(name), "n%llu-%s.bench.example", k,
						 tag);
				else
					snprintf(name, sizeof(name), "%s", names[(k / 5) % 4]);
				o->fd = dns_start(resolver, name, (uint16_t)k);
				o->kind = K_DNS;
				break;
			}
			case 1:
			case 2:
				o->fd = tcp_start(lan, port);
				o->kind = K_LAN;
				break;
			default:
				o->fd = tcp_start(wan[(k / 5 + k) % (unsigned)nwan], port);
				o->kind = K_WAN;
				break;
			}
			if (o->fd < 0) {
				errors++;
				o->kind = K_FREE;
				continue;
			}
			o->start = t;
			struct epoll_event e = { .events = o->kind == K_DNS ? EPOLLIN : EPOLLOUT,
						 .data.u32 = (uint32_t)i };
			epoll_ctl(ep, EPOLL_CTL_ADD, o->fd, &e);
		}
		if (t >= end)
			break;
		n = epoll_wait(ep, ev, 64, 10);
		for (int j = 0; j < n; j++) {
			struct op *o = &ops[ev[j].data.u32];

			if (o->kind == K_DNS) {
				uint8_t buf[1500];

				if (recv(o->fd, buf, sizeof(buf), 0) < 0 && errno == EAGAIN)
					continue;
				dns++;
			} else {
				int err = 0;
				socklen_t len = sizeof(err);

				getsockopt(o->fd, SOL_SOCKET, SO_ERROR, &err, &len);
				if (err == 0 || err == ECONNREFUSED || err == ECONNRESET)
					conns++;
				else
					errors++;
			}
			close(o->fd);
			o->kind = K_FREE;
		}
		t = now_ns();
		if (t - last_scan > 50000000LL) {
			last_scan = t;
			for (i = 0; i < window; i++) {
				if (ops[i].kind != K_FREE && t - ops[i].start > TIMEOUT_NS) {
					close(ops[i].fd);
					ops[i].kind = K_FREE;
					timeouts++;
				}
			}
		}
	}
	seconds = (double)(now_ns() - t0) / 1e9;
	printf("connections %llu\ndns_answers %llu\ntimeouts %llu\nerrors %llu\n"
	       "seconds %.3f\nconnections_per_s %.0f\n",
	       conns, dns, timeouts, errors, seconds, (double)conns / seconds);
	return 0;
}

static int lat(int argc, char **argv)
{
	struct in_addr dst;
	long long *s, sum = 0;
	int count, got = 0, i;

	if (argc != 4 || (count = atoi(argv[2])) < 1 || !inet_aton(argv[3], &dst))
		return 2;
	s = calloc((size_t)count, sizeof(*s));
	if (!s)
		return 1;
	for (i = 0; i < count; i++) {
		long long t0 = now_ns();
		int fd = tcp_start(dst, (uint16_t)(PORT_BASE + i % PORT_SPAN));
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (fd < 0)
			continue;
		if (poll(&p, 1, 1000) == 1)
			s[got++] = now_ns() - t0;
		close(fd);
	}
	if (!got)
		return 1;
	qsort(s, (size_t)got, sizeof(*s), cmp_ll);
	for (i = 0; i < got; i++)
		sum += s[i];
	printf("samples %d\np50_us %.1f\np99_us %.1f\nmean_us %.1f\n", got,
	       (double)s[got / 2] / 1e3, (double)s[(got * 99) / 100] / 1e3,
	       (double)sum / got / 1e3);
	free(s);
	return 0;
}

int main(int argc, char **argv)
{
	int r = 2;

	if (argc > 1 && !strcmp(argv[1], "rate"))
		r = rate(argc, argv);
	else if (argc > 1 && !strcmp(argv[1], "lat"))
		r = lat(argc, argv);
	if (r == 2)
		fprintf(stderr, "usage: connload rate SECONDS WINDOW RESOLVER LAN WAN[,WAN...] TAG\n"
				"       connload lat COUNT DST\n");
	return r;
}
