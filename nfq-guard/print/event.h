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

/*
 * event_print_exception - a run-time exception's event (kind
 * "exception_added", "exception_expired", "exception_revoked") as one JSON
 * line, or as text for the log: its id, device, what it allows, until
 * when, why; uid the control socket's peer who asked (-1: nobody, it ran
 * out); note NULL or why it ended.
 */
struct exception_spec;
void event_print_exception(FILE *f, bool json, const char *kind, const struct exception_spec *s,
			   uint64_t ts_us, long long uid, const char *note);
/* The fields alone ("id":..., no braces; a comma first unless first): `exceptions --json` too. */
void exception_json_fields(FILE *f, const struct exception_spec *s, int first);

#endif
