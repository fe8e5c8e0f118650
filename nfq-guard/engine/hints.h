/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hints.h - cameras identified by weak signals: the DHCP requests and DNS
 * queries of a host that is no device yet, scored against the policy's
 * identify_hints.  Ordinary hosts - laptops, phones running a vendor's
 * app, printers, anything with the same embedded DHCP client - must never
 * be taken for cameras, so a signal counts only beside a specific one:
 *
 *   DHCP  one request matches a hint's dhcp_hostname (1 point) and its
 *         dhcp_vendor_class or dhcp_parameters (1 point each); 2 points
 *         identify.  A vendor class or parameter list alone never does:
 *         they name the DHCP client (busybox udhcpc's "udhcp 1.36.1" and
 *         1,3,6,12,15,28,42 are every busybox device's), not the maker.
 *   DNS   over the last window (limits.identify_dns_window, 10 minutes
 *         unless the policy says otherwise) the host queried at least
 *         HINTS_DNS_MIN_NAMES distinct names of a hint's domain lists, and
 *         they are at least half of all the distinct names it queried (a
 *         phone or laptop asks for many others); and that has held at
 *         every query of the host for the dwell (limits.identify_dns_dwell,
 *         a quarter of an hour unless the policy says otherwise), without a
 *         silence of a window.  The dwell is at least the window (the
 *         policy refuses less), so the names that count at its end were
 *         all asked for after it began: a camera asks for its cloud again and again, a phone
 *         that wakes up and opens the vendor's app for a few minutes
 *         looks like a camera only for those minutes.  Worth 2 points:
 *         it identifies.
 *
 * A host identified is reported once; later calls for it return false
 * (the caller keeps it).  The table is bounded: at most max_hosts hosts,
 * the least recently seen pushed out, and per host HINTS_NAMES_MAX
 * distinct names (when more are pushed out still in the window, they keep
 * counting against the vendor's share).  No locks, no clock: the time
 * comes in as now, in seconds.
 */
#ifndef NFQG_HINTS_H
#define NFQG_HINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/lru.h"
#include "base/siphash.h"
#include "decode/dhcp.h"
#include "policy/policy.h"

#define HINTS_DNS_MIN_NAMES 2 /* distinct names of one hint's lists in the window */
#define HINTS_NAMES_MAX 32    /* distinct names remembered per host */
#define HINTS_MAX_HOSTS 4096  /* hosts watched at once, the least recently seen pushed out */
#define HINTS_EVIDENCE_MAX 4  /* names of the vendor's lists kept per host, for the evidence */
#define HINTS_DETAIL_MAX 160

struct hint_host;

struct hint_stats {
	size_t hosts;	     /* in the table */
	uint64_t evicted;    /* pushed out by the bound */
	uint64_t identified; /* hosts reported */
};

struct hint_table {
	struct lru_table t;
	struct hint_host *hosts;      /* max_hosts of them, allocated once */
	struct hint_host *unused;     /* those not in the table, chained */
	const struct policy *p;	      /* the policy the hosts' names were matched under */
	uint8_t key[SIPHASH_KEY_LEN]; /* for the hashes of MACs and names: secret, random */
	struct hint_stats st;
};

/* What identified a host. */
struct hint_found {
	enum found_by by;	       /* FOUND_DHCP or FOUND_DNS: the signal that crossed */
	char vendor[FOUND_VENDOR_MAX]; /* the hint's vendor, e.g. "Hikvision" */
	/*
	 * The evidence, printable (escaped as decode/dhcp.h and name_escape()
	 * escape), cut with "...": "hostname=DS-2CD2143G2-I vendor_class=udhcp
	 * 1.36.1 parameters=1,3,6,12,15,28,42" (what matched), or "dns:
	 * dev.hik-connect.com, litedev.ezvizlife.com" (newest first).
	 */
	char detail[HINTS_DETAIL_MAX];
};

/* hints_init - room for max_hosts hosts (at least 1).  0, -EINVAL or -ENOMEM. */
int hints_init(struct hint_table *t, size_t max_hosts);
void hints_fini(struct hint_table *t);

/*
 * hints_flush - forget what the hosts' DNS showed, keeping which hosts were
 * identified: call it when the policy changes (a host's names are matched
 * against the hints by their index).  The table also flushes itself when
 * it is called with another policy than before.
 */
void hints_flush(struct hint_table *t);

/*
 * hints_dhcp - a DHCP request r sent from MAC mac (its chaddr must be mac)
 * under policy p (whose identify lists "dhcp").  True when the host is now
 * identified, with *out written; false otherwise, and for a host already
 * reported.
 */
bool hints_dhcp(struct hint_table *t, const struct policy *p, const uint8_t mac[6],
		const struct dhcp_request *r, uint64_t now, struct hint_found *out);

/*
 * hints_dns - a DNS query for qname (dotted, as decode/dns.c gives it)
 * from MAC mac under policy p (whose identify lists "dns").  True when the
 * host is now identified, with *out written; false otherwise, and for a
 * host already reported.
 */
bool hints_dns(struct hint_table *t, const struct policy *p, const uint8_t mac[6],
	       const char *qname, uint64_t now, struct hint_found *out);

#endif
