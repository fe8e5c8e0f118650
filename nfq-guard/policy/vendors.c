/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vendors.c - the IEEE MAC registry (see vendors.h): two parsers that add
 * (prefix, organisation) entries, one sorted array that answers name
 * searches, and the text forms of prefixes.  No I/O: registry_load (the
 * file) is in source.c.
 *
 * The entries are kept sorted by address, then prefix length, then load
 * order.  All names of one prefix are therefore adjacent (a search counts
 * the prefix once).  Names are interned: the four
 * files hold ~100k entries but only ~30k distinct organisations.
 *
 * A 28-bit (MA-M) and a 36-bit (MA-S, IAB) prefix in the files:
 *
 *   MA-M,741AE09,...        74:1a:e0:90:00:00/28    7 hex digits
 *   MA-S,70B3D5F2F,...      70:b3:d5:f2:f0:00/36    9 hex digits
 *        ^^^^^^ an MA-L block of the IEEE's own, which holds them
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/vendors.h"

#define REGISTRY_ENTRIES_MAX (UINT32_MAX / 2) /* seq and stamps are 32-bit */
#define POOL_CHUNK_SIZE 65536
#define ORG_SLOTS_MIN 1024
#define MAC_LEN 6

#define CSV_HEADER "Registry,Assignment,Organization Name,Organization Address"
#define CSV_FIELDS 4 /* the columns read; more are allowed and dropped */

struct entry {
	struct registry_hit hit;
	uint32_t org; /* index into registry.orgs */
	uint32_t seq; /* load order, so the first-loaded name comes first */
};

/* Interned names live in chunks that never move: hits point into them. */
struct pool_chunk {
	struct pool_chunk *next;
	size_t used;
	char data[POOL_CHUNK_SIZE];
};

/* The hash is kept beside the id so a probe rarely touches another name. */
struct org_slot {
	uint32_t hash;
	uint32_t id1; /* id + 1; 0 for a free slot */
};

struct registry {
	struct entry *entries; /* sorted: see entry_cmp() */
	size_t nentries, cap;
	size_t nprefixes; /* distinct prefixes among the entries */

	const char **orgs; /* interned names by id */
	uint32_t norgs, orgs_cap;
	struct org_slot *slots; /* hash set of the names */
	uint32_t nslots;	/* a power of two, at least twice norgs */
	struct pool_chunk *pool;
};

/*
 * The IEEE registries and the prefixes their assignments give.  CID
 * (Company ID) blocks are for protocol identifiers with the local bit set,
 * never a burned-in source address: skipped.
 */
static const struct csv_registry {
	const char *name;
	uint8_t digits; /* hex digits in the assignment; 0 skips the record */
	uint8_t bits;
} csv_registries[] = {
	{ "MA-L", 6, 24 }, /* large: the classic OUI, oui.csv */
	{ "MA-M", 7, 28 }, /* medium: mam.csv */
	{ "MA-S", 9, 36 }, /* small: oui36.csv */
	{ "IAB", 9, 36 },  /* Individual Address Block, the MA-S of old */
	{ "CID", 0, 0 },   /* Company ID */
};

/* The prefix lengths a registry block can have, longest first for lookups. */
static const uint8_t prefix_lengths[] = { 48, 36, 28, 24 };

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool prefix_length_valid(unsigned int bits)
{
	size_t i;

	for (i = 0; i < sizeof(prefix_lengths); i++)
		if (bits == prefix_lengths[i])
			return true;
	return false;
}

/* out = the first bits bits of addr, the rest zero. */
static void addr_mask(const uint8_t addr[MAC_LEN], unsigned int bits, uint8_t out[MAC_LEN])
{
	unsigned int i;

	for (i = 0; i < MAC_LEN; i++) {
		if (bits >= 8 * (i + 1))
			out[i] = addr[i];
		else if (bits > 8 * i)
			out[i] = (uint8_t)(addr[i] & (0xff00 >> (bits - 8 * i)));
		else
			out[i] = 0;
	}
}

