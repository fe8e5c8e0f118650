/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c - the nfq-guard command line.  Each command is a small function;
 * the usage text here and nfq-guard(8) say the same thing.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service/control.h"
#include "service/daemon.h"
#include "engine/engine.h"
#include "print/event.h"
#include "print/format.h"
#include "cli/inspect.h"
#include "print/json.h"
#include "kernel/nft.h"
#include "policy/exception.h"
#include "policy/policy.h"
#include "cli/replay.h"
#include "cli/check.h"
#include "cli/discover.h"
#include "cli/learn.h"

#ifndef NFQG_VERSION
#define NFQG_VERSION "unknown"
#endif

/* Exit codes, as documented in nfq-guard(8). */
#define EXIT_OK 0
#define EXIT_FAIL 1  /* the command could not do its job; check: policy invalid */
#define EXIT_USAGE 2 /* bad command line */

static const char usage_text[] =
	"usage: nfq-guard [-c FILE] [-s PATH] COMMAND [ARGS]\n"
	"       nfq-guard -h | --help | -V | --version\n"
	"\n"
	"options:\n"
	"  -c, --config FILE   policy file (default " POLICY_DEFAULT_PATH ")\n"
	"  -s, --socket PATH   the daemon's control socket (default " CONTROL_DEFAULT_PATH ")\n"
	"\n"
	"commands:\n"
	"  check [-v | --verbose]  check the policy; print every error, or the warnings\n"
	"                          and a summary; -v: what each device group matches\n"
	"  explain --mac MAC [--src IP] [--iface IF] (--dst IP | --name HOST)\n"
	"          [--dst IP --name HOST] [--proto tcp|udp|icmp] [--port N]\n"
	"          [--at \"YYYY-MM-DD HH:MM\"] [--json]\n"
	"                          the verdict for a hypothetical flow, and why (--at:\n"
	"                          at that local time, for rules with a schedule)\n"
	"  run [-f | --foreground] [--pidfile FILE] [--socket PATH] [--user USER]\n"
	"      [--group GROUP]     install the policy's table, bind its queues, drop\n"
	"                          privileges and decide device flows until SIGTERM\n"
	"                          (root); without -f in the background, logging to\n"
	"                          syslog; SIGHUP reloads, SIGUSR1 reopens the events\n"
	"  status [--json]         the running daemon: policy, mode, queue path, generation\n"
	"  stats [--json | --prometheus]\n"
	"                          counters per rule and device, queue drops, caches\n"
	"  devices [--json]        the devices seen: addresses, group, flows\n"
	"  flush                   forget learned names and address blocks\n"
	"  allow DEVICE --for DURATION [--to ADDRESS|CIDR|NETWORK]...\n"
	"        [--domain PATTERN]... [--port N]... [--proto tcp|udp|icmp]\n"
	"        [--reason TEXT] [--json]\n"
	"                          let a device (MAC or group) out for a while (30s, 10m,\n"
	"                          2h, 1d; at most 30d): by default to the wan\n"
	"  exceptions [--json]     the exceptions in force: id, device, until, flows\n"
	"  revoke ID               end an exception now; the flows it let pass stop\n"
	"  reload                  re-read the daemon's policy file; exit 1 with its\n"
	"                          errors when rejected (the running policy stays)\n"
	"  reopen                  reopen the event log (after rotation)\n"
	"  rules [--compat] [--split]\n"
	"                          print the nftables table the policy installs (nft\n"
	"                          syntax); --compat: with the xtables NFQUEUE target;\n"
	"                          --split: as ip and ip6 tables (implies --compat)\n"
	"  replay FILE [--json]    decide the device flows of a capture as the daemon\n"
	"                          would; one line per decision, then a summary\n"
	"  learn FILE... [--json | --suggest]\n"
	"                          per device, what it tried (destinations, flows, first\n"
	"                          and last seen, verdicts) from event logs (plain or\n"
	"                          gzip'd; - is standard input) and captures (decided as\n"
	"                          replay does); --suggest: the policy with allow rules\n"
	"                          for it inserted, those to the internet commented out\n"
	"  discover [-i IFACE]... [--timeout SECONDS] [--json | --policy-snippet]\n"
	"                          ask the LAN for cameras (SADP, DHIP, WS-Discovery;\n"
	"                          root): MAC, address, vendor, model, firmware, serial,\n"
	"                          the policy's group or NOT COVERED\n"
	"  inspect FILE [--json]   print what the decoders read in each packet of a\n"
	"                          capture (pcap or pcapng: Ethernet, Linux cooked\n"
	"                          SLL/SLL2, raw IP)\n"
	"  version                 print the version\n"
	"\n"
	"exit status: 0 success, 1 the command failed (check: the policy has\n"
	"errors), 2 bad command line.  See nfq-guard(8), nfq-guard.conf(5).\n";

