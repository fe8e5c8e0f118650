/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render.c - the ruleset (ruleset.c) printed in nft syntax, as `nfq-guard
 * rules` shows it and `nft -f` would read it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <stdlib.h>
#include <string.h>

#include "base/proto.h"
#include "kernel/internal.h"
#include "kernel/nft.h"

/* A step that matches (the ones before the first statement); false for a statement. */
static bool print_match(FILE *f, const struct nft_config *c, const struct step *s)
{
	const char *ip = s->v == 6 ? "ip6" : "ip";

	switch (s->k) {
	case S_NFPROTO:
		fprintf(f, "meta nfproto %s", s->v == 6 ? "ipv6" : "ipv4");
		return true;
	case S_L4PROTO:
		fprintf(f, "meta l4proto %s", s->v == IPPROTO_NUM_TCP ? "tcp" : "udp");
		return true;
	case S_SPORT:
		fprintf(f, "th sport %u", s->v);
		return true;
	case S_DPORT:
		fprintf(f, "th dport %u", s->v);
		return true;
	case S_QUIC_INITIAL:
		fputs("udp length >= 1208 @th,64,8 & 0xe0 == 0xc0", f);
		return true;
	case S_ETHER_SADDR_IN:
		fprintf(f, "ether saddr @%s", s->s);
		return true;
	case S_SADDR_IN:
		fprintf(f, "%s saddr @%s", ip, s->s);
		return true;
	case S_IIFNAME_IN:
		fprintf(f, "iifname @%s", s->s);
		return true;
	case S_DADDR_IN:
		fprintf(f, "%s daddr @%s", ip, s->s);
		return true;
	case S_CT_ORIGINAL:
		fputs("ct direction original", f);
		return true;
	case S_CT_ESTABLISHED:
		fputs("ct state established,related", f);
		return true;
	case S_CT_UNTRUSTED:
		fputs("ct state invalid,untracked", f);
		return true;
	case S_MARK_NONE:
		fprintf(f, "meta mark & 0x%08x == 0x00000000", c->mask);
		return true;
	case S_CT_MARK_IS:
		fprintf(f, "ct mark & 0x%08x == 0x%08x", c->mask, nft_mark(c, s->v));
		return true;
	case S_MARK_IS:
		fprintf(f, "meta mark & 0x%08x == 0x%08x", c->mask, nft_mark(c, s->v));
		return true;
	case S_BLOCK_IN:
		fprintf(f, "%s saddr . meta l4proto . th dport . %s daddr @%s", ip, ip, s->s);
		return true;
	default:
		return false;
	}
}

static void print_queue(FILE *f, const struct nft_config *c)
{
	/* several queues: the kernel hashes each flow to one of them */
	if (c->queue_total > 1)
		fprintf(f, "queue %snum %u-%u", c->bypass ? "flags bypass " : "", c->queue_num,
			c->queue_num + c->queue_total - 1);
	else
		fprintf(f, "queue %snum %u", c->bypass ? "flags bypass " : "", c->queue_num);
	if (c->queue == NFT_QUEUE_COMPAT)
		fputs("  # xtables NFQUEUE target, revision 3", f);
}

static void print_step(FILE *f, const struct nft_config *c, const struct step *s)
{
	const char *ip = s->v == 6 ? "ip6" : "ip";

	if (print_match(f, c, s))
		return;
	switch (s->k) {
	case S_CT_MARK_SET:
		fprintf(f, "ct mark set ct mark & 0x%08x | 0x%08x", ~c->mask, nft_mark(c, s->v));
		break;
	case S_SEEN_UPDATE:
		fprintf(f, "update @%s { %s saddr }", s->s, ip);
		break;
	case S_BLOCK_UPDATE:
		fprintf(f, "update @%s { %s saddr . meta l4proto . th dport . %s daddr }", s->s, ip,
			ip);
		break;
	case S_REJECT:
		fputs(s->v == IPPROTO_NUM_TCP ? "reject with tcp reset" :
						"reject with icmpx admin-prohibited",
		      f);
		break;
	case S_COUNTER:
		fputs("counter", f);
		break;
	case S_ACCEPT:
		fputs("accept", f);
		break;
	case S_DROP:
		fputs("drop", f);
		break;
	case S_JUMP:
		fprintf(f, "jump %s", s->s);
		break;
	case S_QUEUE:
		print_queue(f, c);
		break;
	case S_LOG:
		fprintf(f, "log group %u", c->log_group);
		break;
	default:
		break;
	}
}

