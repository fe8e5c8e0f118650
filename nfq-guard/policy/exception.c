// SPDX-License-Identifier: GPL-2.0-or-later
/* exception.c - run-time exceptions: their arguments, and their rules (see exception.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/proto.h"
#include "policy/exception.h"
#include "policy/internal.h"

static int fail(char *err, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t sz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, sz, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int duration_parse(const char *s, int64_t *secs, char *err, size_t errsz)
{
	static const struct {
		char unit;
		int64_t secs;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	const char *p = s;
	int64_t n = 0;

	while (*p >= '0' && *p <= '9' && n <= EXCEPTION_MAX_SECONDS)
		n = n * 10 + (*p++ - '0');
	for (size_t i = 0; p != s && p[0] && !p[1] && i < sizeof(units) / sizeof(units[0]); i++) {
		if (*p != units[i].unit)
			continue;
		if (n > EXCEPTION_MAX_SECONDS / units[i].secs || n * units[i].secs < 1)
			return fail(err, errsz, "duration '%s': from 1s to 30d", s);
		*secs = n * units[i].secs;
		return 0;
	}
	return fail(err, errsz, "duration '%s': a number and a unit, like 30s, 10m, 2h or 1d", s);
}

/* Copy v into a field of size sz, or say it is too long. */
static int copy_field(char *dst, size_t sz, const char *v, const char *what, char *err,
		      size_t errsz)
{
	if (strlen(v) >= sz)
		return fail(err, errsz, "%s '%.40s...' is too long (at most %zu bytes)", what, v,
			    sz - 1);
	/* printable ASCII: it reaches terminals, logs and the state file as it is */
	for (const char *c = v; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			return fail(err, errsz, "%s: use printable ASCII only", what);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int parse_port(struct exception_spec *s, const char *v, char *err, size_t errsz)
{
	char *end;
	long n;

	if (s->nport >= EXCEPTION_ITEMS)
		return fail(err, errsz, "at most %d --port", EXCEPTION_ITEMS);
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 1 || n > 65535)
		return fail(err, errsz, "--port '%s': use 1-65535", v);
	s->port[s->nport++] = (uint16_t)n;
	return 0;
}

static int parse_proto(struct exception_spec *s, const char *v, char *err, size_t errsz)
{
	if (!strcmp(v, "tcp"))
		s->proto = IPPROTO_NUM_TCP;
	else if (!strcmp(v, "udp"))
		s->proto = IPPROTO_NUM_UDP;
	else if (!strcmp(v, "icmp"))
		s->proto = IPPROTO_NUM_ICMP;
	else
		return fail(err, errsz, "--proto '%s': use tcp, udp or icmp", v);
	return 0;
}

/* One option with its value. */
static int parse_option(struct exception_spec *s, const char *opt, const char *v, char *err,
			size_t errsz)
{
	if (!strcmp(opt, "--for"))
		return duration_parse(v, &s->seconds, err, errsz);
	if (!strcmp(opt, "--to")) {
		if (s->nto >= EXCEPTION_ITEMS)
			return fail(err, errsz, "at most %d --to", EXCEPTION_ITEMS);
		return copy_field(s->to[s->nto++], EXCEPTION_TO_MAX, v, "--to", err, errsz);
	}
	if (!strcmp(opt, "--domain")) {
		struct domain_set *ds;
		int e;

		if (s->ndomain >= EXCEPTION_ITEMS)
			return fail(err, errsz, "at most %d --domain", EXCEPTION_ITEMS);
		ds = domain_set_new();
		if (!ds)
			return -ENOMEM;
		e = domain_set_add(ds, v);
		domain_set_free(ds);
		if (e == -EINVAL)
			return fail(err, errsz,
				    "--domain '%.80s' is not a domain name or *.domain pattern", v);
		if (e)
			return e;
		return copy_field(s->domain[s->ndomain++], sizeof(s->domain[0]), v, "--domain", err,
				  errsz);
	}
	if (!strcmp(opt, "--port"))
		return parse_port(s, v, err, errsz);
	if (!strcmp(opt, "--proto"))
		return parse_proto(s, v, err, errsz);
	if (!strcmp(opt, "--reason"))
		return copy_field(s->reason, sizeof(s->reason), v, "--reason", err, errsz);
	return fail(err, errsz, "unknown option '%.40s'", opt);
}

int exception_parse_args(int argc, char *const *argv, struct exception_spec *s, char *err,
			 size_t errsz)
{
	uint8_t mac[6];
	int i, e;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < argc; i++) {
		if (argv[i][0] != '-' || !argv[i][1]) {
			if (s->device[0])
				return fail(err, errsz, "one DEVICE, not '%.40s' too", argv[i]);
			e = copy_field(s->device, sizeof(s->device), argv[i], "DEVICE", err, errsz);
			if (e)
				return e;
			continue;
		}
		if (i + 1 >= argc)
			return fail(err, errsz, "%.40s needs a value", argv[i]);
		e = parse_option(s, argv[i], argv[i + 1], err, errsz);
		if (e)
			return e;
		i++;
	}
	if (!s->device[0])
		return fail(err, errsz, "name the DEVICE: a MAC address or a group");
	if (!s->seconds)
		return fail(err, errsz, "say for how long: --for DURATION (30s, 10m, 2h, 1d)");
	if (s->proto == IPPROTO_NUM_ICMP && s->nport)
		return fail(err, errsz, "--port does not go with --proto icmp");
	/* a MAC is kept as everywhere in nfq-guard: lower-case, colons */
	if (mac_parse(s->device, mac) == 0)
		snprintf(s->device, sizeof(s->device), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
			 mac[1], mac[2], mac[3], mac[4], mac[5]);
	else if (!policy_valid_name(s->device))
		return fail(err, errsz, "DEVICE '%s' is neither a MAC address nor a group name",
			    s->device);
	return 0;
}

