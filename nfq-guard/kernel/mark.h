/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mark.h - the verdict in the packet mark: the bits of the packet and ct
 * mark that nfq-guard owns, what the queue writes there (DESIGN.md §3).
 *
 * With the default mask, 0x00ff0000 (shift 16, the mask's lowest bit):
 *
 *    31        24 23               19 18          16 15              0
 *   +------------+-------------------+--------------+-----------------+
 *   |  not ours  | generation (0-31) | verdict (1-5)|    not ours     |
 *   +------------+-------------------+--------------+-----------------+
 *                |<------------- mask ------------->|
 *
 *   mark = (verdict | generation << NFT_GEN_SHIFT) << shift
 *
 * The mask must be contiguous and at least 8 bits wide; the bits of a wider
 * mask above the generation stay 0.  The table's chains match and set only
 * `mark & mask`, so other tools keep the rest of the mark.
 */
#ifndef NFQG_MARK_H
#define NFQG_MARK_H

#include <stdint.h>

#include "engine/verdict.h"

#define NFT_MARK_MASK_DEFAULT 0x00ff0000u

/*
 * The generation, in the five bits above the verdict: a flow decided under
 * another generation (an earlier run or policy) no longer matches the fast
 * path and is decided again.
 */
#define NFT_GEN_SHIFT 3
#define NFT_GEN_MAX 31

struct nft_config;

/* The mark (inside c->mask) the queue sets for verdict v; 0 for VERDICT_NONE or a bad mask. */
uint32_t nft_mark(const struct nft_config *c, enum verdict v);

#endif