static int usage(FILE *f, int code)
{
	fputs(usage_text, f);
	return code;
}

static int bad_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A usage error of cmd (NULL: no command): what is wrong, and where to look; exit 2. */
static int bad_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nfq-guard: %s%s", cmd ? cmd : "", cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fprintf(stderr, "nfq-guard: see 'nfq-guard %s%s--help' or nfq-guard(8)\n", cmd ? cmd : "",
		cmd ? " " : "");
	return EXIT_USAGE;
}

/* An option getopt_long() refused: unknown, or without its value. */
static int bad_option(const char *cmd, char **argv)
{
	return bad_usage(cmd, "'%s': unknown option, or its value is missing", argv[optind - 1]);
}

static struct policy *load_policy(const char *path)
{
	struct policy_errors errs;
	struct policy *p = policy_load(path, &errs);
	size_t i;

	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.lines[i]);
	if (errs.dropped)
		fprintf(stderr, "%s: %zu more errors not shown\n", path, errs.dropped);
	policy_errors_clear(&errs);
	return p;
}

static int cmd_check(const char *config, int argc, char **argv)
{
	bool verbose = false;
	struct policy *p;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout, EXIT_OK);
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			verbose = true;
		else
			return bad_usage("check", "unexpected argument '%s'", argv[i]);
	}
	p = load_policy(config);
	if (!p) {
		fprintf(stderr, "nfq-guard: check: %s: policy rejected\n", config);
		return EXIT_FAIL;
	}
	check_report(p, config, verbose, stdout, stderr);
	policy_free(p);
	return EXIT_OK;
}

static int parse_proto(const char *s, uint8_t *proto)
{
	if (!strcmp(s, "tcp"))
		*proto = IPPROTO_NUM_TCP;
	else if (!strcmp(s, "udp"))
		*proto = IPPROTO_NUM_UDP;
	else if (!strcmp(s, "icmp"))
		*proto = IPPROTO_NUM_ICMP;
	else
		return -1;
	return 0;
}

/* Every group the device is in, the naming one first (text: only the others). */
static void explain_groups(FILE *f, const struct policy *p, const struct decision *d, bool json)
{
	const char *sep = json ? "" : "also in: ";
	size_t i;

	if (json) {
		json_key(f, "groups", 0);
		fputc('[', f);
		json_str(f, p->devices[d->device].name);
		sep = ",";
	}
	for (i = 0; i < p->ndevices; i++) {
		if (!(d->groups & (1ull << i)) || (int)i == d->device)
			continue;
		fputs(sep, f);
		if (json)
			json_str(f, p->devices[i].name);
		else
			fputs(p->devices[i].name, f);
		sep = json ? "," : ", ";
	}
	if (json)
		fputc(']', f);
	else if (sep[0] == ',')
		fputc('\n', f);
}

static void explain_how(FILE *f, const struct policy *p, const struct decision *d, bool json)
{
	const struct group_match *m = &d->how;
	char buf[CIDR_STR_MAX + OUI_STR_MAX];

	group_match_format(m, buf, sizeof(buf));
	if (json) {
		json_key(f, "matched_by", 0);
		json_str(f, buf[0] ? buf : NULL);
		json_key(f, "vendor", 0);
		json_str(f, m->kind == MATCH_VENDOR ? m->prefix->needle : NULL);
		json_key(f, "organisation", 0);
		json_str(f, m->kind == MATCH_VENDOR ? m->prefix->org : NULL);
		explain_groups(f, p, d, true);
		return;
	}
	fprintf(f, "device:  %s, matched by %s", p->devices[d->device].name,
		match_kind_str(m->kind));
	if (m->kind == MATCH_VENDOR)
		fprintf(f, " \"%s\": %s (%s)", m->prefix->needle, buf, m->prefix->org);
	else if (buf[0])
		fprintf(f, " %s", buf);
	fputc('\n', f);
	explain_groups(f, p, d, false);
}

