/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inspect.c - `nfq-guard inspect`: one line per packet of a capture with
 * what the decoders read in it.  TCP flows are followed so that a
 * ClientHello or request head split over segments is read on the packet
 * that completes it.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli/capture.h"
#include "decode/decode.h"
#include "decode/dns.h"
#include "policy/vendors.h"
#include "print/event.h"
#include "print/format.h"
#include "decode/http.h"
#include "cli/inspect.h"
#include "print/json.h"
#include "base/lru.h"
#include "decode/sniff.h"
#include "decode/stream.h"
#include "decode/tls.h"

#define INSPECT_MAX_FLOWS 4096
/* What the daemon holds of a stream: inspect reads no name it would not. */
#define INSPECT_STREAM_CAP SNIFF_STREAM_CAP
#define DNS_PORT 53

/* The key of a TCP connection: endpoints in a fixed order (see flow_get). */
struct flow_key {
	uint8_t family;
	uint8_t addr[2][16];
	uint16_t port[2];
};

/* A TCP connection; st[i] holds what endpoint i sent. */
struct flow {
	struct lru_node node; /* first: a node is its flow */
	struct flow_key key;
	struct stream st[2];
	int client;		  /* index of the endpoint that opened it, -1 unknown */
	struct sniff_state sniff; /* reading the client's name */
	bool done;		  /* nothing more to read in the client's stream */
	bool dns_off[2];	  /* a DNS stream no longer read (see flow_read_dns) */
};

/* What one packet showed. */
struct report {
	struct pcap_pkthdr hdr;
	struct link lk;
	bool has_ip;
	struct packet pkt;
	bool has_dns;
	struct dns_msg dns;
	bool has_sni, has_host, has_socks;
	struct name sni, host, socks;
	struct name name;    /* scratch for sniff_name */
	struct dns_msg more; /* scratch: the messages after the first in a segment */
	const char *error;
	char errbuf[96];
	const char *vendor; /* the registry's organisation of the source MAC, or NULL */
};

static void report_error(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void report_error(struct report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->errbuf, sizeof(r->errbuf), fmt, ap);
	va_end(ap);
	r->error = r->errbuf;
}

static bool flow_eq(const struct lru_node *n, const void *key)
{
	return !memcmp(&((const struct flow *)n)->key, key, sizeof(struct flow_key));
}

static void flow_free_buffers(struct flow *f)
{
	int i;

	for (i = 0; i < 2; i++) {
		free(f->st[i].buf);
		f->st[i].buf = NULL;
		f->st[i].cap = 0;
		f->st[i].len = 0;
	}
}

static void flow_remove(struct lru_table *fl, struct flow *f)
{
	lru_remove(fl, &f->node);
	flow_free_buffers(f);
	free(f);
}

static void flows_clear(struct lru_table *fl)
{
	while (lru_oldest(fl))
		flow_remove(fl, (struct flow *)lru_oldest(fl));
}

/*
 * Find the flow of pkt, creating it if needed; *dir receives the index of
 * the sender.  The endpoints are stored in a fixed order so both
 * directions find the same flow.  NULL when out of memory.
 */
static struct flow *flow_get(struct lru_table *fl, const struct packet *p, int *dir)
{
	struct flow_key k;
	struct flow *f;
	uint32_t h;
	int c = memcmp(p->src, p->dst, 16);

	memset(&k, 0, sizeof(k));
	*dir = c > 0 || (c == 0 && p->sport > p->dport);
	k.family = p->family;
	memcpy(k.addr[*dir], p->src, 16);
	memcpy(k.addr[!*dir], p->dst, 16);
	k.port[*dir] = p->sport;
	k.port[!*dir] = p->dport;
	h = lru_hash(LRU_HASH_INIT, &k, sizeof(k));
	f = (struct flow *)lru_find(fl, h, flow_eq, &k);
	if (f)
		return f;
	if (lru_full(fl))
		flow_remove(fl, (struct flow *)lru_victim(fl));
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->key = k;
	f->client = -1;
	lru_insert(fl, &f->node, h);
	return f;
}

/*
 * Read every complete DNS message the direction holds; report the first.
 * Returns false when the stream cannot be read further: after a message
 * too large to hold or a broken one, where the next message starts is not
 * known (and guessing would read a message's inside as messages).
 */
