/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_nft.c - the nftables batch: built without a socket and parsed back
 * with libnftnl; and, as root, loaded into the kernel of a network
 * namespace of its own (unshare) and listed with nft.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel/nft.h"

static char dir[] = "/tmp/nfqg-nft-XXXXXX";
static char path[64];
static char batch[1 << 20];

static struct policy *policy(void)
{
	static const char text[] =
		"version = 1;\n"
		"networks = { lan = [ \"192.168.0.0/16\" ]; router = [ \"192.168.1.1\" ]; };\n"
		"devices = (\n"
		"  { name = \"cam\"; oui = [ \"44:47:CC\", \"44:47:CC:D/28\" ]; mac = \"02:00:00:00:00:10\"; },\n"
		"  { name = \"nvr-side\"; ip = [ \"192.168.1.64/30\", \"fd00::64\" ]; },\n"
		"  { name = \"port\"; iface = [ \"cam-port7\", \"lan-cam1\" ]; } );\n"
		"rules = ( { action = \"allow\"; } );\n";
	struct policy_errors errs;
	struct policy *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/p.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	p = policy_load(path, &errs);
	assert_non_null(p);
	return p;
}

struct counts {
	int tables, deltables, sets, elems, chains, rules, queue_rules, delrules, delelems;
	char first_rule_exprs[256];
};

static int count_expr(struct nftnl_expr *e, void *data)
{
	char *s = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (strlen(s) + strlen(name) + 2 < 256) {
		strcat(s, name);
		strcat(s, " ");
	}
	return 0;
}

static int has_expr(struct nftnl_expr *e, void *data)
{
	const char *want = data;

	/* a negative return stops nftnl_expr_foreach and is returned by it */
	return strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), want) ? 0 : -1;
}

static void count(const char *buf, long len, struct counts *c, const char *queue_expr)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int rem = (int)len;

	memset(c, 0, sizeof(*c));
	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
		uint16_t type = nlh->nlmsg_type & 0xff;

		if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN ||
		    nlh->nlmsg_type == NFNL_MSG_BATCH_END)
			continue;
		switch (type) {
		case NFT_MSG_NEWTABLE:
			c->tables++;
			break;
		case NFT_MSG_DELTABLE:
			c->deltables++;
			break;
		case NFT_MSG_NEWSET:
			c->sets++;
			break;
		case NFT_MSG_NEWSETELEM:
			c->elems++;
			break;
		case NFT_MSG_DELSETELEM:
			c->delelems++;
			break;
		case NFT_MSG_DELRULE:
			c->delrules++;
			break;
		case NFT_MSG_NEWCHAIN:
			c->chains++;
			break;
		case NFT_MSG_NEWRULE: {
			struct nftnl_rule *r = nftnl_rule_alloc();

			assert_int_equal(nftnl_rule_nlmsg_parse(nlh, r), 0);
			assert_string_equal(nftnl_rule_get_str(r, NFTNL_RULE_TABLE),
					    NFT_TABLE_NAME);
			if (c->rules == 0)
				nftnl_expr_foreach(r, count_expr, c->first_rule_exprs);
			if (nftnl_expr_foreach(r, has_expr, (void *)queue_expr) == -1)
				c->queue_rules++;
			c->rules++;
			nftnl_rule_free(r);
			break;
		}
		}
	}
}