/* What `explain` was asked, from its options. */
struct explain_args {
	const char *mac, *src, *dst, *host, *iface, *at;
	uint8_t proto;
	unsigned long port;
	bool have_port, json;
	struct engine_clock clock; /* --at, else now */
};

/* The options into *a: -1 to go on, or the exit code (usage printed). */
static int explain_options(int argc, char **argv, struct explain_args *a)
{
	static const struct option opts[] = {
		{ "mac", required_argument, NULL, 'm' },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "proto", required_argument, NULL, 'p' },
		{ "port", required_argument, NULL, 'P' },
		{ "iface", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "at", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			a->mac = optarg;
			break;
		case 's':
			a->src = optarg;
			break;
		case 'd':
			a->dst = optarg;
			break;
		case 'n':
			a->host = optarg;
			break;
		case 'p':
			if (parse_proto(optarg, &a->proto))
				return bad_usage("explain", "--proto '%s': use tcp, udp or icmp",
						 optarg);
			break;
		case 'P':
			a->port = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || a->port > 65535)
				return bad_usage("explain", "--port '%s': use 0-65535", optarg);
			a->have_port = true;
			break;
		case 'i':
			a->iface = optarg;
			break;
		case 'j':
			a->json = true;
			break;
		case 'a':
			a->at = optarg;
			break;
		case 'h':
			return usage(stdout, EXIT_OK);
		default:
			return bad_option("explain", argv);
		}
	}
	if (optind < argc)
		return bad_usage("explain", "unexpected argument '%s'", argv[optind]);
	return -1;
}

/* The time of --at ("YYYY-MM-DD HH:MM", local), else now, into a->clock.  0 or -1. */
static int explain_time(struct explain_args *a)
{
	struct tm tm = { .tm_isdst = -1 }, want;
	const char *end;
	time_t t;

	if (!a->at) {
		a->clock = local_clock((int64_t)time(NULL));
		return 0;
	}
	end = strptime(a->at, "%Y-%m-%d %H:%M", &tm);
	if (!end || *end || strlen(a->at) != 16)
		return -1;
	want = tm;
	t = mktime(&tm);
	/* mktime moves February 30 to March 2: no such day (a DST gap moves the hour alone) */
	if (t == (time_t)-1 || tm.tm_mday != want.tm_mday || tm.tm_mon != want.tm_mon ||
	    tm.tm_year != want.tm_year)
		return -1;
	a->clock = local_clock((int64_t)t);
	return 0;
}

/*
 * The device, the flow and the name that the options describe: -1 to go
 * on, or the exit code after saying what is wrong.
 */
static int explain_flow(struct explain_args *a, struct device_key *dev, struct engine_flow_key *k,
			uint8_t *dfam, struct name *nm)
{
	if (!a->mac && !a->src && !a->iface)
		return bad_usage("explain", "%s", "name the device: --mac, --src or --iface");
	if (!a->dst && !a->host)
		return bad_usage("explain", "%s", "name the destination: --dst or --name");
	if (a->mac && mac_parse(a->mac, dev->mac))
		return bad_usage("explain", "--mac '%s' is not a MAC address", a->mac);
	dev->has_mac = a->mac != NULL;
	if (a->src && addr_parse(a->src, &dev->family, dev->addr))
		return bad_usage("explain", "--src '%s' is not an address", a->src);
	if (a->dst && addr_parse(a->dst, dfam, k->dst))
		return bad_usage("explain", "--dst '%s' is not an address", a->dst);
	if (a->src && a->dst && *dfam != dev->family)
		return bad_usage("explain", "%s", "--src and --dst must be of one family");
	if (a->host && name_set(nm, (const uint8_t *)a->host, strlen(a->host)))
		return bad_usage("explain", "--name '%s' is not a host name", a->host);
	if (a->iface && strlen(a->iface) >= sizeof(dev->iface))
		return bad_usage("explain", "--iface '%s' is too long", a->iface);
	if (a->iface)
		snprintf(dev->iface, sizeof(dev->iface), "%s", a->iface);
	if (a->have_port && a->proto == IPPROTO_NUM_ICMP)
		return bad_usage("explain", "%s", "--port does not go with --proto icmp");
	if (!a->have_port)
		a->port = a->proto == IPPROTO_NUM_UDP ? 53 : a->proto == IPPROTO_NUM_TCP ? 443 : 0;
	if (explain_time(a))
		return bad_usage("explain", "--at '%s': use \"YYYY-MM-DD HH:MM\", local time",
				 a->at);
	/* without --dst the destination is an address in no network: wan */
	k->family = *dfam ? *dfam : dev->family ? dev->family : 4;
	k->proto = a->proto;
	k->dport = (uint16_t)a->port;
	memcpy(k->src, dev->addr, 16);
	return -1;
}

