/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * found.c - identification by behaviour (policy key identify): the copies
 * the table's log rules send (kernel/nflog.c) are read here, in the main
 * loop, and a host that announces itself as a camera (SADP, DHIP, ONVIF
 * WS-Discovery) or hints it often enough (DHCP, DNS: engine/hints.c) is a
 * device from then on:
 *
 *   - the engines match it by the vendor it showed (engine_found_add), as
 *     if its OUI were that vendor's;
 *   - its MAC goes into the kernel set dev_found at once, so its new flows
 *     are queued;
 *   - its flows decided before (as a host that was no device, passed in
 *     the kernel) are decided again, a second later at most, through a new
 *     generation (run_redecide): several found at once cost one;
 *   - an event device_identified, `nfq-guard devices` shows the evidence,
 *     and the state file keeps it: after a restart it is filtered before
 *     it announces itself again.
 *
 * What is found is never forgotten while the daemon runs: a full list
 * (limits.found) refuses the next, counted and said, rather than evict a
 * camera back to unfiltered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/proto.h"
#include "decode/decode.h"
#include "decode/discovery.h"
#include "decode/dhcp.h"
#include "decode/dns.h"
#include "engine/hints.h"
#include "print/format.h"
#include "print/json.h"
#include "service/found.h"
#include "kernel/nflog.h"
#include "service/log.h"
#include "service/run.h"

#define FOUND_READS_PER_TURN 64 /* datagrams of copies read per loop turn */
#define FOUND_REDECIDE_MS 1000	/* found devices' old flows decided again this soon */
#define FOUND_WARN_MS 60000	/* a full list said once a minute at most */

struct found_rec *found_find(struct found_list *l, const uint8_t mac[6])
{
	for (size_t i = 0; i < l->n; i++)
		if (!memcmp(l->v[i].mac, mac, 6))
			return &l->v[i];
	return NULL;
}

int found_push(struct found_list *l, const struct found_rec *rec)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct found_rec *v = realloc(l->v, cap * sizeof(*v));
		uint8_t(*m)[6];

		if (!v)
			return -ENOMEM;
		l->v = v;
		m = realloc(l->macs, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		l->macs = m;
		l->cap = cap;
	}
	l->v[l->n] = *rec;
	memcpy(l->macs[l->n], rec->mac, 6);
	l->n++;
	return 0;
}

void found_list_free(struct found_list *l)
{
	free(l->v);
	free(l->macs);
	memset(l, 0, sizeof(*l));
}

/* The table's identification settings for policy p: its signals, and the MACs found. */
void found_config(struct run *r, const struct policy *p, struct nft_config *c)
{
	c->identify = p->identify;
	c->log_group = (uint16_t)p->queue_num;
	c->found_max = ENGINE_MAX_FOUND;
	c->found = p->identify ? (const uint8_t(*)[6])r->found.macs : NULL;
	c->nfound = p->identify ? r->found.n : 0;
}

/* The device_identified event: a text line to the log, a JSON line to the event log. */
static void found_event(struct run *r, const struct found_rec *f, const char *group)
{
	char m[18], a[INET6_ADDRSTRLEN] = "", t[40];
	uint64_t ts = run_wall_us();

	fmt_mac(f->mac, m, sizeof(m));
	if (f->family)
		fmt_addr(f->family, f->addr, a, sizeof(a));
	log_notice("device_identified %s%s%s by %s: %s%s%s%s%s, group %s", m, a[0] ? " " : "", a,
		   found_by_str(f->by), f->vendor, f->model[0] ? " " : "", f->model,
		   f->detail[0] ? "; " : "", f->detail, group ? group : "none");
	pthread_mutex_lock(&r->events_lock);
	if (r->events) {
		FILE *e = r->events;

		fmt_time(ts, t, sizeof(t));
		fputc('{', e);
		json_key(e, "event", 1);
		json_str(e, "device_identified");
		json_key(e, "ts", 0);
		json_str(e, t);
		json_key(e, "mac", 0);
		json_str(e, m);
		json_key(e, "ip", 0);
		json_str(e, a[0] ? a : NULL);
		json_key(e, "identified_by", 0);
		json_str(e, found_by_str(f->by));
		json_key(e, "vendor", 0);
		json_str(e, f->vendor);
		json_key(e, "model", 0);
		json_str(e, f->model[0] ? f->model : NULL);
		json_key(e, "firmware", 0);
		json_str(e, f->firmware[0] ? f->firmware : NULL);
		json_key(e, "serial", 0);
		json_str(e, f->serial[0] ? f->serial : NULL);
		json_key(e, "detail", 0);
		json_str(e, f->detail[0] ? f->detail : NULL);
		json_key(e, "group", 0);
		json_str(e, group);
		fputs("}\n", e);
		fflush(e);
	}
	r->events_written++;
	pthread_mutex_unlock(&r->events_lock);
}

