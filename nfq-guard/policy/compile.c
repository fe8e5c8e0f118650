/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compile.c - the expanded policy text, parsed by libconfig, compiled into
 * struct policy (see policy.h and nfq-guard.conf(5)): the settings
 * helpers, the top-level keys, networks and rules (devices: devices.c).
 * Every problem is reported, not just the first; a policy with any error
 * is not built.
 */
#include <errno.h>
#include <libconfig.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/proto.h"
#include "policy/internal.h"

/* --- settings ------------------------------------------------------------ */

/* The name of a table's entry: a table of keys starts each entry with it. */
static const char *entry_name(const void *table, size_t stride, size_t i)
{
	return *(const char *const *)(const void *)((const char *)table + i * stride);
}

struct table_arg {
	const void *table;
	size_t stride;
};

static const char *table_name(const void *arg, size_t i)
{
	const struct table_arg *ta = arg;

	return entry_name(ta->table, ta->stride, i);
}

/*
 * Report every member of group that is not in the table of keys: entries
 * of stride bytes, each starting with its name, the last one NULL.
 */
static bool check_table(struct ctx *c, const config_setting_t *group, const void *table,
			size_t stride, const char *what)
{
	int i, n = config_setting_length(group);
	bool ok = true;

	for (i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(group, (unsigned int)i);
		const char *name = config_setting_name(s);
		size_t k;

		for (k = 0; entry_name(table, stride, k); k++)
			if (name && !strcmp(name, entry_name(table, stride, k)))
				break;
		if (!entry_name(table, stride, k)) {
			struct table_arg ta = { table, stride };
			const char *near = name ? hint_near(name, table_name, &ta) : NULL;

			if (near)
				err_set(c, s, "unknown key '%s' in %s (did you mean '%s'?)", name,
					what, near);
			else
				err_set(c, s, "unknown key '%s' in %s", name ? name : "?", what);
			ok = false;
		}
	}
	return ok;
}

bool setting_check_keys(struct ctx *c, const config_setting_t *group, const char *const *keys,
			const char *what)
{
	return check_table(c, group, keys, sizeof(*keys), what);
}

const char *setting_type_str(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "a number";
	case CONFIG_TYPE_FLOAT:
		return "a decimal number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "true/false";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	}
	return "something else";
}

/*
 * A setting that holds one string, or an array [ ] or list ( ) of strings:
 * call fn for each; at most POLICY_MAX_LIST (domain lists: as many as the
 * policy may hold).  Returns the number of strings, or -1 after reporting a
 * wrong type.
 */
int setting_each_string(struct ctx *c, const config_setting_t *s, const char *key, string_fn fn,
			void *arg)
{
	int i, n, type = config_setting_type(s);
	int max = !strcmp(key, "domain") ? POLICY_MAX_DOMAINS : POLICY_MAX_LIST;

	if (type == CONFIG_TYPE_STRING) {
		if (fn(c, s, config_setting_get_string(s), arg) == -ENOMEM)
			err_set(c, s, "out of memory");
		return 1;
	}
	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
		err_set(c, s, "'%s' must be a string or a list of strings, not %s", key,
			setting_type_str(type));
		return -1;
	}
	n = config_setting_length(s);
	if (n > max) {
		err_set(c, s, "'%s' has %d entries, more than %d", key, n, max);
		return -1;
	}
	for (i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned int)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			err_set(c, e, "'%s' entries must be strings, not %s", key,
				setting_type_str(config_setting_type(e)));
			continue;
		}
		if (fn(c, e, config_setting_get_string(e), arg) == -ENOMEM)
			err_set(c, e, "out of memory");
	}
	return n;
}

bool setting_get_string(struct ctx *c, const config_setting_t *group, const char *key,
			const char **out)
{
	config_setting_t *s = config_setting_get_member(group, key);

	if (!s)
		return false;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		err_set(c, s, "'%s' must be a string, not %s", key,
			setting_type_str(config_setting_type(s)));
		return false;
	}
	*out = config_setting_get_string(s);
	return true;
}

