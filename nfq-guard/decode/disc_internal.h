/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * disc_internal.h - what the discovery readers share: views of the
 * payload, the decoding of XML, JSON and percent-encoded text into escaped
 * fields, MAC and IPv4 parsing, a bounded XML walker, and a bounded writer
 * for the searches.  Not for use outside decode/disc_*.c, sadp.c, dhip.c,
 * wsd.c, and dhcp.c (its text fields are escaped as the answers' are).
 */
#ifndef NFQG_DISC_INTERNAL_H
#define NFQG_DISC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"
#include "decode/discovery.h"

/* A slot: the raw bytes of a value found at a wanted place (first one wins). */
struct disc_slot {
	const uint8_t *p;
	size_t len;
	bool seen;   /* the element or key was met (the value may be empty) */
	bool string; /* JSON: the value was a string (others are not kept) */
};

/* How the bytes of a value are encoded. */
enum text_mode {
	TEXT_RAW,     /* as they are */
	TEXT_XML,     /* XML character data: entities and character references */
	TEXT_JSON,    /* the inside of a JSON string, already validated */
	TEXT_PERCENT, /* a URI component: %HH */
};

/* Decoded bytes of one value, one at a time. */
struct text_iter {
	struct cursor c;
	enum text_mode mode;
	uint8_t pend[4]; /* UTF-8 bytes of a decoded character still to give */
	uint8_t npend, ipend;
};

void text_init(struct text_iter *it, const uint8_t *p, size_t len, enum text_mode mode);
bool text_next(struct text_iter *it, uint8_t *b);

/* Escape what it yields into dst (cap bytes): printable, cut with "...". */
void field_from_iter(char *dst, size_t cap, struct text_iter *it);
void field_from(char *dst, size_t cap, const uint8_t *p, size_t len, enum text_mode mode);
/* Decode into buf (cap bytes, not NUL-terminated); false when it does not fit. */
bool text_decode(const uint8_t *p, size_t len, enum text_mode mode, uint8_t *buf, size_t cap,
		 size_t *outlen);

/*
 * A slot's value (XML: white space trimmed off both ends) decoded into buf
 * (false when it was not seen or does not fit), escaped into a field
 * (left alone when not seen), or whether it has any bytes.
 */
bool slot_text(const struct disc_slot *s, enum text_mode mode, uint8_t *buf, size_t cap,
	       size_t *len);
void slot_field(const struct disc_slot *s, enum text_mode mode, char *dst, size_t cap);
bool slot_nonempty(const struct disc_slot *s, enum text_mode mode);

/* XML white space trimmed off both ends of a view. */
void view_trim_ws(const uint8_t **p, size_t *len);
bool byte_is_ws(uint8_t b);
bool bytes_eq_nocase(const uint8_t *p, size_t len, const char *lit);
bool bytes_ends_with(const uint8_t *p, size_t len, const char *lit);

/* "aa:bb:cc:dd:ee:ff", "aa-bb-..", any case (and 12 bare hex digits). */
bool disc_parse_mac(const uint8_t *p, size_t len, uint8_t mac[6]);
/* A dotted quad: four decimal parts 0-255, no leading zeros. */
bool disc_parse_ipv4(const uint8_t *p, size_t len, uint8_t ip[4]);

/*
 * xml_walk - walk one XML document (one root element; comments, CDATA and
 * processing instructions skipped, DOCTYPE refused, elements nested at
 * most DISC_DEPTH_MAX deep, every end tag matching its start tag).  For
 * each element whose path of local names (namespace prefixes dropped) is
 * want[i], e.g. "Envelope/Header/Action", slots[i] gets the character data
 * right after its start tag, up to the next markup: the first such element
 * wins, later ones are ignored.  *root: the root's local name.  Returns
 * false when the document is malformed or cut short.
 */
bool xml_walk(const uint8_t *p, size_t len, const char *const *want, size_t nwant,
	      struct disc_slot *slots, const uint8_t **root, size_t *rootlen);

/* A bounded writer for the searches. */
struct disc_out {
	uint8_t *p;
	size_t cap, len;
	bool over;
};

void out_init(struct disc_out *o, uint8_t *buf, size_t cap);
void out_str(struct disc_out *o, const char *s);
void out_bytes(struct disc_out *o, const void *s, size_t n);
size_t out_done(const struct disc_out *o);
/* Whether uuid is one we put in a search: 1 to 48 letters, digits and '-'. */
bool disc_uuid_ok(const char *uuid);

enum disc_kind sadp_read(const uint8_t *p, size_t len, struct disc_info *info);
enum disc_kind dhip_read(const uint8_t *p, size_t len, struct disc_info *info);
enum disc_kind wsd_read(const uint8_t *p, size_t len, struct disc_info *info);

#endif