static void print_addr(FILE *f, const uint8_t *a, size_t len)
{
	char buf[INET6_ADDRSTRLEN];

	if (len == 6)
		fprintf(f, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
	else
		fputs(inet_ntop(len == 4 ? AF_INET : AF_INET6, a, buf, sizeof(buf)), f);
}

/* The devices' interface names: nothing when no device is known by one. */
static void print_ifaces(FILE *f, const struct policy *p)
{
	size_t i, j, n = 0;

	for (i = 0; i < p->ndevices; i++)
		for (j = 0; j < p->devices[i].nifaces; j++)
			fprintf(f, "%s\"%s\"", n++ ? ", " : "\t\telements = { ",
				p->devices[i].ifaces[j]);
	if (n)
		fputs(" }\n", f);
}

static void print_elements(FILE *f, const struct policy *p, const char *set)
{
	size_t n, len, i;
	struct range *r = ruleset_ranges(p, set, &n, &len);

	if (!r || n == 0) {
		free(r);
		return;
	}
	fputs("\t\telements = { ", f);
	for (i = 0; i < n; i++) {
		fputs(i ? ",\n\t\t\t     " : "", f);
		print_addr(f, r[i].lo, len);
		if (memcmp(r[i].lo, r[i].hi, len)) {
			fputc('-', f);
			print_addr(f, r[i].hi, len);
		}
	}
	fputs(" }\n", f);
	free(r);
}

/* A rule on one line; in an ip or ip6 table (fam 4 or 6) the family is implied. */
static void print_rule(FILE *f, const struct nft_config *c, int fam, const struct rule_desc *d)
{
	const struct step *s;
	bool first = true;

	fputs("\t\t", f);
	for (s = d->steps; s->k != S_END; s++) {
		if (fam && s->k == S_NFPROTO)
			continue;
		if (!first)
			fputc(' ', f);
		first = false;
		if (fam && s->k == S_REJECT && s->v != IPPROTO_NUM_TCP)
			fputs(fam == 4 ? "reject with icmp admin-prohibited" :
					 "reject with icmpv6 admin-prohibited",
			      f);
		else
			print_step(f, c, s);
	}
	fputc('\n', f);
}

/* The devices found by their behaviour: their size, and the MACs found so far. */
static void print_found(FILE *f, const struct nft_config *c)
{
	size_t i;

	fprintf(f, "\t\tsize %u\n", c->found_max);
	for (i = 0; i < c->nfound; i++) {
		fputs(i == 0 ? "\t\telements = { " : ",\n\t\t\t     ", f);
		print_addr(f, c->found[i], 6);
	}
	if (c->nfound)
		fputs(" }\n", f);
}

/* One table: inet (fam 0), or the ip (4) or ip6 (6) half of a split ruleset. */
static void render_table(const struct policy *p, const struct nft_config *c, int fam, FILE *f)
{
	size_t i, j;

	fprintf(f, "table %s %s {\n", fam == 4 ? "ip" : fam == 6 ? "ip6" : "inet", NFT_TABLE_NAME);
	for (i = 0; i < ruleset_nsets; i++) {
		const struct set_desc *s = &ruleset_sets[i];

		if (!ruleset_in_table(fam, s->fam))
			continue;
		fprintf(f, "\tset %s {\n\t\ttype %s\n", s->name, s->type);
		if (s->interval)
			fputs("\t\tflags interval\n", f);
		if (s->dynamic)
			fprintf(f, "\t\tsize %u\n\t\tflags dynamic,timeout\n\t\ttimeout %us\n",
				SET_SIZE, s->block ? c->block_timeout : c->seen_timeout);
		if (s->interval)
			print_elements(f, p, s->name);
		if (s->ifname)
			print_ifaces(f, p);
		if (s->found)
			print_found(f, c);
		fputs("\t}\n\n", f);
	}
	for (i = 0; i < ruleset_nchains; i++) {
		fprintf(f, "\tchain %s {\n", ruleset_chains[i].name);
		if (ruleset_chains[i].hook >= 0)
			fprintf(f, "\t\ttype filter hook %s priority %d; policy accept;\n",
				ruleset_chains[i].hook == NF_INET_PRE_ROUTING ? "prerouting" :
				ruleset_chains[i].hook == NF_INET_FORWARD     ? "forward" :
				ruleset_chains[i].hook == NF_INET_LOCAL_IN    ? "input" :
										"output",
				ruleset_chains[i].prio);
		for (j = 0; j < ruleset_nrules; j++)
			if (!strcmp(ruleset_rules[j].chain, ruleset_chains[i].name) &&
			    ruleset_in_table(fam, ruleset_rule_family(&ruleset_rules[j])) &&
			    ruleset_rule_wanted(&ruleset_rules[j], c))
				print_rule(f, c, fam, &ruleset_rules[j]);
		fprintf(f, "\t}\n%s", i + 1 < ruleset_nchains ? "\n" : "");
	}
	fputs("}\n", f);
}

int nft_render(const struct policy *p, const struct nft_config *c, FILE *f)
{
	if (mark_shift(c->mask) < 0)
		return -EINVAL;
	if (!c->split) {
		render_table(p, c, 0, f);
	} else {
		render_table(p, c, 4, f);
		fputc('\n', f);
		render_table(p, c, 6, f);
	}
	return 0;
}