static bool setting_get_uint(struct ctx *c, const config_setting_t *group, const char *key,
			     unsigned long lo, unsigned long hi, uint32_t *out)
{
	config_setting_t *s = config_setting_get_member(group, key);
	long long v;

	if (!s)
		return false;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		err_set(c, s, "'%s' must be a number, not %s", key,
			setting_type_str(config_setting_type(s)));
		return false;
	}
	v = config_setting_get_int64(s);
	if (v < (long long)lo || v > (long long)hi) {
		err_set(c, s, "'%s' must be between %lu and %lu", key, lo, hi);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

bool policy_valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= POLICY_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.'))
			return false;
	}
	return true;
}

/* The words a string setting may hold and what each stands for; NULL ends. */
struct choice {
	const char *word;
	int value;
};

static const struct choice action_choices[] = {
	{ "allow", ACTION_ALLOW },
	{ "drop", ACTION_DROP },
	{ "reject", ACTION_REJECT },
	{ "log", ACTION_LOG },
	{ NULL, 0 },
};

/*
 * The string setting key of group, one of choices' words: its value into
 * *out.  False when it is absent, or after reporting a wrong type or word
 * ("KEY 'WORD': use A, B or C").
 */
static bool setting_get_choice(struct ctx *c, const config_setting_t *group, const char *key,
			       const struct choice *choices, int *out)
{
	char hint[128] = "";
	const char *v;
	size_t i, n;

	if (!setting_get_string(c, group, key, &v))
		return false;
	for (n = 0; choices[n].word; n++) {
		if (!strcmp(v, choices[n].word)) {
			*out = choices[n].value;
			return true;
		}
	}
	for (i = 0; i < n; i++)
		snprintf(hint + strlen(hint), sizeof(hint) - strlen(hint), "%s%s",
			 i == 0	   ? "" :
			 i + 1 < n ? ", " :
				     " or ",
			 choices[i].word);
	err_set(c, config_setting_get_member(group, key), "%s '%s': use %s", key, v, hint);
	return false;
}

/* The true/false setting key of group into *out; false when absent or wrong. */
static bool setting_get_bool(struct ctx *c, const config_setting_t *group, const char *key,
			     bool *out)
{
	config_setting_t *s = config_setting_get_member(group, key);

	if (!s)
		return false;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		err_set(c, s, "'%s' must be true or false", key);
		return false;
	}
	*out = config_setting_get_bool(s);
	return true;
}

/* A number setting: its bounds, its default and where it goes in struct policy. */
struct number_key {
	const char *name;
	uint32_t lo, hi, dflt;
	size_t off;
};

/* The default of each number in keys, then the value group gives it. */
static void compile_numbers(struct ctx *c, struct policy *p, const config_setting_t *group,
			    const struct number_key *keys)
{
	const struct number_key *k;

	for (k = keys; k->name; k++) {
		uint32_t *out = (uint32_t *)(void *)((char *)p + k->off);

		*out = k->dflt;
		if (group)
			setting_get_uint(c, group, k->name, k->lo, k->hi, out);
	}
}

/* --- networks ------------------------------------------------------------- */

/*
 * Room for one more after the n elements of size sz at v: lists hold a
 * power of two, doubled when full (one realloc per entry is quadratic for
 * long lists).  Returns the array, or NULL when out of memory.
 */
void *array_grow(void *v, size_t n, size_t sz)
{
	if (n & (n - 1))
		return v; /* n is not a power of two: the array has room */
	return realloc(v, (n ? 2 * n : 1) * sz);
}