static bool flow_read_dns(struct stream *st, struct report *r)
{
	unsigned int extra = 0;
	enum dns_status ds;
	size_t used;

	for (;;) {
		ds = dns_parse_tcp(st->buf, st->len, r->has_dns ? &r->more : &r->dns, &used);
		if (ds == DNS_NEED_MORE) {
			if (st->len < st->cap)
				break;
			report_error(r, "dns: message larger than %d bytes; stream no longer read",
				     INSPECT_STREAM_CAP);
			return false;
		}
		if (ds != DNS_OK) {
			report_error(r, "dns: %s; stream no longer read", dns_status_str(ds));
			return false;
		}
		if (r->has_dns)
			extra++;
		r->has_dns = true;
		stream_consume(st, used);
	}
	if (extra && !r->error)
		report_error(r, "dns: %u more messages in this segment not shown", extra);
	return true;
}

/* Look for SNI or Host in the client's stream; true when nothing is left to find. */
static bool flow_read_client(struct flow *f, struct stream *st, struct report *r)
{
	switch (sniff_name(&f->sniff, st->buf, st->len, st->cap, &r->name)) {
	case SNIFF_MORE:
		return false;
	case SNIFF_SNI:
		r->sni = r->name;
		r->has_sni = true;
		break;
	case SNIFF_HOST:
		r->host = r->name;
		r->has_host = true;
		break;
	case SNIFF_SOCKS:
		r->socks = r->name;
		r->has_socks = true;
		break;
	case SNIFF_NO_NAME:
		break;
	case SNIFF_BROKEN:
		if (f->sniff.proto == SNIFF_PROTO_HTTP)
			report_error(r, "http: %s", http_status_str(f->sniff.http_st));
		else if (f->sniff.proto == SNIFF_PROTO_SOCKS)
			report_error(r, "socks: %s", socks_status_str(f->sniff.socks_st));
		else
			report_error(r, "tls: %s", tls_status_str(f->sniff.tls));
		break;
	case SNIFF_FULL:
		if (f->sniff.proto == SNIFF_PROTO_HTTP)
			report_error(r, "http: request head beyond %d bytes", INSPECT_STREAM_CAP);
		else if (f->sniff.proto == SNIFF_PROTO_SOCKS)
			report_error(r, "socks: request beyond %d bytes", INSPECT_STREAM_CAP);
		else
			report_error(r, "tls: client hello beyond %d bytes", INSPECT_STREAM_CAP);
		break;
	}
	return true;
}

static void flow_track(struct lru_table *fl, struct report *r)
{
	const struct packet *p = &r->pkt;
	bool syn = p->tcp_flags & TCPF_SYN;
	bool dns = p->sport == DNS_PORT || p->dport == DNS_PORT;
	struct stream *st;
	struct flow *f;
	int d;

	f = flow_get(fl, p, &d);
	if (!f) {
		report_error(r, "out of memory following tcp flows");
		return;
	}
	if (p->tcp_flags & TCPF_RST) {
		flow_remove(fl, f);
		return;
	}
	st = &f->st[d];
	if (syn && !(p->tcp_flags & TCPF_ACK) && f->client < 0)
		f->client = d;
	if (p->payload_len > 0 && f->client < 0)
		f->client = d; /* first to speak: the capture began mid-connection */
	if ((dns && f->dns_off[d]) || (!dns && (d != f->client || f->done)))
		return;
	if (!st->buf && p->payload_len > 0) {
		uint8_t *buf = malloc(stream_mem(INSPECT_STREAM_CAP));

		if (!buf) {
			report_error(r, "out of memory following tcp flows");
			return;
		}
		stream_attach(st, buf, INSPECT_STREAM_CAP);
	}
	if (stream_add(st, p->tcp_seq, p->tcp_flags, p->payload, p->payload_len) == 0)
		return;
	if (dns) {
		if (!flow_read_dns(st, r)) {
			f->dns_off[d] = true;
			free(st->buf);
			st->buf = NULL;
			st->cap = st->len = 0;
		}
	} else if (flow_read_client(f, st, r)) {
		f->done = true;
		flow_free_buffers(f);
	}
}

static void inspect_app(struct lru_table *fl, struct report *r)
{
	const struct packet *p = &r->pkt;
	enum dns_status ds;

	if (!p->l4)
		return;
	if (p->proto == IPPROTO_NUM_UDP && (p->sport == DNS_PORT || p->dport == DNS_PORT)) {
		ds = dns_parse(p->payload, p->payload_len, &r->dns);
		if (ds == DNS_OK)
			r->has_dns = true;
		else
			report_error(r, "dns: %s", dns_status_str(ds));
	} else if (p->proto == IPPROTO_NUM_TCP) {
		flow_track(fl, r);
	}
}

