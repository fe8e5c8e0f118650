/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_evlimit.c - event rate limiting: one line, then a count, per device and rule. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "service/evlimit.h"

struct sink {
	unsigned int n;
	uint32_t repeated[4 * EVLIMIT_SLOTS];
	uint16_t sport[4 * EVLIMIT_SLOTS];
};

static void out(const struct event *ev, void *arg)
{
	struct sink *s = arg;

	if (s->n < 4 * EVLIMIT_SLOTS) {
		s->repeated[s->n] = ev->repeated;
		s->sport[s->n] = ev->flow->sport;
	}
	s->n++;
}

static const struct rule rule_a, rule_b;

/* An event of device mac[5] = dev under rule r, from source port sport. */
static void make(struct event *ev, struct engine_flow_key *k, struct decision *d, uint8_t dev,
		 const struct rule *r, uint16_t sport)
{
	memset(ev, 0, sizeof(*ev));
	memset(k, 0, sizeof(*k));
	memset(d, 0, sizeof(*d));
	k->family = 4;
	k->sport = sport;
	d->rule = r;
	d->action = ACTION_DROP;
	ev->has_mac = true;
	ev->mac[5] = dev;
	ev->flow = k;
	ev->d = d;
}

static void test_storm_becomes_one_line_and_a_count(void **state)
{
	struct engine_flow_key k;
	struct decision d;
	struct event ev;
	struct evlimit l;
	struct sink s = { 0 };
	uint16_t i;

	(void)state;
	assert_int_equal(evlimit_init(&l, 10000, out, &s), 0);
	for (i = 0; i < 50; i++) {
		make(&ev, &k, &d, 1, &rule_a, (uint16_t)(1000 + i));
		assert_int_equal(evlimit_admit(&l, &ev, 100 + i * 100), i == 0);
	}
	assert_int_equal(s.n, 0);
	evlimit_expire(&l, 9000, false); /* the window is not over */
	assert_int_equal(s.n, 0);
	evlimit_expire(&l, 10100, false);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.repeated[0], 49);
	assert_int_equal(s.sport[0], 1049); /* the last one held back */
	/* a new window: written at once again */
	make(&ev, &k, &d, 1, &rule_a, 2000);
	assert_true(evlimit_admit(&l, &ev, 10200));
	assert_int_equal(l.held, 49);
	assert_int_equal(l.summaries, 1);
	evlimit_fini(&l);
}

static void test_devices_and_rules_apart(void **state)
{
	struct engine_flow_key k;
	struct decision d;
	struct event ev;
	struct evlimit l;
	struct sink s = { 0 };

	(void)state;
	assert_int_equal(evlimit_init(&l, 10000, out, &s), 0);
	make(&ev, &k, &d, 1, &rule_a, 1);
	assert_true(evlimit_admit(&l, &ev, 0));
	make(&ev, &k, &d, 2, &rule_a, 2);
	assert_true(evlimit_admit(&l, &ev, 1));
	make(&ev, &k, &d, 1, &rule_b, 3);
	assert_true(evlimit_admit(&l, &ev, 2));
	make(&ev, &k, &d, 1, NULL, 4); /* the default */
	assert_true(evlimit_admit(&l, &ev, 3));
	make(&ev, &k, &d, 1, &rule_a, 5);
	assert_false(evlimit_admit(&l, &ev, 4));
	/* nothing held back: no summary; the held one: summed up at the end */
	evlimit_expire(&l, 5, true);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.sport[0], 5);
	assert_int_equal(s.repeated[0], 1);
	evlimit_fini(&l);
}

static void test_no_interval_no_limit_and_clock_back(void **state)
{
	struct engine_flow_key k;
	struct decision d;
	struct event ev;
	struct evlimit l;
	struct sink s = { 0 };

	(void)state;
	assert_int_equal(evlimit_init(&l, 0, out, &s), 0);
	make(&ev, &k, &d, 1, &rule_a, 1);
	assert_true(evlimit_admit(&l, &ev, 0));
	assert_true(evlimit_admit(&l, &ev, 0));
	evlimit_fini(&l);

	assert_int_equal(evlimit_init(&l, 10000, out, &s), 0);
	assert_true(evlimit_admit(&l, &ev, 50000));
	/* a clock that steps back ends the window rather than holding forever */
	assert_true(evlimit_admit(&l, &ev, 100));
	evlimit_fini(&l);
}

static void test_bounded_slots_sum_up_what_they_push_out(void **state)
{
	struct engine_flow_key k;
	struct decision d;
	struct event ev;
	struct evlimit l;
	struct sink s = { 0 };
	unsigned int i, admitted = 0;

	(void)state;
	assert_int_equal(evlimit_init(&l, 60000, out, &s), 0);
	/* every device twice: the second is held back while its slot lasts */
	for (i = 0; i < 3 * EVLIMIT_SLOTS; i++) {
		struct rule *r = (struct rule *)(uintptr_t)(0x1000 + 8 * (i % 2000));

		make(&ev, &k, &d, 1, r, (uint16_t)i);
		admitted += evlimit_admit(&l, &ev, i);
		admitted += evlimit_admit(&l, &ev, i);
	}
	evlimit_expire(&l, 3 * EVLIMIT_SLOTS, true);
	/* every event was either written or summed up: none lost */
	{
		uint64_t summed = 0;

		assert_true(s.n <= 4 * EVLIMIT_SLOTS);
		for (i = 0; i < s.n; i++)
			summed += s.repeated[i];
		assert_int_equal(admitted + summed, 6 * EVLIMIT_SLOTS);
	}
	assert_int_equal(l.held, 6 * EVLIMIT_SLOTS - admitted);
	evlimit_fini(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storm_becomes_one_line_and_a_count),
		cmocka_unit_test(test_devices_and_rules_apart),
		cmocka_unit_test(test_no_interval_no_limit_and_clock_back),
		cmocka_unit_test(test_bounded_slots_sum_up_what_they_push_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