static int prefix_cmp(const struct oui_prefix *a, const struct oui_prefix *b)
{
	int c = memcmp(a->addr, b->addr, MAC_LEN);

	if (c != 0)
		return c;
	return (a->bits > b->bits) - (a->bits < b->bits);
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c = prefix_cmp(&a->hit.prefix, &b->hit.prefix);

	if (c != 0)
		return c;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* --- interned organisation names ---------------------------------------- */

static uint32_t org_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= 16777619u;
	}
	return h;
}

static int org_slots_grow(struct registry *r)
{
	uint32_t n = r->nslots ? r->nslots * 2 : ORG_SLOTS_MIN, k;
	struct org_slot *slots;

	if (r->nslots > UINT32_MAX / 2)
		return -ENOMEM;
	slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (k = 0; k < r->nslots; k++) {
		uint32_t i;

		if (r->slots[k].id1 == 0)
			continue;
		for (i = r->slots[k].hash & (n - 1); slots[i].id1 != 0; i = (i + 1) & (n - 1))
			;
		slots[i] = r->slots[k];
	}
	free(r->slots);
	r->slots = slots;
	r->nslots = n;
	return 0;
}

static char *pool_copy(struct registry *r, const char *s, size_t len)
{
	struct pool_chunk *c = r->pool;
	char *p;

	if (!c || POOL_CHUNK_SIZE - c->used < len + 1) {
		c = malloc(sizeof(*c));
		if (!c)
			return NULL;
		c->next = r->pool;
		c->used = 0;
		r->pool = c;
	}
	p = c->data + c->used;
	memcpy(p, s, len);
	p[len] = '\0';
	c->used += len + 1;
	return p;
}

/* The id of the name s (len bytes, no NUL among them), added if new. */
static int org_intern(struct registry *r, const char *s, size_t len, uint32_t *id)
{
	uint32_t i, h = org_hash(s, len);
	char *copy;
	int err;

	if (r->norgs >= r->nslots / 2) {
		err = org_slots_grow(r);
		if (err)
			return err;
	}
	for (i = h & (r->nslots - 1); r->slots[i].id1 != 0; i = (i + 1) & (r->nslots - 1)) {
		const char *o = r->orgs[r->slots[i].id1 - 1];

		if (r->slots[i].hash == h && strncmp(o, s, len) == 0 && o[len] == '\0') {
			*id = r->slots[i].id1 - 1;
			return 0;
		}
	}
	if (r->norgs == r->orgs_cap) {
		uint32_t n = r->orgs_cap ? r->orgs_cap * 2 : ORG_SLOTS_MIN / 2;
		const char **orgs;

		if (r->orgs_cap > UINT32_MAX / 4)
			return -ENOMEM;
		orgs = realloc(r->orgs, (size_t)n * sizeof(*orgs));
		if (!orgs)
			return -ENOMEM;
		r->orgs = orgs;
		r->orgs_cap = n;
	}
	copy = pool_copy(r, s, len);
	if (!copy)
		return -ENOMEM;
	r->orgs[r->norgs] = copy;
	r->slots[i].hash = h;
	r->slots[i].id1 = r->norgs + 1;
	*id = r->norgs++;
	return 0;
}

/*
 * org_clean - the name in p (len bytes; a quoted CSV field's inside when
 * unquote, where the parser has checked that every quote is doubled) as
 * it is kept: control characters as spaces (the IEEE files have tabs in
 * names, and hostile ones could have anything, NUL included), no
 * surrounding white space, at most OUI_ORG_MAX - 1 bytes, not cut inside
 * a UTF-8 sequence.  Returns the length written to out.
 */
