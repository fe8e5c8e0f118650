/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vendors.h - the IEEE registry of MAC address blocks (MA-L /24, MA-M /28,
 * MA-S and IAB /36) as read from the IEEE CSV files and Wireshark's manuf,
 * searchable by organisation name and by address; and the text forms of
 * MAC addresses and prefixes.
 *
 * Everything here except registry_load() (in source.c) is pure: no I/O, no
 * logging.
 */
#ifndef NFQG_VENDORS_H
#define NFQG_VENDORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Organisation names are cut to this many bytes, NUL included (at a UTF-8
 * character boundary), so a char[OUI_ORG_MAX] holds any of them.
 */
#define OUI_ORG_MAX 128

/* bits: 24, 28, 36 or 48 (an exact MAC); address bits past bits are zero */
struct oui_prefix {
	uint8_t addr[6];
	uint8_t bits;
};

struct registry; /* opaque */

struct registry_hit {
	struct oui_prefix prefix;
	const char *org; /* points into the registry */
};

/*
 * registry_new - an empty registry.  Returns NULL when out of memory.
 */
struct registry *registry_new(void);

/*
 * registry_free - free r and everything it holds; every registry_hit and
 * org pointer taken from it becomes invalid.  NULL is accepted.
 */
void registry_free(struct registry *r);

/*
 * registry_parse_csv - add the records of an IEEE registry CSV file (RFC
 * 4180; columns Registry, Assignment, Organization Name, Organization
 * Address) whose whole contents are the len bytes at buf.  Quoted fields
 * may hold commas, doubled quotes and line breaks; records end with CRLF
 * or LF.  MA-L gives /24 prefixes, MA-M /28, MA-S and IAB /36; CID
 * records are skipped (a CID is not a MAC prefix).  A first record whose
 * first field is "Registry" is the header and is skipped; so are blank
 * lines.  Organisation names have control characters turned into spaces,
 * surrounding white space removed and are cut to OUI_ORG_MAX.
 *
 * Returns 0; -EINVAL for a malformed record (fewer than three fields, an
 * unknown registry, an assignment that is not the registry's number of hex
 * digits, an empty organisation, an unterminated quote or bytes after a
 * closing quote), with *line (when line is not NULL) set to the 1-based
 * physical line where that record starts; -ENOMEM.  On error r holds the
 * same entries as before the call.  The call invalidates registry_hit
 * hits taken earlier by registry_match(); org strings stay valid.
 */
int registry_parse_csv(struct registry *r, const char *buf, size_t len, unsigned int *line);

/*
 * registry_parse_manuf - add the entries of a Wireshark manuf file whose
 * whole contents are the len bytes at buf.  Lines are
 *
 *   PREFIX <TAB> SHORT [<TAB> LONG] [<TAB> # comment]
 *
 * with fields split on runs of tabs, or, on a line without a tab, on the
 * first run of spaces (then everything after it is the name, up to a '#'
 * after white space).  '#' comment lines and blank lines are ignored.
 * PREFIX is 3 or 6 groups of two hex digits separated by ':', '-' or '.',
 * with an optional /BITS; without one it is 8 bits per group.  Entries of
 * other lengths than 24, 28, 36 and 48 bits are skipped: they are
 * well-known multicast ranges, not vendor blocks.  The organisation is
 * LONG when present, else SHORT, treated as in registry_parse_csv().
 *
 * Returns 0; -EINVAL for a malformed line (bad hex digits, a mask that is
 * not 1-48, address bits set past the mask, no name) with *line (when line
 * is not NULL) set to its 1-based number; -ENOMEM.  On error r holds the
 * same entries as before the call.  Invalidates registry_hit pointers as
 * registry_parse_csv() does.
 */
int registry_parse_manuf(struct registry *r, const char *buf, size_t len, unsigned int *line);

/*
 * registry_parse - registry_parse_csv() when the first line of buf is the
 * IEEE header (Registry,Assignment,Organization Name,...), else
 * registry_parse_manuf().
 */
int registry_parse(struct registry *r, const char *buf, size_t len, unsigned int *line);

/*
 * registry_load - read the file at path (at most 64 MiB) and
 * registry_parse() it.  The only function here that does I/O; it lives
 * in source.c, with the policy layer's other file reading.
 *
 * Returns 0; -ENOENT, -EACCES, -EISDIR, ... as open(2) and read(2) report
 * them; -EFBIG for a file larger than 64 MiB; -EINVAL with *line set as
 * the parsers do; -ENOMEM.
 */
int registry_load(struct registry *r, const char *path, unsigned int *line);

/*
 * registry_system - a registry of the system's files (those of ieee-data
 * and Wireshark's manuf that exist, as a policy without vendors.registry
 * reads them), or NULL when out of memory.  In source.c too.
 */
struct registry *registry_system(void);

/*
 * registry_count - the number of distinct prefixes in r: a prefix read
 * from two files (oui.csv and manuf) counts once.
 */
size_t registry_count(const struct registry *r);

/*
 * registry_match - find every distinct prefix whose organisation name
 * contains needle, ignoring ASCII case.  Writes up to max hits to out
 * (which may be NULL when max is 0) in ascending prefix order (address
 * bytes, then prefix length).  A prefix known under several names (the
 * same block in oui.csv and in manuf) counts once; its hit names the
 * first-loaded name that matches.
 *
 * Returns the total number of matching prefixes, which may exceed max.
 */
size_t registry_match(const struct registry *r, const char *needle, struct registry_hit *out,
		      size_t max);

/*
 * registry_org - the organisation the registry gives the MAC's block (the
 * longest block holding it; of several names, the first loaded), or NULL.
 */
const char *registry_org(const struct registry *r, const uint8_t mac[6]);

/*
 * mac_parse - read "aa:bb:cc:dd:ee:ff" (or with '-' separators, one kind
 * per address; hex digits of either case) into mac.  Returns 0, or
 * -EINVAL for anything else (mac is then left as it was).
 */
int mac_parse(const char *s, uint8_t mac[6]);

/*
 * oui_parse - read a prefix into *p.  Accepted forms (':' or '-' as the
 * separator, one kind per prefix, hex digits of either case):
 *
 *   AA:BB:CC                       /24
 *   AA:BB:CC:D/28                  /28, the last group one hex digit
 *   AA:BB:CC:DD:E/36               /36, likewise
 *   AA:BB:CC:DD:EE:FF              /48, an exact MAC
 *   AA:BB:CC:DD:EE:FF/BITS         BITS one of 24, 28, 36, 48
 *   AA:BB:CC/24
 *
 * Returns 0, or -EINVAL for anything else, including a length other than
 * 24, 28, 36 or 48 bits and address bits set past the prefix length (*p
 * is then left as it was).
 */
int oui_parse(const char *s, struct oui_prefix *p);

/* oui_of - the prefix of bits (24, 28, 36 or 48) bits that contains mac. */
void oui_of(const uint8_t mac[6], unsigned int bits, struct oui_prefix *out);

/*
 * oui_format - write p as text that oui_parse() reads back: "44:47:cc" for
 * a /24, "44:47:cc:d0:00:00/28" for a /28 or /36, "44:47:cc:00:00:64" for
 * a /48.  buf holds sz bytes; OUI_STR_MAX is always enough (the output is
 * cut to fit and NUL-terminated when sz > 0).
 */
#define OUI_STR_MAX 24
void oui_format(const struct oui_prefix *p, char *buf, size_t sz);

/* vendor_contains - whether h contains needle, ignoring ASCII case. */
bool vendor_contains(const char *h, const char *needle);

#endif
