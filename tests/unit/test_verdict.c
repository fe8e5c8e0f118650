/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_verdict.c - a decision to a kernel verdict, and to the mark the
 * queue writes: every action in enforce and monitor mode, by address or by
 * name, and the packet nfq-guard could not read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "engine/engine.h"
#include "engine/verdict.h"
#include "kernel/nft.h"

static enum verdict of(enum action a, bool by_address, bool monitor)
{
	struct decision d;

	memset(&d, 0, sizeof(d));
	d.action = a;
	d.by_address = by_address;
	return verdict_of(&d, monitor);
}

static void test_enforce(void **state)
{
	(void)state;
	assert_int_equal(of(ACTION_ALLOW, true, false), VERDICT_ALLOW);
	assert_int_equal(of(ACTION_ALLOW, false, false), VERDICT_ALLOW);
	assert_int_equal(of(ACTION_LOG, false, false), VERDICT_ALLOW);
	/* only an address decision closes the address */
	assert_int_equal(of(ACTION_DROP, true, false), VERDICT_BLOCK);
	assert_int_equal(of(ACTION_DROP, false, false), VERDICT_DROP);
	assert_int_equal(of(ACTION_REJECT, true, false), VERDICT_REJECT);
	assert_int_equal(of(ACTION_REJECT, false, false), VERDICT_REJECT);
	/* an action the switch does not know ends in a drop, not an allow */
	assert_int_equal(of((enum action)77, false, false), VERDICT_DROP);
}

static void test_monitor(void **state)
{
	static const enum action all[] = { ACTION_ALLOW, ACTION_DROP, ACTION_REJECT, ACTION_LOG };

	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		assert_int_equal(of(all[i], true, true), VERDICT_ALLOW);
		assert_int_equal(of(all[i], false, true), VERDICT_ALLOW);
	}
}

static void test_watched(void **state)
{
	struct decision d;

	(void)state;
	/* an allowed flow still read stays in the queue; a blocking verdict is final */
	memset(&d, 0, sizeof(d));
	d.watch = true;
	d.action = ACTION_ALLOW;
	assert_int_equal(verdict_of(&d, false), VERDICT_NONE);
	assert_int_equal(verdict_of(&d, true), VERDICT_NONE);
	d.action = ACTION_LOG;
	assert_int_equal(verdict_of(&d, false), VERDICT_NONE);
	d.action = ACTION_DROP;
	assert_int_equal(verdict_of(&d, false), VERDICT_DROP);
	d.watch = false;
	d.action = ACTION_ALLOW;
	assert_int_equal(verdict_of(&d, false), VERDICT_ALLOW);
}

static void test_unreadable(void **state)
{
	(void)state;
	/* an allowing default passes the packet but decides nothing */
	assert_int_equal(verdict_unreadable(ACTION_ALLOW, false), VERDICT_NONE);
	assert_int_equal(verdict_unreadable(ACTION_LOG, false), VERDICT_NONE);
	/* a dropping default drops the packet, never the address */
	assert_int_equal(verdict_unreadable(ACTION_DROP, false), VERDICT_DROP);
	assert_int_equal(verdict_unreadable(ACTION_REJECT, false), VERDICT_REJECT);
	assert_int_equal(verdict_unreadable(ACTION_DROP, true), VERDICT_NONE);
	assert_int_equal(verdict_unreadable(ACTION_REJECT, true), VERDICT_NONE);
}

static void test_marks(void **state)
{
	struct nft_config c;

	(void)state;
	nft_config_default(&c);
	c.gen = 1;
	assert_int_equal(nft_mark(&c, VERDICT_NONE), 0);
	assert_int_equal(nft_mark(&c, VERDICT_ALLOW), 0x00090000);
	assert_int_equal(nft_mark(&c, VERDICT_BLOCK), 0x000b0000);
	/* the unreadable packet under an allowing default keeps the old mark */
	assert_int_equal(nft_mark(&c, verdict_unreadable(ACTION_ALLOW, false)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enforce), cmocka_unit_test(test_monitor),
		cmocka_unit_test(test_watched), cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_marks),
	};

	return cmocka_run_group_tests_name("verdict", tests, NULL, NULL);
}