static void inspect_packet(const struct capture *cap, struct lru_table *fl, struct report *r,
			   const uint8_t *data)
{
	enum decode_status st = DECODE_OK;
	const char *why = NULL;

	switch (capture_decode(cap, data, r->hdr.caplen, &r->lk, &r->pkt, &st, &why)) {
	case CAPTURE_BAD_LINK:
		report_error(r, "link: %s", decode_status_str(st));
		return;
	case CAPTURE_NOT_IP:
		report_error(r, "not ip: ethertype 0x%04x", r->lk.ethertype);
		return;
	case CAPTURE_BAD_IP:
		report_error(r, "%s", why ? why : decode_status_str(st));
		return;
	case CAPTURE_IP:
		break;
	}
	r->has_ip = true;
	inspect_app(fl, r);
}

/* --- output ------------------------------------------------------------ */

/* Capture time as event lines write it. */
static void fmt_capture_time(const struct timeval *tv, char *buf, size_t sz)
{
	fmt_time((uint64_t)tv->tv_sec * 1000000u + (uint64_t)tv->tv_usec, buf, sz);
}

static void fmt_tcp_flags(uint8_t fl, char *buf)
{
	static const char letters[] = "FSRPAU";
	int i, n = 0;

	for (i = 0; i < 6; i++)
		if (fl & (1 << i))
			buf[n++] = letters[i];
	buf[n] = '\0';
}

static void fmt_type(uint16_t type, char *buf, size_t sz)
{
	const char *s = dns_type_str(type);

	if (s)
		snprintf(buf, sz, "%s", s);
	else
		snprintf(buf, sz, "TYPE%u", type);
}

/* A record's data: the address, or the target escaped ("." for none). */
static void fmt_rdata(const struct dns_rr *rr, char *buf, size_t sz)
{
	if (rr->type == DNS_TYPE_A)
		inet_ntop(AF_INET, rr->addr, buf, (socklen_t)sz);
	else if (rr->type == DNS_TYPE_AAAA)
		inet_ntop(AF_INET6, rr->addr, buf, (socklen_t)sz);
	else if (rr->target.len)
		name_escape(&rr->target, buf, sz);
	else
		snprintf(buf, sz, ".");
}

/* An SVCB or HTTPS record's hints, each written by put(out, i, address text). */
static void each_hint(FILE *out, const struct dns_msg *d, const struct dns_rr *rr,
		      void (*put)(FILE *, unsigned int, const char *))
{
	char a[INET6_ADDRSTRLEN];
	uint8_t addr[16];

	if (rr->type != DNS_TYPE_SVCB && rr->type != DNS_TYPE_HTTPS)
		return;
	for (unsigned int j = 0; j < dns_rr_naddrs(rr); j++) {
		uint8_t fam = dns_rr_addr(d, rr, j, addr);

		inet_ntop(fam == 4 ? AF_INET : AF_INET6, addr, a, sizeof(a));
		put(out, j, a);
	}
}

static void put_hint_text(FILE *out, unsigned int i, const char *a)
{
	fprintf(out, "%s%s", i ? "," : "/hints=", a);
}

static void put_hint_json(FILE *out, unsigned int i, const char *a)
{
	if (i)
		fputc(',', out);
	json_str(out, a);
}

static bool has_ports(const struct packet *p)
{
	return p->l4 && (p->proto == IPPROTO_NUM_TCP || p->proto == IPPROTO_NUM_UDP);
}

