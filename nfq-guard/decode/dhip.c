/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dhip.c - Dahua DHIP discovery (UDP 37810): a 32-byte header, then JSON.
 *
 *    0               4               8              12              16
 *   +---------------+---------------+---------------+---------------+
 *   | 20 00 00 00   | "DHIP"        | session       | request id    |
 *   +---------------+---------------+---------------+---------------+
 *   | body length   | 0             | body length   | 0             |
 *   +---------------+---------------+---------------+---------------+
 *    16 (LE32)       20              24 (LE32)       28
 *
 * The two lengths must agree with each other and with the datagram.  The
 * search is {"method":"DHDiscover.search",...}; a device answers with
 * {"mac":"..","method":"client.notifyDevInfo","params":{"deviceInfo":{..}}}.
 * The JSON is tokenized here, bounded (nesting at most DISC_DEPTH_MAX),
 * keeping the path of keys; only string values at the wanted paths are
 * kept, and a key given twice counts once, the first.
 */
#include <stdbool.h>
#include <string.h>

#include "decode/disc_internal.h"

#define DHIP_HEADER_LEN 32
#define DHIP_KEY_MAX 32 /* longer keys are none we want */

enum { D_METHOD, D_MAC, D_TYPE, D_SERIAL, D_VERSION, D_VENDOR, D_IPV4, D_COUNT };

static const char *const dhip_want[D_COUNT] = {
	[D_METHOD] = "method",
	[D_MAC] = "mac",
	[D_TYPE] = "params.deviceInfo.DeviceType",
	[D_SERIAL] = "params.deviceInfo.SerialNo",
	[D_VERSION] = "params.deviceInfo.Version",
	[D_VENDOR] = "params.deviceInfo.Vendor",
	[D_IPV4] = "params.deviceInfo.IPv4Address.IPAddress",
};

struct json {
	struct cursor c;
	struct disc_slot *slots;
	/* the key of each open level; an array element has none (p NULL) */
	struct {
		const uint8_t *p;
		size_t len;
	} path[DISC_DEPTH_MAX];
};

static void json_ws(struct json *j)
{
	while (cur_left(&j->c) > 0 && byte_is_ws(cur_ptr(&j->c)[0]))
		cur_skip(&j->c, 1);
}

static bool is_hex(uint8_t b)
{
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
}

/* Four hex digits after "\u". */
static bool json_u4(struct cursor *c, uint32_t *v)
{
	uint8_t b;
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if (!cur_u8(c, &b) || !is_hex(b))
			return false;
		*v = *v << 4 | (uint32_t)(b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10);
	}
	return true;
}

static bool json_escape_ok(struct cursor *c)
{
	uint32_t u, lo;
	uint8_t e;

	if (!cur_u8(c, &e))
		return false;
	if (strchr("\"\\/bfnrt", e) && e != '\0')
		return true;
	if (e != 'u' || !json_u4(c, &u))
		return false;
	if (u >= 0xdc00 && u < 0xe000)
		return false; /* a low surrogate alone */
	if (u < 0xd800 || u >= 0xdc00)
		return true;
	/* a high surrogate: a low one must follow */
	if (!cur_u8(c, &e) || e != '\\' || !cur_u8(c, &e) || e != 'u' || !json_u4(c, &lo))
		return false;
	return lo >= 0xdc00 && lo < 0xe000;
}

/* A string at '"': its raw inside into *p, *len; checked, not decoded. */
static bool json_string(struct json *j, const uint8_t **p, size_t *len)
{
	struct cursor c = j->c;
	const uint8_t *start;
	uint8_t b;

	if (!cur_u8(&c, &b) || b != '"')
		return false;
	start = cur_ptr(&c);
	for (;;) {
		const uint8_t *at = cur_ptr(&c);

		if (!cur_u8(&c, &b) || b < 0x20)
			return false;
		if (b == '"') {
			*p = start;
			*len = (size_t)(at - start);
			j->c = c;
			return true;
		}
		if (b == '\\' && !json_escape_ok(&c))
			return false;
	}
}

