/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * discovery.c - one UDP payload of a discovery protocol, read by the
 * reader of its well-known port (sadp.c, dhip.c, wsd.c).
 */
#include <stdbool.h>
#include <string.h>

#include "decode/disc_internal.h"

enum disc_kind disc_read(uint16_t port, const uint8_t *p, size_t len, struct disc_info *out)
{
	struct disc_info info;
	enum disc_kind kind;

	if (!p || !out || len > DISC_PAYLOAD_MAX)
		return DISC_NOT;
	memset(&info, 0, sizeof(info));
	switch (port) {
	case DISC_SADP_PORT:
		kind = sadp_read(p, len, &info);
		break;
	case DISC_DHIP_PORT:
		kind = dhip_read(p, len, &info);
		break;
	case DISC_WSD_PORT:
		kind = wsd_read(p, len, &info);
		break;
	default:
		return DISC_NOT;
	}
	if (kind != DISC_NOT)
		*out = info;
	return kind;
}