static void print_text(FILE *out, const struct report *r)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], t[40], m[18], pr[8], ty[16];
	char esc[NAME_ESCAPED_MAX], data[NAME_ESCAPED_MAX];
	const struct packet *p = &r->pkt;
	unsigned int i;

	fmt_capture_time(&r->hdr.ts, t, sizeof(t));
	if (r->lk.has_mac)
		fmt_mac(r->lk.src_mac, m, sizeof(m));
	else
		snprintf(m, sizeof(m), "-");
	fprintf(out, "%s %s", t, m);
	if (r->has_ip) {
		fmt_addr(p->family, p->src, a, sizeof(a));
		fmt_addr(p->family, p->dst, b, sizeof(b));
		fmt_proto(p->proto, pr, sizeof(pr));
		if (has_ports(p) && p->family == 6)
			fprintf(out, " [%s]:%u > [%s]:%u", a, p->sport, b, p->dport);
		else if (has_ports(p))
			fprintf(out, " %s:%u > %s:%u", a, p->sport, b, p->dport);
		else
			fprintf(out, " %s > %s", a, b);
		fprintf(out, " %s", pr);
		if (p->l4 && p->proto == IPPROTO_NUM_TCP) {
			char fl[8];

			fmt_tcp_flags(p->tcp_flags, fl);
			fprintf(out, " [%s]", fl);
		}
		if (p->l4 && (p->proto == IPPROTO_NUM_ICMP || p->proto == IPPROTO_NUM_ICMPV6))
			fprintf(out, " type=%u code=%u", p->icmp_type, p->icmp_code);
		if (p->fragment)
			fprintf(out, " fragment");
		fprintf(out, " len=%zu", p->payload_len);
	}
	if (r->has_dns) {
		const struct dns_msg *d = &r->dns;

		fprintf(out, " dns=%s id=0x%04x rcode=%u", d->qr ? "response" : "query", d->id,
			d->rcode);
		for (i = 0; i < d->nquestions; i++) {
			fmt_type(d->q[i].type, ty, sizeof(ty));
			name_escape(&d->q[i].name, esc, sizeof(esc));
			fprintf(out, " q=%s/%s", esc, ty);
		}
		for (i = 0; i < d->nrecords; i++) {
			struct dns_rr rr;

			dns_record(d, i, &rr);
			fmt_type(rr.type, ty, sizeof(ty));
			name_escape(&rr.name, esc, sizeof(esc));
			fmt_rdata(&rr, data, sizeof(data));
			fprintf(out, " %s=%s/%s/%s/ttl=%u",
				rr.section == DNS_SECTION_ANSWER ? "an" : "ar", esc, ty, data,
				rr.ttl);
			each_hint(out, d, &rr, put_hint_text);
		}
	}
	if (r->has_sni) {
		name_escape(&r->sni, esc, sizeof(esc));
		fprintf(out, " sni=%s", esc);
	}
	if (r->has_host) {
		name_escape(&r->host, esc, sizeof(esc));
		fprintf(out, " http_host=%s", esc);
	}
	if (r->has_socks) {
		name_escape(&r->socks, esc, sizeof(esc));
		fprintf(out, " socks_host=%s", esc);
	}
	if (r->vendor) {
		fputs(" vendor=\"", out);
		for (const char *v = r->vendor; *v; v++)
			if (*v == '"' || *v == '\\')
				fprintf(out, "\\%c", *v);
			else if ((unsigned char)*v < 0x20 || (unsigned char)*v > 0x7e)
				fprintf(out, "\\x%02x", (unsigned char)*v);
			else
				fputc(*v, out);
		fputc('"', out);
	}
	if (r->error)
		fprintf(out, " error=\"%s\"", r->error);
	fputc('\n', out);
}

static void print_json_dns(FILE *out, const struct dns_msg *d)
{
	char ty[16], data[NAME_ESCAPED_MAX];
	unsigned int i;

	fprintf(out, "{\"qr\":%s,\"id\":%u,\"rcode\":%u,\"questions\":[", d->qr ? "true" : "false",
		d->id, d->rcode);
	for (i = 0; i < d->nquestions; i++) {
		fmt_type(d->q[i].type, ty, sizeof(ty));
		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		json_name(out, &d->q[i].name);
		fputs(",\"type\":", out);
		json_str(out, ty);
		fputc('}', out);
	}
	fputs("],\"answers\":[", out);
	for (i = 0; i < d->nrecords; i++) {
		struct dns_rr rr;

		dns_record(d, i, &rr);
		if (i == d->nanswers)
			fputs("],\"additional\":[", out);
		fmt_type(rr.type, ty, sizeof(ty));
		fmt_rdata(&rr, data, sizeof(data));
		fputs(i && i != d->nanswers ? ",{\"name\":" : "{\"name\":", out);
		json_name(out, &rr.name);
		fputs(",\"type\":", out);
		json_str(out, ty);
		fprintf(out, ",\"ttl\":%u,\"data\":", rr.ttl);
		json_str(out, data);
		if (rr.type == DNS_TYPE_SVCB || rr.type == DNS_TYPE_HTTPS) {
			fputs(",\"hints\":[", out);
			each_hint(out, d, &rr, put_hint_json);
			fputc(']', out);
		}
		fputc('}', out);
	}
	if (d->nanswers == d->nrecords)
		fputs("],\"additional\":[", out);
	fprintf(out, "],\"skipped\":%u}", d->skipped);
}

