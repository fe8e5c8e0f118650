/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_engine.c - libFuzzer harness for the verdict engine: a sequence of
 * packets (each: 1 byte flags, 2 bytes length, the IP packet) from a
 * camera, a laptop or the router, through decode and engine_packet with a
 * policy that has domain rules (so flows wait for SNI/Host), DNS snooping
 * and small bounds (so evictions happen).  Checks the decision invariants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cursor.h"
#include "engine/engine.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char policy_text[] =
	"version = 1;\n"
	"networks = { lan = [ \"192.168.0.0/16\", \"fd00::/8\" ]; router = [ \"192.168.1.1\" ]; };\n"
	"limits = { flows = 16; names = 16; pending_packets = 4; };\n"
	"name_ttl_floor = 10;\n"
	"devices = ( { name = \"cam\"; oui = [ \"44:47:CC\" ]; },\n"
	"            { name = \"byip\"; ip = [ \"192.168.1.64/30\", \"fd00::64\" ]; } );\n"
	"rules = (\n"
	"  { name = \"dns\"; to = \"router\"; port = 53; action = \"allow\"; },\n"
	"  { name = \"fw\"; domain = [ \"*.ezvizlife.com\", \"a.b\" ]; action = \"drop\"; },\n"
	"  { name = \"local\"; to = \"lan\"; action = \"allow\"; },\n"
	"  { name = \"web\"; to = \"wan\"; proto = \"tcp\"; port = ( 443, \"80-90\" ); action = \"log\"; },\n"
	"  { name = \"rest\"; action = \"reject\"; }\n"
	");\n";

static struct policy *pol;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[] = "/tmp/nfqg-fuzz-engine-XXXXXX";
	struct policy_errors errs;
	int fd = mkstemp(path);

	(void)argc;
	(void)argv;
	if (fd < 0 || write(fd, policy_text, sizeof(policy_text) - 1) < 0)
		abort();
	close(fd);
	pol = policy_load(path, &errs);
	unlink(path);
	if (!pol)
		abort();
	return 0;
}

static void check(const struct decision *d)
{
	if (d->action > ACTION_LOG)
		abort();
	/* a flow still read is one that is let pass */
	if (d->watch && (d->action == ACTION_DROP || d->action == ACTION_REJECT))
		abort();
	if (d->rule && (d->rule < pol->rules || d->rule >= pol->rules + pol->nrules))
		abort();
	if (d->device >= (int)pol->ndevices || d->device < -1)
		abort();
	if (d->has_name &&
	    (d->name.len == 0 || d->name.len > NAME_MAX_LEN || d->name.s[d->name.len] != '\0'))
		abort();
}

static void on_finish(const struct decision *d, const struct engine_flow_key *k,
		      const struct device_key *dev, void *arg)
{
	(void)k;
	(void)dev;
	(void)arg;
	check(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t macs[3][6] = { { 0x44, 0x47, 0xcc, 0, 0, 0x64 },
					    { 2, 0, 0, 0, 0, 0x20 },
					    { 2, 0, 0, 0, 0, 1 } };
	struct engine *e = engine_new(pol, 0);
	struct cursor c;
	uint64_t now = 1000;
	uint8_t flags;
	uint16_t len;

	if (!e)
		return 0;
	cur_init(&c, data, size);
	while (cur_u8(&c, &flags) && cur_u16be(&c, &len)) {
		const uint8_t *pkt;
		struct packet p;
		struct decision d;
		struct engine_input in = { .pkt = &p };
		size_t n = len < cur_left(&c) ? len : cur_left(&c);
		enum engine_result r;

		cur_bytes(&c, n, &pkt);
		if (decode_ip(pkt, n, &p, NULL) != DECODE_OK)
			continue;
		in.has_mac = (flags & 3) != 3;
		if (in.has_mac)
			memcpy(in.mac, macs[flags & 3], 6);
		now += (uint64_t)(flags >> 2) * 250;
		in.now = now;
		r = engine_packet(e, &in, &d);
		if (r == ENGINE_DECIDED)
			check(&d);
		else if (r > ENGINE_DECIDED)
			abort();
	}
	engine_finish(e, now, on_finish, NULL);
	engine_free(e);
	return 0;
}