static void explain_print_json(const struct policy *p, const struct explain_args *a,
			       const struct device_key *dev, const struct engine_flow_key *k,
			       const struct decision *d)
{
	struct event ev = { .has_mac = dev->has_mac,
			    .flow = k,
			    .monitor = p->monitor,
			    .d = d,
			    .ts_us = (uint64_t)a->clock.wall * 1000000u,
			    .no_src = !a->src,
			    .no_dst = !a->dst,
			    .no_sport = true };

	memcpy(ev.mac, dev->mac, 6);
	snprintf(ev.in_iface, sizeof(ev.in_iface), "%s", dev->iface);
	/* the decision's fields, with the explanation's added */
	fputc('{', stdout);
	event_json_fields(stdout, p, &ev);
	json_key(stdout, "rule_line", 0);
	d->rule ? printf("%u", d->rule->line) : fputs("null", stdout);
	explain_how(stdout, p, d, true);
	fputs("}\n", stdout);
}

/* A rule's window as the policy writes it: "mon,tue 08:00-17:30". */
static void explain_window(FILE *f, const struct schedule *w)
{
	for (int i = 0, n = 0; i < 7 && w->days != 0x7f; i++)
		if (w->days >> i & 1)
			fprintf(f, "%s%s", n++ ? "," : "", schedule_day_str(i));
	fprintf(f, "%s%02u:%02u-%02u:%02u", w->days != 0x7f ? " " : "every day ", w->from / 60,
		w->from % 60, w->to / 60, w->to % 60);
}

static void explain_print_text(const struct policy *p, const struct explain_args *a,
			       const struct device_key *dev, const struct decision *d)
{
	char esc[NAME_ESCAPED_MAX];
	const char *label = dev->has_mac ? policy_label(p, dev->mac) : NULL;

	printf("verdict: %s%s (rule %s", action_str(d->action),
	       p->monitor ? ", not enforced: monitor mode" : "",
	       d->rule ? d->rule->name : "default");
	if (d->rule)
		printf(", line %u", d->rule->line);
	printf(")\n");
	explain_how(stdout, p, d, false);
	if (a->at) {
		char t[32];

		fmt_local_minute(a->clock.wall, t, sizeof(t));
		printf("at:      %s, local time\n", t);
	}
	if (d->rule && d->rule->has_schedule) {
		printf("window:  ");
		explain_window(stdout, &d->rule->sched);
		printf(" (open then)\n");
	}
	if (label)
		printf("label:   %s\n", label);
	if (d->pattern) {
		name_escape(&d->name, esc, sizeof(esc));
		printf("why:     %s matches %s\n", esc, d->pattern);
	} else if (d->rule && d->rule->domains) {
		printf("why:     the rule's other conditions and a domain matched\n");
	} else if (!d->rule) {
		printf("why:     no rule matches this flow\n");
	}
}

