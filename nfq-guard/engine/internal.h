/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * internal.h - the engine's own state, shared by its files: engine.c
 * (device flows: waits and decisions) and snoop.c (DNS answers to devices).
 * Not for use outside engine/.
 */
#ifndef NFQG_ENGINE_INTERNAL_H
#define NFQG_ENGINE_INTERNAL_H

#include <string.h>

#include "base/lru.h"
#include "decode/dns.h"
#include "decode/quic.h"
#include "decode/sniff.h"
#include "decode/stream.h"
#include "engine/engine.h"
#include "policy/exception.h"

#define DNS_PORT 53
#define ENGINE_DNS_PENDING \
	16 /* queries of one flow awaiting their answers (a resolver library sends many) */

enum sniff {
	SNIFF_NAME = 0, /* the client's server name (decode/sniff.h: TLS, then HTTP) */
	SNIFF_QUIC,	/* ... from a QUIC client's Initials (initial.c) */
	SNIFF_DNS,	/* a DNS-over-TCP answer stream to a device */
	SNIFF_DNS_OFF,	/* ... no longer read (a message too large to hold) */
	SNIFF_INBOUND,	/* a connection another host opened to the device */
};

struct eflow {
	struct lru_node node; /* first */
	struct engine_flow_key key;
	bool decided;
	bool carried;	  /* decided again by engine_carry: its next packet reports d as first */
	bool name_unread; /* decided at its first packet although a name could follow, unread */
	struct decision d;
	/* while waiting */
	struct device_key dev;
	uint32_t packets;
	uint64_t started;
	struct stream st;
	enum sniff sniff;
	struct sniff_state name_st; /* with SNIFF_NAME */
	struct quic_wait *quic;	    /* with SNIFF_QUIC, while waiting */
	/* a QUIC connection let pass: the connection IDs it goes by (initial.c) */
	uint8_t nqcid;
	uint8_t qcid_len[2];
	uint8_t qcid[2][QUIC_CID_MAX];
	uint32_t indev;	      /* the interface the device's first packet came in on, or 0 */
	bool has_isn;	      /* the flow began with the client's SYN ... */
	uint32_t isn;	      /* ... of this sequence number */
	bool confirming;      /* d lets it pass once the server acknowledges ... */
	uint32_t confirm_seq; /* ... the bytes up to here */
	/* a kept-alive plain-HTTP flow whose later heads are read (keepalive.c) */
	bool watch;	  /* in the waiting table, decided, d.watch */
	uint8_t ka;	  /* enum ka_state (keepalive.c) */
	uint32_t ka_off;  /* bytes of st read through (heads and bodies) */
	uint64_t ka_left; /* KA_BODY, KA_CHUNK_DATA: body bytes still to read */
	uint64_t ka_seen; /* its last packet, either way (ms) */
	/* a device's DNS flow over UDP: its queries not answered yet (snoop.c) */
	uint8_t nq;
	struct dns_query {
		uint16_t id;
		uint32_t qhash; /* of the question (snoop.c question_hash) */
	} q[ENGINE_DNS_PENDING];
	bool ka_upgrade;  /* the first head asked for a WebSocket: a 101 ends the reading */
	bool ka_srv_data; /* the server has sent data */
	bool ka_fin; /* the client closed, all it sent read; watched until the server has the FIN */
	uint32_t ka_fin_ack; /* the acknowledgement that says so */
};

struct engine {
	const struct policy *p;
	struct lru_table flows;	  /* decided flows: the oldest goes at the bound */
	struct lru_table waiting; /* flows waiting for a name: never pushed out */
	struct engine_shared *sh;
	bool own_sh;
	struct engine_stats st;
	unsigned int
		dns_streams; /* DNS answer streams holding a buffer (ENGINE_DNS_STREAMS at most) */
	struct dns_slot {
		struct eflow *f; /* NULL: free */
		uint64_t since;	 /* ms, when it took the buffer */
	} dns_slot[ENGINE_DNS_STREAMS];
	struct dns_msg msg;	       /* a DNS answer being read: large, so not on the stack */
	struct engine_clock clock;     /* engine_set_clock */
	const struct exception_set *x; /* engine_set_exceptions */
	struct way *way;	       /* its links followed (way.h) */
};

#define EVAL_LEARNED (2 * NAMES_PER_ADDR) /* by the device's MAC, and by its address */
#define EVAL_MAX_NAMES (EVAL_LEARNED + 1)