/* Whether the decoded key k is the path segment seg (n bytes). */
static bool key_is(const uint8_t *k, size_t klen, const char *seg, size_t n)
{
	uint8_t buf[DHIP_KEY_MAX];
	size_t len;

	return text_decode(k, klen, TEXT_JSON, buf, sizeof(buf), &len) && len == n &&
	       memcmp(buf, seg, n) == 0;
}

/* The wanted path the open keys (depth of them) are, or -1. */
static int json_wanted(const struct json *j, int depth)
{
	size_t w;
	int i;

	for (w = 0; w < D_COUNT; w++) {
		const char *path = dhip_want[w];

		for (i = 0; i < depth; i++) {
			const char *end = strchr(path, '.');
			size_t n = end ? (size_t)(end - path) : strlen(path);

			if (!j->path[i].p || !key_is(j->path[i].p, j->path[i].len, path, n))
				break;
			if (!end) {
				if (i == depth - 1)
					return (int)w;
				break;
			}
			path = end + 1;
		}
	}
	return -1;
}

static bool json_value(struct json *j, int depth);

/* A value whose key is path[depth - 1]: the first one at a wanted path is kept. */
static bool json_member(struct json *j, int depth)
{
	int w = json_wanted(j, depth);
	struct disc_slot *s = w >= 0 ? &j->slots[w] : NULL;
	const uint8_t *p;
	size_t len;

	json_ws(j);
	if (cur_left(&j->c) > 0 && cur_ptr(&j->c)[0] == '"') {
		if (!json_string(j, &p, &len))
			return false;
		if (s && !s->seen) {
			s->p = p;
			s->len = len;
			s->string = true;
		}
		if (s)
			s->seen = true;
		return true;
	}
	if (s)
		s->seen = true;
	return json_value(j, depth);
}

static bool json_object(struct json *j, int depth)
{
	uint8_t b;

	if (depth >= DISC_DEPTH_MAX)
		return false;
	cur_skip(&j->c, 1);
	json_ws(j);
	if (cur_left(&j->c) > 0 && cur_ptr(&j->c)[0] == '}')
		return cur_skip(&j->c, 1);
	for (;;) {
		json_ws(j);
		if (!json_string(j, &j->path[depth].p, &j->path[depth].len))
			return false;
		json_ws(j);
		if (!cur_u8(&j->c, &b) || b != ':')
			return false;
		if (!json_member(j, depth + 1))
			return false;
		json_ws(j);
		if (!cur_u8(&j->c, &b))
			return false;
		if (b == '}')
			return true;
		if (b != ',')
			return false;
	}
}

static bool json_array(struct json *j, int depth)
{
	uint8_t b;

	if (depth >= DISC_DEPTH_MAX)
		return false;
	cur_skip(&j->c, 1);
	j->path[depth].p = NULL;
	j->path[depth].len = 0;
	json_ws(j);
	if (cur_left(&j->c) > 0 && cur_ptr(&j->c)[0] == ']')
		return cur_skip(&j->c, 1);
	for (;;) {
		if (!json_value(j, depth + 1))
			return false;
		json_ws(j);
		if (!cur_u8(&j->c, &b))
			return false;
		if (b == ']')
			return true;
		if (b != ',')
			return false;
	}
}

/* A number, true, false or null: a run of the bytes those are made of. */
static bool json_scalar(struct json *j)
{
	static const char *const words[] = { "true", "false", "null" };
	const uint8_t *v = cur_ptr(&j->c);
	size_t i, n = 0, left = cur_left(&j->c);

	for (i = 0; i < 3; i++) {
		size_t k = strlen(words[i]);

		if (left >= k && memcmp(v, words[i], k) == 0)
			return cur_skip(&j->c, k);
	}
	while (n < left && (strchr("+-.eE", v[n]) || (v[n] >= '0' && v[n] <= '9')) && v[n])
		n++;
	if (n == 0 || !(v[0] == '-' || (v[0] >= '0' && v[0] <= '9')))
		return false;
	return cur_skip(&j->c, n);
}

/* Any value at this depth (the number of levels open around it). */
static bool json_value(struct json *j, int depth)
{
	const uint8_t *p;
	size_t len;

	json_ws(j);
	if (cur_left(&j->c) == 0)
		return false;
	switch (cur_ptr(&j->c)[0]) {
	case '{':
		return json_object(j, depth);
	case '[':
		return json_array(j, depth);
	case '"':
		return json_string(j, &p, &len);
	default:
		return json_scalar(j);
	}
}