int found_naming_group(const struct policy *p, const struct found_rec *f, struct group_match *how)
{
	struct device_key k = { .has_mac = true, .family = f->family, .found_by = f->by };

	memcpy(k.mac, f->mac, 6);
	memcpy(k.addr, f->addr, 16);
	snprintf(k.found_vendor, sizeof(k.found_vendor), "%s", f->vendor);
	return policy_naming_group(p, policy_identify(p, &k, how), how);
}

/* The group the found device falls in under the running policy, or NULL. */
static const char *found_group(const struct policy *p, const struct found_rec *f)
{
	struct group_match how[POLICY_MAX_DEVICES];
	int g = found_naming_group(p, f, how);

	return g >= 0 ? p->devices[g].name : NULL;
}

/* Its MAC into the running table's dev_found: its next new flow is queued. */
static void found_to_kernel(struct run *r, const uint8_t mac[6])
{
	static char buf[8192];
	uint32_t seq = (uint32_t)run_now_ms(), first = seq;
	struct nft_errors errs = { 0 };
	long len = nft_build_found(&r->nc, (const uint8_t(*)[6])mac, 1, buf, sizeof(buf), &seq);
	int e = len < 0 ? (int)len : nft_send_owned(r->owner, buf, (size_t)len, first, seq, &errs);
	char line[256];

	for (size_t i = 0; nft_errors_line(&errs, i, line, sizeof(line)); i++)
		logx(LOG_ERR, "found: %s", line);
	nft_errors_clear(&errs);
	if (e) /* the re-decision rebuilds the table with it */
		log_warnx("found: set dev_found: %s (in at the next re-decision)", strerror(-e));
}

/* A device found now, or again: known ones only update where they are. */
static void found_note(struct run *r, const struct found_rec *rec)
{
	struct found_rec *f = found_find(&r->found, rec->mac);
	uint64_t now = run_now_ms();
	int e;

	if (f) {
		if (rec->family) {
			f->family = rec->family;
			memcpy(f->addr, rec->addr, 16);
		}
		return;
	}
	if (r->found.n >= r->p->max_found ||
	    (e = engine_found_add(r->sh, rec->mac, rec->by, rec->vendor, r->p->max_found)) ==
		    -ENOSPC) {
		r->found.refused++;
		if (now >= r->found_warn_next) {
			log_warnx("found: %zu devices found already (limits.found): %" PRIu64
				  " more refused",
				  r->found.n, r->found.refused);
			r->found_warn_next = now + FOUND_WARN_MS;
		}
		return;
	}
	if (e < 0 || found_push(&r->found, rec)) {
		log_warnx("found: out of memory");
		return;
	}
	f = &r->found.v[r->found.n - 1];
	f->first_seen = run_wall_us() / 1000000;
	found_config(r, r->p, &r->nc);
	found_to_kernel(r, f->mac);
	devtab_found(&r->devs, r->p, f, f->first_seen);
	found_event(r, f, found_group(r->p, f));
	state_save(r);
	if (!r->found_redecide_at)
		r->found_redecide_at = now + FOUND_REDECIDE_MS;
}

