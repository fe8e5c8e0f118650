// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keepalive.c - every request head of a kept-alive plain-HTTP flow.
 *
 * A device's HTTP flow waited for its first head because a domain rule
 * could change its verdict.  The same connection may carry later requests
 * for other hosts (a CDN or a proxy routes each by its own Host), so a flow
 * allowed after its first head stays watched: its packets keep coming to
 * the queue (VERDICT_NONE), and each later head is read and decided like
 * the first, until one is blocked, the connection ends, or what follows
 * cannot be read (an unknown name).
 *
 *   KA_HEAD --head read, allowed--> the body: KA_BODY (Content-Length), or
 *   KA_CHUNK_SIZE, _DATA, _END, KA_TRAILER (chunked) --> KA_HEAD
 *
 * A head that asks for an Upgrade (WebSocket) which the server answers with
 * 101 ends the reading, allowed: the bytes that follow are another
 * protocol, spoken with the server the head's Host chose.  Refused, the
 * connection goes on as HTTP and stays read.
 *
 * Heads are read as soon as their bytes are in order (ka_off), so that the
 * packet that completes a head gets that head's verdict, pipelined ones
 * included.  Bytes leave the stream only once read and acknowledged by the
 * server, so that a copy the server never got cannot be the one that was
 * read (the stream compares every byte that comes again); bytes that come
 * again below what left are ones the server already has, and discards.
 * A watched flow whose unacknowledged bytes outgrow the stream buffer has
 * an unknown name from then on.
 */
#include "engine/internal.h"

enum ka_state {
	KA_HEAD = 0,   /* reading the next request head */
	KA_BODY,       /* ka_left body bytes to read past */
	KA_CHUNK_SIZE, /* a chunk-size line (RFC 9112 7.1) */
	KA_CHUNK_DATA, /* ka_left bytes of chunk data */
	KA_CHUNK_END,  /* the CRLF after chunk data */
	KA_TRAILER,    /* trailer lines, to the empty one */
};

/* Longest chunk-size line (with extensions) or trailer line taken. */
#define KA_LINE_MAX 1024

/* The bytes of the stream not read yet. */
static inline const uint8_t *ka_ptr(const struct eflow *f)
{
	return f->st.buf + f->ka_off;
}

static inline size_t ka_avail(const struct eflow *f)
{
	return f->st.len - f->ka_off;
}

/* Where the body of the request in req goes on. */
static void ka_after_head(struct eflow *f, const struct http_request *req)
{
	f->ka_off += (uint32_t)req->head_len;
	f->ka_upgrade = false; /* only the first head's (keepalive_begin) */
	if (req->body_chunked) {
		f->ka = KA_CHUNK_SIZE;
	} else if (req->body_len > 0) {
		f->ka = KA_BODY;
		f->ka_left = req->body_len;
	} else {
		f->ka = KA_HEAD;
	}
}

/* The flow is no longer watched: decided for good, out of the waiting table. */
static void ka_stop(struct engine *e, struct eflow *f)
{
	f->watch = false;
	f->d.watch = false;
	flow_stream_drop(e, f);
	flow_settle(e, f);
}

/*
 * Decide the flow anew on a later head: its Host (or none), or why its
 * name is unknown.  A verdict that blocks, or an unknown name that does
 * not (no domain rule blocks any name), ends the watch.
 */
static void ka_decide(struct engine *e, struct eflow *f, uint64_t now, const struct name *host,
		      const char *why)
{
	flow_evaluate(e, f, now, host, NAME_HTTP, why);
	e->st.keepalive_decisions++;
	e->st.decisions++;
	if (why)
		e->st.unknown_names++;
	if (why || action_blocks(f->d.action)) {
		ka_stop(e, f);
		return;
	}
	f->d.watch = true;
}

/*
 * One line of a chunked body (without its CRLF) when it is all there: its
 * length in *n, the bytes it takes in *used.  False while it is not; *bad
 * when it cannot be one (too long).
 */
