/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench_names.c - what learned names cost in memory: COUNT DNS answers,
 * each a name never seen before with one A record (as tests/bench/
 * dns-flood.py sends them), parsed by dns_parse() and learned for one
 * camera's MAC through names_learn(), the path the daemon takes; VmHWM
 * before and after.  Only the cache: the daemon's figure (the lab, issue
 * 17) adds what its queues and flows hold.  Prints "key value" lines.
 *
 * Usage: bench_names COUNT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/dns.h"
#include "engine/names.h"

static long vm_hwm_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			v = atol(line + 6);
	fclose(f);
	return v;
}

/* An answer to "fI.scale.flood.example" A: 100.64.0.0/10 + I, TTL 300. */
static size_t answer(uint8_t *b, size_t i)
{
	static const uint8_t tail[] = { 5,   's', 'c', 'a', 'l', 'e', 5,   'f', 'l', 'o', 'o',
					'd', 7,	  'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
	static const uint8_t rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4 };
	uint32_t a = (100u << 24 | 64u << 16) + (uint32_t)(i & 0x3fffff);
	size_t n = 12;
	int l;

	memset(b, 0, 12);
	b[0] = (uint8_t)(i >> 8);
	b[1] = (uint8_t)i;
	b[2] = 0x81;
	b[3] = 0x80;
	b[5] = 1; /* one question, one answer */
	b[7] = 1;
	l = snprintf((char *)b + n + 1, 16, "f%zu", i);
	b[n] = (uint8_t)l;
	n += 1 + (size_t)l;
	memcpy(b + n, tail, sizeof(tail));
	n += sizeof(tail);
	memcpy(b + n, "\0\1\0\1", 4);
	n += 4;
	memcpy(b + n, rr, sizeof(rr));
	n += sizeof(rr);
	b[n++] = (uint8_t)(a >> 24);
	b[n++] = (uint8_t)(a >> 16);
	b[n++] = (uint8_t)(a >> 8);
	b[n++] = (uint8_t)a;
	return n;
}

int main(int argc, char **argv)
{
	static const uint8_t mac[6] = { 0x44, 0x19, 0xb6, 1, 2, 3 }; /* a Hikvision OUI */
	static struct dns_msg msg;
	struct names_dev dev;
	struct names n;
	uint8_t wire[512];
	long count, idle, full;
	size_t i;

	if (argc != 2 || (count = atol(argv[1])) < 1 || count > 4000000) {
		fprintf(stderr, "usage: bench_names COUNT\n");
		return 2;
	}
	if (names_init(&n, (size_t)count, 3600))
		return 1;
	names_dev_mac(&dev, mac);
	idle = vm_hwm_kib();
	for (i = 0; i < (size_t)count; i++) {
		if (dns_parse(wire, answer(wire, i), &msg) != DNS_OK) {
			fprintf(stderr, "bench_names: answer %zu does not parse\n", i);
			return 1;
		}
		names_learn(&n, &dev, &msg, 1000000);
	}
	full = vm_hwm_kib();
	printf("names_cache_entries %zu\nnames_cache_strings %zu\n", n.st.entries, n.pool.count);
	printf("names_cache_hwm_kib %ld\nnames_cache_bytes_per_entry %.1f\n", full,
	       (double)(full - idle) * 1024 / (double)n.st.entries);
	names_fini(&n);
	return 0;
}
