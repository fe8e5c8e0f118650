/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * event.h - a decision as one line: JSON for tools (replay --json, explain
 * --json, the daemon's event log) or text for people.  Names are always
 * escaped.
 */
#ifndef NFQG_EVENT_H
#define NFQG_EVENT_H

#include <net/if.h>
#include <stdio.h>

#include "engine/engine.h"

struct event {
	uint64_t ts_us; /* wall-clock time, microseconds since the epoch */
	bool has_mac;
	uint8_t mac[6];
	const struct engine_flow_key *flow;
	bool monitor;	     /* the policy's mode: decided but not enforced */
	bool no_src, no_dst; /* not known (explain without --src / --dst, a packet
			      * that did not decode): print null */
	bool no_ports;	     /* ports not read (a later fragment, a packet that did not decode) */
	bool no_sport;	     /* the source port not known (explain): no community ID either */
	bool no_proto;	     /* the protocol not read (an IPv6 header chain cut short) */
	bool has_icmp;	     /* ICMP(v6) type and code read (for the community ID) */
	uint8_t icmp_type, icmp_code;
	char in_iface[IF_NAMESIZE];  /* the device's side, "" when not known */
	char out_iface[IF_NAMESIZE]; /* the server's side, "" when not known */
	const struct decision *d;
	uint32_t repeated; /* > 0: sums up this many like it held back (evlimit.h) */
};

/* event_packet - what ev takes from the packet the decision was made at (ICMP type and code). */
void event_packet(struct event *ev, const struct packet *pkt);

void event_print_json(FILE *f, const struct policy *p, const struct event *ev);
/* The fields of the JSON object alone, "event":... first, no braces. */
void event_json_fields(FILE *f, const struct policy *p, const struct event *ev);
void event_print_text(FILE *f, const struct policy *p, const struct event *ev);

#endif