int cidr_list_push(struct cidr_list *l, const struct cidr *x)
{
	struct cidr *v = array_grow(l->v, l->n, sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *x;
	return 0;
}

int cidr_list_add(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct cidr x;
	int r = cidr_parse(v, &x);

	if (r == -EBADMSG) {
		err_set(c, s, "'%s': address bits set past the prefix length", v);
		return r;
	}
	if (r) {
		err_set(c, s, "'%s' is not an address or CIDR prefix", v);
		return r;
	}
	return cidr_list_push(arg, &x);
}

static void compile_networks(struct ctx *c, struct policy *p, const config_setting_t *set)
{
	int i, n;

	if (config_setting_type(set) != CONFIG_TYPE_GROUP) {
		err_set(c, set, "'networks' must be a group { name = [ ... ]; }");
		return;
	}
	n = config_setting_length(set);
	if (n > POLICY_MAX_NETWORKS) {
		err_set(c, set, "more than %d networks", POLICY_MAX_NETWORKS);
		return;
	}
	p->networks = calloc((size_t)n, sizeof(*p->networks));
	if (n && !p->networks) {
		c->failed = true;
		return;
	}
	for (i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(set, (unsigned int)i);
		struct network *net = &p->networks[p->nnetworks];
		struct cidr_list l = { 0 };
		const char *name = config_setting_name(s);

		if (!strcmp(name, "wan") || !strcmp(name, "any")) {
			err_set(c, s,
				"'%s' cannot be defined: it is computed (wan = neither lan "
				"nor router)",
				name);
			continue;
		}
		if (strlen(name) >= POLICY_NAME_MAX) {
			err_set(c, s, "network name too long");
			continue;
		}
		setting_each_string(c, s, name, cidr_list_add, &l);
		snprintf(net->name, sizeof(net->name), "%s", name);
		ctx_locate(c, p, s, &net->file, &net->line, &net->xline);
		net->cidrs = l.v;
		net->ncidrs = l.n;
		p->nnetworks++;
	}
}

static const struct network *find_network(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nnetworks; i++)
		if (!strcmp(p->networks[i].name, name))
			return &p->networks[i];
	return NULL;
}

/* --- rules ----------------------------------------------------------------- */

struct rule_ctx {
	struct policy *p;
	struct rule *r;
	struct cidr_list to;
};

static int add_from(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct rule_ctx *rc = arg;
	const char *near;
	size_t i;

	if (!strcmp(v, "*")) {
		rc->r->from_any = true;
		return 0;
	}
	for (i = 0; i < rc->p->ndevices; i++) {
		if (!strcmp(rc->p->devices[i].name, v)) {
			rc->r->from |= 1ull << i;
			return 0;
		}
	}
	near = hint_near(v, hint_device_name, rc->p);
	if (near)
		err_set(c, s, "unknown device '%s' in 'from' (did you mean '%s'?)", v, near);
	else
		err_set(c, s, "unknown device '%s' in 'from'", v);
	return -ENOENT;
}

static int add_to(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	struct rule_ctx *rc = arg;
	const char *near;
	const struct network *net;
	struct cidr x;
	size_t i;

	if (!strcmp(v, "*") || !strcmp(v, "any")) {
		rc->r->to_flags |= TO_ANY;
		return 0;
	}
	if (!strcmp(v, "wan")) {
		rc->r->to_flags |= TO_WAN;
		return 0;
	}
	net = find_network(rc->p, v);
	if (net) {
		for (i = 0; i < net->ncidrs; i++)
			if (cidr_list_push(&rc->to, &net->cidrs[i]))
				return -ENOMEM;
		return 0;
	}
	if (cidr_parse(v, &x) == 0)
		return cidr_list_push(&rc->to, &x);
	if (strchr(v, '.') || strchr(v, ':'))
		return cidr_list_add(c, s, v, &rc->to); /* reports the address error */
	near = hint_near(v, hint_network_name, rc->p);
	if (near)
		err_set(c, s, "unknown network '%s' in 'to' (did you mean '%s'?)", v, near);
	else
		err_set(c, s, "unknown network '%s' in 'to' (define it under 'networks')", v);
	return -ENOENT;
}

