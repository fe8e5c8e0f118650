/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * siphash.h - SipHash-2-4 (Aumasson and Bernstein), a keyed hash: where
 * the bytes hashed come from a sender who may choose them to collide (DNS
 * names in a message), a secret key leaves him no way to.
 */
#ifndef NFQG_SIPHASH_H
#define NFQG_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

/* siphash - the 64-bit SipHash-2-4 of len bytes at p under key. */
uint64_t siphash(const uint8_t key[SIPHASH_KEY_LEN], const void *p, size_t len);

#endif
