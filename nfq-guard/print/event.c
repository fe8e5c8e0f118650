/* SPDX-License-Identifier: GPL-2.0-or-later */
/* event.c - decisions as JSON or text lines (see event.h). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "base/proto.h"
#include "print/community.h"
#include "policy/exception.h"
#include "print/event.h"
#include "print/format.h"
#include "print/json.h"

static bool has_ports(const struct event *ev)
{
	const struct engine_flow_key *k = ev->flow;

	return !ev->no_ports && (k->proto == IPPROTO_NUM_TCP || k->proto == IPPROTO_NUM_UDP);
}

void event_packet(struct event *ev, const struct packet *pkt)
{
	ev->has_icmp = pkt->l4 &&
		       (pkt->proto == IPPROTO_NUM_ICMP || pkt->proto == IPPROTO_NUM_ICMPV6);
	ev->icmp_type = pkt->icmp_type;
	ev->icmp_code = pkt->icmp_code;
}

/* The flow's community ID into out, or false when it cannot be computed. */
static bool event_community_id(const struct event *ev, char out[COMMUNITY_ID_MAX])
{
	const struct engine_flow_key *k = ev->flow;
	struct community_flow cf = {
		.family = ev->no_src || ev->no_dst || ev->no_proto ? 0 : k->family,
		.proto = k->proto,
		.src = k->src,
		.dst = k->dst,
		.sport = k->sport,
		.dport = k->dport,
		.icmp_type = ev->icmp_type,
		.icmp_code = ev->icmp_code,
	};

	if (k->proto == IPPROTO_NUM_ICMP || k->proto == IPPROTO_NUM_ICMPV6)
		cf.ports_known = ev->has_icmp;
	else
		cf.ports_known = !ev->no_ports && !ev->no_sport;
	return community_id(&cf, 0, out) == 0;
}

void event_json_fields(FILE *f, const struct policy *p, const struct event *ev)
{
	char t[40], m[18], a[INET6_ADDRSTRLEN], pr[8], cid[COMMUNITY_ID_MAX];
	const struct decision *d = ev->d;
	const struct engine_flow_key *k = ev->flow;

	fmt_time(ev->ts_us, t, sizeof(t));
	fputs("\"event\":\"decision\"", f);
	json_key(f, "ts", 0);
	json_str(f, t);
	json_key(f, "action", 0);
	json_str(f, action_str(d->action));
	json_key(f, "enforced", 0);
	fputs(ev->monitor ? "false" : "true", f);
	json_key(f, "rule", 0);
	json_str(f, d->rule ? d->rule->name : "default");
	json_key(f, "device", 0);
	json_str(f, d->device >= 0 ? p->devices[d->device].name : NULL);
	json_key(f, "match", 0);
	json_str(f, d->device >= 0 ? match_kind_str(d->how.kind) : NULL);
	json_key(f, "mac", 0);
	if (ev->has_mac)
		fmt_mac(ev->mac, m, sizeof(m));
	json_str(f, ev->has_mac ? m : NULL);
	json_key(f, "label", 0);
	json_str(f, ev->has_mac ? policy_label(p, ev->mac) : NULL);
	json_key(f, "src", 0);
	fmt_addr(k->family, k->src, a, sizeof(a));
	json_str(f, ev->no_src ? NULL : a);
	json_key(f, "dst", 0);
	fmt_addr(k->family, k->dst, a, sizeof(a));
	json_str(f, ev->no_dst ? NULL : a);
	json_key(f, "proto", 0);
	fmt_proto(k->proto, pr, sizeof(pr));
	json_str(f, ev->no_proto ? NULL : pr);
	json_key(f, "sport", 0);
	has_ports(ev) && !ev->no_sport ? fprintf(f, "%u", k->sport) : fputs("null", f);
	json_key(f, "dport", 0);
	has_ports(ev) ? fprintf(f, "%u", k->dport) : fputs("null", f);
	json_key(f, "community_id", 0);
	json_str(f, event_community_id(ev, cid) ? cid : NULL);
	json_key(f, "in_iface", 0);
	json_str(f, ev->in_iface[0] ? ev->in_iface : NULL);
	json_key(f, "out_iface", 0);
	json_str(f, ev->out_iface[0] ? ev->out_iface : NULL);
	json_key(f, "name", 0);
	json_name(f, d->has_name ? &d->name : NULL);
	json_key(f, "name_source", 0);
	json_str(f, d->has_name || d->name_source == NAME_UNREADABLE ?
			    name_source_str(d->name_source) :
			    NULL);
	json_key(f, "pattern", 0);
	json_str(f, d->pattern);
	json_key(f, "log", 0);
	fputs(d->log ? "true" : "false", f);
	json_key(f, "note", 0);
	json_str(f, d->note);
	if (ev->repeated) {
		json_key(f, "repeated", 0);
		fprintf(f, "%u", ev->repeated);
	}
}