static int port_push(struct rule *r, unsigned long lo, unsigned long hi)
{
	struct port_range *v;

	if (r->nports >= POLICY_MAX_LIST)
		return -E2BIG;
	v = array_grow(r->ports, r->nports, sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->ports = v;
	r->ports[r->nports].lo = (uint16_t)lo;
	r->ports[r->nports].hi = (uint16_t)hi;
	r->nports++;
	return 0;
}

static int add_port_string(struct ctx *c, const config_setting_t *s, const char *v, struct rule *r)
{
	unsigned long lo, hi;
	char *end;

	errno = 0;
	if (v[0] < '0' || v[0] > '9')
		goto bad;
	lo = strtoul(v, &end, 10);
	hi = lo;
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			goto bad;
		hi = strtoul(end + 1, &end, 10);
	}
	if (errno || *end || lo > 65535 || hi > 65535 || lo > hi)
		goto bad;
	if (port_push(r, lo, hi)) {
		err_set(c, s, "out of memory");
		return -ENOMEM;
	}
	return 0;
bad:
	err_set(c, s, "port '%s': use a number or a range \"lo-hi\" within 0-65535", v);
	return -EINVAL;
}

static void compile_ports(struct ctx *c, struct rule *r, const config_setting_t *s)
{
	int type = config_setting_type(s), i, n;

	if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64 || type == CONFIG_TYPE_STRING) {
		n = 1;
	} else if (type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST) {
		n = config_setting_length(s);
		if (n > POLICY_MAX_LIST) {
			err_set(c, s, "'port' has %d entries, more than %d", n, POLICY_MAX_LIST);
			return;
		}
	} else {
		err_set(c, s, "'port' must be a number, a \"lo-hi\" string or a list of them");
		return;
	}
	for (i = 0; i < n; i++) {
		const config_setting_t *e = type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST ?
						    config_setting_get_elem(s, (unsigned int)i) :
						    s;
		int et = config_setting_type(e);

		if (et == CONFIG_TYPE_INT || et == CONFIG_TYPE_INT64) {
			long long v = config_setting_get_int64(e);

			if (v < 0 || v > 65535)
				err_set(c, e, "port %lld is outside 0-65535", v);
			else if (port_push(r, (unsigned long)v, (unsigned long)v))
				err_set(c, e, "out of memory");
		} else if (et == CONFIG_TYPE_STRING) {
			add_port_string(c, e, config_setting_get_string(e), r);
		} else {
			err_set(c, e, "port entries must be numbers or \"lo-hi\" strings, not %s",
				setting_type_str(et));
		}
	}
}

static const struct choice proto_choices[] = {
	{ "tcp", IPPROTO_NUM_TCP },
	{ "udp", IPPROTO_NUM_UDP },
	{ "icmp", IPPROTO_NUM_ICMP },
	{ "any", 0 },
	{ NULL, 0 },
};

/* The rule's name (its own, or "ruleN") and line; a name used twice is an error. */
static void rule_name(struct ctx *c, struct policy *p, struct rule *r, const config_setting_t *rs)
{
	const char *v;
	size_t i;

	if (setting_get_string(c, rs, "name", &v)) {
		if (!policy_valid_name(v))
			err_set(c, rs, "rule name '%s': use letters, digits, '-', '_' and '.'", v);
		snprintf(r->name, sizeof(r->name), "%s", v);
	} else {
		snprintf(r->name, sizeof(r->name), "rule%zu", p->nrules + 1);
	}
	ctx_locate(c, p, rs, &r->file, &r->line, &r->xline);
	for (i = 0; i < p->nrules; i++)
		if (!strcmp(p->rules[i].name, r->name))
			err_set(c, rs, "rule name '%s' is used twice (first at line %u)", r->name,
				p->rules[i].line);
}

/* What a rule matches: from, to, proto, port and domain. */
static void rule_match(struct ctx *c, struct rule_ctx *rc, const config_setting_t *rs)
{
	struct rule *r = rc->r;
	config_setting_t *s;
	int proto;

	if ((s = config_setting_get_member(rs, "from")))
		setting_each_string(c, s, "from", add_from, rc);
	else
		r->from_any = true;

	if ((s = config_setting_get_member(rs, "to")))
		setting_each_string(c, s, "to", add_to, rc);
	else
		r->to_flags |= TO_ANY;
	r->to = rc->to.v;
	r->nto = rc->to.n;

	r->proto = 0;
	if (setting_get_choice(c, rs, "proto", proto_choices, &proto))
		r->proto = (uint8_t)proto;
	if ((s = config_setting_get_member(rs, "port"))) {
		if (r->proto == IPPROTO_NUM_ICMP)
			err_set(c, s, "'port' does not go with proto \"icmp\"");
		else
			compile_ports(c, r, s);
	}
	compile_domains(c, rc->p, &r->domains, rs);
}