static bool ka_line(const struct eflow *f, size_t *n, size_t *used, bool *bad)
{
	const uint8_t *p = ka_ptr(f), *nl = memchr(p, '\n', ka_avail(f));

	*bad = false;
	if (!nl) {
		*bad = ka_avail(f) > KA_LINE_MAX;
		return false;
	}
	*used = (size_t)(nl - p) + 1;
	*n = *used - 1;
	if (*n > 0 && p[*n - 1] == '\r')
		(*n)--;
	*bad = *n > KA_LINE_MAX;
	return !*bad;
}

/* chunk-size = 1*HEXDIG, then optional extensions after ';' (RFC 9112 7.1.1). */
static bool ka_chunk_size(const uint8_t *p, size_t n, uint64_t *size)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n && i < 16; i++) {
		uint8_t b = p[i], l = b | 0x20;

		if (b >= '0' && b <= '9')
			v = v * 16 + (uint64_t)(b - '0');
		else if (l >= 'a' && l <= 'f')
			v = v * 16 + (uint64_t)(l - 'a' + 10);
		else
			break;
	}
	if (i == 0 || (i < n && p[i] != ';' && p[i] != ' ' && p[i] != '\t'))
		return false;
	*size = v;
	return true;
}

/* Read past up to ka_left body bytes; true when the body is through. */
static bool ka_skip(struct eflow *f)
{
	size_t n = ka_avail(f) < f->ka_left ? ka_avail(f) : (size_t)f->ka_left;

	f->ka_off += (uint32_t)n;
	f->ka_left -= n;
	return f->ka_left == 0;
}

/*
 * One step of a chunked body: 1 when it moved on, 0 when it needs more
 * bytes, -1 when the body cannot be followed.
 */
static int ka_chunk_step(struct eflow *f)
{
	size_t n, used;
	uint64_t size;
	bool bad;

	if (f->ka == KA_CHUNK_DATA) {
		if (ka_avail(f) == 0)
			return 0;
		if (ka_skip(f))
			f->ka = KA_CHUNK_END;
		return 1;
	}
	if (!ka_line(f, &n, &used, &bad))
		return bad ? -1 : 0;
	switch (f->ka) {
	case KA_CHUNK_SIZE:
		if (!ka_chunk_size(ka_ptr(f), n, &size))
			return -1;
		f->ka = size > 0 ? KA_CHUNK_DATA : KA_TRAILER;
		f->ka_left = size;
		break;
	case KA_CHUNK_END:
		if (n != 0)
			return -1; /* chunk data longer than its size said */
		f->ka = KA_CHUNK_SIZE;
		break;
	default: /* KA_TRAILER, to the empty line */
		if (n == 0)
			f->ka = KA_HEAD;
		break;
	}
	f->ka_off += (uint32_t)used;
	return 1;
}

/* The next request head, if it is all there: read and decided. */
static void ka_head(struct engine *e, struct eflow *f, uint64_t now)
{
	struct sniff_state s = { .proto = SNIFF_PROTO_HTTP };
	struct http_request req;
	enum sniff_result r;
	struct name host;

	r = sniff_name(&s, ka_ptr(f), ka_avail(f), f->st.cap - f->ka_off, &host);
	if (r == SNIFF_MORE)
		return;
	if ((r == SNIFF_HOST || r == SNIFF_NO_NAME) && s.http_st == HTTP_NOT_HTTP) {
		ka_decide(e, f, now, NULL, "bytes after a request that are not a request head");
		return;
	}
	if (r != SNIFF_HOST && r != SNIFF_NO_NAME) {
		ka_decide(e, f, now, NULL, s.why ? s.why : "unreadable request head");
		return;
	}
	http_request(ka_ptr(f), ka_avail(f), &host, &req);
	if (req.tunnel) {
		ka_decide(e, f, now, NULL, "CONNECT on a kept-alive connection");
		return;
	}
	ka_decide(e, f, now, r == SNIFF_HOST ? &host : NULL, NULL);
	if (f->watch)
		ka_after_head(f, &req);
}

