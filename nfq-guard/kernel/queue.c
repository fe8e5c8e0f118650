/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * queue.c - NFQUEUE I/O (see queue.h).
 *
 * A new queue copies nothing (so every packet would be lost) until its
 * parameters are set; all flags go in one NFQA_CFG_FLAGS with their mask.
 * ENOBUFS is counted and never fatal; NETLINK_NO_ENOBUFS makes it rare.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "kernel/queue.h"

struct queue {
	struct mnl_socket *nl;
	uint32_t portid;
	uint16_t num;
	struct queue_stats st;
	void (*fn)(struct queue *q, const struct queued_packet *p, void *arg);
	void *arg;
	char out[8192];
	/* a whole 64 KiB packet and its attributes (MNL_SOCKET_BUFFER_SIZE <= 8192) */
	char in[0xffff + 8192];
};

/*
 * A packet that arrives while the queue is being set up (a table left by an
 * earlier run already queues to it) goes back through its hook: NF_REPEAT
 * queues it again once the setup is done, rather than letting it pass
 * unread or holding it forever.
 */
static int repeat_early(const struct nlmsghdr *nlh, void *data)
{
	struct queue *q = data;
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	struct nfqnl_msg_packet_hdr *ph;
	struct nlmsghdr *v;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	v = nfq_nlmsg_put(q->out, NFQNL_MSG_VERDICT, q->num);
	nfq_nlmsg_verdict_put(v, (int)ntohl(ph->packet_id), NF_REPEAT);
	if (mnl_socket_sendto(q->nl, v, v->nlmsg_len) < 0)
		q->st.verdict_errors++;
	return MNL_CB_OK;
}

/*
 * Send a config message and read its ACK, answering packets that come
 * first (bounded).  0 or negative errno.
 */
static int config(struct queue *q, struct nlmsghdr *nlh)
{
	int n, r = MNL_CB_OK, i;

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (i = 0; i < 256 && r == MNL_CB_OK; i++) {
		n = (int)mnl_socket_recvfrom(q->nl, q->in, sizeof(q->in));
		if (n < 0)
			return errno == ENOBUFS ? -ENOBUFS : -errno;
		r = mnl_cb_run(q->in, (size_t)n, 0, q->portid, repeat_early, q);
	}
	if (r < 0)
		return -errno;
	return r == MNL_CB_STOP ? 0 : -ETIMEDOUT;
}

struct queue *queue_open(uint16_t num, bool fail_open, int *err)
{
	uint32_t flags = NFQA_CFG_F_GSO | (fail_open ? NFQA_CFG_F_FAIL_OPEN : 0);
	uint32_t mask = NFQA_CFG_F_GSO | NFQA_CFG_F_FAIL_OPEN;
	struct nlmsghdr *nlh;
	struct queue *q;
	int one = 1, size = QUEUE_RCVBUF, r;

	q = calloc(1, sizeof(*q));
	if (!q) {
		*err = -ENOMEM;
		return NULL;
	}
	q->num = num;
	q->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!q->nl || mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out_close;
	}
	q->portid = mnl_socket_get_portid(q->nl);
	/* an overflowing socket is counted, not a reason to stop */
	setsockopt(mnl_socket_get_fd(q->nl), SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	if (setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) <
	    0)
		setsockopt(mnl_socket_get_fd(q->nl), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));

	nlh = nfq_nlmsg_put(q->out, NFQNL_MSG_CONFIG, num);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	r = config(q, nlh);
	if (r)
		goto out_close;
	nlh = nfq_nlmsg_put(q->out, NFQNL_MSG_CONFIG, num);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	nfq_nlmsg_cfg_put_qmaxlen(nlh, QUEUE_MAXLEN);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(mask));
	r = config(q, nlh);
	if (r)
		goto out_close;
	return q;
out_close:
	if (q->nl)
		mnl_socket_close(q->nl);
	free(q);
	*err = r ? r : -EIO;
	return NULL;
}

void queue_close(struct queue *q)
{
	if (!q)
		return;
	mnl_socket_close(q->nl);
	free(q);
}

int queue_fd(const struct queue *q)
{
	return mnl_socket_get_fd(q->nl);
}

const struct queue_stats *queue_stats(const struct queue *q)
{
	return &q->st;
}

int queue_verdict(struct queue *q, uint32_t id, uint32_t mark)
{
	struct nlmsghdr *nlh = nfq_nlmsg_put(q->out, NFQNL_MSG_VERDICT, q->num);

	nfq_nlmsg_verdict_put(nlh, (int)id, NF_ACCEPT);
	nfq_nlmsg_verdict_put_mark(nlh, mark);
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0) {
		q->st.verdict_errors++;
		return -errno;
	}
	return 0;
}

static int on_packet(const struct nlmsghdr *nlh, void *data)
{
	struct queue *q = data;
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	struct nfqnl_msg_packet_hdr *ph;
	struct queued_packet p = { 0 };

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_OK; /* not a packet: nothing to answer */
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	p.id = ntohl(ph->packet_id);
	if (attr[NFQA_PAYLOAD]) {
		p.data = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
		p.len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	}
	if (attr[NFQA_HWADDR] &&
	    mnl_attr_get_payload_len(attr[NFQA_HWADDR]) >= sizeof(struct nfqnl_msg_packet_hw)) {
		struct nfqnl_msg_packet_hw *hw = mnl_attr_get_payload(attr[NFQA_HWADDR]);

		if (ntohs(hw->hw_addrlen) == 6) {
			p.has_mac = true;
			memcpy(p.mac, hw->hw_addr, 6);
		}
	}
	if (attr[NFQA_MARK])
		p.mark = ntohl(mnl_attr_get_u32(attr[NFQA_MARK]));
	if (attr[NFQA_IFINDEX_INDEV])
		p.indev = ntohl(mnl_attr_get_u32(attr[NFQA_IFINDEX_INDEV]));
	q->st.packets++;
	q->fn(q, &p, q->arg);
	return MNL_CB_OK;
}

int queue_receive(struct queue *q,
		  void (*fn)(struct queue *q, const struct queued_packet *p, void *arg), void *arg)
{
	uint64_t before = q->st.packets;
	ssize_t n;

	n = recv(mnl_socket_get_fd(q->nl), q->in, sizeof(q->in), MSG_DONTWAIT);
	if (n < 0) {
		if (errno == ENOBUFS) {
			q->st.enobufs++;
			return 0;
		}
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	}
	q->fn = fn;
	q->arg = arg;
	if (mnl_cb_run(q->in, (size_t)n, 0, q->portid, on_packet, q) < 0 && errno != 0 &&
	    errno != ENOENT)
		return -errno;
	return (int)(q->st.packets - before);
}
