/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine.h - the verdict engine: a decoded packet from a device, plus what
 * was learned from DNS, in; a decision and the rule that made it, out.
 * Pure: no I/O and no logging.  The daemon, replay and explain all run the
 * same engine.
 *
 * A device's TCP flow is decided at its first packet unless a name that
 * may still arrive (TLS SNI, HTTP Host) could change the verdict; then it
 * waits, bounded in packets and time, reading the client's first bytes.
 */
#ifndef NFQG_ENGINE_H
#define NFQG_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "decode/decode.h"
#include "decode/sniff.h"
#include "base/lru.h"
#include "engine/names.h"
#include "policy/policy.h"

/* Bytes of a waiting flow's stream kept for its ClientHello or request head. */
#define ENGINE_STREAM_CAP SNIFF_STREAM_CAP /* decode/sniff.h: the one cap */
/*
 * A DNS answer stream's buffer: a whole message of any size with its
 * length prefix, and room for one more (a queued packet may be a GSO
 * aggregate of 64 KiB).
 */
#define ENGINE_DNS_STREAM_CAP (2 * (2 + DNS_MSG_MAX))
/* DNS answer streams with a message in flight at once, per engine (about 9 MiB at most) ... */
#define ENGINE_DNS_STREAMS 64
/* ... and per device: one device's streams cannot take the others' room */
#define ENGINE_DNS_STREAMS_DEVICE 8
/* A stream holding a buffer this long (ms) gives it up to another device's when all are taken. */
#define ENGINE_DNS_STREAM_GRACE 2000
_Static_assert(ENGINE_DNS_STREAM_CAP != ENGINE_STREAM_CAP,
	       "the two buffers are told apart by size");

enum name_source {
	NAME_NONE = 0,
	NAME_DNS,
	NAME_SNI,
	NAME_HTTP,
	NAME_SOCKS,
	NAME_QUIC, /* the SNI of a QUIC client's Initial */
	/*
	 * The flow's name should have been readable but was not (cut short,
	 * too large, malformed, ambiguous, conflicting): an unknown name,
	 * which every domain rule that drops or rejects matches and no domain
	 * rule that allows (DESIGN.md §6).  has_name is false; note says why.
	 */
	NAME_UNREADABLE,
};

enum engine_result {
	ENGINE_NOT_DEVICE = 0, /* no device in the policy, or a device answering a
				* connection another host opened: not our business */
	ENGINE_SNOOPED,	       /* a DNS answer to a device, learned from */
	ENGINE_PENDING,	       /* let this packet pass; the flow is not decided yet */
	ENGINE_DECIDED,	       /* d holds the flow's decision */
};

struct decision {
	enum action action;
	const struct rule *rule; /* NULL: the policy's default */
	bool log;		 /* the rule (or default) asks for a record */
	int device;		 /* index of the device group reported, -1 none */
	struct group_match how;	 /* how that group matched */
	uint64_t groups;	 /* every group the device is in */
	bool has_name;
	struct name name;
	enum name_source name_source;
	const char *pattern; /* the rule's domain pattern that matched, or NULL */
	bool by_address;     /* decided without SNI/Host: the address may be blocked */
	bool first;	     /* decided at this packet (not a later packet of the flow) */
	bool waited;	     /* was pending before */
	/*
	 * Allowed for now, a kept-alive plain-HTTP flow whose later request
	 * heads are read (a domain rule could still change its verdict):
	 * every packet of it stays queued (verdict.h: VERDICT_NONE).
	 */
	bool watch;
	const char *note; /* why a bound cut the wait short, or NULL */
	/*
	 * Decided at a packet of the server's (its acknowledgement of the
	 * bytes read): the flow is the packet's reverse, its device the one
	 * with dev_mac.  See decision_flow.
	 */
	bool at_reply;
	bool dev_has_mac;
	uint8_t dev_mac[6];
	uint32_t dev_indev; /* with at_reply: the interface the device's side came in on */
};