static int cmd_explain(const char *config, int argc, char **argv)
{
	struct explain_args a = { .proto = IPPROTO_NUM_TCP };
	struct device_key dev = { 0 };
	struct engine_flow_key k = { 0 };
	uint8_t dfam = 0;
	struct name nm;
	struct decision d;
	struct policy *p;
	int rc;

	if ((rc = explain_options(argc, argv, &a)) >= 0 ||
	    (rc = explain_flow(&a, &dev, &k, &dfam, &nm)) >= 0)
		return rc;
	p = load_policy(config);
	if (!p)
		return EXIT_FAIL;
	engine_decide(p, &dev, a.dst ? dfam : 0, k.dst, a.proto, (uint16_t)a.port,
		      a.host ? &nm : NULL, NAME_DNS, &a.clock, &d);
	if (d.device < 0) {
		/* no rule applies to a host that is no device: say only that */
		if (a.json)
			printf("{\"event\":\"not_device\",\"device\":null}\n");
		else
			printf("verdict: none: no device group matches, so nfq-guard leaves this "
			       "host alone\n");
	} else if (a.json) {
		explain_print_json(p, &a, &dev, &k, &d);
	} else {
		explain_print_text(p, &a, &dev, &d);
	}
	policy_free(p);
	return EXIT_OK;
}

static int cmd_run(const char *config, const char *sock, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "user", required_argument, NULL, 'u' },
		{ "group", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon_opts o = { .config = config, .socket = sock };
	struct policy *p;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o.foreground = true;
			break;
		case 'p':
			o.pidfile = optarg;
			break;
		case 's':
			o.socket = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case 'g':
			o.group = optarg;
			break;
		case 'h':
			return usage(stdout, EXIT_OK);
		default:
			return bad_option("run", argv);
		}
	}
	if (optind < argc)
		return bad_usage("run", "unexpected argument '%s'", argv[optind]);
	if (o.pidfile && o.pidfile[0] != '/')
		return bad_usage("run", "--pidfile '%s': use an absolute path", o.pidfile);
	if (o.socket[0] != '/')
		return bad_usage("run", "--socket '%s': use an absolute path", o.socket);
	p = load_policy(config);
	if (!p)
		return EXIT_FAIL;
	return daemon_run(p, &o) ? EXIT_FAIL : EXIT_OK;
}

/* status, stats, devices, flush, reload, reopen: a request to the daemon. */
static int cmd_control(const char *sock, int argc, char **argv)
{
	const char *cmd = argv[0];
	bool json = false, takes_json = strcmp(cmd, "status") == 0 || strcmp(cmd, "stats") == 0 ||
					strcmp(cmd, "devices") == 0;
	bool prom = false;
	char req[CONTROL_REQ_MAX];
	int i, st;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && takes_json)
			json = true;
		else if (!strcmp(argv[i], "--prometheus") && !strcmp(cmd, "stats"))
			prom = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout, EXIT_OK);
		else
			return bad_usage(cmd, "unexpected argument '%s'", argv[i]);
	}
	if (json && prom)
		return bad_usage(cmd, "--json or --prometheus, not both");
	snprintf(req, sizeof(req), "%s%s", cmd, json ? " --json" : prom ? " --prometheus" : "");
	/* a reload compiles a whole policy: give it time */
	st = control_request(sock, req, strcmp(cmd, "reload") ? 10 : 120, stdout, stderr);
	if (fflush(stdout))
		return EXIT_FAIL;
	return st == 0 ? EXIT_OK : EXIT_FAIL;
}

/*
 * allow, exceptions, revoke: requests with words.  allow's words are
 * checked here first, for a usage error before the daemon is asked (it
 * checks them again, and against its policy).
 */