/* What a flow is evaluated on: its device's groups, destination and names. */
struct eval {
	uint64_t groups;
	const uint8_t *mac;	       /* the device's MAC, NULL when not known */
	int week_min;		       /* the time: minute of the local week (-1: not known) ... */
	int64_t wall;		       /* ... and s since the epoch (0: not known) */
	const struct exception_set *x; /* the run-time exceptions, checked first; or NULL */
	uint8_t family;
	const uint8_t *dst;
	uint8_t proto;
	bool has_port;
	uint16_t dport;
	const struct name *names[EVAL_MAX_NAMES];
	enum name_source sources[EVAL_MAX_NAMES];
	struct name learned[EVAL_LEARNED]; /* copies: the shared cache may change */
	size_t nnames;
	bool late_possible; /* an SNI or Host may still arrive */
	/*
	 * The flow's name should be readable but is not (DESIGN.md §6): it
	 * matches every domain rule that drops or rejects, none that allows.
	 */
	bool unknown;
	const char *unknown_why; /* the event's note */
	bool doubt;		 /* a DNS answer to the device was not read lately (shared_doubt) */
};

/*
 * evaluate - the first rule that matches ev (NULL: the default), with
 * *pending when a name that may still arrive could change the verdict,
 * *name_idx the name that matched a domain rule (-1 none) and *pattern
 * its pattern (evaluate.c).
 */
const struct rule *evaluate(const struct policy *p, const struct eval *ev, bool *pending,
			    int *name_idx, const char **pattern);

/*
 * eval_init - ev for flow f of a device in groups: its destination, the
 * names learned for it (DNS), the time, the exceptions (engine.c).
 */
void eval_init(struct engine *e, const struct eflow *f, uint64_t groups, uint64_t now,
	       struct eval *ev);

/* fill_decision - d from the evaluation: action, rule, device reported, name. */
void fill_decision(const struct policy *p, const struct eval *ev, const struct rule *r,
		   int name_idx, const char *pattern, const struct group_match *how,
		   struct decision *d);

static inline bool flow_eq(const struct lru_node *n, const void *key)
{
	return !memcmp(&((const struct eflow *)n)->key, key, sizeof(struct engine_flow_key));
}

/* The flow key of pkt, as sent (reverse: as its answer would be). */
static inline void flow_key_of(const struct packet *pkt, bool reverse, struct engine_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = pkt->family;
	k->proto = pkt->proto;
	memcpy(k->src, reverse ? pkt->dst : pkt->src, 16);
	memcpy(k->dst, reverse ? pkt->src : pkt->dst, 16);
	if (pkt->l4 && (pkt->proto == IPPROTO_NUM_TCP || pkt->proto == IPPROTO_NUM_UDP)) {
		k->sport = reverse ? pkt->dport : pkt->sport;
		k->dport = reverse ? pkt->sport : pkt->dport;
	}
}

static inline struct eflow *flow_find(struct engine *e, const struct engine_flow_key *k)
{
	uint32_t h = lru_hash(LRU_HASH_INIT, k, sizeof(*k));
	struct eflow *f = (struct eflow *)lru_find(&e->flows, h, flow_eq, k);

	if (!f && e->waiting.count > 0)
		f = (struct eflow *)lru_find(&e->waiting, h, flow_eq, k);
	return f;
}

/* flow_new - a zeroed flow for k, the oldest pushed out at the bound.  NULL on ENOMEM. */
struct eflow *flow_new(struct engine *e, const struct engine_flow_key *k);

/* flow_stream_buffer - the flow's stream buffer of cap bytes, given the first time it carries bytes.  0 or -ENOMEM. */
int flow_stream_buffer(struct eflow *f, size_t cap);

/* flow_stream_drop - free the flow's stream buffer: nothing more is read. */
void flow_stream_drop(struct engine *e, struct eflow *f);

/* flow_take - a client packet's bytes into a flow's stream: the in-order bytes gained. */
size_t flow_take(struct eflow *f, const struct packet *pkt, const char **why);

/* stream_distrust - why a stream's bytes cannot be trusted to be what the server reads, or NULL. */
const char *stream_distrust(const struct stream *st);

/*
 * flow_evaluate - f->d for f with what is known now: a name read from its
 * stream (late, of source late_src) or, with why, an unknown one.  Marks
 * it first and waited, never by address.
 */
void flow_evaluate(struct engine *e, struct eflow *f, uint64_t now, const struct name *late,
		   enum name_source late_src, const char *why);

