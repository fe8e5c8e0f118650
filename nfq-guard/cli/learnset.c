/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * learnset.c - devices and the destinations they tried, gathered from
 * decisions for `nfq-guard learn` (see learnset.h).  Three bounded tables
 * with open addressing under a keyed hash (the input is the cameras'
 * doing): devices, destinations, and the strings they point to.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/siphash.h"
#include "cli/learnset.h"

#define DEVICE_SLOTS (2 * LEARN_MAX_DEVICES)
#define DEST_SLOTS (2 * LEARN_MAX_DESTS_ALL)
#define STRING_SLOTS (2 * LEARN_MAX_STRINGS)

struct learn {
	uint8_t key[SIPHASH_KEY_LEN];
	struct learn_device *devices; /* LEARN_MAX_DEVICES, in the order first seen */
	size_t ndevices;
	uint32_t *device_slots; /* 1 + index, 0 empty */
	struct learn_dest *dests;
	size_t ndests, dests_cap;
	uint32_t *dest_slots;
	char **strings;
	size_t nstrings;
	uint32_t *string_slots;
	struct learn_totals totals;
	uint32_t *device_order;		      /* learn_sort: devices in order */
	const struct learn_dest **dest_order; /* learn_sort: by device, then destination */
};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > LEARN_COUNT_MAX - b ? LEARN_COUNT_MAX : a + b;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* How many bytes of s, at i, an escape of nfq-guard's own takes (\\ or \xHH): 0 for none. */
static size_t own_escape(const char *s, size_t n, size_t i)
{
	if (s[i] != '\\' || i + 1 >= n)
		return 0;
	if (s[i + 1] == '\\')
		return 2;
	if (s[i + 1] == 'x' && i + 3 < n && is_hex(s[i + 2]) && is_hex(s[i + 3]))
		return 4;
	return 0;
}

/* The escape of the byte at s[i] into tmp: how many bytes written, *in how many read. */
static size_t escape_one(const char *s, size_t n, size_t i, unsigned int flags, char tmp[4],
			 size_t *in)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = (unsigned char)s[i];
	size_t k;

	*in = 1;
	if ((k = own_escape(s, n, i))) {
		memcpy(tmp, s + i, k);
		*in = k;
		return k;
	}
	if (c == '\\') {
		memcpy(tmp, "\\\\", 2);
		return 2;
	}
	if ((c < 0x21 && !(c == ' ' && (flags & LEARN_ESC_SPACE))) || c > 0x7e || c == '"' ||
	    (c == '*' && i + 1 < n && s[i + 1] == '/')) {
		tmp[0] = '\\';
		tmp[1] = 'x';
		tmp[2] = hex[c >> 4];
		tmp[3] = hex[c & 0xf];
		return 4;
	}
	tmp[0] = (char)c;
	return 1;
}

size_t learn_escape(const char *s, size_t n, unsigned int flags, char *out, size_t outsz)
{
	size_t i, o = 0, in, k, total = 0, room;
	char tmp[4];

	if (outsz < 4) {
		if (outsz)
			out[0] = '\0';
		return 0;
	}
	for (i = 0; i < n && total < outsz; i += in)
		total += escape_one(s, n, i, flags, tmp, &in);
	/* what does not fit whole is cut between escapes, with room kept for "..." */
	room = total < outsz ? outsz - 1 : outsz - 4;
	for (i = 0; i < n; i += in) {
		k = escape_one(s, n, i, flags, tmp, &in);
		if (o + k > room)
			break;
		memcpy(out + o, tmp, k);
		o += k;
	}
	if (i < n) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return o;
}

static uint32_t hash(const struct learn *l, const void *p, size_t n)
{
	return (uint32_t)siphash(l->key, p, n);
}