/* The body: one object, then only white space or NUL padding. */
static bool json_read(const uint8_t *p, size_t len, struct disc_slot *slots)
{
	struct json j;
	uint8_t b;

	memset(&j, 0, sizeof(j));
	memset(slots, 0, D_COUNT * sizeof(*slots));
	cur_init(&j.c, p, len);
	j.slots = slots;
	json_ws(&j);
	if (cur_left(&j.c) == 0 || cur_ptr(&j.c)[0] != '{' || !json_object(&j, 0))
		return false;
	while (cur_u8(&j.c, &b))
		if (!byte_is_ws(b) && b != '\0')
			return false;
	return true;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool str_slot(const struct disc_slot *s)
{
	return s->seen && s->string;
}

static bool method_is(const struct disc_slot *s, const char *m)
{
	uint8_t buf[32];
	size_t n;

	return str_slot(s) && slot_text(s, TEXT_JSON, buf, sizeof(buf), &n) && n == strlen(m) &&
	       memcmp(buf, m, n) == 0;
}

static void dhip_answer(const struct disc_slot *s, struct disc_info *info)
{
	uint8_t buf[48];
	size_t n;

	info->camera = true;
	if (str_slot(&s[D_VENDOR]) && s[D_VENDOR].len > 0)
		slot_field(&s[D_VENDOR], TEXT_JSON, info->vendor, sizeof(info->vendor));
	else
		field_from(info->vendor, sizeof(info->vendor), (const uint8_t *)"Dahua", 5,
			   TEXT_RAW);
	if (str_slot(&s[D_TYPE]))
		slot_field(&s[D_TYPE], TEXT_JSON, info->model, sizeof(info->model));
	if (str_slot(&s[D_SERIAL]))
		slot_field(&s[D_SERIAL], TEXT_JSON, info->serial, sizeof(info->serial));
	if (str_slot(&s[D_VERSION]))
		slot_field(&s[D_VERSION], TEXT_JSON, info->firmware, sizeof(info->firmware));
	if (str_slot(&s[D_MAC]) && slot_text(&s[D_MAC], TEXT_JSON, buf, sizeof(buf), &n))
		info->has_mac = disc_parse_mac(buf, n, info->mac);
	if (str_slot(&s[D_IPV4]) && slot_text(&s[D_IPV4], TEXT_JSON, buf, sizeof(buf), &n))
		info->has_ipv4 = disc_parse_ipv4(buf, n, info->ipv4);
}

enum disc_kind dhip_read(const uint8_t *p, size_t len, struct disc_info *info)
{
	static const uint8_t magic[8] = { 0x20, 0, 0, 0, 'D', 'H', 'I', 'P' };
	struct disc_slot s[D_COUNT];
	uint32_t body;

	if (len < DHIP_HEADER_LEN || memcmp(p, magic, sizeof(magic)) != 0)
		return DISC_NOT;
	body = le32(p + 16);
	if (body != le32(p + 24) || body != len - DHIP_HEADER_LEN)
		return DISC_NOT;
	if (!json_read(p + DHIP_HEADER_LEN, body, s))
		return DISC_NOT;
	info->via = DISC_DHIP;
	if (method_is(&s[D_METHOD], "client.notifyDevInfo")) {
		dhip_answer(s, info);
		return DISC_ANSWER;
	}
	if (method_is(&s[D_METHOD], "DHDiscover.search"))
		return DISC_SEARCH;
	return DISC_NOT;
}

size_t disc_search_dhip(uint8_t *buf, size_t cap)
{
	static const char json[] = "{\"method\":\"DHDiscover.search\",\"params\":{\"mac\":\"\","
				   "\"uni\":1}}";
	uint8_t hdr[DHIP_HEADER_LEN] = { 0x20, 0, 0, 0, 'D', 'H', 'I', 'P' };
	struct disc_out o;

	hdr[16] = hdr[24] = sizeof(json) - 1;
	out_init(&o, buf, cap);
	out_bytes(&o, hdr, sizeof(hdr));
	out_str(&o, json);
	return out_done(&o);
}
