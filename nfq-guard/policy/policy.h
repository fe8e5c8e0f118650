/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.h - the policy file (libconfig syntax, nfq-guard.conf(5)) compiled
 * into an immutable structure: networks, device groups with their MAC,
 * vendor-prefix, address and interface selectors, and the ordered rules.
 * A policy is built whole or not at all; errors come back as
 * "FILE:LINE: message", every one of them.
 */
#ifndef NFQG_POLICY_H
#define NFQG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "policy/domains.h"
#include "base/netaddr.h"
#include "policy/vendors.h"

/* the Makefile passes $(SYSCONFDIR)/nfq-guard/nfq-guard.conf */
#ifndef POLICY_DEFAULT_PATH
#define POLICY_DEFAULT_PATH "/etc/nfq-guard/nfq-guard.conf"
#endif
#define POLICY_EVENTS_DEFAULT "/var/log/nfq-guard/events.json"
#define POLICY_STATE_DEFAULT "/var/lib/nfq-guard/state.json"
#define POLICY_MAX_DEVICES 64 /* device groups (a 64-bit mask) */
#define POLICY_MAX_RULES 4096
#define POLICY_MAX_DEVICE_TABLE 65536 /* limits.devices at most: the kernel sets hold as many */
#define POLICY_MAX_NETWORKS 64
#define POLICY_MAX_LIST 65536	   /* entries of one list (CIDRs, MACs, ports) */
#define POLICY_MAX_DOMAINS 1000000 /* domain patterns in the whole policy */
#define POLICY_MAX_ERRORS 100	   /* reported; the rest are counted */
#define POLICY_NAME_MAX 64
#define POLICY_INCLUDE_DEPTH 8

enum action {
	ACTION_ALLOW = 0,
	ACTION_DROP,
	ACTION_REJECT,
	ACTION_LOG, /* allow, and record it */
};

enum match_kind {
	MATCH_NONE = 0,
	MATCH_MAC,
	MATCH_OUI,
	MATCH_VENDOR,
	MATCH_IP,
	MATCH_IFACE,
	MATCH_FOUND, /* its behaviour showed a vendor a group names (identify) */
};

/*
 * How a device was found out by its behaviour (top-level key identify):
 * what it announced (SADP, DHIP, ONVIF WS-Discovery) or what it hinted
 * (DHCP, DNS).  The IDENTIFY_* bits are the policy's identify list.
 */
enum found_by {
	FOUND_NONE = 0,
	FOUND_SADP,
	FOUND_DHIP,
	FOUND_ONVIF,
	FOUND_DHCP,
	FOUND_DNS,
};

#define IDENTIFY_DISCOVERY 0x1
#define IDENTIFY_DHCP 0x2
#define IDENTIFY_DNS 0x4

#define FOUND_VENDOR_MAX 64 /* the vendor a device's behaviour showed, NUL included */

const char *found_by_str(enum found_by b);

#define POLICY_MAX_HINTS 32	     /* identify_hints entries (a 32-bit mask) */
#define POLICY_HINT_PATTERNS_MAX 256 /* patterns in one dhcp_* list of a hint */
/* a pattern's bytes, NUL included: as long as the DHCP text it is matched against */
#define POLICY_HINT_PATTERN_MAX 64
#define POLICY_HINT_PARAMS_MAX 64 /* options in one parameter request list */

/* A DHCP parameter request list (option 55) a hint names, in its order. */
struct hint_params {
	uint8_t n;
	uint8_t v[POLICY_HINT_PARAMS_MAX];
};

/*
 * How one vendor's cameras behave in DHCP and DNS (top-level key
 * identify_hints): what a host that is no device yet is compared with
 * (engine/hints.h scores it).  Text patterns are printable ASCII matched
 * ignoring case, '*' standing for any run of characters, against the
 * escaped text of the request (decode/dhcp.h).
 */