void event_print_json(FILE *f, const struct policy *p, const struct event *ev)
{
	fputc('{', f);
	event_json_fields(f, p, ev);
	fputs("}\n", f);
}

/* A line built in place, written with one fwrite. */
struct line {
	char b[4 * NAME_ESCAPED_MAX];
	size_t n;
};

static void put(struct line *l, const char *s)
{
	size_t k = strlen(s);

	if (k > sizeof(l->b) - 1 - l->n)
		k = sizeof(l->b) - 1 - l->n;
	memcpy(l->b + l->n, s, k);
	l->n += k;
}

static void put_u(struct line *l, unsigned int v)
{
	char t[12];
	int i = (int)sizeof(t);

	do
		t[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i > 0);
	if (sizeof(l->b) - 1 - l->n >= sizeof(t) - (size_t)i) {
		memcpy(l->b + l->n, t + i, sizeof(t) - (size_t)i);
		l->n += sizeof(t) - (size_t)i;
	}
}

void event_print_text(FILE *f, const struct policy *p, const struct event *ev)
{
	char t[40], m[18], a[INET6_ADDRSTRLEN], pr[8];
	char esc[NAME_ESCAPED_MAX];
	const struct decision *d = ev->d;
	const struct engine_flow_key *k = ev->flow;
	bool v6ports = has_ports(ev) && k->family == 6;
	const char *label;
	struct line l;

	l.n = 0;
	fmt_time(ev->ts_us, t, sizeof(t));
	put(&l, t);
	put(&l, " ");
	put(&l, action_str(d->action));
	if (ev->monitor)
		put(&l, "(monitor)");
	put(&l, " rule=");
	put(&l, d->rule ? d->rule->name : "default");
	put(&l, " device=");
	put(&l, d->device >= 0 ? p->devices[d->device].name : "-");
	put(&l, " match=");
	put(&l, d->device >= 0 ? match_kind_str(d->how.kind) : "-");
	put(&l, " mac=");
	if (ev->has_mac)
		fmt_mac(ev->mac, m, sizeof(m));
	put(&l, ev->has_mac ? m : "-");
	if (ev->has_mac && (label = policy_label(p, ev->mac))) {
		put(&l, " label=\"");
		put(&l, label);
		put(&l, "\"");
	}
	fmt_addr(k->family, k->src, a, sizeof(a));
	put(&l, v6ports ? " [" : " ");
	put(&l, ev->no_src ? "?" : a);
	if (has_ports(ev)) {
		put(&l, v6ports ? "]:" : ":");
		put_u(&l, k->sport);
	}
	fmt_addr(k->family, k->dst, a, sizeof(a));
	put(&l, v6ports ? " > [" : " > ");
	put(&l, ev->no_dst ? "?" : a);
	if (has_ports(ev)) {
		put(&l, v6ports ? "]:" : ":");
		put_u(&l, k->dport);
	}
	fmt_proto(k->proto, pr, sizeof(pr));
	put(&l, " ");
	put(&l, ev->no_proto ? "?" : pr);
	if (ev->in_iface[0]) {
		put(&l, " in=");
		put(&l, ev->in_iface);
	}
	if (ev->out_iface[0]) {
		put(&l, " out=");
		put(&l, ev->out_iface);
	}
	if (d->has_name) {
		name_escape(&d->name, esc, sizeof(esc));
		put(&l, " name=");
		put(&l, esc);
		put(&l, " (");
		put(&l, name_source_str(d->name_source));
		put(&l, ")");
	} else if (d->name_source == NAME_UNREADABLE) {
		put(&l, " name=? (unreadable)");
	}
	if (d->note) {
		put(&l, " note=\"");
		put(&l, d->note);
		put(&l, "\"");
	}
	if (ev->repeated) {
		put(&l, " repeated=");
		put_u(&l, ev->repeated);
	}
	l.b[l.n++] = '\n';
	fwrite(l.b, 1, l.n, f);
}