struct engine_stats {
	uint64_t packets, decisions, pending, snooped;
	uint64_t flows_evicted; /* decided or waiting flows pushed out by the bound */
	uint64_t pending_cut;	/* waits ended by the packet or time bound */
	uint64_t devices_evicted;
	uint64_t stream_full;	      /* ClientHello or head beyond ENGINE_STREAM_CAP */
	uint64_t unknown_names;	      /* flows decided with an unknown name */
	uint64_t waiting_full;	      /* new flows that could not wait: limits.pending_flows */
	uint64_t keepalive_decisions; /* later verdicts of kept-alive flows (keepalive.c) */
	uint64_t dns_unmatched;	      /* DNS answers over UDP that answer no query seen */
	uint64_t dns_unread;	      /* DNS answer streams over TCP not read: ENGINE_DNS_STREAMS */
};

struct engine;
struct engine_shared;
struct exception_set;

/*
 * The time flows are decided at, for rules with a schedule and run-time
 * exceptions: the engine never reads the clock.
 */
struct engine_clock {
	int64_t wall; /* s since the epoch; 0: not known */
	int week_min; /* minute of the local week, 0 = Monday 00:00; -1: not known */
};

/*
 * engine_clock_unknown - no time: a rule with a schedule then counts only
 * when it blocks, and no exception ends.
 */
static inline struct engine_clock engine_clock_unknown(void)
{
	return (struct engine_clock){ .wall = 0, .week_min = -1 };
}