static void test_batch_shape(void **state)
{
	struct policy *p = policy();
	struct nft_config c;
	struct counts n;
	uint32_t seq = 100;
	long len;

	(void)state;
	nft_config_default(&c);
	len = nft_build(p, &c, batch, sizeof(batch), &seq);
	assert_true(len > 0);
	count(batch, len, &n, "queue");
	/* create-if-absent, delete, create: a replace in one transaction */
	assert_int_equal(n.tables, 2);
	assert_int_equal(n.deltables, 1);
	assert_int_equal(n.sets, 9);
	assert_int_equal(n.elems, 4); /* dev_mac, dev_ip4, dev_ip6, dev_iif have elements */
	assert_int_equal(n.chains, 7);
	assert_int_equal(n.rules, 84); /* 9 + 25 + 10 + 25 + 10 + 4 + 1 */
	assert_int_equal(n.queue_rules, 1);
	/* ct state established,related accept: learning needs a flow's first packets only */
	assert_string_equal(n.first_rule_exprs, "ct bitwise cmp immediate ");

	/* the compat target instead of the queue expression */
	c.queue = NFT_QUEUE_COMPAT;
	len = nft_build(p, &c, batch, sizeof(batch), &seq);
	count(batch, len, &n, "target");
	assert_int_equal(n.queue_rules, 1);

	/* split: an ip and an ip6 table, each with its family's sets and rules */
	c.split = true;
	len = nft_build(p, &c, batch, sizeof(batch), &seq);
	count(batch, len, &n, "target");
	assert_int_equal(n.tables, 4);
	assert_int_equal(n.sets, 12); /* dev_mac, dev_iif and dev_found in both, 3 more each */
	assert_int_equal(n.chains, 14);
	assert_int_equal(n.rules, 2 * (5 + 18 + 10 + 18 + 10 + 2 + 1) - 4);
	assert_int_equal(n.queue_rules, 2);
	c.split = false;

	/* refilled in place: no table message, every chain and set flushed, then filled */
	len = nft_build_update(p, &c, batch, sizeof(batch), &seq);
	count(batch, len, &n, "target");
	assert_int_equal(n.tables + n.deltables + n.sets + n.chains, 0);
	assert_int_equal(n.delrules, 7);
	assert_int_equal(n.delelems, 9);
	assert_int_equal(n.elems, 4);
	assert_int_equal(n.rules, 84);

	/* identify: a log rule per signal's port (either way for discovery), the MACs found */
	{
		static const uint8_t found[2][6] = { { 2, 0, 0, 0, 0, 0x66 },
						     { 2, 0, 0, 0, 0, 0x67 } };

		c.identify = IDENTIFY_DISCOVERY | IDENTIFY_DHCP | IDENTIFY_DNS;
		c.found = found;
		c.nfound = 2;
		len = nft_build(p, &c, batch, sizeof(batch), &seq);
		count(batch, len, &n, "target");
		assert_int_equal(n.rules, 84 + 6 + 1 + 1);
		assert_int_equal(n.elems, 5);
		c.identify = IDENTIFY_DNS;
		len = nft_build(p, &c, batch, sizeof(batch), &seq);
		count(batch, len, &n, "target");
		assert_int_equal(n.rules, 84 + 1);
		len = nft_build_found(&c, found, 2, batch, sizeof(batch), &seq);
		count(batch, len, &n, "target");
		assert_int_equal(n.elems, 1);
		assert_int_equal(n.rules + n.tables + n.sets, 0);
		c.identify = 0;
		c.found = NULL;
		c.nfound = 0;
	}
	/* quiesce: to_queue emptied, nothing else */
	len = nft_build_quiesce(&c, batch, sizeof(batch), &seq);
	count(batch, len, &n, "target");
	assert_int_equal(n.delrules, 1);
	assert_int_equal(n.rules + n.delelems + n.tables, 0);

	/* a buffer too small, and a mask that cannot hold a verdict */
	assert_int_equal(nft_build(p, &c, batch, 512, &seq), -ENOSPC);
	c.mask = 0x0000000f;
	assert_int_equal(nft_build(p, &c, batch, sizeof(batch), &seq), -EINVAL);
	policy_free(p);
}

static void test_marks(void **state)
{
	struct nft_config c;

	(void)state;
	nft_config_default(&c);
	assert_int_equal(nft_mark(&c, VERDICT_ALLOW), 0x00010000);
	assert_int_equal(nft_mark(&c, VERDICT_REJECT), 0x00040000);
	c.gen = 1;
	assert_int_equal(nft_mark(&c, VERDICT_DROP), 0x000a0000);
	c.gen = NFT_GEN_MAX;
	assert_int_equal(nft_mark(&c, VERDICT_REJECT), 0x00fc0000);
	c.gen = 1;
	c.mask = 0xff000000;
	assert_int_equal(nft_mark(&c, VERDICT_ALLOW), 0x09000000);
	c.mask = 0x00f0f000; /* not contiguous */
	assert_int_equal(nft_mark(&c, VERDICT_ALLOW), 0);
}

