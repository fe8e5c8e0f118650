/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nflog.c - nfnetlink_log I/O (see nflog.h), in libmnl: bind the group,
 * copy whole packets, hand each over at once (queue threshold 1).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "kernel/nflog.h"

#define NFLOG_RCVBUF (2u << 20)

struct nflog {
	struct mnl_socket *nl;
	uint32_t portid;
	uint16_t group;
	struct nflog_stats st;
	void (*fn)(const struct logged_packet *p, void *arg);
	void *arg;
	char out[512];
	char in[0xffff + 8192];
};

static struct nlmsghdr *config_put(struct nflog *l)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(l->out);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons(l->group);
	return nlh;
}

/* Send a config message and read its ACK (copies that come first are dropped). */
static int config(struct nflog *l, struct nlmsghdr *nlh)
{
	int i, n;

	if (mnl_socket_sendto(l->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (i = 0; i < 64; i++) {
		n = (int)mnl_socket_recvfrom(l->nl, l->in, sizeof(l->in));
		if (n < 0)
			return -errno;
		n = mnl_cb_run(l->in, (size_t)n, 0, l->portid, NULL, NULL);
		if (n < 0)
			return -errno;
		if (n == MNL_CB_STOP)
			return 0;
	}
	return -ETIMEDOUT;
}

struct nflog *nflog_open(uint16_t group, int *err)
{
	struct nfulnl_msg_config_cmd cmd = { .command = NFULNL_CFG_CMD_BIND };
	struct nfulnl_msg_config_mode mode = { .copy_range = htonl(0xffff),
					       .copy_mode = NFULNL_COPY_PACKET };
	struct timeval tv = { .tv_sec = 2 };
	struct nlmsghdr *nlh;
	struct nflog *l;
	int one = 1, size = NFLOG_RCVBUF, r;

	l = calloc(1, sizeof(*l));
	if (!l) {
		*err = -ENOMEM;
		return NULL;
	}
	l->group = group;
	l->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!l->nl || mnl_socket_bind(l->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out_close;
	}
	l->portid = mnl_socket_get_portid(l->nl);
	setsockopt(mnl_socket_get_fd(l->nl), SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	if (setsockopt(mnl_socket_get_fd(l->nl), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) <
	    0)
		setsockopt(mnl_socket_get_fd(l->nl), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	/* an ACK is waited for, two seconds at most; packets are read with MSG_DONTWAIT */
	setsockopt(mnl_socket_get_fd(l->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	nlh = config_put(l);
	mnl_attr_put(nlh, NFULA_CFG_CMD, sizeof(cmd), &cmd);
	r = config(l, nlh);
	if (r)
		goto out_close;
	nlh = config_put(l);
	mnl_attr_put(nlh, NFULA_CFG_MODE, sizeof(mode), &mode);
	mnl_attr_put_u32(nlh, NFULA_CFG_QTHRESH, htonl(1));
	r = config(l, nlh);
	if (r)
		goto out_close;
	return l;
out_close:
	if (l->nl)
		mnl_socket_close(l->nl);
	free(l);
	*err = r ? r : -EIO;
	return NULL;
}

void nflog_close(struct nflog *l)
{
	if (!l)
		return;
	mnl_socket_close(l->nl);
	free(l);
}

int nflog_fd(const struct nflog *l)
{
	return mnl_socket_get_fd(l->nl);
}

const struct nflog_stats *nflog_stats(const struct nflog *l)
{
	return &l->st;
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, NFULA_MAX) > 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static int on_packet(const struct nlmsghdr *nlh, void *data)
{
	struct nflog *l = data;
	const struct nlattr *attr[NFULA_MAX + 1] = { 0 };
	struct logged_packet p = { 0 };

	if ((nlh->nlmsg_type & 0xff) != NFULNL_MSG_PACKET ||
	    mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, attr) < 0 || !attr[NFULA_PAYLOAD])
		return MNL_CB_OK;
	p.data = mnl_attr_get_payload(attr[NFULA_PAYLOAD]);
	p.len = mnl_attr_get_payload_len(attr[NFULA_PAYLOAD]);
	if (attr[NFULA_HWADDR] &&
	    mnl_attr_get_payload_len(attr[NFULA_HWADDR]) >= sizeof(struct nfulnl_msg_packet_hw)) {
		const struct nfulnl_msg_packet_hw *hw = mnl_attr_get_payload(attr[NFULA_HWADDR]);

		if (ntohs(hw->hw_addrlen) == 6) {
			p.has_mac = true;
			memcpy(p.mac, hw->hw_addr, 6);
		}
	}
	if (attr[NFULA_IFINDEX_INDEV] && mnl_attr_get_payload_len(attr[NFULA_IFINDEX_INDEV]) >= 4)
		p.indev = ntohl(mnl_attr_get_u32(attr[NFULA_IFINDEX_INDEV]));
	l->st.packets++;
	l->fn(&p, l->arg);
	return MNL_CB_OK;
}

int nflog_receive(struct nflog *l, void (*fn)(const struct logged_packet *p, void *arg), void *arg)
{
	uint64_t before = l->st.packets;
	ssize_t n;

	n = recv(mnl_socket_get_fd(l->nl), l->in, sizeof(l->in), MSG_DONTWAIT);
	if (n < 0) {
		if (errno == ENOBUFS) {
			l->st.enobufs++;
			return 0;
		}
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	}
	l->fn = fn;
	l->arg = arg;
	if (mnl_cb_run(l->in, (size_t)n, 0, 0, on_packet, l) < 0 && errno != 0 && errno != ENOENT)
		return -errno;
	return (int)(l->st.packets - before);
}
