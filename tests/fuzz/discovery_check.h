/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * discovery_check.h - the one check the discovery fuzzers share: disc_read()
 * on a copy of exactly the input's size, twice, and what discovery.h
 * promises of its answer: *out untouched on DISC_NOT, else every text field
 * NUL-terminated, printable ASCII, its backslashes only in \\ and \xHH.
 */
#ifndef NFQG_FUZZ_DISCOVERY_CHECK_H
#define NFQG_FUZZ_DISCOVERY_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode/discovery.h"

#include "text_check.h"

static enum disc_kind check_read(uint16_t port, const uint8_t *data, size_t size,
				 struct disc_info *out)
{
	struct disc_info before;
	enum disc_kind k;
	uint8_t *copy = malloc(size ? size : 1);

	check(copy != NULL);
	memcpy(copy, data, size);
	memset(out, SENTINEL, sizeof(*out));
	before = *out;
	k = disc_read(port, copy, size, out);
	free(copy);
	check(k >= DISC_NOT && k <= DISC_BYE);
	if (k == DISC_NOT) {
		check(memcmp(out, &before, sizeof(before)) == 0);
		return k;
	}
	check_field(out->vendor, sizeof(out->vendor));
	check_field(out->model, sizeof(out->model));
	check_field(out->firmware, sizeof(out->firmware));
	check_field(out->serial, sizeof(out->serial));
	check_field(out->types, sizeof(out->types));
	check_field(out->uuid, sizeof(out->uuid));
	check(out->has_mac == 0 || out->has_mac == 1);
	check(out->has_ipv4 == 0 || out->has_ipv4 == 1);
	check(out->camera == 0 || out->camera == 1);
	switch (port) {
	case DISC_SADP_PORT:
		check(out->via == DISC_SADP && k != DISC_BYE);
		check(out->camera == (k == DISC_ANSWER));
		break;
	case DISC_DHIP_PORT:
		check(out->via == DISC_DHIP && k != DISC_BYE);
		check(out->camera == (k == DISC_ANSWER));
		check(out->uuid[0] == '\0' && out->types[0] == '\0');
		break;
	case DISC_WSD_PORT:
		check(out->via == DISC_ONVIF);
		check(out->firmware[0] == '\0' && out->serial[0] == '\0');
		check(!(k == DISC_SEARCH && out->camera));
		break;
	default:
		check(false);
	}
	return k;
}

/* The whole input, twice (the same answer), and cut by one byte. */
static void check_port(uint16_t port, const uint8_t *data, size_t size)
{
	struct disc_info a, b;
	enum disc_kind k = check_read(port, data, size, &a);

	check(check_read(port, data, size, &b) == k);
	check(memcmp(&a, &b, sizeof(a)) == 0);
	if (size > 0)
		check_read(port, data, size - 1, &b);
}

#endif