static void test_render(void **state)
{
	struct policy *p = policy();
	struct nft_config c;
	char *out = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&out, &sz);

	(void)state;
	nft_config_default(&c);
	c.queue = NFT_QUEUE_COMPAT;
	assert_int_equal(nft_render(p, &c, f), 0);
	fclose(f);
	assert_non_null(strstr(out, "table inet nfq_guard {"));
	/* the /28 inside the /24 merges into one range; the exact MAC stays */
	assert_non_null(strstr(out, "elements = { 02:00:00:00:00:10,\n"));
	assert_non_null(strstr(out, "44:47:cc:00:00:00-44:47:cc:ff:ff:ff }"));
	assert_non_null(strstr(out, "elements = { 192.168.1.64-192.168.1.67 }"));
	assert_non_null(strstr(out, "elements = { fd00::64 }"));
	assert_non_null(strstr(out, "ct mark & 0x00ff0000 == 0x00010000 accept"));
	/* a device's flow is pending from its first packet: both ways to the queue */
	assert_non_null(strstr(out,
			       "ct direction original ether saddr @dev_mac ct mark set ct mark "
			       "& 0xff00ffff | 0x00060000 jump to_queue"));
	assert_non_null(strstr(out, "ct mark & 0x00ff0000 == 0x00060000 jump to_queue"));
	/* conntrack does not follow it: to the queue all the same */
	assert_non_null(
		strstr(out, "ct state invalid,untracked ether saddr @dev_mac jump to_queue"));
	assert_non_null(strstr(out, "queue flags bypass num 0  # xtables NFQUEUE target"));
	free(out);
	policy_free(p);
}

/*
 * A batch sent over a socket of its own and its every failure printed to
 * err (the daemon keeps one socket, the owner of its table); with errs,
 * the failures kept there instead.
 */
static int send_batch(const char *buf, long len, uint32_t first, uint32_t last, FILE *err,
		      struct nft_errors *errs)
{
	struct mnl_socket *nl = nft_owner_open();
	struct nft_errors mine = { 0 };
	int r;

	if (!nl)
		return -errno;
	r = nft_send_owned(nl, buf, (size_t)len, first, last, errs ? errs : &mine);
	nft_errors_print(&mine, err);
	nft_errors_clear(&mine);
	nft_owner_close(nl);
	return r;
}

/* The error list as lines: each failure with its message, then those not kept. */
static void test_errors(void **state)
{
	struct nft_error v[] = { { 3, NFT_MSG_NEWRULE | NFNL_SUBSYS_NFTABLES << 8, -ENOENT },
				 { 9, NFT_ERROR_UNACKED, -EIO } };
	struct nft_errors errs = { v, 2, 2, 5 };
	char line[128];

	(void)state;
	assert_true(nft_errors_line(&errs, 0, line, sizeof(line)));
	assert_string_equal(line,
			    "nfq-guard: nftables: new rule (message 3): No such file or directory");
	assert_true(nft_errors_line(&errs, 1, line, sizeof(line)));
	assert_string_equal(line, "nfq-guard: nftables: the batch was not acknowledged");
	assert_true(nft_errors_line(&errs, 2, line, sizeof(line)));
	assert_string_equal(line, "nfq-guard: nftables: 5 more failures not kept (out of memory)");
	assert_false(nft_errors_line(&errs, 3, line, sizeof(line)));
	errs.dropped = 0;
	assert_false(nft_errors_line(&errs, 2, line, sizeof(line)));
}

/*
 * In the child of test_kernel_accepts: no table to refill yet, so one send
 * fails with every failing message in the list.  0 when so.
 */
static int refill_fails(const struct policy *p, const struct nft_config *c, uint32_t *seq)
{
	struct nft_errors errs = { 0 };
	uint32_t first = *seq;
	struct counts n;
	long len = nft_build_update(p, c, batch, sizeof(batch), seq);
	int r;

	count(batch, len, &n, "queue");
	r = len > 0 ? send_batch(batch, len, first, *seq, stderr, &errs) : -1;
	if (r == -ENOENT && errs.n == (size_t)(n.delrules + n.delelems + n.elems + n.rules) &&
	    errs.v[0].msg == 1 && errs.v[0].error == -ENOENT &&
	    (errs.v[0].type & 0xff) == NFT_MSG_DELRULE)
		r = 0;
	else
		r = -1;
	nft_errors_clear(&errs);
	return r;
}

