/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_lru.c - the bounded table under every cache: lookups by hash and
 * key, the bound, and second-chance eviction.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/lru.h"

struct item {
	struct lru_node node;
	int key;
};

static bool eq(const struct lru_node *n, const void *key)
{
	return ((const struct item *)n)->key == *(const int *)key;
}

static struct item *find(struct lru_table *t, uint32_t hash, int key)
{
	return (struct item *)lru_find(t, hash, eq, &key);
}

static void test_find_and_remove(void **state)
{
	struct lru_table t;
	struct item it[3] = { { .key = 1 }, { .key = 2 }, { .key = 3 } };

	(void)state;
	assert_int_equal(lru_init(&t, 8), 0);
	/* 1 and 2 share a hash: the key tells them apart */
	lru_insert(&t, &it[0].node, 7);
	lru_insert(&t, &it[1].node, 7);
	lru_insert(&t, &it[2].node, 9);
	assert_int_equal(t.count, 3);
	assert_ptr_equal(find(&t, 7, 1), &it[0]);
	assert_ptr_equal(find(&t, 7, 2), &it[1]);
	assert_ptr_equal(find(&t, 9, 3), &it[2]);
	assert_null(find(&t, 7, 3)); /* right key, wrong hash */
	assert_null(find(&t, 8, 1));
	lru_remove(&t, &it[0].node);
	assert_null(find(&t, 7, 1));
	assert_ptr_equal(find(&t, 7, 2), &it[1]);
	assert_int_equal(t.count, 2);
	/* emptied oldest first */
	assert_ptr_equal(lru_oldest(&t), &it[1].node);
	lru_remove(&t, &it[1].node);
	lru_remove(&t, &it[2].node);
	assert_null(lru_oldest(&t));
	assert_null(lru_victim(&t));
	lru_fini(&t);
}

static void test_second_chance(void **state)
{
	struct lru_table t;
	struct item it[4];
	int i;

	(void)state;
	assert_int_equal(lru_init(&t, 3), 0);
	for (i = 0; i < 3; i++) {
		it[i].key = i;
		assert_false(lru_full(&t));
		lru_insert(&t, &it[i].node, (uint32_t)i);
	}
	assert_true(lru_full(&t));
	/* the oldest (0) was used since: it gets another turn, 1 goes */
	assert_non_null(find(&t, 0, 0));
	assert_ptr_equal(lru_victim(&t), &it[1].node);
	lru_remove(&t, &it[1].node);
	it[3].key = 3;
	lru_insert(&t, &it[3].node, 3);
	/* 0 had its chance: unused since, and now the oldest unused but 2 */
	assert_ptr_equal(lru_victim(&t), &it[2].node);
	/* every entry used: the oldest of them still goes, after its second chance */
	assert_non_null(find(&t, 0, 0));
	assert_non_null(find(&t, 2, 2));
	assert_non_null(find(&t, 3, 3));
	assert_non_null(lru_victim(&t));
	assert_int_equal(t.count, 3);
	lru_fini(&t);
}

static void test_hash(void **state)
{
	uint8_t key[17] = { 0 }, seen[1024] = { 0 };
	uint32_t h0 = lru_hash(LRU_HASH_INIT, key, sizeof(key));
	unsigned int i, used = 0;

	(void)state;
	assert_int_equal(lru_hash(LRU_HASH_INIT, key, sizeof(key)), h0);
	/* a change in any byte of a key (an address, a port) changes the hash */
	for (i = 0; i < sizeof(key); i++) {
		key[i] = 1;
		assert_int_not_equal(lru_hash(LRU_HASH_INIT, key, sizeof(key)), h0);
		key[i] = 0;
	}
	/* 1000 neighbouring addresses spread over 1024 buckets */
	for (i = 0; i < 1000; i++) {
		uint32_t h;

		key[15] = (uint8_t)i;
		key[14] = (uint8_t)(i >> 8);
		h = lru_hash(LRU_HASH_INIT, key, sizeof(key)) & 1023;
		used += !seen[h];
		seen[h] = 1;
	}
	assert_true(used > 550);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_and_remove),
		cmocka_unit_test(test_second_chance),
		cmocka_unit_test(test_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