/* The vendor a discovery answer shows: SADP and DHIP are the vendors' own protocols. */
static void found_from_discovery(const struct disc_info *in, struct found_rec *f)
{
	f->by = in->via == DISC_SADP ? FOUND_SADP : in->via == DISC_DHIP ? FOUND_DHIP : FOUND_ONVIF;
	snprintf(f->vendor, sizeof(f->vendor), "%s",
		 in->via == DISC_SADP ? "Hikvision" :
		 in->via == DISC_DHIP ? "Dahua" :
					in->vendor);
	snprintf(f->model, sizeof(f->model), "%s", in->model);
	snprintf(f->firmware, sizeof(f->firmware), "%s", in->firmware);
	snprintf(f->serial, sizeof(f->serial), "%s", in->serial);
	if ((in->via == DISC_SADP || in->via == DISC_DHIP) && in->vendor[0] &&
	    !vendor_contains(in->vendor, f->vendor))
		snprintf(f->detail, sizeof(f->detail), "says vendor %s", in->vendor);
}

static bool is_discovery_port(uint16_t port)
{
	return port == DISC_SADP_PORT || port == DISC_DHIP_PORT || port == DISC_WSD_PORT;
}

/* A discovery answer that describes a camera, into f; false for anything else. */
static bool found_discovery(const struct packet *pkt, struct found_rec *f)
{
	uint16_t port = is_discovery_port(pkt->sport) ? pkt->sport : pkt->dport;
	struct disc_info in;

	if (!is_discovery_port(port) ||
	    disc_read(port, pkt->payload, pkt->payload_len, &in) != DISC_ANSWER || !in.camera)
		return false;
	found_from_discovery(&in, f);
	return f->vendor[0] != '\0';
}

/* A DHCP request or a DNS query: a hint, until the hints add up (engine/hints.c). */
static void found_hint(struct run *r, const struct packet *pkt, struct found_rec *rec)
{
	const struct policy *p = r->p;
	uint64_t now = run_wall_us() / 1000000;
	struct hint_found hf;
	bool found = false;

	if ((p->identify & IDENTIFY_DHCP) && pkt->sport == DHCP_CLIENT_PORT &&
	    pkt->dport == DHCP_SERVER_PORT) {
		struct dhcp_request req;

		if (dhcp_read_request(pkt->payload, pkt->payload_len, &req) == 0) {
			found = hints_dhcp(&r->hints, p, rec->mac, &req, now, &hf);
			if (pkt->family == 4 && !memcmp(pkt->src, "\0\0\0\0", 4))
				rec->family = 0; /* not an address yet */
		}
	} else if ((p->identify & IDENTIFY_DNS) && pkt->dport == 53) {
		struct dns_msg *m = &r->dns_scratch;

		if (dns_parse(pkt->payload, pkt->payload_len, m) == DNS_OK && !m->qr &&
		    m->nquestions >= 1)
			found = hints_dns(&r->hints, p, rec->mac, m->q[0].name.s, now, &hf);
	}
	if (!found)
		return;
	rec->by = hf.by;
	snprintf(rec->vendor, sizeof(rec->vendor), "%s", hf.vendor);
	snprintf(rec->detail, sizeof(rec->detail), "%s", hf.detail);
	found_note(r, rec);
}

/*
 * Whether the sender is a host of the LAN (the policy's network lan), as a
 * camera that announces itself is: a datagram from elsewhere arrives with
 * the MAC of the router it came through, which must never become a device
 * (all it forwards would be queued).  A DHCP client without an address yet
 * broadcasts from 0.0.0.0.  No lan network: nothing is taken.
 */
