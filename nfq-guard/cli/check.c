/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check.c - what `nfq-guard check` prints of a policy that compiles: the
 * warnings, the summary, and with -v each device group: the organisations
 * its vendor strings matched (with their prefix counts), its MACs, OUI
 * prefixes, addresses and interfaces, and the rules that name it.
 */
#include <stdio.h>

#include "cli/check.h"

#define CHECK_MAX_ORGS 16
#define CHECK_MAX_VENDORS 64

static void print_vendors(FILE *out, const struct device_group *g)
{
	const char *needles[CHECK_MAX_VENDORS];
	struct vendor_org orgs[CHECK_MAX_ORGS];
	size_t i, k, n, nn, more;

	nn = policy_group_vendors(g, needles, CHECK_MAX_VENDORS);
	for (i = 0; i < nn; i++) {
		n = policy_vendor_orgs(g, needles[i], orgs, CHECK_MAX_ORGS, &more);
		fprintf(out, "  vendor \"%s\":", needles[i]);
		for (k = 0; k < n; k++)
			fprintf(out, "%s \"%s\" (%u prefix%s)", k ? "," : "", orgs[k].org,
				orgs[k].prefixes, orgs[k].prefixes == 1 ? "" : "es");
		if (more)
			fprintf(out, ", and %zu prefix%s of other organisations", more,
				more == 1 ? "" : "es");
		fputc('\n', out);
	}
}

static void print_selectors(FILE *out, const struct device_group *g)
{
	size_t i, nmac = 0, noui = 0;
	char buf[64];

	for (i = 0; i < g->nprefixes; i++) {
		nmac += g->prefixes[i].kind == MATCH_MAC;
		noui += g->prefixes[i].kind == MATCH_OUI;
	}
	if (nmac || noui)
		fprintf(out, "  mac: %zu address%s; oui: %zu prefix%s\n", nmac,
			nmac == 1 ? "" : "es", noui, noui == 1 ? "" : "es");
	if (g->nips) {
		fputs("  ip:", out);
		for (i = 0; i < g->nips; i++) {
			cidr_format(&g->ips[i], buf, sizeof(buf));
			fprintf(out, " %s", buf);
		}
		fputc('\n', out);
	}
	if (g->nifaces) {
		fputs("  iface:", out);
		for (i = 0; i < g->nifaces; i++)
			fprintf(out, " %s", g->ifaces[i]);
		fputc('\n', out);
	}
}

static void print_rules(FILE *out, const struct policy *p, size_t gi)
{
	size_t i, named = 0, any = 0;

	fputs("  rules:", out);
	for (i = 0; i < p->nrules; i++) {
		if (p->rules[i].from_any) {
			any++;
		} else if (p->rules[i].from & (1ull << gi)) {
			fprintf(out, "%s %s", named ? "," : "", p->rules[i].name);
			named++;
		}
	}
	if (!named)
		fputs(" none names it;", out);
	else
		fputc(';', out);
	fprintf(out, " %zu for every device; then the default (%s)\n", any, action_str(p->dflt));
}

void check_report(const struct policy *p, const char *config, bool verbose, FILE *out, FILE *err)
{
	size_t i, nvendor = 0, nprefix = 0, nips = 0;
	struct policy_errors w;

	policy_lint(p, &w);
	for (i = 0; i < w.n; i++)
		fprintf(err, "%s\n", w.lines[i]);
	if (w.dropped)
		fprintf(err, "%s: %zu more warnings not shown\n", config, w.dropped);
	for (i = 0; i < p->ndevices; i++) {
		nvendor += p->devices[i].nvendor_prefixes;
		nprefix += p->devices[i].nprefixes;
		nips += p->devices[i].nips;
	}
	fprintf(out,
		"%s: ok: mode %s, default %s, %zu devices (%zu MAC prefixes and addresses, "
		"%zu from vendor names; %zu IP prefixes), %zu rules, %zu domains, "
		"%zu registry entries",
		config, p->monitor ? "monitor" : "enforce", action_str(p->dflt), p->ndevices,
		nprefix, nvendor, nips, p->nrules, p->ndomains, p->nregistry);
	if (w.n + w.dropped)
		fprintf(out, "; %zu warning%s", w.n + w.dropped, w.n + w.dropped == 1 ? "" : "s");
	fputc('\n', out);
	policy_errors_clear(&w);
	if (!verbose)
		return;
	for (i = 0; i < p->ndevices; i++) {
		const struct device_group *g = &p->devices[i];

		fprintf(out,
			"group %s (%s:%u): %zu MAC prefixes and addresses, %zu IP prefix%s, "
			"%zu interface%s\n",
			g->name, g->file, g->line, g->nprefixes, g->nips, g->nips == 1 ? "" : "es",
			g->nifaces, g->nifaces == 1 ? "" : "s");
		print_vendors(out, g);
		print_selectors(out, g);
		print_rules(out, p, i);
	}
}