/* The id of the escaped form of b, kept if new; LEARN_NONE for none or past the bound. */
static uint32_t intern(struct learn *l, const struct learn_bytes *b, unsigned int flags)
{
	char esc[LEARN_STR_MAX];
	size_t n, i;
	uint32_t h, *slot;

	if (!b->s)
		return LEARN_NONE;
	n = learn_escape(b->s, b->len, flags, esc, sizeof(esc));
	h = hash(l, esc, n);
	for (i = 0; i < STRING_SLOTS; i++) {
		slot = &l->string_slots[(h + i) % STRING_SLOTS];
		if (!*slot)
			break;
		if (!strcmp(l->strings[*slot - 1], esc))
			return *slot - 1;
	}
	if (i == STRING_SLOTS || l->nstrings >= LEARN_MAX_STRINGS ||
	    !(l->strings[l->nstrings] = strdup(esc))) {
		l->totals.strings_cut++;
		return LEARN_NONE;
	}
	*slot = (uint32_t)++l->nstrings;
	return *slot - 1;
}

struct learn *learn_new(const uint8_t key[16])
{
	struct learn *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	if (key)
		memcpy(l->key, key, SIPHASH_KEY_LEN);
	l->devices = calloc(LEARN_MAX_DEVICES, sizeof(*l->devices));
	l->device_slots = calloc(DEVICE_SLOTS, sizeof(*l->device_slots));
	l->dest_slots = calloc(DEST_SLOTS, sizeof(*l->dest_slots));
	l->strings = calloc(LEARN_MAX_STRINGS, sizeof(*l->strings));
	l->string_slots = calloc(STRING_SLOTS, sizeof(*l->string_slots));
	if (!l->devices || !l->device_slots || !l->dest_slots || !l->strings || !l->string_slots) {
		learn_free(l);
		return NULL;
	}
	return l;
}

void learn_free(struct learn *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nstrings; i++)
		free(l->strings[i]);
	free(l->strings);
	free(l->string_slots);
	free(l->devices);
	free(l->device_slots);
	free(l->dests);
	free(l->dest_slots);
	free(l->device_order);
	free(l->dest_order);
	free(l);
}

/* The device's key as bytes: MAC, else address. */
static size_t device_key(const struct learn_flow *f, uint8_t key[18])
{
	memset(key, 0, 18);
	key[0] = f->has_mac;
	if (f->has_mac) {
		memcpy(key + 1, f->mac, 6);
	} else if (f->src_family) {
		key[1] = f->src_family;
		memcpy(key + 2, f->src, 16);
	}
	return 18;
}

static bool device_is(const struct learn_device *d, const struct learn_flow *f)
{
	if (d->has_mac != f->has_mac)
		return false;
	if (f->has_mac)
		return !memcmp(d->mac, f->mac, 6);
	return d->family == f->src_family && (!f->src_family || !memcmp(d->addr, f->src, 16));
}

/* The flow's device, new if need be; NULL past the bound. */
static struct learn_device *find_device(struct learn *l, const struct learn_flow *f, uint32_t *idx)
{
	uint8_t key[18];
	uint32_t h = hash(l, key, device_key(f, key)), *slot = NULL;
	struct learn_device *d;
	size_t i;

	for (i = 0; i < DEVICE_SLOTS; i++) {
		slot = &l->device_slots[(h + i) % DEVICE_SLOTS];
		if (!*slot)
			break;
		if (device_is(&l->devices[*slot - 1], f)) {
			*idx = *slot - 1;
			return &l->devices[*idx];
		}
	}
	if (i == DEVICE_SLOTS || l->ndevices >= LEARN_MAX_DEVICES)
		return NULL;
	*idx = (uint32_t)l->ndevices;
	d = &l->devices[l->ndevices++];
	*slot = *idx + 1;
	d->has_mac = f->has_mac;
	if (f->has_mac) {
		memcpy(d->mac, f->mac, 6);
	} else if (f->src_family) {
		d->family = f->src_family;
		memcpy(d->addr, f->src, 16);
	}
	d->group = d->label = LEARN_NONE;
	d->first_us = UINT64_MAX;
	return d;
}

/* A destination's key: its device, address, protocol and port, as bytes for the hash. */
struct dest_key {
	uint32_t device;
	uint8_t family;
	uint8_t dst[16];
	int16_t proto;
	int32_t dport;
};

static void dest_key(uint32_t device, const struct learn_flow *f, struct dest_key *k)
{
	memset(k, 0, sizeof(*k)); /* the padding too: the key is hashed as bytes */
	k->device = device;
	k->family = f->family;
	if (f->family)
		memcpy(k->dst, f->dst, 16);
	k->proto = (int16_t)(f->proto < 0 || f->proto > 255 ? LEARN_PROTO_NONE : f->proto);
	k->dport = f->dport < 0 || f->dport > 65535 ? LEARN_PORT_NONE : f->dport;
}