/* Read on as far as the in-order bytes go (each step reads some, or stops). */
static void ka_read(struct engine *e, struct eflow *f, uint64_t now)
{
	while (f->watch && ka_avail(f) > 0) {
		switch (f->ka) {
		case KA_HEAD: {
			uint32_t off = f->ka_off;

			ka_head(e, f, now);
			if (f->watch && f->ka == KA_HEAD && f->ka_off == off)
				return; /* waiting for the rest of the head */
			break;		/* a head without a body: the next may follow */
		}
		case KA_BODY:
			if (ka_skip(f))
				f->ka = KA_HEAD;
			break;
		default:
			switch (ka_chunk_step(f)) {
			case -1:
				ka_decide(e, f, now, NULL,
					  "a chunked body that cannot be followed");
				return;
			case 0:
				return;
			}
			break;
		}
	}
}

/* Is o the same device as f's? */
static bool same_device(const struct device_key *a, const struct device_key *b)
{
	if (a->has_mac || b->has_mac)
		return a->has_mac && b->has_mac && !memcmp(a->mac, b->mac, 6);
	return a->family == b->family && !memcmp(a->addr, b->addr, 16);
}

/*
 * Room to watch one more flow of f's device: at most half the waiting
 * table watched, a quarter of it by one device, so that flows waiting for
 * their first name always have room, and one device's connections cannot
 * take the others'.
 */
static bool watch_room(const struct engine *e, const struct eflow *f)
{
	size_t max = e->p->max_pending_flows, all = 0, mine = 0;

	for (const struct lru_node *n = lru_oldest((struct lru_table *)&e->waiting); n;
	     n = n->prev) {
		const struct eflow *o = (const struct eflow *)n;

		if (!o->watch)
			continue;
		all++;
		mine += same_device(&o->dev, &f->dev);
	}
	return all < max / 2 && mine < max / 4;
}

enum ka_begin keepalive_begin(struct engine *e, struct eflow *f, uint64_t now)
{
	struct http_request req;
	enum http_status st;
	struct name n;

	if (f->sniff != SNIFF_NAME || f->name_st.proto != SNIFF_PROTO_HTTP ||
	    action_blocks(f->d.action) || f->d.name_source == NAME_UNREADABLE || !f->st.buf)
		return KA_NOT;
	st = http_request(f->st.buf, f->st.len, &n, &req);
	if ((st != HTTP_FOUND && st != HTTP_NO_HOST) || req.tunnel)
		return KA_NOT; /* a CONNECT's tunnel carries what its host gets */
	if (!watch_room(e, f))
		return KA_NO_ROOM;
	f->watch = true;
	f->d.watch = true;
	f->ka_off = 0;
	f->ka_seen = now;
	ka_after_head(f, &req);
	f->ka_upgrade = req.upgrade && f->ka == KA_HEAD; /* a body first: no switch read */
	ka_read(e, f, now);				 /* a pipelined head may be there already */
	return KA_WATCHED;
}

/* The decision for this packet: new when made at it, else the flow's again. */
static enum engine_result ka_result(const struct engine *e, const struct eflow *f,
				    uint64_t heads_before, struct decision *d)
{
	*d = f->d;
	d->first = e->st.keepalive_decisions != heads_before;
	return ENGINE_DECIDED;
}

enum engine_result keepalive_doubt(struct engine *e, struct eflow *f, uint64_t now, const char *why,
				   struct decision *d)
{
	uint64_t before = e->st.keepalive_decisions;

	ka_decide(e, f, now, NULL, why);
	return ka_result(e, f, before, d);
}