/* The flow key of a flow: the direction its first packet went. */
struct engine_flow_key {
	uint8_t family, proto;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

/*
 * decision_flow - the flow decision d (made at packet pkt) is about, in *k,
 * and its device's MAC: *has_mac and mac come in as the packet's and are
 * replaced when the packet was the server's.
 */
static inline void decision_flow(const struct decision *d, const struct packet *pkt, bool *has_mac,
				 uint8_t mac[6], struct engine_flow_key *k)
{
	bool rev = d->at_reply;

	memset(k, 0, sizeof(*k));
	k->family = pkt->family;
	k->proto = pkt->proto;
	memcpy(k->src, rev ? pkt->dst : pkt->src, 16);
	memcpy(k->dst, rev ? pkt->src : pkt->dst, 16);
	k->sport = rev ? pkt->dport : pkt->sport;
	k->dport = rev ? pkt->sport : pkt->dport;
	if (rev) {
		*has_mac = d->dev_has_mac;
		memcpy(mac, d->dev_mac, 6);
	}
}

/* What the daemon or replay knows about one packet besides its bytes. */
struct engine_input {
	const struct packet *pkt;
	bool has_mac;
	uint8_t mac[6];
	const char *iface; /* ingress interface name, or NULL */
	uint32_t indev;	   /* ingress interface index, 0 when not known */
	uint64_t now;	   /* milliseconds, monotonic */
};

/*
 * engine_new - an engine for policy p (which must outlive it), keeping at
 * most max_flows flows (0: the policy's limits.flows).  NULL on ENOMEM.
 */
struct engine *engine_new(const struct policy *p, size_t max_flows);

/*
 * With several queues, one engine per queue (each with its flows) shares
 * the device addresses seen and the names learned: engine_shared_new, then
 * engine_new_shared for each, which may run in threads of their own.  The
 * shared part outlives its engines.
 */
struct engine_shared *engine_shared_new(const struct policy *p);
void engine_shared_free(struct engine_shared *sh);
/*
 * engine_shared_policy - the policy whose domain rules say which learned
 * names to keep longest: a shared part kept over a reload takes the new
 * one before the old is freed.
 */
void engine_shared_policy(struct engine_shared *sh, const struct policy *p);
struct engine *engine_new_shared(const struct policy *p, size_t max_flows,
				 struct engine_shared *sh);
void engine_free(struct engine *e);

/* engine_set_clock - the time of the packets that follow (a new engine has none). */
void engine_set_clock(struct engine *e, const struct engine_clock *c);

/*
 * engine_set_exceptions - the run-time exceptions flows are checked
 * against first (NULL: none); x must outlive its use, and the flows
 * decided under the old set are the caller's to have decided again.
 */
void engine_set_exceptions(struct engine *e, const struct exception_set *x);

/*
 * engine_carry - the flows of from (the engine before: the same queue, the
 * last generation or policy) into e, a fresh engine whose policy,
 * exceptions and clock are set: each decided again at once, with the name
 * it sent itself (a flow whose name was still being read, or kept-alive
 * HTTP whose later requests were, with an unknown name), a DNS flow with
 * the queries it awaits answers for.  Its next packet gets the decision,
 * reported as first.  now: monotonic ms.  Returns the flows carried.  from
 * must not change meanwhile.
 */
size_t engine_carry(struct engine *e, const struct engine *from, uint64_t now);

/* engine_packet - run one packet through the engine; d is written with ENGINE_DECIDED. */
enum engine_result engine_packet(struct engine *e, const struct engine_input *in,
				 struct decision *d);

/*
 * engine_finish - decide every flow still waiting, with what is known at
 * time now (the end of a capture).  Calls fn for each, in no particular
 * order.
 */
void engine_finish(struct engine *e, uint64_t now,
		   void (*fn)(const struct decision *d, const struct engine_flow_key *k,
			      const struct device_key *dev, void *arg),
		   void *arg);

/*
 * engine_decide - the decision for a hypothetical flow (explain): device
 * key, destination, protocol, port, and an optional name as if learned from
 * source (DNS when from a lookup, SNI or HTTP), at time clk (rules with a
 * schedule).  Pure over the policy.
 */
void engine_decide(const struct policy *p, const struct device_key *dev, uint8_t family,
		   const uint8_t dst[16], uint8_t proto, uint16_t dport, const struct name *name,
		   enum name_source source, const struct engine_clock *clk, struct decision *d);

/*
 * engine_unreadable - the decision for a device packet nfq-guard could not
 * decode (DESIGN.md §6): the strictest action any rule that could apply to
 * dev gives (by its MAC and interface; with neither known, any rule), or
 * the default when it is stricter.  A rule with a schedule counts while its
 * window is open at clk (and, the time unknown, always).  The rule in d is
 * the one that gives it.
 */
void engine_unreadable(const struct policy *p, const struct device_key *dev,
		       const struct engine_clock *clk, struct decision *d);

const struct engine_stats *engine_stats(const struct engine *e);
/* engine_stats_add - sum += s, counter by counter (several queues' engines). */
void engine_stats_add(struct engine_stats *sum, const struct engine_stats *s);
/* engine_flow_count - flows held (waiting or decided); *max the bound. */
size_t engine_flow_count(const struct engine *e, size_t *max);

/*
 * Devices found by their behaviour (the daemon's identification): a new
 * flow of the device with that MAC is identified with what it showed
 * (struct device_key's found_by and found_vendor) when its policy reads
 * any identify signal.  engine_found_add - 1 when added, 0 when known
 * (updated), -ENOSPC when max (or ENGINE_MAX_FOUND) are held already: an
 * entry is never evicted, as a device found stays filtered; or -ENOMEM.
 */
#define ENGINE_MAX_FOUND 65536
int engine_found_add(struct engine_shared *sh, const uint8_t mac[6], enum found_by by,
		     const char *vendor, size_t max);
size_t engine_found_count(struct engine_shared *sh);
/* engine_device_found - what the device with dev's MAC was found as, into dev (e's policy permitting). */
void engine_device_found(struct engine *e, struct device_key *dev);

/* engine_shared_flush - forget every name learned. */
void engine_shared_flush(struct engine_shared *sh);

struct engine_shared_sizes {
	struct names_stats names;
	size_t names_max;
	size_t seen, seen_max; /* device addresses seen */
};
void engine_shared_sizes(struct engine_shared *sh, struct engine_shared_sizes *s);
const struct names_stats *engine_names_stats(const struct engine *e);
const char *name_source_str(enum name_source s);

#endif