static void compile_rule(struct ctx *c, struct policy *p, const config_setting_t *rs)
{
	static const char *const keys[] = { "name", "from",	"to",	       "proto",
					    "port", "domain",	"domain_file", "action",
					    "log",  "schedule", NULL };
	struct rule *r = &p->rules[p->nrules];
	struct rule_ctx rc = { .p = p, .r = r };
	bool keys_ok;
	int action;

	if (config_setting_type(rs) != CONFIG_TYPE_GROUP) {
		err_set(c, rs, "each rule must be a group { ... }");
		return;
	}
	memset(r, 0, sizeof(*r));
	keys_ok = setting_check_keys(c, rs, keys, "a rule");
	rule_name(c, p, r, rs);
	rule_match(c, &rc, rs);
	if (setting_get_choice(c, rs, "action", action_choices, &action))
		r->action = (enum action)action;
	else if (!config_setting_get_member(rs, "action") && keys_ok)
		/* with a key not known (a misspelt action?), that error says it */
		err_set(c, rs, "rule '%s' has no action", r->name);
	setting_get_bool(c, rs, "log", &r->log);
	compile_rule_schedule(c, r, rs);
	p->nrules++;
}

static void compile_rules(struct ctx *c, struct policy *p, const config_setting_t *rules)
{
	int i, n;

	if (config_setting_type(rules) != CONFIG_TYPE_LIST) {
		err_set(c, rules, "'rules' must be a list ( { ... }, { ... } )");
		return;
	}
	n = config_setting_length(rules);
	if (n > POLICY_MAX_RULES) {
		err_set(c, rules, "%d rules, more than %d", n, POLICY_MAX_RULES);
		return;
	}
	p->rules = calloc((size_t)n + 1, sizeof(*p->rules));
	if (!p->rules) {
		c->failed = true;
		return;
	}
	for (i = 0; i < n; i++)
		compile_rule(c, p, config_setting_get_elem(rules, (unsigned int)i));
}

/* --- the whole file -------------------------------------------------------- */

static void top_version(struct ctx *c, struct policy *p, const config_setting_t *root,
			const config_setting_t *s)
{
	uint32_t version;

	(void)p;
	if (!setting_get_uint(c, root, "version", 0, UINT32_MAX, &version)) {
		if (!s)
			ctx_err_line(c, 1, "missing 'version = 1;'");
	} else if (version != 1) {
		err_set(c, s, "version %u is not supported (this nfq-guard reads version 1)",
			version);
	}
}

static void top_mode(struct ctx *c, struct policy *p, const config_setting_t *root,
		     const config_setting_t *s)
{
	static const struct choice modes[] = { { "enforce", 0 }, { "monitor", 1 }, { NULL, 0 } };
	int monitor;

	(void)s;
	if (setting_get_choice(c, root, "mode", modes, &monitor))
		p->monitor = monitor;
}

static void top_default(struct ctx *c, struct policy *p, const config_setting_t *root,
			const config_setting_t *s)
{
	int action = ACTION_DROP;

	(void)s;
	setting_get_choice(c, root, "default", action_choices, &action);
	p->dflt = (enum action)action;
}

static void top_default_log(struct ctx *c, struct policy *p, const config_setting_t *root,
			    const config_setting_t *s)
{
	(void)s;
	setting_get_bool(c, root, "default_log", &p->dflt_log);
}

static void top_fail(struct ctx *c, struct policy *p, const config_setting_t *root,
		     const config_setting_t *s)
{
	static const struct choice fails[] = { { "open", 1 }, { "closed", 0 }, { NULL, 0 } };
	int fail_open = 1;

	(void)s;
	setting_get_choice(c, root, "fail", fails, &fail_open);
	p->fail_open = fail_open;
}

static void top_events(struct ctx *c, struct policy *p, const config_setting_t *root,
		       const config_setting_t *s)
{
	(void)s;
	source_output(c, root, "events", &p->events, POLICY_EVENTS_DEFAULT);
}