static bool dest_is(const struct learn_dest *t, const struct dest_key *k)
{
	return t->device == k->device && t->family == k->family && t->proto == k->proto &&
	       t->dport == k->dport && !memcmp(t->dst, k->dst, 16);
}

/* Room for one more destination: 0 or -ENOMEM. */
static int dests_grow(struct learn *l)
{
	size_t cap = l->dests_cap ? 2 * l->dests_cap : 256;
	struct learn_dest *n;

	if (l->ndests < l->dests_cap)
		return 0;
	if (cap > LEARN_MAX_DESTS_ALL)
		cap = LEARN_MAX_DESTS_ALL;
	n = realloc(l->dests, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	l->dests = n;
	l->dests_cap = cap;
	return 0;
}

/*
 * The flow's destination of device idx in *out, new if need be: 0, 1 past
 * the bounds (*out NULL), or -ENOMEM.
 */
static int find_dest(struct learn *l, struct learn_device *d, uint32_t idx,
		     const struct learn_flow *f, struct learn_dest **out)
{
	struct dest_key k;
	uint32_t h, *slot = NULL;
	struct learn_dest *t;
	size_t i;

	dest_key(idx, f, &k);
	h = hash(l, &k, sizeof(k));
	*out = NULL;
	for (i = 0; i < DEST_SLOTS; i++) {
		slot = &l->dest_slots[(h + i) % DEST_SLOTS];
		if (!*slot)
			break;
		if (dest_is(&l->dests[*slot - 1], &k)) {
			*out = &l->dests[*slot - 1];
			return 0;
		}
	}
	if (i == DEST_SLOTS || d->ndests >= LEARN_MAX_DESTS || l->ndests >= LEARN_MAX_DESTS_ALL)
		return 1;
	if (dests_grow(l))
		return -ENOMEM;
	t = &l->dests[l->ndests];
	memset(t, 0, sizeof(*t));
	t->device = idx;
	t->family = k.family;
	memcpy(t->dst, k.dst, 16);
	t->proto = k.proto;
	t->dport = k.dport;
	t->last_name = t->last_rule = t->blocked_by = LEARN_NONE;
	t->first_us = UINT64_MAX;
	*slot = (uint32_t)++l->ndests;
	d->ndests++;
	*out = t;
	return 0;
}

/* *id and *when become id and ts when ts is as late or later (and id is some string). */
static void latest(uint32_t *id, uint64_t *when, uint32_t nid, uint64_t ts)
{
	if (nid != LEARN_NONE && (*id == LEARN_NONE || ts >= *when)) {
		*id = nid;
		*when = ts;
	}
}

static void add_name(struct learn_dest *t, uint32_t name, uint64_t ts)
{
	size_t i;

	if (name == LEARN_NONE)
		return;
	latest(&t->last_name, &t->name_us, name, ts);
	for (i = 0; i < t->nnames; i++)
		if (t->names[i] == name)
			return;
	if (t->nnames < LEARN_DEST_NAMES)
		t->names[t->nnames++] = name;
	else
		t->more_names = true;
}

static void count_dest(struct learn *l, struct learn_dest *t, const struct learn_flow *f)
{
	uint32_t rule = intern(l, &f->rule, 0);

	t->flows = sat_add(t->flows, 1);
	t->summarised = sat_add(t->summarised, f->count - 1);
	t->by_action[f->action & 3] = sat_add(t->by_action[f->action & 3], 1);
	if (f->ts_us < t->first_us)
		t->first_us = f->ts_us;
	if (f->ts_us > t->last_us)
		t->last_us = f->ts_us;
	add_name(t, intern(l, &f->name, 0), f->ts_us);
	latest(&t->last_rule, &t->rule_us, rule, f->ts_us);
	if (action_blocks(f->action) && rule != LEARN_NONE && strcmp(l->strings[rule], "default"))
		latest(&t->blocked_by, &t->blocked_us, rule, f->ts_us);
}

enum learn_added learn_add(struct learn *l, const struct learn_flow *f)
{
	uint64_t n = f->count ? f->count : 1;
	struct learn_flow g = *f;
	struct learn_device *d;
	struct learn_dest *t;
	uint32_t idx;
	int rc;

	g.count = n;
	l->totals.flows = sat_add(l->totals.flows, n);
	d = find_device(l, &g, &idx);
	if (!d) {
		l->totals.devices_cut = sat_add(l->totals.devices_cut, n);
		return LEARN_CUT_DEVICE;
	}
	d->flows = sat_add(d->flows, n);
	if (g.ts_us < d->first_us)
		d->first_us = g.ts_us;
	if (g.ts_us > d->last_us)
		d->last_us = g.ts_us;
	latest(&d->group, &d->group_us, intern(l, &g.group, 0), g.ts_us);
	latest(&d->label, &d->label_us, intern(l, &g.label, LEARN_ESC_SPACE), g.ts_us);
	rc = find_dest(l, d, idx, &g, &t);
	if (rc < 0)
		return LEARN_NOMEM;
	if (!t) {
		d->dests_cut = sat_add(d->dests_cut, n);
		l->totals.dests_cut = sat_add(l->totals.dests_cut, n);
		return LEARN_CUT_DEST;
	}
	count_dest(l, t, &g);
	return LEARN_ADDED;
}

static int cmp_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
	return memcmp(a, b, n);
}

