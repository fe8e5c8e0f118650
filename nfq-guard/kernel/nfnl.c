/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nfnl.c - the netfilter netlink sockets: a batch sent once, every ACK read
 * back and each failing message kept in an error list (the nftables
 * mnl_batch_talk habit); and the two questions the daemon asks the kernel.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "kernel/nft.h"

static const char *msg_name(uint16_t type)
{
	switch (type & 0xff) {
	case NFT_MSG_NEWTABLE:
		return "new table";
	case NFT_MSG_DELTABLE:
		return "delete table";
	case NFT_MSG_NEWCHAIN:
		return "new chain";
	case NFT_MSG_NEWRULE:
		return "new rule";
	case NFT_MSG_DELRULE:
		return "delete rules";
	case NFT_MSG_NEWSET:
		return "new set";
	case NFT_MSG_NEWSETELEM:
		return "new set elements";
	case NFT_MSG_DELSETELEM:
		return "delete set elements";
	}
	return "message";
}

/* The type of the batch message numbered seq, to name a failure. */
static uint16_t type_of(const char *buf, size_t len, uint32_t seq)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int rem = (int)len;

	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem))
		if (nlh->nlmsg_seq == seq)
			return nlh->nlmsg_type;
	return 0;
}

/* --- the error list ---------------------------------------------------------- */

static void errors_add(struct nft_errors *errs, uint32_t msg, uint16_t type, int error)
{
	if (errs->n == errs->cap) {
		size_t cap = errs->cap ? 2 * errs->cap : 16;
		struct nft_error *v = realloc(errs->v, cap * sizeof(*v));

		if (!v) {
			errs->dropped++;
			return;
		}
		errs->v = v;
		errs->cap = cap;
	}
	errs->v[errs->n].msg = msg;
	errs->v[errs->n].type = type;
	errs->v[errs->n].error = error;
	errs->n++;
}

bool nft_errors_line(const struct nft_errors *errs, size_t i, char *buf, size_t size)
{
	const struct nft_error *e;

	if (i == errs->n && errs->dropped) {
		snprintf(buf, size,
			 "nfq-guard: nftables: %zu more failures not kept (out of memory)",
			 errs->dropped);
		return true;
	}
	if (i >= errs->n)
		return false;
	e = &errs->v[i];
	if (e->type == NFT_ERROR_UNACKED)
		snprintf(buf, size, "nfq-guard: nftables: the batch was not acknowledged");
	else
		snprintf(buf, size, "nfq-guard: nftables: %s (message %u): %s", msg_name(e->type),
			 e->msg, strerror(-e->error));
	return true;
}

void nft_errors_print(const struct nft_errors *errs, FILE *f)
{
	char line[256];
	size_t i;

	for (i = 0; nft_errors_line(errs, i, line, sizeof(line)); i++)
		fprintf(f, "%s\n", line);
}

void nft_errors_clear(struct nft_errors *errs)
{
	free(errs->v);
	memset(errs, 0, sizeof(*errs));
}

/* --- sockets ----------------------------------------------------------------- */

struct mnl_socket *nft_owner_open(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);

	if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	return nl;
}

void nft_owner_close(struct mnl_socket *nl)
{
	if (nl)
		mnl_socket_close(nl);
}

/* A batch in flight: what it is, and what its ACKs said so far. */
struct acks {
	const char *buf;
	size_t len;
	uint32_t first_seq, last_seq, portid;
	struct nft_errors *errs;
	int ret; /* the first failure */
	bool last_acked;
};

/* The ACKs and errors in one datagram of n bytes. */
static void acks_read(struct acks *a, const char *rbuf, ssize_t n)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)rbuf;
	int rem = (int)n;

	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
		const struct nlmsgerr *e;

		if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_pid != a->portid)
			continue;
		e = mnl_nlmsg_get_payload(nlh);
		if (e->error) {
			if (!a->ret)
				a->ret = e->error;
			errors_add(a->errs, nlh->nlmsg_seq - a->first_seq,
				   type_of(a->buf, a->len, nlh->nlmsg_seq), e->error);
		} else if (nlh->nlmsg_seq == a->last_seq - 2) {
			a->last_acked = true;
		}
	}
}

int nft_send_owned(struct mnl_socket *nl, const char *buf, size_t len, uint32_t first_seq,
		   uint32_t last_seq, struct nft_errors *errs)
{
	static char rbuf[1 << 17];
	struct acks a = { buf, len, first_seq, last_seq, mnl_socket_get_portid(nl), errs, 0, false };
	int fd = mnl_socket_get_fd(nl), one = 1, size = (int)len + 65536;
	ssize_t n;

	/* one send for the whole batch: the socket must take it */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	/* errors without the failing message copied back: they stay small */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_sendto(nl, buf, len) < 0)
		return -errno;
	/*
	 * nfnetlink handles the whole batch inside sendto, so every ACK and
	 * error is queued by now (it goes on through the batch after an error,
	 * then aborts it); an aborted batch acknowledges no more.  Success
	 * needs the last message's ACK and no error.
	 */
	for (;;) {
		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && !a.ret)
				a.ret = -errno;
			break;
		}
		if ((size_t)n > sizeof(rbuf)) {
			if (!a.ret)
				a.ret = -EMSGSIZE;
			continue; /* a reply too large to read: its ACK is lost, so fail */
		}
		acks_read(&a, rbuf, n);
	}
	if (!a.ret && !a.last_acked) {
		errors_add(errs, last_seq - 2 - first_seq, NFT_ERROR_UNACKED, -EIO);
		a.ret = -EIO;
	}
	return a.ret;
}

int nft_table_exists(const struct nft_config *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_table *t = nftnl_table_alloc();
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL), portid;
	int ret, n;

	if (!t)
		return -ENOMEM;
	nl = nft_owner_open();
	if (!nl) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, c->split ? NFPROTO_IPV4 : NFPROTO_INET,
				    NLM_F_ACK, seq);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_TABLE_NAME);
	nftnl_table_nlmsg_build_payload(nlh, t);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	ret = 1;
	while ((n = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		n = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
		if (n < 0) {
			ret = errno == ENOENT ? 0 : -errno;
			break;
		}
		if (n == MNL_CB_STOP)
			break;
	}
out:
	if (nl)
		mnl_socket_close(nl);
	nftnl_table_free(t);
	return ret;
}

int nft_flowtables(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL);
	int count = 0, n;

	nl = nft_owner_open();
	if (!nl)
		return -errno;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETFLOWTABLE, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		count = -errno;
		goto out;
	}
	while ((n = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		const struct nlmsghdr *m = (const struct nlmsghdr *)buf;
		int rem = n;
		bool done = false;

		for (; mnl_nlmsg_ok(m, rem); m = mnl_nlmsg_next(m, &rem)) {
			if (m->nlmsg_type == NLMSG_DONE || m->nlmsg_type == NLMSG_ERROR)
				done = true;
			else if ((m->nlmsg_type & 0xff) == NFT_MSG_NEWFLOWTABLE)
				count++;
		}
		if (done)
			break;
	}
out:
	mnl_socket_close(nl);
	return count;
}
