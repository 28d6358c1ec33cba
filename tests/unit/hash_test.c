/* hash_test -- unit tests for lib/hash.c (cmocka). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hash.h"

#define BIG	1000000

struct val {
	uint64_t	 n;
	double		 d;
};

static size_t	key(char *, size_t, uint64_t);
static uint64_t	rnd(void);

static uint64_t	seed = 88172645463325252ULL;

/* key -- the key for number i in buf, returning its length */
static size_t
key(char *buf, size_t size, uint64_t i)
{
	return (size_t)snprintf(buf, size, "key-%llu", (unsigned long long)i);
}

/* rnd -- xorshift64, reproducible */
static uint64_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static void
test_bytes(void **state)
{
	(void)state;
	assert_true(hash_bytes("", 0) == UINT64_C(0x2d06800538d394c2));
	assert_true(hash_bytes(NULL, 0) == hash_bytes("x", 0));
	assert_true(hash_bytes("abc", 3) == hash_bytes("abcd", 3));
	assert_true(hash_bytes("abc", 3) != hash_bytes("abd", 3));
}

static void
test_basic(void **state)
{
	struct hash_map m = HASH_MAP_INIT(sizeof(struct val));
	struct val *v;
	int isnew;

	(void)state;
	assert_null(hash_get(&m, "a", 1));
	assert_int_equal(hash_del(&m, "a", 1), 0);
	v = hash_put(&m, "a", 1, &isnew);
	assert_non_null(v);
	assert_int_equal(isnew, 1);
	assert_true(v->n == 0 && v->d == 0);
	assert_int_equal((uintptr_t)v % _Alignof(max_align_t), 0);
	v->n = 42;
	v = hash_put(&m, "a", 1, &isnew);
	assert_int_equal(isnew, 0);
	assert_true(v->n == 42);
	assert_ptr_equal(hash_get(&m, "a", 1), v);
	/* keys are bytes: prefixes, NULs and the empty key are distinct */
	assert_null(hash_get(&m, "ab", 2));
	assert_null(hash_get(&m, "a\0", 2));
	hash_put(&m, "a\0", 2, NULL);
	hash_put(&m, "", 0, &isnew);
	assert_int_equal(isnew, 1);
	assert_non_null(hash_get(&m, "", 0));
	assert_non_null(hash_get(&m, NULL, 0));
	assert_int_equal(m.count, 3);
	assert_int_equal(hash_del(&m, "a", 1), 1);
	assert_int_equal(hash_del(&m, "a", 1), 0);
	assert_null(hash_get(&m, "a", 1));
	assert_non_null(hash_get(&m, "a\0", 2));
	/* a deleted key comes back zeroed */
	v = hash_put(&m, "a", 1, &isnew);
	assert_int_equal(isnew, 1);
	assert_true(v->n == 0);
	assert_int_equal(m.count, 3);
	hash_free(&m);
	hash_free(&m);
	assert_int_equal(m.count, 0);
	assert_null(hash_get(&m, "a", 1));
	/* reusable after free */
	v = hash_put(&m, "b", 1, &isnew);
	assert_int_equal(isnew, 1);
	assert_int_equal(m.count, 1);
	hash_free(&m);
}

static void
test_set(void **state)
{
	struct hash_map m = HASH_MAP_INIT(0);
	const void *k;
	size_t pos, klen;
	void *v;
	int isnew;

	(void)state;
	hash_put(&m, "x", 1, &isnew);
	assert_int_equal(isnew, 1);
	assert_non_null(hash_get(&m, "x", 1));
	assert_null(hash_get(&m, "y", 1));
	pos = 0;
	assert_int_equal(hash_next(&m, &pos, &k, &klen, &v), 1);
	assert_int_equal(klen, 1);
	assert_memory_equal(k, "x", 1);
	assert_int_equal(hash_next(&m, &pos, &k, &klen, &v), 0);
	hash_free(&m);
	pos = 0;
	assert_int_equal(hash_next(&m, &pos, &k, &klen, &v), 0);
}

static void
test_million(void **state)
{
	struct hash_map m = HASH_MAP_INIT(sizeof(uint64_t));
	char k[32];
	uint64_t i, *v;
	size_t n;
	int isnew;

	(void)state;
	for (i = 0; i < BIG; i++) {
		n = key(k, sizeof(k), i);
		v = hash_put(&m, k, n, &isnew);
		assert_int_equal(isnew, 1);
		*v = i;
	}
	assert_int_equal(m.count, BIG);
	assert_true(m.count <= m.cap * 7 / 10);
	for (i = 0; i < BIG; i++) {
		n = key(k, sizeof(k), i);
		v = hash_get(&m, k, n);
		assert_non_null(v);
		assert_true(*v == i);
	}
	for (i = BIG; i < 2 * BIG; i++) {
		n = key(k, sizeof(k), i);
		assert_null(hash_get(&m, k, n));
	}
	for (i = 0; i < BIG; i += 2) {
		n = key(k, sizeof(k), i);
		assert_int_equal(hash_del(&m, k, n), 1);
	}
	assert_int_equal(m.count, BIG / 2);
	for (i = 0; i < BIG; i++) {
		n = key(k, sizeof(k), i);
		v = hash_get(&m, k, n);
		if (i % 2 == 0)
			assert_null(v);
		else
			assert_true(v != NULL && *v == i);
	}
	for (i = 1; i < BIG; i += 2) {
		n = key(k, sizeof(k), i);
		assert_int_equal(hash_del(&m, k, n), 1);
		assert_int_equal(hash_del(&m, k, n), 0);
	}
	assert_int_equal(m.count, 0);
	hash_free(&m);
}