enum engine_result keepalive_client(struct engine *e, struct eflow *f,
				    const struct engine_input *in, struct decision *d)
{
	uint64_t before = e->st.keepalive_decisions;
	const char *why = NULL;

	/*
	 * Bytes past the client's own FIN (not a retransmission of what came
	 * before it): no server reads them as the connection's.
	 */
	if (f->ka_fin && in->pkt->l4 && in->pkt->payload_len > 0 &&
	    (int32_t)(in->pkt->tcp_seq + (uint32_t)in->pkt->payload_len - (f->ka_fin_ack - 1)) > 0)
		return keepalive_doubt(e, f, in->now, "data after the client closed", d);

	f->ka_seen = in->now;
	flow_take(f, in->pkt, &why);
	if (!why)
		why = stream_distrust(&f->st);
	if (!why && f->st.full)
		why = "unacknowledged bytes beyond the stream buffer";
	if (why)
		return keepalive_doubt(e, f, in->now, why, d);
	ka_read(e, f, in->now);
	if (f->watch && (in->pkt->tcp_flags & TCPF_RST))
		/* the server may ignore a reset out of its window, and go on */
		return keepalive_doubt(e, f, in->now, "reset while its requests were read", d);
	if (f->watch && (in->pkt->tcp_flags & TCPF_FIN)) {
		/*
		 * A FIN ends the connection only at the end of all it sent,
		 * read through, and only once the server has it: a FIN that
		 * dies past the router must not end the reading.
		 */
		if (in->pkt->tcp_seq + in->pkt->payload_len == f->st.base + f->st.len &&
		    f->st.end == f->st.len && f->ka == KA_HEAD && ka_avail(f) == 0) {
			f->ka_fin = true;
			f->ka_fin_ack = in->pkt->tcp_seq + in->pkt->payload_len + 1;
		} else {
			return keepalive_doubt(e, f, in->now,
					       "closed with bytes not read or out of order", d);
		}
	}
	return ka_result(e, f, before, d);
}

enum engine_result keepalive_server(struct engine *e, struct eflow *f,
				    const struct engine_input *in, struct decision *d)
{
	const struct packet *pkt = in->pkt;
	uint64_t before = e->st.keepalive_decisions;
	enum engine_result res;
	bool first_data;

	f->ka_seen = in->now;
	first_data = pkt->l4 && pkt->payload_len > 0 && !f->ka_srv_data;
	if (pkt->l4 && pkt->payload_len > 0)
		f->ka_srv_data = true;
	if (pkt->l4 && pkt->proto == IPPROTO_NUM_TCP && (pkt->tcp_flags & TCPF_ACK)) {
		int32_t acked = (int32_t)(pkt->tcp_ack - f->st.base);

		/* what was read and the server took leaves the stream */
		if (acked > 0) {
			uint32_t k = (uint32_t)acked < f->ka_off ? (uint32_t)acked : f->ka_off;

			stream_consume(&f->st, k);
			f->ka_off -= k;
		}
	}
	if (f->watch && pkt->l4 && pkt->proto == IPPROTO_NUM_TCP && (pkt->tcp_flags & TCPF_RST))
		ka_stop(e, f);
	/* the server has the client's FIN: the connection's requests are all read */
	else if (f->watch && f->ka_fin && pkt->l4 && pkt->proto == IPPROTO_NUM_TCP &&
		 (pkt->tcp_flags & TCPF_ACK) && (int32_t)(pkt->tcp_ack - f->ka_fin_ack) >= 0)
		ka_stop(e, f);
	/*
	 * The server took the WebSocket Upgrade the first head asked for, in
	 * the first bytes it sent: what follows is another protocol with the
	 * same server, which the head's Host chose.  (A "101" anywhere else
	 * may be a body's bytes.)
	 */
	else if (f->watch && f->ka_upgrade && first_data && f->ka == KA_HEAD && ka_avail(f) == 0 &&
		 http_switching(pkt->payload, pkt->payload_len))
		ka_stop(e, f);
	res = ka_result(e, f, before, d);
	d->at_reply = true;
	d->dev_has_mac = f->dev.has_mac;
	d->dev_indev = f->indev;
	memcpy(d->dev_mac, f->dev.mac, 6);
	return res;
}

bool keepalive_finish(struct engine *e, struct eflow *f, uint64_t now)
{
	if (f->ka == KA_HEAD && ka_avail(f) > 0) {
		ka_decide(e, f, now, NULL, "still waiting when the capture ended");
		if (f->watch)
			ka_stop(e, f);
		return true;
	}
	ka_stop(e, f);
	return false;
}
