/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sha1.h - SHA-1 (FIPS 180-4) of a short message, in one call.  Not for
 * anything that needs a secure hash: the Community ID (print/community.c)
 * is defined over it.
 */
#ifndef NFQG_SHA1_H
#define NFQG_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_LEN 20

/* sha1 - the digest of len bytes at p into md. */
void sha1(const void *p, size_t len, uint8_t md[SHA1_LEN]);

#endif
