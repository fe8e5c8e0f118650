/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_discovery_dhip.c - libFuzzer harness for disc_read() on the DHIP port:
 * any bytes give DISC_NOT with the output untouched, or an answer whose
 * text fields are NUL-terminated printable ASCII (discovery_check.h); and
 * on no other port.  Seeds: tests/fuzz/corpus/discovery_dhip.
 */
#include <stddef.h>
#include <stdint.h>

#include "discovery_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct disc_info info;

	check_port(DISC_DHIP_PORT, data, size);
	check(disc_read(9, data, size, &info) == DISC_NOT);
	return 0;
}
