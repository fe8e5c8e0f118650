/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * disc_xml.c - a bounded walk over the XML of SADP and WS-Discovery
 * messages (see xml_walk in disc_internal.h).  Not a validating parser: it
 * reads enough structure that markup is never taken for an element it is
 * not (a tag inside a comment, CDATA, a processing instruction or an
 * attribute value), keeps the path of local names, and refuses what it
 * cannot read for sure.
 *
 *   document = [prolog] element *(comment | PI | S)
 *   element  = "<" name *(S attr) [S] ("/>" | ">" content "</" name [S] ">")
 *   attr     = name [S] "=" [S] ( '"' [^<"]* '"' | "'" [^<']* "'" )
 */
#include <stdbool.h>
#include <string.h>

#include "decode/disc_internal.h"

struct xml_name {
	const uint8_t *p; /* the local name: the part after the last ':' */
	size_t len;
	const uint8_t *full; /* prefix included, to match the end tag */
	size_t fulllen;
};

struct xml_walker {
	struct cursor c;
	struct xml_name stack[DISC_DEPTH_MAX];
	int depth;
	bool root_done;
	const char *const *want;
	size_t nwant;
	struct disc_slot *slots;
	int capture; /* the slot the next character data goes to, or -1 */
	struct xml_name root;
};

/* Skip past the first occurrence of lit; false when there is none. */
static bool skip_past(struct cursor *c, const char *lit)
{
	size_t n = strlen(lit), i, left = cur_left(c);
	const uint8_t *v = cur_ptr(c);

	for (i = 0; i + n <= left; i++) {
		if (memcmp(v + i, lit, n) == 0)
			return cur_skip(c, i + n);
	}
	return false;
}

static bool starts(const struct cursor *c, const char *lit)
{
	size_t n = strlen(lit);

	return cur_left(c) >= n && memcmp(cur_ptr(c), lit, n) == 0;
}

static bool name_byte(uint8_t b)
{
	return !byte_is_ws(b) && b != '/' && b != '>' && b != '<' && b != '=' && b != '"' &&
	       b != '\'' && b != '&';
}

static bool read_name(struct cursor *c, struct xml_name *n)
{
	const uint8_t *v = cur_ptr(c);
	size_t i = 0, left = cur_left(c), colon = 0;

	while (i < left && name_byte(v[i])) {
		if (v[i] == ':')
			colon = i + 1;
		i++;
	}
	if (i == 0 || colon == i)
		return false;
	n->full = v;
	n->fulllen = i;
	n->p = v + colon;
	n->len = i - colon;
	return cur_skip(c, i);
}

static void skip_ws(struct cursor *c)
{
	while (cur_left(c) > 0 && byte_is_ws(cur_ptr(c)[0]))
		cur_skip(c, 1);
}

/* Attributes up to the end of a start tag; *empty for "/>". */
static bool read_attrs(struct cursor *c, bool *empty)
{
	struct xml_name an;
	uint8_t q, b;

	for (;;) {
		skip_ws(c);
		if (starts(c, "/>")) {
			*empty = true;
			return cur_skip(c, 2);
		}
		if (starts(c, ">")) {
			*empty = false;
			return cur_skip(c, 1);
		}
		if (!read_name(c, &an))
			return false;
		skip_ws(c);
		if (!cur_u8(c, &b) || b != '=')
			return false;
		skip_ws(c);
		if (!cur_u8(c, &q) || (q != '"' && q != '\''))
			return false;
		do {
			if (!cur_u8(c, &b) || b == '<')
				return false;
		} while (b != q);
	}
}

/* Whether the open elements' local names are the path "a/b/c". */
static bool path_is(const struct xml_walker *w, const char *path)
{
	int i;

	for (i = 0; i < w->depth; i++) {
		const char *end = strchr(path, '/');
		size_t n = end ? (size_t)(end - path) : strlen(path);

		if (n != w->stack[i].len || memcmp(path, w->stack[i].p, n) != 0)
			return false;
		if (!end)
			return i == w->depth - 1;
		path = end + 1;
	}
	return false;
}

static void mark_wanted(struct xml_walker *w)
{
	size_t i;

	for (i = 0; i < w->nwant; i++) {
		if (!path_is(w, w->want[i]))
			continue;
		if (w->slots[i].seen)
			return; /* the first element at a place wins */
		w->slots[i].seen = true;
		w->slots[i].p = cur_ptr(&w->c);
		w->slots[i].len = 0;
		w->capture = (int)i;
		return;
	}
}

static bool start_tag(struct xml_walker *w)
{
	struct xml_name n;
	bool empty;

	if (w->root_done || w->depth >= DISC_DEPTH_MAX)
		return false;
	if (!read_name(&w->c, &n) || !read_attrs(&w->c, &empty))
		return false;
	w->stack[w->depth++] = n;
	if (w->depth == 1)
		w->root = n;
	mark_wanted(w);
	if (empty) {
		w->capture = -1;
		if (--w->depth == 0)
			w->root_done = true;
	}
	return true;
}

static bool end_tag(struct xml_walker *w)
{
	struct xml_name n;
	const struct xml_name *top;
	uint8_t b;

	if (w->depth == 0 || !read_name(&w->c, &n))
		return false;
	skip_ws(&w->c);
	if (!cur_u8(&w->c, &b) || b != '>')
		return false;
	top = &w->stack[w->depth - 1];
	if (n.fulllen != top->fulllen || memcmp(n.full, top->full, n.fulllen) != 0)
		return false;
	if (--w->depth == 0)
		w->root_done = true;
	return true;
}

static bool char_data(struct xml_walker *w)
{
	const uint8_t *v = cur_ptr(&w->c);
	size_t i = 0, left = cur_left(&w->c);

	while (i < left && v[i] != '<')
		i++;
	if (w->depth == 0) {
		size_t j;

		for (j = 0; j < i; j++)
			if (!byte_is_ws(v[j]))
				return false; /* text outside the root */
	}
	if (w->capture >= 0) {
		w->slots[w->capture].p = v;
		w->slots[w->capture].len = i;
	}
	w->capture = -1;
	return cur_skip(&w->c, i);
}

/* One piece of markup at '<'. */
static bool markup(struct xml_walker *w)
{
	struct cursor *c = &w->c;

	w->capture = -1;
	if (starts(c, "<!--"))
		return cur_skip(c, 4) && skip_past(c, "-->");
	if (starts(c, "<![CDATA["))
		return w->depth > 0 && cur_skip(c, 9) && skip_past(c, "]]>");
	if (starts(c, "<?"))
		return cur_skip(c, 2) && skip_past(c, "?>");
	if (starts(c, "<!"))
		return false; /* DOCTYPE and its entities are not read */
	if (starts(c, "</"))
		return cur_skip(c, 2) && end_tag(w);
	return cur_skip(c, 1) && start_tag(w);
}

bool xml_walk(const uint8_t *p, size_t len, const char *const *want, size_t nwant,
	      struct disc_slot *slots, const uint8_t **root, size_t *rootlen)
{
	struct xml_walker w;
	bool ok = true;

	memset(&w, 0, sizeof(w));
	cur_init(&w.c, p, len);
	w.want = want;
	w.nwant = nwant;
	w.slots = slots;
	w.capture = -1;
	memset(slots, 0, nwant * sizeof(*slots));
	/* a UTF-8 byte order mark before the prolog */
	if (starts(&w.c, "\xef\xbb\xbf"))
		cur_skip(&w.c, 3);
	while (ok && cur_left(&w.c) > 0) {
		if (cur_ptr(&w.c)[0] == '<')
			ok = markup(&w);
		else
			ok = char_data(&w);
	}
	if (!ok || !w.root_done)
		return false;
	*root = w.root.p;
	*rootlen = w.root.len;
	return true;
}
