/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exception.h - run-time exceptions (`nfq-guard allow`): a device (a MAC or
 * a group) may reach some destinations (addresses, networks, wan, domain
 * patterns; ports, a protocol) until a time.  An exception is kept as the
 * admin gave it (struct exception_spec: what `exceptions` lists and the
 * state file holds) and compiled against the running policy into a rule
 * (struct exception_rule) that the engine checks before the policy's
 * rules.  Pure: no I/O, no clock (times come in).
 */
#ifndef NFQG_EXCEPTION_H
#define NFQG_EXCEPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

#define EXCEPTION_MAX 256		   /* at once */
#define EXCEPTION_MAX_SECONDS (30 * 86400) /* the longest --for */
#define EXCEPTION_ITEMS 16		   /* --to, --domain, --port: each at most */
#define EXCEPTION_TO_MAX 64		   /* an address, a CIDR or a network's name */
#define EXCEPTION_REASON_MAX 200
#define EXCEPTION_ERR_MAX 256
#define EXCEPTION_ID_MAX 999999999 /* ids count up to here, then the lowest free is taken */

struct exception_spec {
	uint32_t id;
	char device[POLICY_NAME_MAX]; /* a MAC, lower-case with colons, or a group's name */
	char to[EXCEPTION_ITEMS][EXCEPTION_TO_MAX];
	uint8_t nto; /* none and no domains: wan */
	char domain[EXCEPTION_ITEMS][NAME_MAX_LEN + 3];
	uint8_t ndomain;
	uint16_t port[EXCEPTION_ITEMS];
	uint8_t nport;
	uint8_t proto; /* 0: any */
	char reason[EXCEPTION_REASON_MAX];
	int64_t seconds;	/* --for */
	int64_t created, until; /* s since the epoch */
	uint32_t uid;		/* who asked (the control socket's peer) */
	uint64_t flows;		/* flows it decided: the workers add to it (atomic) */
	/* not kept in the state file: */
	bool revoked;	     /* ended by `revoke` (its until is then the time) */
	uint64_t boot_until; /* ms since boot when it ends, whatever the wall clock does */
	uint32_t revoked_by; /* ... by this uid */
};

/* A spec compiled against a policy: the rule the engine checks first. */
struct exception_rule {
	struct rule r; /* first: a decision's rule leads back here */
	bool by_mac;
	uint8_t mac[6];
	const int64_t *until; /* the spec's: `revoke` moves it to now (atomic) */
	uint64_t *flows;      /* the spec's counter */
};

struct exception_set {
	size_t n;
	struct exception_rule *v;
};

/* exception_of - the exception a decision's rule r is, or NULL for a policy rule. */
static inline struct exception_rule *exception_of(const struct rule *r)
{
	return r && r->exception ? (struct exception_rule *)(void *)r : NULL;
}

/*
 * duration_parse - "30s", "10m", "2h", "1d" (a number and one unit; at
 * least 1 s, at most EXCEPTION_MAX_SECONDS) into *secs.  0, or -EINVAL
 * with why in err.
 */
int duration_parse(const char *s, int64_t *secs, char *err, size_t errsz);

/*
 * exception_parse_args - the arguments of `allow` (DEVICE --for DURATION
 * [--to X]... [--domain P]... [--port N]... [--proto P] [--reason TEXT])
 * into *s, checked for shape only (no policy needed).  0, or -EINVAL with
 * why in err.
 */
int exception_parse_args(int argc, char *const *argv, struct exception_spec *s, char *err,
			 size_t errsz);

/*
 * exception_compile - s against policy p into *x (freed with
 * exception_rule_free): the device must be a group of p or a MAC in one,
 * each --to an address, a CIDR, a network of p, "wan" or "any".  0, or
 * -EINVAL / -ENOMEM with why in err.
 */
int exception_compile(const struct policy *p, struct exception_spec *s, struct exception_rule *x,
		      char *err, size_t errsz);
void exception_rule_free(struct exception_rule *x);

/* exception_set_free - free a set exception_compile's rules were gathered into (NULL: none). */
void exception_set_free(struct exception_set *set);

/* exception_matches_device - does x apply to the device with groups (and MAC, or NULL)? */
bool exception_matches_device(const struct exception_rule *x, uint64_t groups, const uint8_t *mac);

/*
 * exception_what - what s lets through, as text ("wan", "to 192.0.2.1,
 * nvr tcp/443 domain *.example.com") into buf.
 */
void exception_what(const struct exception_spec *s, char *buf, size_t sz);

#endif
