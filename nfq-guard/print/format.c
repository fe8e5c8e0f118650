// SPDX-License-Identifier: GPL-2.0-or-later
/* format.c - the text of times, MACs, protocols and addresses (see format.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/proto.h"
#include "print/format.h"

void fmt_time(uint64_t ts_us, char *buf, size_t sz)
{
	/* the date and time change once a second; events come much faster */
	static _Thread_local time_t cached = (time_t)-1;
	static _Thread_local char head[32];
	time_t t = (time_t)(ts_us / 1000000);
	unsigned int us = (unsigned int)(ts_us % 1000000);
	size_t n;

	if (t != cached) {
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(head, sizeof(head), "%Y-%m-%dT%H:%M:%S.", &tm);
		cached = t;
	}
	n = strlen(head);
	if (sz < n + 8)
		return;
	memcpy(buf, head, n);
	for (int i = 5; i >= 0; i--, us /= 10)
		buf[n + (size_t)i] = (char)('0' + us % 10);
	buf[n + 6] = 'Z';
	buf[n + 7] = '\0';
}

void fmt_local_minute(int64_t t, char *buf, size_t sz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) || !strftime(buf, sz, "%Y-%m-%d %H:%M", &tm))
		snprintf(buf, sz, "@%lld", (long long)t);
}

struct engine_clock local_clock(int64_t t)
{
	struct engine_clock c = { .wall = t, .week_min = -1 };
	time_t tt = (time_t)t;
	struct tm tm;

	if (t > 0 && localtime_r(&tt, &tm))
		c.week_min = ((tm.tm_wday + 6) % 7) * 1440 + tm.tm_hour * 60 + tm.tm_min;
	return c;
}

void fmt_mac(const uint8_t m[6], char *buf, size_t sz)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	if (sz < 18)
		return;
	for (i = 0; i < 6; i++) {
		buf[i * 3] = hex[m[i] >> 4];
		buf[i * 3 + 1] = hex[m[i] & 0xf];
		buf[i * 3 + 2] = i < 5 ? ':' : '\0';
	}
}

void fmt_proto(uint8_t proto, char *buf, size_t sz)
{
	const char *s = proto_str(proto);

	if (s && strlen(s) < sz)
		memcpy(buf, s, strlen(s) + 1);
	else
		snprintf(buf, sz, "%u", proto);
}

void fmt_addr(uint8_t family, const uint8_t *a, char *buf, size_t sz)
{
	size_t n = 0;
	int i;

	if (family == 6 || sz < 16) {
		inet_ntop(family == 4 ? AF_INET : AF_INET6, a, buf, (socklen_t)sz);
		return;
	}
	/* IPv4 by hand: inet_ntop's printf is the dearest part of a line */
	for (i = 0; i < 4; i++) {
		unsigned int v = a[i];

		if (v >= 100)
			buf[n++] = (char)('0' + v / 100);
		if (v >= 10)
			buf[n++] = (char)('0' + v / 10 % 10);
		buf[n++] = (char)('0' + v % 10);
		buf[n++] = i < 3 ? '.' : '\0';
	}
}
