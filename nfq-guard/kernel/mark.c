/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mark.c - the verdict and the generation placed in nfq-guard's bits of the
 * packet mark (the drawing is in mark.h).
 */
#include "kernel/internal.h"
#include "kernel/mark.h"
#include "kernel/nft.h"

int mark_shift(uint32_t mask)
{
	int s = 0;

	if (!mask)
		return -1;
	while (!(mask & 1)) {
		mask >>= 1;
		s++;
	}
	/* contiguous, and room for the verdict and the generation bits */
	if (mask & (mask + 1) || mask < 0xff)
		return -1;
	return s;
}

uint32_t nft_mark(const struct nft_config *c, enum verdict v)
{
	int s = mark_shift(c->mask);

	return s < 0 || v == VERDICT_NONE ?
		       0 :
		       ((uint32_t)v | (c->gen & NFT_GEN_MAX) << NFT_GEN_SHIFT) << s;
}
