/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * accept_loop.c - the baseline of the queue benchmarks: a minimal NFQUEUE
 * loop that accepts every packet, bound to the queues nfq-guard uses and
 * configured like nfq-guard/queue.c (copy the whole packet, GSO, the same
 * queue length and receive buffer, NETLINK_NO_ENOBUFS, fail-open as asked),
 * one thread per queue.  Each verdict is ACCEPT carrying the ALLOW value of
 * the installed table inside its mask, as nfq-guard's allow verdict does,
 * so that the table's later chain writes the same ct mark and the same
 * packets (and only those) come back to userspace.
 *
 * Usage: accept_loop QUEUE THREADS MARK MASK [open|closed]
 * Runs until SIGTERM/SIGINT; prints "accept_loop_packets N" on the way out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* the same values as nfq-guard/queue.h */
#define MAXLEN 4096
#define RCVBUF (8u << 20)
#define MAX_THREADS 16

static volatile sig_atomic_t stop;
static uint32_t mark_value, mark_mask;
static int fail_open;

struct loop {
	struct mnl_socket *nl;
	uint32_t portid;
	uint16_t num;
	unsigned long long packets;
	pthread_t tid;
	char out[8192];
	char in[0xffff + 8192];
};

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static int config(struct loop *l, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int n;

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(l->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	n = (int)mnl_socket_recvfrom(l->nl, buf, sizeof(buf));
	if (n < 0)
		return -1;
	return mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, l->portid, NULL, NULL) < 0 ? -1 : 0;
}

static int loop_open(struct loop *l)
{
	uint32_t flags = NFQA_CFG_F_GSO | (fail_open ? NFQA_CFG_F_FAIL_OPEN : 0);
	uint32_t mask = NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN;
	int one = 1, size = RCVBUF, fd;
	struct nlmsghdr *nlh;

	l->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!l->nl || mnl_socket_bind(l->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	l->portid = mnl_socket_get_portid(l->nl);
	fd = mnl_socket_get_fd(l->nl);
	setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	nlh = nfq_nlmsg_put(l->out, NFQNL_MSG_CONFIG, l->num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	if (config(l, nlh))
		return -1;
	nlh = nfq_nlmsg_put(l->out, NFQNL_MSG_CONFIG, l->num);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, MAXLEN);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(mask));
	return config(l, nlh);
}

static int on_packet(const struct nlmsghdr *nlh, void *data)
{
	struct loop *l = data;
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	struct nfqnl_msg_packet_hdr *ph;
	struct nlmsghdr *v;
	uint32_t mark = 0;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	if (attr[NFQA_MARK])
		mark = ntohl(mnl_attr_get_u32(attr[NFQA_MARK]));
	v = nfq_nlmsg_put(l->out, NFQNL_MSG_VERDICT, l->num);
	nfq_nlmsg_verdict_put(v, (int)ntohl(ph->packet_id), NF_ACCEPT);
	nfq_nlmsg_verdict_put_mark(v, (mark & ~mark_mask) | mark_value);
	mnl_socket_sendto(l->nl, v, v->nlmsg_len);
	l->packets++;
	return MNL_CB_OK;
}

static void *work(void *arg)
{
	struct loop *l = arg;
	int fd = mnl_socket_get_fd(l->nl);

	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		for (int k = 0; k < 64; k++) {
			n = recv(fd, l->in, sizeof(l->in), MSG_DONTWAIT);
			if (n <= 0)
				break;
			mnl_cb_run(l->in, (size_t)n, 0, l->portid, on_packet, l);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static struct loop loops[MAX_THREADS];
	unsigned long long total = 0;
	struct sigaction sa;
	sigset_t all, old;
	int q, n, i;

	if (argc < 5 || (n = atoi(argv[2])) < 1 || n > MAX_THREADS) {
		fprintf(stderr, "usage: accept_loop QUEUE THREADS MARK MASK [open|closed]\n");
		return 2;
	}
	q = atoi(argv[1]);
	mark_value = (uint32_t)strtoul(argv[3], NULL, 0);
	mark_mask = (uint32_t)strtoul(argv[4], NULL, 0);
	fail_open = argc > 5 && !strcmp(argv[5], "open");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 0; i < n; i++) {
		loops[i].num = (uint16_t)(q + i);
		if (loop_open(&loops[i])) {
			fprintf(stderr, "accept_loop: queue %d: %s\n", q + i, strerror(errno));
			return 1;
		}
	}
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < n; i++)
		pthread_create(&loops[i].tid, NULL, work, &loops[i]);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	fprintf(stderr, "accept_loop: bound queues %d-%d\n", q, q + n - 1);
	while (!stop)
		pause();
	for (i = 0; i < n; i++) {
		pthread_join(loops[i].tid, NULL);
		total += loops[i].packets;
		mnl_socket_close(loops[i].nl);
	}
	printf("accept_loop_packets %llu\n", total);
	return 0;
}
