/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_policy.c - libFuzzer harness for policy_compile_text(): any input
 * compiles or gives errors, never both, without a crash or a leak; a
 * policy that compiles answers policy_identify() for a device the input's
 * first bytes describe.  POLICY_NO_FILES: no @include or registry file
 * the input names is read.  Seeds: corpus/policy.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 leaks a string token the grammar does not take: the parser
 * discards it on a syntax error without freeing it (`a = 1 "x";`).  A
 * non-empty one was grown by strbuf_append; an empty one is the scanner's
 * own strdup(""), which the compiler makes a calloc inside libconfig_yylex.
 * Not leaks of ours (fixed in later releases), so LeakSanitizer is told to
 * let those two stacks pass.  corpus/policy/string-after-value has both.
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

static volatile uint64_t sink;

/* A device from the input's first bytes: MAC, IPv4 address, an interface. */
static void identify(const struct policy *p, const uint8_t *data, size_t size)
{
	struct group_match how[POLICY_MAX_DEVICES];
	struct device_key key = { .has_mac = true, .family = 4 };
	char buf[64];
	uint64_t mask;
	size_t i;

	memcpy(key.mac, data, size < 6 ? size : 6);
	if (size > 6)
		memcpy(key.addr, data + 6, size - 6 < 4 ? size - 6 : 4);
	strcpy(key.iface, "eth1");
	mask = policy_identify(p, &key, how);
	for (i = 0; i < p->ndevices; i++) {
		if (!(mask & (1ull << i)))
			continue;
		if (how[i].kind == MATCH_NONE)
			abort();
		group_match_format(&how[i], buf, sizeof(buf));
		sink += strlen(buf);
	}
	if (p->ndevices < 64 && (mask >> p->ndevices))
		abort(); /* a group that is not there */
	sink += mask;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_errors errs;
	struct policy *p;

	p = policy_compile_text("fuzz.conf", (const char *)data, size, POLICY_NO_FILES, &errs);
	if (p ? errs.n != 0 : errs.n == 0)
		abort(); /* a policy is built whole or not at all, with its errors */
	if (p) {
		identify(p, data, size);
		policy_free(p);
	}
	policy_errors_clear(&errs);
	return 0;
}
