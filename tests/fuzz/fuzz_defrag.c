/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_defrag.c - libFuzzer harness for replay's fragment reassembly: a
 * sequence of IP packets (each: 2 bytes length, 1 byte clock step, the
 * packet) into one defrag state; every datagram it completes must decode
 * or fail cleanly, and stay within its bounds.
 */
#include <stdlib.h>

#include "cli/defrag.h"
#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct defrag *d = defrag_new();
	uint64_t now = 0;
	size_t i = 0;

	if (!d)
		abort();
	while (i + 3 <= size) {
		size_t len = (size_t)data[i] << 8 | data[i + 1];
		const uint8_t *out;
		struct packet pkt;
		size_t n;

		now += (uint64_t)data[i + 2] * 1000000u; /* up to 255 s a step */
		i += 3;
		if (len > size - i)
			len = size - i;
		if (defrag_add(d, data + i, len, now, &out, &n) == DEFRAG_DONE) {
			if (n > 65535 + 512)
				abort();
			(void)decode_ip(out, n, &pkt, NULL);
		}
		i += len;
	}
	defrag_free(d);
	return 0;
}