/* In the child of test_kernel_accepts: the fallback, the compat target in ip and ip6 tables. */
static int split_loads(const struct policy *p, struct nft_config *c, uint32_t *seq)
{
	uint32_t first = *seq;
	long len;

	c->queue = NFT_QUEUE_COMPAT;
	c->split = true;
	len = nft_build(p, c, batch, sizeof(batch), seq);
	if (len <= 0 || send_batch(batch, len, first, *seq, stderr, NULL) != 0)
		return 12;
	if (nft_table_exists(c) != 1 ||
	    system("nft list table ip nfq_guard 2>/dev/null | grep -q 'update @dev_seen4' && "
		   "nft list table ip6 nfq_guard 2>/dev/null | grep -q 'update @dev_seen6'"))
		return 13;
	first = *seq;
	len = nft_build_delete(c, batch, sizeof(batch), seq);
	if (send_batch(batch, len, first, *seq, stderr, NULL) != 0 || nft_table_exists(c) != 0)
		return 14;
	return 0;
}

/* As root: load the batch into a fresh network namespace and list it with nft. */
/* an empty chain lists as 4 lines: table, chain and their braces */
#define TO_QUEUE_HAS_RULE "[ $(nft list chain inet nfq_guard to_queue | wc -l) -gt 4 ]"

static void test_kernel_accepts(void **state)
{
	struct policy *p;
	pid_t pid;
	int status;

	(void)state;
	if (geteuid() != 0 || access("/usr/sbin/nft", X_OK) != 0) {
		skip();
		return;
	}
	p = policy();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct nft_config c;
		uint32_t first = 1, seq = 1;
		long len;
		int r;

		FILE *quiet = fopen("/dev/null", "w");

		if (unshare(CLONE_NEWNET) != 0 || !quiet)
			_exit(3);
		nft_config_default(&c);
		if (refill_fails(p, &c, &seq))
			_exit(18);
		/* this kernel may lack the native queue expression: try both */
		first = seq;
		len = nft_build(p, &c, batch, sizeof(batch), &seq);
		r = len > 0 ? send_batch(batch, len, first, seq, quiet, NULL) : -1;
		if (r != 0) {
			c.queue = NFT_QUEUE_COMPAT;
			first = seq;
			len = nft_build(p, &c, batch, sizeof(batch), &seq);
			r = len > 0 ? send_batch(batch, len, first, seq, stderr, NULL) : -1;
		}
		if (r != 0)
			_exit(4);
		/* loaded twice: the replace must work over an existing table */
		first = seq;
		len = nft_build(p, &c, batch, sizeof(batch), &seq);
		if (send_batch(batch, len, first, seq, stderr, NULL) != 0)
			_exit(5);
		r = system("nft list table inet nfq_guard 2>/dev/null | grep -q 'jump to_queue' && "
			   "nft list set inet nfq_guard dev_mac 2>/dev/null | "
			   "grep -q '44:47:cc:00:00:00-' && "
			   "nft list set inet nfq_guard dev_iif 2>/dev/null | grep -q 'cam-port7'");
		if (r != 0)
			_exit(6);
		/* refilled in place, with a learned address that must go */
		if (system("nft add element inet nfq_guard block4 "
			   "'{ 192.0.2.1 . tcp . 443 . 198.51.100.7 }'") != 0)
			_exit(13);
		first = seq;
		len = nft_build_update(p, &c, batch, sizeof(batch), &seq);
		if (len <= 0 || send_batch(batch, len, first, seq, stderr, NULL) != 0)
			_exit(14);
		r = system(TO_QUEUE_HAS_RULE);
		if (r != 0)
			_exit(15);
		r = system("nft list set inet nfq_guard block4 | grep -q 198.51.100.7");
		if (r == 0)
			_exit(16);
		/* identify: the log rules load, the MACs found are in dev_found, one more added */
		{
			static const uint8_t found[1][6] = { { 2, 0, 0, 0, 0, 0x66 } };
			static const uint8_t more[1][6] = { { 2, 0, 0, 0, 0, 0x67 } };

			c.identify = IDENTIFY_DISCOVERY | IDENTIFY_DHCP | IDENTIFY_DNS;
			c.found = found;
			c.nfound = 1;
			first = seq;
			len = nft_build_update(p, &c, batch, sizeof(batch), &seq);
			if (len <= 0 || send_batch(batch, len, first, seq, stderr, NULL) != 0)
				_exit(19);
			first = seq;
			len = nft_build_found(&c, more, 1, batch, sizeof(batch), &seq);
			if (len <= 0 || send_batch(batch, len, first, seq, stderr, NULL) != 0)
				_exit(20);
			if (system("nft list chain inet nfq_guard prerouting | "
				   "grep -q 'udp dport 37020 log group 0' && "
				   "nft list set inet nfq_guard dev_found | grep -q '02:00:00:00:00:66' && "
				   "nft list set inet nfq_guard dev_found | grep -q '02:00:00:00:00:67'"))
				_exit(21);
			c.identify = 0;
			c.found = NULL;
			c.nfound = 0;
		}
		first = seq;
		len = nft_build_quiesce(&c, batch, sizeof(batch), &seq);
		if (len <= 0 || send_batch(batch, len, first, seq, stderr, NULL) != 0 ||
		    system(TO_QUEUE_HAS_RULE) == 0)
			_exit(17);
		/* no flowtable yet; then one, as OpenWrt's fw4 makes for offload */
		if (nft_table_exists(&c) != 1)
			_exit(11);
		if (nft_flowtables() != 0)
			_exit(9);
		if (system("ip link set lo up && nft add table inet fw && nft add flowtable inet fw "
			   "ft '{ hook ingress priority 0; devices = { lo }; }'") == 0 &&
		    nft_flowtables() != 1)
			_exit(10);
		first = seq;
		len = nft_build_delete(&c, batch, sizeof(batch), &seq);
		if (send_batch(batch, len, first, seq, stderr, NULL) != 0)
			_exit(7);
		if (system("nft list table inet nfq_guard >/dev/null 2>&1") == 0)
			_exit(8);
		r = split_loads(p, &c, &seq);
		if (r)
			_exit(r);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	policy_free(p);
}