static void top_metrics(struct ctx *c, struct policy *p, const config_setting_t *root,
			const config_setting_t *s)
{
	(void)s;
	source_output(c, root, "metrics", &p->metrics, NULL);
}

static void top_state(struct ctx *c, struct policy *p, const config_setting_t *root,
		      const config_setting_t *s)
{
	(void)s;
	source_output(c, root, "state", &p->state, POLICY_STATE_DEFAULT);
}

static int add_identify(struct ctx *c, const config_setting_t *s, const char *v, void *arg)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} signals[] = {
		{ "discovery", IDENTIFY_DISCOVERY },
		{ "dhcp", IDENTIFY_DHCP },
		{ "dns", IDENTIFY_DNS },
	};
	struct policy *p = arg;
	size_t i;

	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		if (!strcmp(v, signals[i].name)) {
			p->identify |= signals[i].bit;
			return 0;
		}
	}
	err_set(c, s, "identify: unknown signal '%s' (discovery, dhcp, dns)", v);
	return -EINVAL;
}

/* identify = [ "discovery", "dhcp", "dns" ]: the behaviour that finds devices. */
static void top_identify(struct ctx *c, struct policy *p, const config_setting_t *root,
			 const config_setting_t *s)
{
	(void)root;
	if (s)
		setting_each_string(c, s, "identify", add_identify, p);
}

static void top_queue(struct ctx *c, struct policy *p, const config_setting_t *root,
		      const config_setting_t *s)
{
	static const struct number_key queue_keys[] = {
		{ "num", 0, 65535, 0, offsetof(struct policy, queue_num) },
		{ "threads", 1, 16, 0, offsetof(struct policy, queue_threads) },
		{ NULL, 0, 0, 0, 0 },
	};

	(void)root;
	if (!s)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		err_set(c, s, "'queue' must be a group { num = N; }");
		return;
	}
	check_table(c, s, queue_keys, sizeof(*queue_keys), "queue");
	compile_numbers(c, p, s, queue_keys);
	if (p->queue_num + (p->queue_threads ? p->queue_threads : 1) > 65536)
		err_set(c, s, "queues num to num + threads - 1 must be below 65536");
}

static void top_limits(struct ctx *c, struct policy *p, const config_setting_t *root,
		       const config_setting_t *s)
{
	static const struct number_key limit_keys[] = {
		{ "names", 16, 4u << 20, 16384, offsetof(struct policy, max_names) },
		{ "flows", 16, 1u << 20, 4096, offsetof(struct policy, max_flows) },
		{ "devices", 16, POLICY_MAX_DEVICE_TABLE, 4096,
		  offsetof(struct policy, max_devices) },
		{ "pending_flows", 16, 1u << 20, 1024, offsetof(struct policy, max_pending_flows) },
		{ "pending_packets", 1, 64, 16, offsetof(struct policy, pending_packets) },
		{ "found", 16, 65536, 4096, offsetof(struct policy, max_found) },
		{ "pending_seconds", 1, 60, 5, offsetof(struct policy, pending_seconds) },
		{ "identify_dns_window", 5, 86400, 600, offsetof(struct policy, dns_window) },
		{ "identify_dns_dwell", 5, 86400, 900, offsetof(struct policy, dns_dwell) },
		{ NULL, 0, 0, 0, 0 },
	};
	const config_setting_t *d;

	(void)root;
	if (s && config_setting_type(s) != CONFIG_TYPE_GROUP) {
		err_set(c, s, "'limits' must be a group { ... }");
		s = NULL;
	} else if (s) {
		check_table(c, s, limit_keys, sizeof(*limit_keys), "limits");
	}
	compile_numbers(c, p, s, limit_keys); /* the defaults, at least */
	/* a dwell shorter than the window would count names asked for before it began */
	if (p->dns_dwell < p->dns_window)
		err_set(c, (d = config_setting_get_member(s, "identify_dns_dwell")) ? d : s,
			"limits.identify_dns_dwell (%u s) must be at least limits.identify_dns_window (%u s)",
			p->dns_dwell, p->dns_window);
}

