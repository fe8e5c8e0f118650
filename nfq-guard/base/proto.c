// SPDX-License-Identifier: GPL-2.0-or-later
/* proto.c - names of the transport protocols nfq-guard decides on. */
#include <stddef.h>

#include "base/proto.h"

const char *proto_str(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_NUM_TCP:
		return "tcp";
	case IPPROTO_NUM_UDP:
		return "udp";
	case IPPROTO_NUM_ICMP:
		return "icmp";
	case IPPROTO_NUM_ICMPV6:
		return "icmpv6";
	}
	return NULL;
}