struct identify_hint {
	char name[POLICY_NAME_MAX];
	char vendor[FOUND_VENDOR_MAX]; /* what a host it identifies is found as */
	const char *file;	       /* and line in it: where the hint is defined */
	unsigned int line;
	unsigned int xline;			    /* in the expanded text */
	char (*hostnames)[POLICY_HINT_PATTERN_MAX]; /* dhcp_hostname */
	size_t nhostnames;
	char (*vendor_classes)[POLICY_HINT_PATTERN_MAX]; /* dhcp_vendor_class */
	size_t nvendor_classes;
	struct hint_params *params; /* dhcp_parameters */
	size_t nparams;
	struct domain_set *domains; /* domain and domain_file; NULL: none */
};

/* A MAC prefix a device group names, explicitly (oui) or through a vendor. */
struct group_prefix {
	struct oui_prefix prefix;
	enum match_kind kind; /* MATCH_MAC, MATCH_OUI or MATCH_VENDOR */
	const char *org;      /* for MATCH_VENDOR: the registry's organisation */
	const char *needle;   /* for MATCH_VENDOR: the policy's vendor string */
};

#define POLICY_LABEL_MAX 64
#define POLICY_MAX_LABELS 65536

/* A label of the admin's for one camera (top-level key labels). */
struct device_label {
	uint8_t mac[6];
	char label[POLICY_LABEL_MAX];
	unsigned int line;  /* in its file */
	unsigned int xline; /* in the expanded text */
};

struct device_group {
	char name[POLICY_NAME_MAX];
	const char *file; /* and line in it: where the group is defined */
	unsigned int line;
	unsigned int xline;	       /* in the expanded text */
	struct group_prefix *prefixes; /* sorted by address; MACs are /48 */
	size_t nprefixes;
	struct cidr *ips;
	size_t nips;
	char (*ifaces)[IF_NAMESIZE];
	size_t nifaces;
	size_t nvendor_prefixes; /* prefixes resolved from vendor strings */
};

#define TO_ANY 0x1
#define TO_WAN 0x2 /* neither lan nor router */

struct port_range {
	uint16_t lo, hi;
};

#define WEEK_MINUTES (7 * 1440)

/*
 * A rule's window (key schedule): on days (bit 0 Monday .. bit 6 Sunday),
 * from minute from to minute to of the day, local time.  from > to: the
 * window runs past midnight into the next day, which belongs to the day it
 * began on.
 */
struct schedule {
	uint8_t days;
	uint16_t from, to; /* 0..1439; to may be 1440 ("24:00") */
};

/*
 * schedule_parse_hhmm - "HH:MM" as minutes of the day (end: "24:00" is
 * 1440 too), or -EINVAL.  schedule_day - "mon".."sun" as 0..6, or -1;
 * schedule_day_str the other way.
 */
int schedule_parse_hhmm(const char *s, bool end);
int schedule_day(const char *s);
const char *schedule_day_str(int day);

/* schedule_open - is the window open at minute wm of the local week (0: Monday 00:00)? */
static inline bool schedule_open(const struct schedule *s, int wm)
{
	int day = wm / 1440, m = wm % 1440, prev = (day + 6) % 7;

	if (s->from < s->to)
		return (s->days >> day & 1) && m >= s->from && m < s->to;
	return ((s->days >> day & 1) && m >= s->from) || ((s->days >> prev & 1) && m < s->to);
}

struct rule {
	char name[POLICY_NAME_MAX];
	const char *file; /* and line in it */
	unsigned int line;
	unsigned int xline; /* in the expanded text */
	bool from_any;
	uint64_t from;	       /* device groups (bit i: devices[i]) */
	unsigned int to_flags; /* TO_ANY, TO_WAN */
	struct cidr *to;       /* other destinations: CIDRs and named networks */
	size_t nto;
	uint8_t proto;		  /* 0: any; IPPROTO_NUM_TCP/UDP; 1 for icmp (and icmpv6) */
	struct port_range *ports; /* none: any port */
	size_t nports;
	struct domain_set *domains; /* NULL: no domain condition */
	enum action action;
	bool log;
	bool has_schedule;
	struct schedule sched;
	uint32_t exception; /* a run-time exception's id (exception.h); 0: the policy's rule */
};