static void top_networks(struct ctx *c, struct policy *p, const config_setting_t *root,
			 const config_setting_t *s)
{
	(void)root;
	if (s)
		compile_networks(c, p, s);
	p->lan = find_network(p, "lan");
	p->router = find_network(p, "router");
}

static void top_vendors(struct ctx *c, struct policy *p, const config_setting_t *root,
			const config_setting_t *s)
{
	/* the system's registries when a device names a vendor and vendors does not */
	if (s || devices_use_vendor(config_setting_get_member(root, "devices")))
		source_registries(c, p, s);
}

static void top_devices(struct ctx *c, struct policy *p, const config_setting_t *root,
			const config_setting_t *s)
{
	(void)root;
	if (s)
		compile_devices(c, p, s);
	if (mac_index_build(p))
		c->failed = true;
}

static void top_rules(struct ctx *c, struct policy *p, const config_setting_t *root,
		      const config_setting_t *s)
{
	(void)root;
	if (s)
		compile_rules(c, p, s);
	else
		ctx_err_line(c, 1, "no 'rules' list: nothing would be decided");
}

/*
 * The top-level keys, compiled in this order (networks before the rules
 * that name them, the registries before the devices that name vendors).
 * A key without a function is a number: bounds, default, place.
 */
struct top_key {
	const char *name;
	void (*compile)(struct ctx *c, struct policy *p, const config_setting_t *root,
			const config_setting_t *s);
	uint32_t lo, hi, dflt;
	size_t off;
};

static const struct top_key top_keys[] = {
	{ "version", top_version },
	{ "mode", top_mode },
	{ "default", top_default },
	{ "default_log", top_default_log },
	{ "name_ttl_floor", NULL, 0, 7 * 86400, 3600, offsetof(struct policy, name_ttl_floor) },
	{ "fail", top_fail },
	{ "events", top_events },
	{ "events_interval", NULL, 0, 3600, 10, offsetof(struct policy, events_interval) },
	{ "metrics", top_metrics },
	{ "metrics_interval", NULL, 1, 3600, 15, offsetof(struct policy, metrics_interval) },
	{ "state", top_state },
	{ "identify", top_identify },
	{ "identify_hints", compile_identify_hints },
	{ "queue", top_queue },
	{ "limits", top_limits },
	{ "networks", top_networks },
	{ "vendors", top_vendors },
	{ "devices", top_devices },
	{ "labels", compile_labels },
	{ "rules", top_rules },
	{ NULL, NULL, 0, 0, 0, 0 },
};

static void compile_top(struct ctx *c, struct policy *p, const config_t *cfg)
{
	const config_setting_t *root = config_root_setting(cfg);
	const struct top_key *k;

	check_table(c, root, top_keys, sizeof(*top_keys), "the policy");
	for (k = top_keys; k->name; k++) {
		const config_setting_t *s = config_setting_get_member(root, k->name);

		if (k->compile) {
			k->compile(c, p, root, s);
		} else {
			uint32_t *out = (uint32_t *)(void *)((char *)p + k->off);

			*out = k->dflt;
			setting_get_uint(c, root, k->name, k->lo, k->hi, out);
		}
	}
}

struct policy *compile_policy(struct ctx *c, const char *path)
{
	struct policy *p = NULL;
	config_t cfg;

	config_init(&cfg);
	if (hint_joined_strings(c))
		goto out_destroy_cfg;
	if (config_read_string(&cfg, c->text ? c->text : "") != CONFIG_TRUE) {
		hint_config_error(c, &cfg);
		goto out_destroy_cfg;
	}
	p = calloc(1, sizeof(*p));
	if (!p || !(p->path = strdup(path)) || ctx_copy_files(c, p)) {
		ctx_err_at(c, path, 0, "out of memory");
		policy_free(p);
		p = NULL;
		goto out_destroy_cfg;
	}
	compile_top(c, p, &cfg);
	if (c->failed) {
		policy_free(p);
		p = NULL;
	}
out_destroy_cfg:
	config_destroy(&cfg);
	return p;
}