/* flow_settle - a decided flow leaves the waiting table for the decided one. */
void flow_settle(struct engine *e, struct eflow *f);

/*
 * keepalive_begin - f, just allowed (f->d) on the first request head in
 * its stream, is a plain-HTTP flow whose later heads are to be read:
 * KA_WATCHED, with f->watch and f->d.watch set and its stream kept
 * (keepalive.c); the bytes after the first head are read at once, and a
 * later head held there may already have changed f->d.  KA_NO_ROOM when
 * it would be, but as many flows are watched as may be (at most half the
 * waiting table, a quarter of it one device's); KA_NOT when it is not such
 * a flow.
 */
enum ka_begin { KA_NOT = 0, KA_WATCHED, KA_NO_ROOM };
enum ka_begin keepalive_begin(struct engine *e, struct eflow *f, uint64_t now);

/* keepalive_client, _server - a packet of a watched flow, either way: always decided. */
enum engine_result keepalive_client(struct engine *e, struct eflow *f,
				    const struct engine_input *in, struct decision *d);
enum engine_result keepalive_server(struct engine *e, struct eflow *f,
				    const struct engine_input *in, struct decision *d);

/* keepalive_doubt - a watched flow's name is unknown from now on, for why. */
enum engine_result keepalive_doubt(struct engine *e, struct eflow *f, uint64_t now, const char *why,
				   struct decision *d);

/*
 * keepalive_finish - a watched flow when a capture ends: true, with f->d
 * decided anew (an unknown name), when it held a head not yet read through
 * or acknowledged; false when it just ends.  Either way it leaves watching.
 */
bool keepalive_finish(struct engine *e, struct eflow *f, uint64_t now);

/* initial_kind - what the first QUIC packet of pkt's UDP payload is (QUIC_NOT: none). */
enum quic_kind initial_kind(const struct packet *pkt);

/*
 * initial_possible - could a name come in pkt's UDP flow: a QUIC packet
 * first, or QUIC's port 443?
 */
bool initial_possible(const struct packet *pkt);

/*
 * initial_unreadable - why a first packet pkt of kind k leaves the flow's
 * name unknown (a QUIC packet other than an Initial, a version not read,
 * no QUIC at all to port 443), or NULL.
 */
const char *initial_unreadable(const struct packet *pkt, enum quic_kind k);

/* initial_begin, initial_drop - the QUIC state of a flow that waits (-1 without memory). */
int initial_begin(struct eflow *f);
void initial_drop(struct eflow *f);

/*
 * initial_read - a client datagram of a QUIC flow read: true when reading
 * is over, with the name in *late (*src NAME_QUIC), none (*src NAME_NONE),
 * or *why it is unknown; false while the ClientHello is not complete.
 */
bool initial_read(struct eflow *f, const struct packet *pkt, struct name *late,
		  enum name_source *src, const char **why);

/*
 * initial_retry - is srv, the server's datagram to a flow whose hello was
 * read, a Retry?  The client then sends its hello again, in an Initial to
 * the ID the Retry chose, and nothing of the first counts: the reading
 * starts over (true).
 */
bool initial_retry(struct eflow *f, const struct packet *srv);

/*
 * initial_pass - the server's datagram srv lets the flow's QUIC connection
 * pass: keep the connection ID it goes by from now on (the server's SCID)
 * before the reading state goes.
 */
void initial_pass(struct eflow *f, const struct packet *srv);

/*
 * initial_new_connection - is pkt, a client datagram of a decided flow, a
 * QUIC Initial that opens another connection on the flow's 4-tuple: one in
 * a datagram a server reads (1200 bytes or more), to a connection ID the
 * connection let pass does not go by, or a long header of a version not
 * read, on port 443?  The kernel queues such datagrams
 * of a decided flow (ruleset.c), so that they start a decision of their
 * own, as a TCP SYN with a new ISN does.
 */
bool initial_new_connection(const struct eflow *f, const struct packet *pkt);

/*
 * engine_note_query - pkt, a device's packet to UDP port 53 of flow k, is
 * noted when it is a DNS query, so that only its answer teaches names
 * (snoop.c).
 */
void engine_note_query(struct engine *e, const struct packet *pkt, const struct engine_flow_key *k);

/*
 * engine_snoop - learn from pkt if it is a DNS answer on its way to a
 * device (snoop.c).  True when it was one: the packet passes, learned from.
 */
bool engine_snoop(struct engine *e, const struct packet *pkt, const struct device_key *dev,
		  uint64_t now);

#endif