/* Every group's MAC blocks in one sorted array, for one search per length. */
struct mac_index_entry {
	uint64_t key;	/* address (48 bits) << 8 | prefix length */
	uint32_t group; /* index into devices */
	const struct group_prefix *prefix;
};

struct network {
	char name[POLICY_NAME_MAX];
	const char *file; /* and line in it */
	unsigned int line;
	unsigned int xline; /* in the expanded text */
	struct cidr *cidrs;
	size_t ncidrs;
};

struct policy {
	char *path;
	bool monitor;	  /* mode = "monitor": decide and log, drop nothing */
	enum action dflt; /* verdict when no rule matches */
	bool dflt_log;
	struct network *networks;
	size_t nnetworks;
	const struct network *lan, *router; /* may be NULL */
	struct device_group *devices;
	size_t ndevices;
	bool have_vendors; /* some group names a vendor (a found device may join it) */
	struct mac_index_entry *mac_index; /* sorted by key, group, kind */
	size_t nmac_index;
	uint32_t *mac_hash; /* key -> 1 + first index of it; 0: empty */
	size_t mac_hash_mask;
	struct device_label *labels; /* sorted by MAC */
	size_t nlabels;
	struct rule *rules;
	size_t nrules;
	size_t ndomains;	     /* patterns over all rules and identify hints */
	size_t nregistry;	     /* registry entries loaded */
	uint32_t name_ttl_floor;     /* seconds a learned name lives at least */
	uint32_t max_names;	     /* learned (device, address) entries */
	uint32_t max_devices;	     /* device addresses seen, devices listed (limits.devices) */
	uint32_t max_flows;	     /* decided flows remembered */
	uint32_t max_found;	     /* devices found by their behaviour (limits.found) */
	uint32_t dns_window;	     /* s: identify's DNS hint counts names this long ... */
	uint32_t dns_dwell;	     /* s: ... and must hold this long (limits.identify_dns_*) */
	unsigned int identify;	     /* IDENTIFY_* bits: the signals that find devices */
	struct identify_hint *hints; /* identify_hints, in the file's order */
	size_t nhints;
	uint32_t max_pending_flows; /* flows waiting for their name at once */
	uint32_t pending_packets;   /* a waiting flow is decided after this many */
	uint32_t pending_seconds;   /* ... or this long */
	bool fail_open;		    /* fail = "open": traffic passes while no daemon answers */
	char *events;		    /* the event log's path */
	uint32_t events_interval;   /* s: one line, then a count, per device and rule (0: all) */
	char *metrics;		    /* the Prometheus textfile's path, or NULL */
	char *state;		    /* the state file's path (exceptions, learned devices) */
	uint32_t metrics_interval;  /* s between two writes of it */
	uint32_t queue_num;	    /* queue.num */
	uint32_t queue_threads;	    /* queue.threads: queues num..num+threads-1, a thread each */
	struct registry *registry;
	char **strings; /* copies of policy text the structure points to */
	size_t nstrings;
	char **files; /* the files read: what file pointers above point to */
	size_t nfiles;
};

struct policy_errors {
	char **lines; /* "FILE:LINE: message" */
	size_t n;
	size_t dropped; /* past POLICY_MAX_ERRORS */
};

/*
 * policy_load - read and compile the policy file at path (with its
 * @include files).  Returns the policy, or NULL with every problem in
 * *errs (which the caller frees with policy_errors_clear).
 */
struct policy *policy_load(const char *path, struct policy_errors *errs);

#define POLICY_NO_FILES 0x1 /* policy_compile_text: read no file the text names */

/*
 * policy_compile_text - compile the len bytes at text (need not end in NUL)
 * as policy_load() compiles a file called name: name is the file errors
 * name ("NAME:LINE: message") and the place relative paths start from, so
 * an @include or vendors.registry path without a '/' in name is taken from
 * the current directory, just as for a file name in it.  With flags
 * POLICY_NO_FILES nothing is read: each @include and each vendors.registry
 * is an error, and the system's registries are not loaded (so a vendor
 * name matches nothing) - for tests and fuzzers.  Returns the policy, or
 * NULL with every problem in *errs.
 */