static void print_json(FILE *out, const struct report *r)
{
	char a[INET6_ADDRSTRLEN], t[40], m[18], pr[8], fl[8];
	const struct packet *p = &r->pkt;
	bool ports = r->has_ip && has_ports(p);

	fmt_capture_time(&r->hdr.ts, t, sizeof(t));
	fputc('{', out);
	json_key(out, "ts", 1);
	json_str(out, t);
	json_key(out, "mac", 0);
	if (r->lk.has_mac)
		fmt_mac(r->lk.src_mac, m, sizeof(m));
	json_str(out, r->lk.has_mac ? m : NULL);
	json_key(out, "vendor", 0);
	json_str(out, r->vendor);
	json_key(out, "src", 0);
	if (r->has_ip)
		fmt_addr(p->family, p->src, a, sizeof(a));
	json_str(out, r->has_ip ? a : NULL);
	json_key(out, "dst", 0);
	if (r->has_ip)
		fmt_addr(p->family, p->dst, a, sizeof(a));
	json_str(out, r->has_ip ? a : NULL);
	json_key(out, "proto", 0);
	if (r->has_ip)
		fmt_proto(p->proto, pr, sizeof(pr));
	json_str(out, r->has_ip ? pr : NULL);
	json_key(out, "sport", 0);
	ports ? fprintf(out, "%u", p->sport) : fputs("null", out);
	json_key(out, "dport", 0);
	ports ? fprintf(out, "%u", p->dport) : fputs("null", out);
	json_key(out, "len", 0);
	r->has_ip ? fprintf(out, "%zu", p->payload_len) : fputs("null", out);
	json_key(out, "tcp_flags", 0);
	if (r->has_ip && p->l4 && p->proto == IPPROTO_NUM_TCP)
		fmt_tcp_flags(p->tcp_flags, fl);
	json_str(out, r->has_ip && p->l4 && p->proto == IPPROTO_NUM_TCP ? fl : NULL);
	json_key(out, "fragment", 0);
	fputs(r->has_ip && p->fragment ? "true" : "false", out);
	json_key(out, "dns", 0);
	if (r->has_dns)
		print_json_dns(out, &r->dns);
	else
		fputs("null", out);
	json_key(out, "sni", 0);
	json_name(out, r->has_sni ? &r->sni : NULL);
	json_key(out, "http_host", 0);
	json_name(out, r->has_host ? &r->host : NULL);
	json_key(out, "socks_host", 0);
	json_name(out, r->has_socks ? &r->socks : NULL);
	json_key(out, "error", 0);
	json_str(out, r->error);
	fputs("}\n", out);
}

int inspect_file(const char *path, bool json, FILE *out, FILE *err)
{
	struct pcap_pkthdr *hdr;
	const uint8_t *data;
	struct capture cap;
	struct lru_table fl;
	struct registry *reg;
	struct report *r;
	int rc, ret = 0;

	if (capture_open(&cap, path, "inspect", err))
		return 1;
	r = malloc(sizeof(*r));
	reg = registry_system(); /* the vendor of each MAC, as a policy would name it */
	if (!r || !reg || lru_init(&fl, INSPECT_MAX_FLOWS)) {
		fprintf(err, "nfq-guard: inspect: out of memory\n");
		free(r);
		registry_free(reg);
		capture_close(&cap);
		return 1;
	}
	while ((rc = capture_next(&cap, &hdr, &data, "inspect", err)) == 1) {
		memset(r, 0, offsetof(struct report, dns));
		r->has_sni = r->has_host = r->has_socks = false;
		r->error = NULL;
		r->hdr = *hdr;
		inspect_packet(&cap, &fl, r, data);
		r->vendor = r->lk.has_mac ? registry_org(reg, r->lk.src_mac) : NULL;
		if (json)
			print_json(out, r);
		else
			print_text(out, r);
	}
	if (rc < 0)
		ret = 1;
	if (fflush(out) != 0) {
		fprintf(err, "nfq-guard: inspect: write error\n");
		ret = 1;
	}
	flows_clear(&fl);
	lru_fini(&fl);
	free(r);
	registry_free(reg);
	capture_close(&cap);
	return ret;
}
