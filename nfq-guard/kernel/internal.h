/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * internal.h - what the kernel folder's files share and nothing outside
 * uses: the ruleset as data (ruleset.c), read by the printer (render.c) and
 * the batch builder (batch.c), and the mask check (mark.c).
 */
#ifndef NFQG_KERNEL_INTERNAL_H
#define NFQG_KERNEL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

#define IFNAME_LEN 16  /* IFNAMSIZ: names are compared zero-padded */
#define SET_SIZE 65536 /* elements of a dynamic (timeout) set */

/*
 * Each rule is described once, as a short list of steps; the same list is
 * printed in nft syntax and built into libnftnl expressions, so `nfq-guard
 * rules` shows exactly what is installed.
 */
enum step_kind {
	S_NFPROTO,	/* meta nfproto ipv4|ipv6 (v: 4 or 6) */
	S_L4PROTO,	/* meta l4proto v */
	S_SPORT,	/* th sport v */
	S_DPORT,	/* th dport v */
	S_QUIC_INITIAL, /* udp length >= 1208 @th,64,8 & 0xe0 == 0xc0: a v1 or v2 Initial's first byte */
	S_ETHER_SADDR_IN, /* ether saddr @s (with meta iiftype ether) */
	S_SADDR_IN,	  /* ip[6] saddr @s (v: family) */
	S_IIFNAME_IN,	  /* iifname @s */
	S_DADDR_IN,	  /* ip[6] daddr @s */
	S_CT_ORIGINAL,	  /* ct direction original */
	S_CT_ESTABLISHED, /* ct state established,related */
	S_CT_UNTRUSTED,	  /* ct state invalid,untracked: conntrack does not follow it */
	S_MARK_NONE,	  /* meta mark & mask == 0: no verdict on this packet */
	S_CT_MARK_IS,	  /* ct mark & mask == mark(v) */
	S_MARK_IS,	  /* meta mark & mask == mark(v) */
	S_CT_MARK_SET,	  /* ct mark set ct mark & ~mask | mark(v) */
	S_SEEN_UPDATE,	  /* update @s { ip[6] saddr } (v: family) */
	S_BLOCK_IN,	  /* ip saddr . l4proto . th dport . ip daddr @s (v: family) */
	S_BLOCK_UPDATE,	  /* update @s { the same } */
	S_REJECT,	  /* reject with tcp reset (v: 6) or icmpx admin-prohibited */
	S_COUNTER,
	S_ACCEPT,
	S_DROP,
	S_JUMP, /* jump s */
	S_QUEUE,
	S_LOG, /* log group (the nft_config's log_group): a copy to the daemon, the packet goes on */
	S_END,
};

struct step {
	enum step_kind k;
	uint32_t v;
	const char *s;
};

#define STEPS_MAX 8

struct rule_desc {
	const char *chain;
	struct step steps[STEPS_MAX];
	unsigned int identify; /* IDENTIFY_* bits: in the table only when the policy reads one */
};

struct chain_desc {
	const char *name;
	int hook; /* -1: a regular chain */
	int prio;
};

struct set_desc {
	const char *name;
	uint8_t fam;	  /* 4 or 6 for the split tables; 0: both */
	const char *type; /* as nft prints it */
	uint32_t key_type, key_len;
	bool interval, dynamic, block;
	bool ifname; /* the devices' interfaces (exact names) */
	bool found;  /* the devices found by their behaviour (nft_config's found) */
};

/* The table's chains, rules (in order) and sets. */
extern const struct chain_desc ruleset_chains[];
extern const size_t ruleset_nchains;
extern const struct rule_desc ruleset_rules[];
extern const size_t ruleset_nrules;
extern const struct set_desc ruleset_sets[];
extern const size_t ruleset_nsets;

/* 4 or 6 when a rule is about one IP family, 0 when about both. */
int ruleset_rule_family(const struct rule_desc *d);

/* Does a set or rule of family f (0: both) belong in a table of family fam (0: inet)? */
bool ruleset_in_table(int fam, int f);

/* ruleset_rule_wanted - is the rule in c's table (an identify rule only when c reads it)? */
struct nft_config;
bool ruleset_rule_wanted(const struct rule_desc *d, const struct nft_config *c);

/* An interval of addresses (MAC, IPv4 or IPv6), both ends included. */
struct range {
	uint8_t lo[16], hi[16];
};

/*
 * ruleset_ranges - the elements of interval set `set` for policy p, as
 * sorted, merged intervals (an interval set refuses overlapping elements):
 * *n of them, *len bytes each.  NULL when out of memory; free() after.
 */
struct range *ruleset_ranges(const struct policy *p, const char *set, size_t *n, size_t *len);

/* The shift of mask's lowest bit, or -1 when it cannot hold a verdict and a generation. */
int mark_shift(uint32_t mask);

#endif