static int group_index(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->ndevices; i++)
		if (!strcmp(p->devices[i].name, name))
			return (int)i;
	return -1;
}

/* One --to: "any", "wan", a network of p, an address or a CIDR. */
static int compile_to(const struct policy *p, struct rule *r, const char *v, char *err,
		      size_t errsz)
{
	struct cidr x, *grown;
	size_t add = 1;
	const struct network *net = NULL;

	if (!strcmp(v, "any") || !strcmp(v, "*")) {
		r->to_flags |= TO_ANY;
		return 0;
	}
	if (!strcmp(v, "wan")) {
		r->to_flags |= TO_WAN;
		return 0;
	}
	for (size_t i = 0; i < p->nnetworks && !net; i++)
		if (!strcmp(p->networks[i].name, v))
			net = &p->networks[i];
	if (net)
		add = net->ncidrs;
	else if (cidr_parse(v, &x))
		return fail(err, errsz,
			    "--to '%s' is not an address, a CIDR, wan, any or a network of the "
			    "policy",
			    v);
	grown = realloc(r->to, (r->nto + add) * sizeof(*r->to));
	if (!grown)
		return -ENOMEM;
	r->to = grown;
	if (net)
		memcpy(r->to + r->nto, net->cidrs, add * sizeof(*r->to));
	else
		r->to[r->nto] = x;
	r->nto += add;
	return 0;
}

/* Who: a group of p, or a MAC that is in one (other hosts are not filtered at all). */
static int compile_device(const struct policy *p, const struct exception_spec *s,
			  struct exception_rule *x, char *err, size_t errsz)
{
	struct device_key k = { .has_mac = true };
	int g;

	if (mac_parse(s->device, x->mac) == 0) {
		x->by_mac = true;
		memcpy(k.mac, x->mac, 6);
		if (!policy_identify(p, &k, NULL))
			return fail(err, errsz,
				    "%s is in no device group of the policy: its traffic is not "
				    "filtered, so there is nothing to allow",
				    s->device);
		x->r.from_any = true;
		return 0;
	}
	g = group_index(p, s->device);
	if (g < 0)
		return fail(err, errsz, "no device group '%s' in the policy", s->device);
	x->r.from = 1ull << g;
	return 0;
}

int exception_compile(const struct policy *p, struct exception_spec *s, struct exception_rule *x,
		      char *err, size_t errsz)
{
	struct rule *r = &x->r;
	int e;

	memset(x, 0, sizeof(*x));
	snprintf(r->name, sizeof(r->name), "exception:%u", s->id);
	r->exception = s->id ? s->id : UINT32_MAX;
	r->action = ACTION_ALLOW;
	r->log = true;
	r->proto = s->proto;
	x->until = &s->until;
	x->flows = &s->flows;
	e = compile_device(p, s, x, err, errsz);
	for (size_t i = 0; !e && i < s->nto; i++)
		e = compile_to(p, r, s->to[i], err, errsz);
	if (!s->nto)
		r->to_flags |= s->ndomain ? TO_ANY : TO_WAN;
	if (!e && s->nport) {
		r->ports = calloc(s->nport, sizeof(*r->ports));
		if (!r->ports)
			e = -ENOMEM;
		for (size_t i = 0; !e && i < s->nport; i++)
			r->ports[r->nports++] = (struct port_range){ s->port[i], s->port[i] };
	}
	if (!e && s->ndomain) {
		r->domains = domain_set_new();
		if (!r->domains)
			e = -ENOMEM;
		for (size_t i = 0; !e && i < s->ndomain; i++)
			if (domain_set_add(r->domains, s->domain[i]))
				e = fail(err, errsz, "--domain '%s' is not a domain pattern",
					 s->domain[i]);
	}
	if (e == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	if (e)
		exception_rule_free(x);
	return e;
}

void exception_rule_free(struct exception_rule *x)
{
	free(x->r.to);
	free(x->r.ports);
	domain_set_free(x->r.domains);
	memset(x, 0, sizeof(*x));
}

void exception_set_free(struct exception_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		exception_rule_free(&set->v[i]);
	free(set->v);
	free(set);
}

bool exception_matches_device(const struct exception_rule *x, uint64_t groups, const uint8_t *mac)
{
	if (x->by_mac)
		return mac && !memcmp(mac, x->mac, 6);
	return (x->r.from & groups) != 0;
}

void exception_what(const struct exception_spec *s, char *buf, size_t sz)
{
	size_t n = 0;
	int k;

#define PUT(...)                                                         \
	do {                                                             \
		k = snprintf(buf + n, n < sz ? sz - n : 0, __VA_ARGS__); \
		n += k > 0 ? (size_t)k : 0;                              \
	} while (0)
	buf[0] = '\0';
	if (!s->nto)
		PUT("%s", s->ndomain ? "any" : "wan");
	for (uint8_t i = 0; i < s->nto; i++)
		PUT("%s%s", i ? "," : "", s->to[i]);
	if (s->proto)
		PUT(" %s", s->proto == IPPROTO_NUM_TCP ? "tcp" :
			   s->proto == IPPROTO_NUM_UDP ? "udp" :
							 "icmp");
	for (uint8_t i = 0; i < s->nport; i++)
		PUT("%s%u", i ? "," : s->proto ? "/" : " port ", s->port[i]);
	for (uint8_t i = 0; i < s->ndomain; i++)
		PUT("%s%s", i ? "," : " domain ", s->domain[i]);
#undef PUT
}