/* A sliding window of live keys: the table must not grow with churn */
static void
test_churn(void **state)
{
	struct hash_map m = HASH_MAP_INIT(sizeof(uint64_t));
	char k[32];
	uint64_t i, j, *v;
	size_t n, cap, tail;

	(void)state;
	cap = tail = 0;
	for (i = 0; i < 4 * BIG; i++) {
		n = key(k, sizeof(k), i);
		v = hash_put(&m, k, n, NULL);
		*v = i;
		if (i >= 5000) {
			n = key(k, sizeof(k), i - 5000);
			assert_int_equal(hash_del(&m, k, n), 1);
		}
		if (i == BIG)
			cap = m.cap, tail = m.tail;
	}
	assert_int_equal(m.count, 5000);
	assert_int_equal(m.cap, 8192);
	assert_int_equal(m.cap, cap);
	assert_true(m.tail <= 128 && m.tail == tail);
	for (j = 4 * BIG - 5000; j < 4 * BIG; j++) {
		n = key(k, sizeof(k), j);
		v = hash_get(&m, k, n);
		assert_true(v != NULL && *v == j);
	}
	hash_free(&m);
}

/* Random operations against a plain array of the same small key space */
static void
test_model(void **state)
{
	enum { NKEY = 3000 };
	struct hash_map m = HASH_MAP_INIT(sizeof(uint64_t));
	static uint64_t model[NKEY];		/* 0: absent, else value */
	char k[32];
	uint64_t i, r, *v;
	size_t n, live;
	int isnew;

	(void)state;
	live = 0;
	for (i = 1; i <= 2 * BIG; i++) {
		r = rnd();
		n = key(k, sizeof(k), r % NKEY);
		switch ((r >> 32) % 3) {
		case 0:
			v = hash_put(&m, k, n, &isnew);
			assert_int_equal(isnew, model[r % NKEY] == 0);
			live += isnew;
			*v = model[r % NKEY] = i;
			break;
		case 1:
			assert_int_equal(hash_del(&m, k, n),
			    model[r % NKEY] != 0);
			live -= model[r % NKEY] != 0;
			model[r % NKEY] = 0;
			break;
		default:
			v = hash_get(&m, k, n);
			if (model[r % NKEY] == 0)
				assert_null(v);
			else
				assert_true(v != NULL &&
				    *v == model[r % NKEY]);
		}
		assert_int_equal(m.count, live);
	}
	hash_free(&m);
}

/*
 * Keys that all want the last home slot of a 16-slot table: they fill the
 * tail and overflow it, and must survive deletes in every order tried.
 */
static void
test_tail(void **state)
{
	struct hash_map m = HASH_MAP_INIT(sizeof(uint64_t));
	char k[11][32];
	size_t n[11];
	uint64_t i, c, *v;
	int round, j;

	(void)state;
	for (round = 0; round < 50; round++) {
		for (c = 0, i = 0; c < 11; i++) {
			n[c] = key(k[c], sizeof(k[c]), i + 1000 * round);
			if ((hash_bytes(k[c], n[c]) & 15) == 15)
				c++;
		}
		for (j = 0; j < 11; j++) {
			v = hash_put(&m, k[j], n[j], NULL);
			*v = j;
		}
		assert_int_equal(m.cap, 16);
		assert_true(m.tail > 8);
		for (j = 0; j < 11; j++) {
			v = hash_get(&m, k[j], n[j]);
			assert_true(v != NULL && *v == (uint64_t)j);
		}
		/* delete from the middle outwards, checking the rest */
		for (c = 0; c < 11; c++) {
			j = (int)((c * 7 + round) % 11);
			assert_int_equal(hash_del(&m, k[j], n[j]), 1);
			assert_null(hash_get(&m, k[j], n[j]));
			for (i = 0; i < 11; i++) {
				v = hash_get(&m, k[i], n[i]);
				if (v != NULL)
					assert_true(*v == i);
			}
		}
		assert_int_equal(m.count, 0);
		hash_free(&m);
	}
}

/* Iterating and deleting each entry returned visits every entry once */
static void
test_iterate_delete(void **state)
{
	enum { N = 200000 };
	struct hash_map m = HASH_MAP_INIT(sizeof(uint64_t));
	static unsigned char seen[N];
	const void *k;
	uint64_t i, *v;
	size_t pos, klen, visits;
	char kb[32];
	void *vp;
	int pass;

	(void)state;
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < N; i++) {
			v = hash_put(&m, kb, key(kb, sizeof(kb), i), NULL);
			*v = i;
		}
		memset(seen, 0, sizeof(seen));
		visits = 0;
		pos = 0;
		while (hash_next(&m, &pos, &k, &klen, &vp)) {
			i = *(uint64_t *)vp;
			assert_true(i < N);
			assert_int_equal(seen[i], 0);
			seen[i] = 1;
			visits++;
			assert_int_equal(klen, key(kb, sizeof(kb), i));
			assert_memory_equal(k, kb, klen);
			/* pass 0: keep all; 1: delete all; 2: every other */
			if (pass == 1 || (pass == 2 && i % 2 == 0)) {
				memcpy(kb, k, klen);
				assert_int_equal(hash_del(&m, kb, klen), 1);
			}
		}
		assert_int_equal(visits, N);
		if (pass == 0)
			assert_int_equal(m.count, N);
		if (pass == 1)
			assert_int_equal(m.count, 0);
		if (pass == 2) {
			assert_int_equal(m.count, N / 2);
			for (i = 0; i < N; i++) {
				v = hash_get(&m, kb, key(kb, sizeof(kb), i));
				assert_true(i % 2 == 0 ? v == NULL : *v == i);
			}
		}
		hash_free(&m);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_million),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_tail),
		cmocka_unit_test(test_iterate_delete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