/* Devices with a MAC first, by MAC; then by address. */
static int cmp_device(const struct learn_device *a, const struct learn_device *b)
{
	if (a->has_mac != b->has_mac)
		return a->has_mac ? -1 : 1;
	if (a->has_mac)
		return cmp_bytes(a->mac, b->mac, 6);
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return cmp_bytes(a->addr, b->addr, 16);
}

static int cmp_dest(const void *x, const void *y)
{
	const struct learn_dest *a = *(const struct learn_dest *const *)x;
	const struct learn_dest *b = *(const struct learn_dest *const *)y;
	int c;

	if (a->device != b->device)
		return a->device < b->device ? -1 : 1;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((c = cmp_bytes(a->dst, b->dst, 16)))
		return c;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return a->dport < b->dport ? -1 : a->dport > b->dport;
}

/* Insertion into the sorted device order: devices are few, and qsort takes no context. */
static void sort_devices(struct learn *l)
{
	size_t i, j;

	for (i = 0; i < l->ndevices; i++) {
		uint32_t v = (uint32_t)i;

		for (j = i;
		     j > 0 && cmp_device(&l->devices[l->device_order[j - 1]], &l->devices[v]) > 0;
		     j--)
			l->device_order[j] = l->device_order[j - 1];
		l->device_order[j] = v;
	}
}

int learn_sort(struct learn *l)
{
	size_t i;

	free(l->device_order);
	free(l->dest_order);
	l->device_order = calloc(l->ndevices + 1, sizeof(*l->device_order));
	l->dest_order = calloc(l->ndests + 1, sizeof(*l->dest_order));
	if (!l->device_order || !l->dest_order)
		return -ENOMEM;
	sort_devices(l);
	for (i = 0; i < l->ndests; i++)
		l->dest_order[i] = &l->dests[i];
	qsort(l->dest_order, l->ndests, sizeof(*l->dest_order), cmp_dest);
	for (i = l->ndests; i-- > 0;)
		l->devices[l->dest_order[i]->device].dest0 = i;
	return 0;
}

size_t learn_ndevices(const struct learn *l)
{
	return l->ndevices;
}

const struct learn_device *learn_device(const struct learn *l, size_t i)
{
	return i < l->ndevices && l->device_order ? &l->devices[l->device_order[i]] : NULL;
}

const struct learn_dest *learn_dest(const struct learn *l, const struct learn_device *d, size_t j)
{
	return j < d->ndests && l->dest_order ? l->dest_order[d->dest0 + j] : NULL;
}

const struct learn_device *learn_device_at(const struct learn *l, uint32_t idx)
{
	return idx < l->ndevices ? &l->devices[idx] : NULL;
}

const char *learn_str(const struct learn *l, uint32_t id)
{
	return id < l->nstrings ? l->strings[id] : NULL;
}

const struct learn_totals *learn_totals(const struct learn *l)
{
	return &l->totals;
}