struct policy *policy_compile_text(const char *name, const char *text, size_t len,
				   unsigned int flags, struct policy_errors *errs);
void policy_free(struct policy *p);
void policy_errors_clear(struct policy_errors *errs);

/*
 * policy_lint - the warnings of `nfq-guard check` for a policy that
 * compiled, into *w (freed with policy_errors_clear), each
 * "FILE:LINE: warning: message": a rule an earlier rule always decides
 * first, a group no rule names (when rules name groups), two groups that
 * take the same devices equally specifically, a vendor string matching
 * several organisations, documentation and shipped example addresses, an
 * identify hint whose vendor no group's vendor string names.
 */
void policy_lint(const struct policy *p, struct policy_errors *w);

/* One organisation a vendor string of a group matched (policy_vendor_orgs). */
struct vendor_org {
	const char *org;       /* as the registry spells it (the first block's) */
	unsigned int prefixes; /* the blocks of it the string took */
	char key[128];	       /* the name without case, punctuation, "Co. Ltd." and the like */
};

/* The distinct vendor strings of g (up to max), in the order of their first block. */
size_t policy_group_vendors(const struct device_group *g, const char **out, size_t max);

/*
 * policy_vendor_orgs - the organisations vendor string needle (as
 * policy_group_vendors gave it) of g matched, up to max, one per key; the
 * blocks of organisations past max are counted in *more.
 */
size_t policy_vendor_orgs(const struct device_group *g, const char *needle, struct vendor_org *out,
			  size_t max, size_t *more);

const char *action_str(enum action a);

/* Whether a stops the flow: drop or reject. */
static inline bool action_blocks(enum action a)
{
	return a == ACTION_DROP || a == ACTION_REJECT;
}

/*
 * How strict a verdict is, as a packet that does not decode gets the
 * strictest a rule could give it: drop, then reject, log, allow.
 */
static inline int action_strictness(enum action a)
{
	return a == ACTION_DROP ? 3 : a == ACTION_REJECT ? 2 : a == ACTION_LOG ? 1 : 0;
}
const char *match_kind_str(enum match_kind k);

/* The device to identify: what a packet tells about its sender. */
struct device_key {
	bool has_mac;
	uint8_t mac[6];
	uint8_t family; /* 0: no address */
	uint8_t addr[16];
	char iface[IF_NAMESIZE]; /* "" when unknown */
	/*
	 * What its behaviour showed (the daemon's table of found devices):
	 * every group whose vendor strings match found_vendor takes it, as if
	 * its OUI were that vendor's.  FOUND_NONE: nothing.
	 */
	enum found_by found_by;
	char found_vendor[FOUND_VENDOR_MAX];
};

/* How one group matched a device (policy_identify). */
struct group_match {
	enum match_kind kind;
	const struct group_prefix *prefix; /* MAC, OUI, VENDOR */
	const struct cidr *cidr;	   /* IP */
};

/*
 * policy_identify - the device groups the key belongs to (bit i for
 * p->devices[i]), 0 for a host that is no device.  how (if not NULL, with
 * POLICY_MAX_DEVICES entries) receives how each group matched: an exact
 * MAC first, then the longest MAC prefix, then address, then interface.
 */
uint64_t policy_identify(const struct policy *p, const struct device_key *key,
			 struct group_match *how);

/*
 * policy_naming_group - of the groups in the mask, the one that names the
 * device: the most specific match (exact MAC, then the longest MAC prefix,
 * then vendor, then the longest address prefix, then interface), the
 * first in the file among equals; -1 for none.  how is policy_identify's
 * (NULL: the first group).
 */
int policy_naming_group(const struct policy *p, uint64_t groups, const struct group_match *how);

/* policy_label - the label the policy gives the MAC, or NULL. */
const char *policy_label(const struct policy *p, const uint8_t mac[6]);

/* group_match_format - what matched, as text: the MAC prefix or the network ("" for iface). */
void group_match_format(const struct group_match *m, char *buf, size_t sz);

#endif