static bool from_lan(const struct policy *p, const struct packet *pkt)
{
	static const uint8_t none[4], all[4] = { 255, 255, 255, 255 };

	if (!p->lan)
		return false;
	if (pkt->family == 4 && !memcmp(pkt->src, none, 4) && !memcmp(pkt->dst, all, 4) &&
	    pkt->sport == DHCP_CLIENT_PORT)
		return true;
	return cidr_list_contains(p->lan->cidrs, p->lan->ncidrs, pkt->family, pkt->src);
}

/* One copy from the log rules: what it shows of its sender. */
static void on_logged(const struct logged_packet *lp, void *arg)
{
	struct run *r = arg;
	const struct policy *p = r->p;
	struct device_key k = { .has_mac = true };
	struct found_rec rec = { 0 };
	struct packet pkt;

	if (!lp->has_mac || (lp->mac[0] & 1) || !memcmp(lp->mac, "\0\0\0\0\0\0", 6))
		return; /* identification is by the sender's own MAC */
	if (decode_ip(lp->data, lp->len, &pkt, NULL) != DECODE_OK || pkt.proto != IPPROTO_NUM_UDP ||
	    !pkt.l4)
		return;
	if (!from_lan(p, &pkt))
		return; /* a router's MAC from afar, or a host not on the LAN: nobody to find */
	memcpy(k.mac, lp->mac, 6);
	if (policy_identify(p, &k, NULL))
		return; /* a device by its MAC already: its OUI says more than it could */
	memcpy(rec.mac, lp->mac, 6);
	rec.family = pkt.family;
	memcpy(rec.addr, pkt.src, 16);
	if ((p->identify & IDENTIFY_DISCOVERY) && found_discovery(&pkt, &rec))
		found_note(r, &rec);
	else
		found_hint(r, &pkt, &rec);
}

void found_read(struct run *r)
{
	for (int i = 0; r->nflog && i < FOUND_READS_PER_TURN; i++) {
		int n = nflog_receive(r->nflog, on_logged, r);

		if (n <= 0) {
			if (n < 0)
				log_warnx("found: nflog: %s", strerror(-n));
			break;
		}
	}
}

int found_start(struct run *r)
{
	int err = 0;

	if (!r->p->identify)
		return 0;
	if (r->hints_ready)
		hints_flush(&r->hints); /* a policy's hints, by index */
	if (r->nflog)
		return 0;
	if (!r->hints_ready) {
		if (hints_init(&r->hints, HINTS_MAX_HOSTS)) {
			log_warnx("found: out of memory");
			return -1;
		}
		r->hints_ready = true;
	}
	/*
	 * Those the state file kept: matched, and listed with their evidence,
	 * at once - also when no new ones can be read (the table has them in
	 * dev_found either way: queued, they must be decided as devices).
	 */
	for (size_t i = 0; i < r->found.n; i++) {
		engine_found_add(r->sh, r->found.v[i].mac, r->found.v[i].by, r->found.v[i].vendor,
				 ENGINE_MAX_FOUND);
		devtab_found(&r->devs, r->p, &r->found.v[i], r->found.v[i].first_seen);
	}
	r->nflog = nflog_open((uint16_t)r->p->queue_num, &err);
	if (!r->nflog) {
		log_warnx("found: cannot bind nflog group %u: %s: nothing is identified by its "
			  "behaviour",
			  r->p->queue_num, strerror(-err));
		return -1;
	}
	return 0;
}

void found_tick(struct run *r)
{
	struct exception_set *set;
	uint64_t now = run_now_ms();

	if (!r->found_redecide_at || now < r->found_redecide_at)
		return;
	set = exceptions_build(r, r->p); /* run_redecide takes it, and frees the old one */
	if (!set || run_redecide(r, set, "devices found")) {
		r->found_redecide_at = now + 5 * FOUND_REDECIDE_MS; /* said; tried again */
		return;
	}
	r->found_redecide_at = 0;
}

void found_stop(struct run *r)
{
	nflog_close(r->nflog);
	r->nflog = NULL;
	found_list_free(&r->found);
	if (r->hints_ready)
		hints_fini(&r->hints);
	r->hints_ready = false;
}