static size_t org_clean(const char *p, size_t len, bool unquote, char out[OUI_ORG_MAX])
{
	size_t i, n = 0;

	for (i = 0; i < len && n < OUI_ORG_MAX - 1; i++) {
		char c = p[i];

		if (unquote && c == '"')
			i++;
		if ((unsigned char)c < 0x20 || c == 0x7f)
			c = ' ';
		if (c == ' ' && n == 0)
			continue;
		out[n++] = c;
	}
	if (i < len && ((unsigned char)p[i] & 0xc0) == 0x80) {
		/* cut inside a character: drop its continuation and lead bytes */
		while (n > 0 && ((unsigned char)out[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0 && ((unsigned char)out[n - 1] & 0xc0) == 0xc0)
			n--;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return n;
}

/* --- entries ------------------------------------------------------------- */

/* Append an entry; the caller sorts the new ones in with registry_index(). */
static int registry_add(struct registry *r, const struct oui_prefix *p, const char *org, size_t len,
			bool unquote)
{
	char name[OUI_ORG_MAX];
	struct entry *e;
	size_t n;
	uint32_t id;
	int err;

	n = org_clean(org, len, unquote, name);
	if (n == 0)
		return -EINVAL;
	if (r->nentries == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4096;

		if (cap > REGISTRY_ENTRIES_MAX)
			return -ENOMEM;
		e = realloc(r->entries, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		r->entries = e;
		r->cap = cap;
	}
	err = org_intern(r, name, n, &id);
	if (err)
		return err;
	e = &r->entries[r->nentries];
	e->hit.prefix = *p;
	e->hit.org = r->orgs[id];
	e->org = id;
	e->seq = (uint32_t)r->nentries;
	r->nentries++;
	return 0;
}

/*
 * registry_index - sort the entries added since the first old ones (which
 * are sorted) into place, drop repeats of a (prefix, name) pair and count
 * the distinct prefixes.  Only the new part is sorted, then merged from
 * the back, so loading four files does not sort the first one four times.
 * Returns 0 or -ENOMEM, with nothing changed on failure.
 */
static int registry_index(struct registry *r, size_t old)
{
	size_t added = r->nentries - old, n, i, out, group = 0;
	struct entry *tmp = NULL;
	uint32_t *stamp;

	/* stamp[org] = 1 + start of the last prefix group that had org */
	stamp = calloc(r->norgs ? r->norgs : 1, sizeof(*stamp));
	if (!stamp)
		return -ENOMEM;
	if (added > 0 && old > 0) {
		tmp = malloc(added * sizeof(*tmp));
		if (!tmp) {
			free(stamp);
			return -ENOMEM;
		}
	}

	if (added > 1)
		qsort(r->entries + old, added, sizeof(*r->entries), entry_cmp);
	if (tmp) {
		size_t a = old, b = added, w = r->nentries;

		memcpy(tmp, r->entries + old, added * sizeof(*tmp));
		while (b > 0) {
			if (a > 0 && entry_cmp(&r->entries[a - 1], &tmp[b - 1]) > 0)
				r->entries[--w] = r->entries[--a];
			else
				r->entries[--w] = tmp[--b];
		}
		free(tmp);
	}

	n = r->nentries;
	r->nprefixes = 0;
	for (i = 0, out = 0; i < n; i++) {
		struct entry e = r->entries[i];

		if (out == 0 || prefix_cmp(&r->entries[out - 1].hit.prefix, &e.hit.prefix) != 0) {
			group = out + 1;
			r->nprefixes++;
		} else if (stamp[e.org] == group) {
			continue;
		}
		stamp[e.org] = (uint32_t)group;
		/* renumbered, so seq stays below the number of entries */
		e.seq = (uint32_t)out;
		r->entries[out++] = e;
	}
	r->nentries = out;
	free(stamp);
	return 0;
}

struct registry *registry_new(void)
{
	return calloc(1, sizeof(struct registry));
}

void registry_free(struct registry *r)
{
	struct pool_chunk *c, *next;

	if (!r)
		return;
	for (c = r->pool; c; c = next) {
		next = c->next;
		free(c);
	}
	free(r->slots);
	free(r->orgs);
	free(r->entries);
	free(r);
}

size_t registry_count(const struct registry *r)
{
	return r->nprefixes;
}

/* --- text forms of addresses --------------------------------------------- */

/*
 * prefix_scan - read 1 to 6 groups of two hex digits at s (len bytes),
 * separated by one kind of separator out of seps; with half, the last
 * group may be one digit (the high nibble of its byte).  Writes the
 * address (zero past the digits given) and the number of bits given.
 * Returns 0 or -EINVAL.
 */
static int prefix_scan(const char *s, size_t len, const char *seps, bool half,
		       uint8_t addr[MAC_LEN], unsigned int *given)
{
	uint8_t a[MAC_LEN] = { 0 };
	unsigned int bits = 0, ng = 0;
	size_t i = 0;
	char sep = 0;

	for (;;) {
		int hi, lo;

		if (ng == MAC_LEN || i >= len)
			return -EINVAL;
		hi = hex_value(s[i]);
		if (hi < 0)
			return -EINVAL;
		lo = i + 1 < len ? hex_value(s[i + 1]) : -1;
		if (lo >= 0) {
			a[ng] = (uint8_t)(hi << 4 | lo);
			bits += 8;
			i += 2;
			if (i < len && hex_value(s[i]) >= 0)
				return -EINVAL;
		} else if (half && i + 1 == len) {
			a[ng] = (uint8_t)(hi << 4);
			bits += 4;
			i++;
		} else {
			return -EINVAL;
		}
		ng++;
		if (i == len)
			break;
		if (!memchr(seps, s[i], strlen(seps)) || (sep && s[i] != sep))
			return -EINVAL;
		sep = s[i++];
	}
	memcpy(addr, a, MAC_LEN);
	*given = bits;
	return 0;
}

/* Read the 1-2 decimal digits of a prefix length at s (len bytes). */
static int bits_scan(const char *s, size_t len, unsigned int *bits)
{
	unsigned int v = 0;
	size_t i;

	if (len == 0 || len > 2)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	*bits = v;
	return 0;
}

int mac_parse(const char *s, uint8_t mac[6])
{
	uint8_t a[MAC_LEN];
	unsigned int given;

	if (prefix_scan(s, strlen(s), ":-", false, a, &given) < 0 || given != 48)
		return -EINVAL;
	memcpy(mac, a, MAC_LEN);
	return 0;
}

int oui_parse(const char *s, struct oui_prefix *p)
{
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	uint8_t a[MAC_LEN], m[MAC_LEN];
	unsigned int given, bits;

	if (prefix_scan(s, len, ":-", true, a, &given) < 0)
		return -EINVAL;
	if (slash) {
		if (bits_scan(slash + 1, strlen(slash + 1), &bits) < 0 ||
		    !prefix_length_valid(bits))
			return -EINVAL;
		/* a short form spells exactly the prefix; a long one a whole MAC */
		if (given != bits && given != 48)
			return -EINVAL;
	} else {
		if (given != 24 && given != 48)
			return -EINVAL;
		bits = given;
	}
	addr_mask(a, bits, m);
	if (memcmp(a, m, MAC_LEN) != 0)
		return -EINVAL;
	memcpy(p->addr, a, MAC_LEN);
	p->bits = (uint8_t)bits;
	return 0;
}

void oui_of(const uint8_t mac[6], unsigned int bits, struct oui_prefix *out)
{
	addr_mask(mac, bits, out->addr);
	out->bits = (uint8_t)bits;
}

void oui_format(const struct oui_prefix *p, char *buf, size_t sz)
{
	const uint8_t *a = p->addr;

	if (sz == 0)
		return;
	if (p->bits == 24)
		snprintf(buf, sz, "%02x:%02x:%02x", a[0], a[1], a[2]);
	else if (p->bits == 48)
		snprintf(buf, sz, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4],
			 a[5]);
	else
		snprintf(buf, sz, "%02x:%02x:%02x:%02x:%02x:%02x/%u", a[0], a[1], a[2], a[3], a[4],
			 a[5], (unsigned int)p->bits);
}

/* --- IEEE CSV -------------------------------------------------------------- */

struct csv_field {
	const char *p; /* inside the quotes for a quoted field */
	size_t len;
	bool quoted; /* then every '"' in p..len is the first of a pair */
};

/*
 * csv_record - read the RFC 4180 record at *pos of buf (len bytes): its
 * first CSV_FIELDS fields into f, the line feeds it holds or ends with
 * counted in *line.  A record ends with CRLF, LF or the end of buf; line
 * breaks inside quotes are data.  Returns the number of fields (at least
 * 1), or -EINVAL for an unterminated quote, bytes after a closing quote
 * or a quote inside an unquoted field.
 */
static int csv_record(const char *buf, size_t len, size_t *pos, unsigned int *line,
		      struct csv_field f[CSV_FIELDS])
{
	size_t i = *pos;
	int nf = 0;

	for (;;) {
		struct csv_field cur = { buf + i, 0, false };

		if (i < len && buf[i] == '"') {
			cur.quoted = true;
			cur.p = buf + ++i;
			for (;;) {
				if (i >= len)
					return -EINVAL;
				if (buf[i] == '"') {
					if (i + 1 < len && buf[i + 1] == '"') {
						i += 2;
						continue;
					}
					break;
				}
				if (buf[i] == '\n')
					(*line)++;
				i++;
			}
			cur.len = (size_t)(buf + i - cur.p);
			i++;
		} else {
			while (i < len && buf[i] != ',' && buf[i] != '\n' && buf[i] != '"' &&
			       !(buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n'))
				i++;
			cur.len = (size_t)(buf + i - cur.p);
		}
		if (nf < CSV_FIELDS)
			f[nf] = cur;
		if (nf < CSV_FIELDS + 1)
			nf++;

		if (i >= len)
			break;
		if (buf[i] == ',') {
			i++;
			continue;
		}
		if (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')
			i++;
		if (buf[i] != '\n')
			return -EINVAL;
		(*line)++;
		i++;
		break;
	}
	*pos = i;
	return nf;
}

static bool field_is(const struct csv_field *f, const char *s)
{
	size_t i, n = strlen(s);

	if (f->len != n)
		return false;
	for (i = 0; i < n; i++)
		if (ascii_lower(f->p[i]) != ascii_lower(s[i]))
			return false;
	return true;
}

/* Add the entry of one data record.  Returns 0, -EINVAL or -ENOMEM. */
static int csv_add(struct registry *r, const struct csv_field *f, int nf)
{
	const struct csv_registry *reg = NULL;
	struct oui_prefix p = { { 0 }, 0 };
	size_t i;

	if (nf < 3)
		return -EINVAL;
	for (i = 0; i < sizeof(csv_registries) / sizeof(csv_registries[0]); i++)
		if (field_is(&f[0], csv_registries[i].name))
			reg = &csv_registries[i];
	if (!reg)
		return -EINVAL;
	if (reg->digits == 0)
		return 0;
	if (f[1].len != reg->digits)
		return -EINVAL;
	for (i = 0; i < reg->digits; i++) {
		int v = hex_value(f[1].p[i]);

		if (v < 0)
			return -EINVAL;
		p.addr[i / 2] |= (uint8_t)(i % 2 ? v : v << 4);
	}
	p.bits = reg->bits;
	return registry_add(r, &p, f[2].p, f[2].len, f[2].quoted);
}

/*
 * The end of a parse that began with old entries: index the new ones, or,
 * after err (or a failing index), take them all back and say where (at).
 */
static int registry_end(struct registry *r, size_t old, int err, unsigned int *line,
			unsigned int at)
{
	if (!err)
		err = registry_index(r, old);
	if (!err)
		return 0;
	/* names interned meanwhile stay: harmless, and hits may point at them */
	r->nentries = old;
	if (err == -EINVAL && line)
		*line = at;
	return err;
}

int registry_parse_csv(struct registry *r, const char *buf, size_t len, unsigned int *line)
{
	size_t pos = 0, old = r->nentries;
	unsigned int ln = 1, start = 1;
	bool first = true;
	int err = 0;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		struct csv_field f[CSV_FIELDS];
		int nf;

		start = ln;
		nf = csv_record(buf, len, &pos, &ln, f);
		if (nf < 0) {
			err = nf;
			break;
		}
		if (nf == 1 && f[0].len == 0 && !f[0].quoted)
			continue;
		if (first) {
			first = false;
			if (field_is(&f[0], "Registry"))
				continue;
		}
		err = csv_add(r, f, nf);
		if (err)
			break;
	}
	return registry_end(r, old, err, line, start);
}

/* --- Wireshark manuf --------------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Trim blanks around [*s, *s + *len). */
static void trim(const char **s, size_t *len)
{
	while (*len > 0 && is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_blank((*s)[*len - 1]))
		(*len)--;
}

/*
 * manuf_prefix - read a manuf PREFIX field: groups of two hex digits
 * separated by ':', '-' or '.', an optional /BITS.  Sets p->bits to 0 for
 * a valid prefix of a length a registry block cannot have.  Returns 0 or
 * -EINVAL.
 */
static int manuf_prefix(const char *s, size_t len, struct oui_prefix *p)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	uint8_t m[MAC_LEN];
	unsigned int given, bits;

	if (prefix_scan(s, alen, ":-.", false, p->addr, &given) < 0)
		return -EINVAL;
	bits = given;
	if (slash && (bits_scan(slash + 1, len - alen - 1, &bits) < 0 || bits == 0 || bits > 48))
		return -EINVAL;
	addr_mask(p->addr, bits, m);
	if (memcmp(p->addr, m, MAC_LEN) != 0)
		return -EINVAL;
	p->bits = prefix_length_valid(bits) ? (uint8_t)bits : 0;
	return 0;
}

/* Add the entry of one manuf line (no line feed).  Returns 0, -EINVAL, -ENOMEM. */
static int manuf_line(struct registry *r, const char *s, size_t len)
{
	const char *field[3], *end;
	size_t flen[3];
	struct oui_prefix p;
	unsigned int nf = 0;

	trim(&s, &len);
	if (len == 0 || s[0] == '#')
		return 0;
	end = s + len;
	if (memchr(s, '\t', len)) {
		/* PREFIX, SHORT, LONG split on runs of tabs; a '#' field ends them */
		while (s < end && nf < 3) {
			const char *t = memchr(s, '\t', (size_t)(end - s));
			const char *fe = t ? t : end;

			field[nf] = s;
			flen[nf] = (size_t)(fe - s);
			trim(&field[nf], &flen[nf]);
			if (flen[nf] > 0 && field[nf][0] == '#')
				break;
			nf++;
			s = fe;
			while (s < end && *s == '\t')
				s++;
		}
	} else {
		/* PREFIX, a run of spaces, the name up to a " #" comment */
		const char *sp = memchr(s, ' ', len), *c;

		field[nf] = s;
		flen[nf++] = sp ? (size_t)(sp - s) : len;
		if (sp) {
			for (c = sp; c < end && !(*c == '#' && is_blank(c[-1])); c++)
				;
			field[nf] = sp;
			flen[nf] = (size_t)(c - sp);
			trim(&field[nf], &flen[nf]);
			if (flen[nf] > 0)
				nf++;
		}
	}
	if (nf < 2 || manuf_prefix(field[0], flen[0], &p) < 0)
		return -EINVAL;
	if (p.bits == 0)
		return 0;
	if (nf == 3 && flen[2] > 0)
		return registry_add(r, &p, field[2], flen[2], false);
	return registry_add(r, &p, field[1], flen[1], false);
}

int registry_parse_manuf(struct registry *r, const char *buf, size_t len, unsigned int *line)
{
	size_t pos = 0, old = r->nentries;
	unsigned int ln = 0;
	int err = 0;

	while (pos < len) {
		const char *s = buf + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		pos += n + (nl != NULL);
		ln++;
		if (ln == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
			s += 3;
			n -= 3;
		}
		/* a CR of a CRLF line end is a blank, trimmed with the others */
		if (n > 0 && s[n - 1] == '\r')
			n--;
		err = manuf_line(r, s, n);
		if (err)
			break;
	}
	return registry_end(r, old, err, line, ln);
}

/* --- either form ---------------------------------------------------------- */

/* Whether the file's first line (BOM and CR aside) is the IEEE CSV header. */
static bool is_ieee_csv(const char *buf, size_t len)
{
	struct csv_field first;
	const char *nl;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	nl = memchr(buf, '\n', len);
	first.p = buf;
	first.len = nl ? (size_t)(nl - buf) : len;
	first.quoted = false;
	if (first.len > 0 && buf[first.len - 1] == '\r')
		first.len--;
	return field_is(&first, CSV_HEADER);
}

int registry_parse(struct registry *r, const char *buf, size_t len, unsigned int *line)
{
	if (is_ieee_csv(buf, len))
		return registry_parse_csv(r, buf, len, line);
	return registry_parse_manuf(r, buf, len, line);
}

/* --- queries ------------------------------------------------------------------ */

/* Whether h contains the n bytes of needle, ignoring ASCII case. */
static bool contains_nocase(const char *h, const char *needle, size_t n)
{
	size_t hl = strlen(h), i, j;

	if (n == 0)
		return true;
	for (i = 0; i + n <= hl; i++) {
		for (j = 0; j < n && ascii_lower(h[i + j]) == ascii_lower(needle[j]); j++)
			;
		if (j == n)
			return true;
	}
	return false;
}

bool vendor_contains(const char *h, const char *needle)
{
	return contains_nocase(h, needle, strlen(needle));
}

size_t registry_match(const struct registry *r, const char *needle, struct registry_hit *out,
		      size_t max)
{
	size_t nlen = strlen(needle), total = 0, i;
	const struct entry *last = NULL; /* the last prefix counted */
	uint32_t org = UINT32_MAX;
	bool org_matches = false;

	for (i = 0; i < r->nentries; i++) {
		const struct entry *e = &r->entries[i];

		if (last && prefix_cmp(&last->hit.prefix, &e->hit.prefix) == 0)
			continue;
		/* neighbours often share a name: test it once */
		if (e->org != org) {
			org = e->org;
			org_matches = contains_nocase(r->orgs[org], needle, nlen);
		}
		if (!org_matches)
			continue;
		if (total < max)
			out[total] = e->hit;
		total++;
		last = e;
	}
	return total;
}

/* The first entry not below (prefix, bits): a lower bound over the sorted entries. */
static size_t lower_bound(const struct registry *r, const struct oui_prefix *key)
{
	size_t lo = 0, hi = r->nentries;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (prefix_cmp(&r->entries[mid].hit.prefix, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const char *registry_org(const struct registry *r, const uint8_t mac[6])
{
	static const unsigned int lens[] = { 48, 36, 28, 24 };
	struct oui_prefix key;
	size_t i, k;

	if (!r || !r->nentries)
		return NULL;
	for (k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		oui_of(mac, lens[k], &key);
		i = lower_bound(r, &key);
		/* the first loaded of the names this block has */
		if (i < r->nentries && !prefix_cmp(&r->entries[i].hit.prefix, &key))
			return r->entries[i].hit.org;
	}
	return NULL;
}
