/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * format.h - the formatters every printer shares (event lines, JSON, the
 * devices table, stats, inspect): fast, allocation-free, into the caller's
 * buffer.
 */
#ifndef NFQG_FORMAT_H
#define NFQG_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

/* ISO 8601 UTC with microseconds ("2026-12-05T11:55:54.123456Z"); sz >= 28. */
void fmt_time(uint64_t ts_us, char *buf, size_t sz);
/* The local time t (s since the epoch) as "2026-12-05 12:55" into buf (sz >= 20). */
void fmt_local_minute(int64_t t, char *buf, size_t sz);
/* The time t as engines take it: with its minute of the local week. */
struct engine_clock local_clock(int64_t t);
/* "aa:bb:cc:dd:ee:ff"; sz >= 18. */
void fmt_mac(const uint8_t mac[6], char *buf, size_t sz);
/* "tcp", "udp", "icmp", "icmpv6" or the number. */
void fmt_proto(uint8_t proto, char *buf, size_t sz);
/* An IPv4 or IPv6 address (family 4 or 6); buf of INET6_ADDRSTRLEN. */
void fmt_addr(uint8_t family, const uint8_t *a, char *buf, size_t sz);

#endif