/* A list of the spec's strings as JSON. */
static void json_strings(FILE *f, const char *key, const char *v, size_t stride, size_t n)
{
	json_key(f, key, 0);
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		json_str(f, v + i * stride);
	}
	fputc(']', f);
}

/* The fields of an exception, in the event log and in `exceptions --json` alike. */
void exception_json_fields(FILE *f, const struct exception_spec *s, int first)
{
	char t[40], pr[8];

	json_key(f, "id", first);
	fprintf(f, "%u", s->id);
	json_key(f, "device", 0);
	json_str(f, s->device);
	json_strings(f, "to", s->to[0], sizeof(s->to[0]), s->nto);
	json_strings(f, "domain", s->domain[0], sizeof(s->domain[0]), s->ndomain);
	json_key(f, "port", 0);
	fputc('[', f);
	for (uint8_t i = 0; i < s->nport; i++)
		fprintf(f, "%s%u", i ? "," : "", s->port[i]);
	fputc(']', f);
	json_key(f, "proto", 0);
	fmt_proto(s->proto, pr, sizeof(pr));
	json_str(f, s->proto ? pr : NULL);
	json_key(f, "created", 0);
	fmt_time((uint64_t)s->created * 1000000u, t, sizeof(t));
	json_str(f, t);
	json_key(f, "until", 0);
	fmt_time((uint64_t)s->until * 1000000u, t, sizeof(t));
	json_str(f, t);
	json_key(f, "seconds", 0);
	fprintf(f, "%lld", (long long)s->seconds);
	json_key(f, "reason", 0);
	json_str(f, s->reason[0] ? s->reason : NULL);
	json_key(f, "uid", 0);
	fprintf(f, "%u", s->uid);
	json_key(f, "flows", 0);
	fprintf(f, "%llu", (unsigned long long)__atomic_load_n(&s->flows, __ATOMIC_RELAXED));
}

void event_print_exception(FILE *f, bool json, const char *kind, const struct exception_spec *s,
			   uint64_t ts_us, long long uid, const char *note)
{
	char t[40], what[1024];

	fmt_time(ts_us, t, sizeof(t));
	if (json) {
		fputs("{\"event\":", f);
		json_str(f, kind);
		json_key(f, "ts", 0);
		json_str(f, t);
		exception_json_fields(f, s, 0);
		json_key(f, "by_uid", 0);
		uid >= 0 ? fprintf(f, "%lld", uid) : fputs("null", f);
		json_key(f, "note", 0);
		json_str(f, note);
		fputs("}\n", f);
		return;
	}
	exception_what(s, what, sizeof(what));
	fmt_time((uint64_t)s->until * 1000000u, t, sizeof(t));
	fprintf(f, "%s id=%u device=%s allows=%s until=%s", kind, s->id, s->device, what, t);
	if (uid >= 0)
		fprintf(f, " uid=%lld", uid);
	if (s->reason[0]) {
		/* printable ASCII, but a quote must not end it and start a field of its own */
		fputs(" reason=\"", f);
		for (const char *c = s->reason; *c; c++) {
			if (*c == '"' || *c == '\\')
				fputc('\\', f);
			fputc(*c, f);
		}
		fputc('"', f);
	}
	if (note)
		fprintf(f, " note=\"%s\"", note);
}