static int cmd_exception(const char *sock, int argc, char **argv)
{
	const char *cmd = argv[0];
	char *words[CONTROL_MAX_ARGS], err[EXCEPTION_ERR_MAX];
	struct exception_spec spec;
	bool json = false;
	int n = 0, st;

	for (int i = 1; i < argc; i++) {
		/* an option's value is a word, whatever it says (--reason --json) */
		bool value = n > 0 && words[n - 1][0] == '-' && words[n - 1][1] == '-' &&
			     strcmp(words[n - 1], "--json");

		if (!value && (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")))
			return usage(stdout, EXIT_OK);
		if (!value && !strcmp(argv[i], "--json") && strcmp(cmd, "revoke"))
			json = true;
		else if (n < CONTROL_MAX_ARGS - 2)
			words[n++] = argv[i];
		else
			return bad_usage(cmd, "too many arguments");
	}
	if (!strcmp(cmd, "allow") && exception_parse_args(n, words, &spec, err, sizeof(err)))
		return bad_usage(cmd, "%s", err);
	if (!strcmp(cmd, "exceptions") && n)
		return bad_usage(cmd, "unexpected argument '%s'", words[0]);
	if (!strcmp(cmd, "revoke") && n != 1)
		return bad_usage(cmd, "%s", "name one exception: revoke ID");
	st = control_request_words(sock, cmd, n, words, json, 30, stdout, stderr);
	if (fflush(stdout))
		return EXIT_FAIL;
	return st == 0 ? EXIT_OK : EXIT_FAIL;
}

static int cmd_discover(const char *config, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "policy-snippet", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct discover_opts o = { .timeout = DISCOVER_TIMEOUT_DEFAULT };
	char names[DISCOVER_MAX_IFACES][IF_NAMESIZE];
	struct policy *p;
	char *end;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (o.nifaces >= DISCOVER_MAX_IFACES)
				return bad_usage("discover", "at most %d interfaces",
						 DISCOVER_MAX_IFACES);
			if (strlen(optarg) >= IF_NAMESIZE)
				return bad_usage("discover", "-i '%s': too long for an interface",
						 optarg);
			o.ifaces[o.nifaces++] = optarg;
			break;
		case 't': {
			long t = strtol(optarg, &end, 10);

			if (*optarg < '0' || *optarg > '9' || *end || t < 1 ||
			    t > DISCOVER_TIMEOUT_MAX)
				return bad_usage("discover", "--timeout '%s': use 1-%d seconds",
						 optarg, DISCOVER_TIMEOUT_MAX);
			o.timeout = (int)t;
			break;
		}
		case 'j':
			o.json = true;
			break;
		case 'S':
			o.snippet = true;
			break;
		case 'h':
			return usage(stdout, EXIT_OK);
		default:
			return bad_option("discover", argv);
		}
	}
	if (optind < argc)
		return bad_usage("discover", "unexpected argument '%s'", argv[optind]);
	if (o.json && o.snippet)
		return bad_usage("discover", "%s", "--json or --policy-snippet, not both");
	p = load_policy(config);
	if (!p)
		return EXIT_FAIL;
	if (!o.nifaces) {
		o.nifaces = discover_default_ifaces(p, names, DISCOVER_MAX_IFACES);
		for (size_t i = 0; i < o.nifaces; i++)
			o.ifaces[i] = names[i];
	}
	if (!o.nifaces) {
		fprintf(stderr, "nfq-guard: discover: no interface of the policy's devices, and "
				"none with an address in networks.lan: name one with -i\n");
		policy_free(p);
		return EXIT_FAIL;
	}
	rc = discover_run(p, &o, stdout, stderr);
	policy_free(p);
	return rc ? EXIT_FAIL : EXIT_OK;
}

static int cmd_rules(const char *config, int argc, char **argv)
{
	struct nft_config c;
	struct policy *p;
	int i, r;

	nft_config_default(&c);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--compat")) {
			c.queue = NFT_QUEUE_COMPAT;
		} else if (!strcmp(argv[i], "--split")) {
			c.queue = NFT_QUEUE_COMPAT;
			c.split = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout, EXIT_OK);
		else
			return bad_usage("rules", "unexpected argument '%s'", argv[i]);
	}
	p = load_policy(config);
	if (!p)
		return EXIT_FAIL;
	/* as the daemon installs it (found_config): the log rules of identify, dev_found's size */
	c.identify = p->identify;
	c.log_group = (uint16_t)p->queue_num;
	c.found_max = ENGINE_MAX_FOUND;
	r = nft_render(p, &c, stdout);
	policy_free(p);
	if (r || fflush(stdout)) {
		fprintf(stderr, "nfq-guard: rules: %s\n", r ? strerror(-r) : "write error");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int cmd_file_command(const char *config, int argc, char **argv, bool with_policy)
{
	const char *cmd = argv[0], *file = NULL;
	struct policy *p;
	bool json = false;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout, EXIT_OK);
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return bad_usage(cmd, "unknown option '%s'", argv[i]);
		else if (!file)
			file = argv[i];
		else
			return bad_usage(cmd, "%s", "one capture file at a time");
	}
	if (!file)
		return bad_usage(cmd, "%s", "no capture file given");
	if (!with_policy)
		return inspect_file(file, json, stdout, stderr) ? EXIT_FAIL : EXIT_OK;
	p = load_policy(config);
	if (!p)
		return EXIT_FAIL;
	rc = replay_file(p, file, json, stdout, stderr);
	policy_free(p);
	return rc ? EXIT_FAIL : EXIT_OK;
}

