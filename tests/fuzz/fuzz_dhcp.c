/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_dhcp.c - libFuzzer harness for dhcp_read_request(), and hints_dhcp()
 * on what it reads: any bytes give an error with the output untouched, or
 * a request whose text fields are NUL-terminated printable ASCII, its
 * backslashes only in \\ and \xHH, with bounded lists; the same answer
 * twice; and the evidence of a host identified is printable and bounded.
 * Seeds: tests/fuzz/corpus/dhcp.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/dhcp.h"
#include "engine/hints.h"
#include "policy/policy.h"

#include "text_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* dhcp_read_request on a copy of exactly size bytes, and what it promises of its answer. */
static int check_read(const uint8_t *data, size_t size, struct dhcp_request *out)
{
	struct dhcp_request before;
	uint8_t *copy = malloc(size ? size : 1);
	int r;

	check(copy != NULL);
	memcpy(copy, data, size);
	memset(out, SENTINEL, sizeof(*out));
	before = *out;
	r = dhcp_read_request(copy, size, out);
	free(copy);
	check(r == 0 || r == -EINVAL || r == -EPROTONOSUPPORT || r == -EBADMSG || r == -ENOMSG);
	if (r) {
		check(memcmp(out, &before, sizeof(before)) == 0);
		return r;
	}
	check(out->type == DHCP_DISCOVER || out->type == DHCP_REQUEST || out->type == DHCP_INFORM);
	check_field(out->hostname, sizeof(out->hostname));
	check_field(out->vendor_class, sizeof(out->vendor_class));
	check(out->nparams <= DHCP_PARAMS_MAX && out->client_id_len <= DHCP_CLIENT_ID_MAX);
	check(out->params_cut == 0 || out->params_cut == 1);
	check(!out->params_cut || out->nparams == DHCP_PARAMS_MAX);
	check(!out->client_id_cut || out->client_id_len == DHCP_CLIENT_ID_MAX);
	check(out->overload == 0 || out->overload == 1);
	return 0;
}

/* Hints any request may meet: short patterns, many stars, the udhcpc defaults. */
static const char policy_text[] =
	"version = 1;\n"
	"identify = [ \"dhcp\" ];\n"
	"identify_hints = {\n"
	"  hik = { vendor = \"Hikvision\"; dhcp_hostname = [ \"DS-2CD*\", \"*a*b*c*\" ];\n"
	"    dhcp_vendor_class = [ \"udhcp *\", \"*\\\\x0*\" ];\n"
	"    dhcp_parameters = [ \"1,3,6,12,15,28,42\", \"1\" ]; };\n"
	"  any = { vendor = \"Vendor\"; dhcp_hostname = \"*...*\"; dhcp_vendor_class = \"***a**b**c\"; };\n"
	"};\n"
	"rules = ( { action = \"allow\"; } );\n";

static struct policy *policy;
static struct hint_table table;
static uint64_t clock_s;

static void setup(void)
{
	struct policy_errors e;

	policy = policy_compile_text("fuzz.conf", policy_text, strlen(policy_text), POLICY_NO_FILES,
				     &e);
	check(policy != NULL);
	policy_errors_clear(&e);
	check(hints_init(&table, 256) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_request a, b;
	struct hint_found found;
	int r;

	if (!policy)
		setup();
	r = check_read(data, size, &a);
	check(check_read(data, size, &b) == r);
	if (r == 0)
		check(memcmp(&a, &b, sizeof(a)) == 0);
	if (size > 0)
		check_read(data, size - 1, &b);
	if (r)
		return 0;
	memset(&found, SENTINEL, sizeof(found));
	if (hints_dhcp(&table, policy, a.chaddr, &a, clock_s++, &found)) {
		check(found.by == FOUND_DHCP);
		check_field(found.vendor, sizeof(found.vendor));
		check_field(found.detail, sizeof(found.detail));
		check(strncmp(found.detail, "hostname=", 9) == 0);
	}
	check(table.st.hosts <= 256);
	return 0;
}