/* As root: overlapping prefixes merged, thousands of elements all loaded. */
static void test_kernel_big_sets(void **state)
{
	struct policy_errors errs;
	struct policy *p;
	pid_t pid;
	FILE *f;
	int status, i;

	(void)state;
	if (geteuid() != 0 || access("/usr/sbin/nft", X_OK) != 0) {
		skip();
		return;
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("version = 1;\ndevices = (\n { name = \"a\"; ip = [ \"10.0.0.0/8\", \"fd00::/64\" ]; },\n"
	      " { name = \"b\"; ip = [ \"10.1.2.3\", \"fd00::5\" ]; },\n { name = \"c\"; ip = [ ",
	      f);
	for (i = 0; i < 3000; i++)
		fprintf(f, "%s\"172.16.%d.%d\"", i ? ", " : "", i / 100, 2 * (i % 100) + 1);
	fputs(" ]; } );\nrules = ( { action = \"allow\"; } );\n", f);
	fclose(f);
	p = policy_load(path, &errs);
	for (i = 0; i < (int)errs.n; i++)
		fprintf(stderr, "%s\n", errs.lines[i]);
	policy_errors_clear(&errs);
	assert_non_null(p);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct nft_config c;
		uint32_t first = 1, seq = 1;
		long len;

		if (unshare(CLONE_NEWNET) != 0)
			_exit(3);
		nft_config_default(&c);
		c.queue = NFT_QUEUE_COMPAT;
		len = nft_build(p, &c, batch, sizeof(batch), &seq);
		if (len <= 0 || send_batch(batch, len, first, seq, stderr, NULL) != 0)
			_exit(4);
		/* 3000 separate addresses and one merged /8, all in the kernel */
		_exit(system("test \"$(nft list set inet nfq_guard dev_ip4 | grep -o '172\\.16\\.' | "
			     "wc -l)\" = 3000 && nft list set inet nfq_guard dev_ip4 | "
			     "grep -q '10\\.0\\.0\\.0/8' && nft list set inet nfq_guard dev_ip6 | "
			     "grep -q 'fd00::/64'") == 0 ?
			      0 :
			      5);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	policy_free(p);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_shape),    cmocka_unit_test(test_marks),
		cmocka_unit_test(test_render),	       cmocka_unit_test(test_errors),
		cmocka_unit_test(test_kernel_accepts), cmocka_unit_test(test_kernel_big_sets),
	};

	return cmocka_run_group_tests_name("nft", tests, setup, teardown);
}