static int cmd_learn(const char *config, int argc, char **argv)
{
	struct learn_opts o = { .config = config };
	const char **files = calloc((size_t)argc, sizeof(*files));
	bool options = true;
	struct policy *p;
	int i, rc;

	if (!files)
		return EXIT_FAIL;
	o.files = files;
	for (i = 1; i < argc; i++) {
		if (options && !strcmp(argv[i], "--json")) {
			o.json = true;
		} else if (options && !strcmp(argv[i], "--suggest")) {
			o.suggest = true;
		} else if (options && (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))) {
			free(files);
			return usage(stdout, EXIT_OK);
		} else if (options && !strcmp(argv[i], "--")) {
			options = false;
		} else if (options && argv[i][0] == '-' && argv[i][1] != '\0') {
			free(files);
			return bad_usage("learn", "unknown option '%s'", argv[i]);
		} else if (o.nfiles == LEARN_MAX_FILES) {
			free(files);
			return bad_usage("learn", "at most %d files at a time", LEARN_MAX_FILES);
		} else {
			files[o.nfiles++] = argv[i];
		}
	}
	rc = !o.nfiles ? bad_usage("learn", "%s", "no file given (event logs, captures)") :
	     o.json && o.suggest ? bad_usage("learn", "%s", "--json or --suggest, not both") :
				   -1;
	if (rc < 0) {
		p = load_policy(config);
		rc = p ? learn_run(p, &o, stdout, stderr) : EXIT_FAIL;
		policy_free(p);
	}
	free(files);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = POLICY_DEFAULT_PATH, *sock = CONTROL_DEFAULT_PATH, *cmd;
	int c;

	opterr = 0; /* bad_option() says it, once, with the prefix */
	while ((c = getopt_long(argc, argv, "+c:s:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'h':
			return usage(stdout, EXIT_OK);
		case 'V':
			printf("nfq-guard %s\n", NFQG_VERSION);
			return EXIT_OK;
		default:
			return bad_option(NULL, argv);
		}
	}
	if (optind >= argc)
		return bad_usage(NULL, "%s", "no command given");
	argc -= optind;
	argv += optind;
	cmd = argv[0];
	if (!strcmp(cmd, "help"))
		return usage(stdout, EXIT_OK);
	if (!strcmp(cmd, "version")) {
		if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
			return usage(stdout, EXIT_OK);
		if (argc > 1)
			return bad_usage("version", "unexpected argument '%s'", argv[1]);
		printf("nfq-guard %s\n", NFQG_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "check"))
		return cmd_check(config, argc, argv);
	if (!strcmp(cmd, "explain"))
		return cmd_explain(config, argc, argv);
	if (!strcmp(cmd, "run"))
		return cmd_run(config, sock, argc, argv);
	if (!strcmp(cmd, "status") || !strcmp(cmd, "stats") || !strcmp(cmd, "devices") ||
	    !strcmp(cmd, "flush") || !strcmp(cmd, "reload") || !strcmp(cmd, "reopen"))
		return cmd_control(sock, argc, argv);
	if (!strcmp(cmd, "allow") || !strcmp(cmd, "exceptions") || !strcmp(cmd, "revoke"))
		return cmd_exception(sock, argc, argv);
	if (!strcmp(cmd, "rules"))
		return cmd_rules(config, argc, argv);
	if (!strcmp(cmd, "replay"))
		return cmd_file_command(config, argc, argv, true);
	if (!strcmp(cmd, "inspect"))
		return cmd_file_command(config, argc, argv, false);
	if (!strcmp(cmd, "learn"))
		return cmd_learn(config, argc, argv);
	if (!strcmp(cmd, "discover"))
		return cmd_discover(config, argc, argv);
	return bad_usage(NULL, "unknown command '%s'", cmd);
}
