/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wsd.c - ONVIF WS-Discovery (UDP 3702, SOAP 1.2, WS-Discovery 2005/04):
 * the Action header says which message it is, and the body must hold that
 * message; Types, Scopes and XAddrs are read only inside it.
 *
 *   <Envelope><Header><Action>.../discovery/ProbeMatches</Action>
 *             <MessageID>urn:uuid:..</MessageID><RelatesTo>urn:uuid:..</RelatesTo>
 *     </Header><Body><ProbeMatches><ProbeMatch>
 *       <Types>dn:NetworkVideoTransmitter tds:Device</Types>
 *       <Scopes>onvif://www.onvif.org/name/X onvif://www.onvif.org/hardware/Y ..</Scopes>
 *       <XAddrs>http://192.0.2.7/onvif/device_service ..</XAddrs>
 *     </ProbeMatch></ProbeMatches></Body></Envelope>
 *
 * Elements are matched by local name, whatever their namespace prefix.  An
 * element given twice counts once, the first: with two ProbeMatch
 * elements, each field comes from the first one that has it.
 */
#include <stdbool.h>
#include <string.h>

#include "decode/disc_internal.h"

#define WSD_TOKEN_MAX 512 /* longest scope or URL read; longer ones are skipped */

enum {
	W_ACTION,
	W_MSGID,
	W_RELATES,
	W_PROBE,
	W_PROBE_TYPES,
	W_PM,
	W_PM_TYPES,
	W_PM_SCOPES,
	W_PM_XADDRS,
	W_HELLO,
	W_HELLO_TYPES,
	W_HELLO_SCOPES,
	W_HELLO_XADDRS,
	W_BYE,
	W_BYE_TYPES,
	W_BYE_SCOPES,
	W_BYE_XADDRS,
	W_COUNT
};

#define BODY "Envelope/Body/"
static const char *const wsd_want[W_COUNT] = {
	[W_ACTION] = "Envelope/Header/Action",
	[W_MSGID] = "Envelope/Header/MessageID",
	[W_RELATES] = "Envelope/Header/RelatesTo",
	[W_PROBE] = BODY "Probe",
	[W_PROBE_TYPES] = BODY "Probe/Types",
	[W_PM] = BODY "ProbeMatches",
	[W_PM_TYPES] = BODY "ProbeMatches/ProbeMatch/Types",
	[W_PM_SCOPES] = BODY "ProbeMatches/ProbeMatch/Scopes",
	[W_PM_XADDRS] = BODY "ProbeMatches/ProbeMatch/XAddrs",
	[W_HELLO] = BODY "Hello",
	[W_HELLO_TYPES] = BODY "Hello/Types",
	[W_HELLO_SCOPES] = BODY "Hello/Scopes",
	[W_HELLO_XADDRS] = BODY "Hello/XAddrs",
	[W_BYE] = BODY "Bye",
	[W_BYE_TYPES] = BODY "Bye/Types",
	[W_BYE_SCOPES] = BODY "Bye/Scopes",
	[W_BYE_XADDRS] = BODY "Bye/XAddrs",
};
#undef BODY

/* Each message: its Action's last segment, its body element, where its lists are. */
static const struct wsd_message {
	const char *action;
	int body, types, scopes, xaddrs;
	enum disc_kind kind;
} wsd_messages[] = {
	{ "/Probe", W_PROBE, W_PROBE_TYPES, -1, -1, DISC_SEARCH },
	{ "/ProbeMatches", W_PM, W_PM_TYPES, W_PM_SCOPES, W_PM_XADDRS, DISC_ANSWER },
	{ "/Hello", W_HELLO, W_HELLO_TYPES, W_HELLO_SCOPES, W_HELLO_XADDRS, DISC_ANSWER },
	{ "/Bye", W_BYE, W_BYE_TYPES, W_BYE_SCOPES, W_BYE_XADDRS, DISC_BYE },
};

/* The next white-space-separated token of it into tok; false at the end. */
static bool next_token(struct text_iter *it, uint8_t *tok, size_t *len, bool *long_tok)
{
	size_t n = 0;
	uint8_t b;

	*long_tok = false;
	while (text_next(it, &b)) {
		if (byte_is_ws(b)) {
			if (n > 0 || *long_tok)
				break;
			continue;
		}
		if (n < WSD_TOKEN_MAX)
			tok[n++] = b;
		else
			*long_tok = true;
	}
	*len = n;
	return n > 0 || *long_tok;
}

/* Whether a Types list names NetworkVideoTransmitter, with any prefix. */
static bool types_camera(const struct disc_slot *s)
{
	static const char nvt[] = "NetworkVideoTransmitter";
	uint8_t tok[WSD_TOKEN_MAX];
	struct text_iter it;
	size_t n, i, local;
	bool long_tok;

	if (!s->seen)
		return false;
	text_init(&it, s->p, s->len, TEXT_XML);
	while (next_token(&it, tok, &n, &long_tok)) {
		if (long_tok)
			continue;
		for (local = 0, i = 0; i < n; i++)
			if (tok[i] == ':')
				local = i + 1;
		if (n - local == sizeof(nvt) - 1 && memcmp(tok + local, nvt, n - local) == 0)
			return true;
	}
	return false;
}

/* One scope: onvif://www.onvif.org/<category>/<value>, the category in any case. */
static void scope_one(const uint8_t *tok, size_t n, struct disc_info *info, bool *seen)
{
	static const char pfx[] = "onvif://www.onvif.org/";
	static const char *const cat[3] = { "name/", "hardware/", "mac/" };
	uint8_t buf[WSD_TOKEN_MAX];
	size_t i, k, len;

	if (n < sizeof(pfx) - 1 || !bytes_eq_nocase(tok, sizeof(pfx) - 1, pfx))
		return;
	tok += sizeof(pfx) - 1;
	n -= sizeof(pfx) - 1;
	for (i = 0; i < 3; i++) {
		k = strlen(cat[i]);
		if (n >= k && bytes_eq_nocase(tok, k, cat[i]))
			break;
	}
	if (i == 3 || seen[i])
		return; /* another category, or one seen before: the first wins */
	seen[i] = true;
	tok += k;
	n -= k;
	if (i == 0)
		field_from(info->vendor, sizeof(info->vendor), tok, n, TEXT_PERCENT);
	else if (i == 1)
		field_from(info->model, sizeof(info->model), tok, n, TEXT_PERCENT);
	else if (text_decode(tok, n, TEXT_PERCENT, buf, sizeof(buf), &len))
		info->has_mac = disc_parse_mac(buf, len, info->mac);
}

static void scopes_read(const struct disc_slot *s, struct disc_info *info)
{
	uint8_t tok[WSD_TOKEN_MAX];
	struct text_iter it;
	bool seen[3] = { false, false, false }, long_tok;
	size_t n;

	if (!s->seen)
		return;
	text_init(&it, s->p, s->len, TEXT_XML);
	while (next_token(&it, tok, &n, &long_tok))
		if (!long_tok)
			scope_one(tok, n, info, seen);
}

/* The host of the first XAddrs URL, when it is an IPv4 literal. */
static void xaddrs_read(const struct disc_slot *s, struct disc_info *info)
{
	uint8_t tok[WSD_TOKEN_MAX];
	struct text_iter it;
	size_t n, i, host, end;
	bool long_tok;

	if (!s->seen)
		return;
	text_init(&it, s->p, s->len, TEXT_XML);
	if (!next_token(&it, tok, &n, &long_tok) || long_tok)
		return;
	for (i = 0; i + 3 <= n && memcmp(tok + i, "://", 3) != 0; i++)
		if (tok[i] == '/')
			return;
	if (i + 3 > n)
		return;
	host = i + 3;
	for (end = host;
	     end < n && tok[end] != '/' && tok[end] != ':' && tok[end] != '?' && tok[end] != '#';
	     end++)
		if (tok[end] == '@')
			return; /* user info: not a plain host */
	info->has_ipv4 = disc_parse_ipv4(tok + host, end - host, info->ipv4);
}

static const struct wsd_message *wsd_which(const struct disc_slot *s)
{
	uint8_t action[256];
	size_t n, i;

	if (!slot_text(&s[W_ACTION], TEXT_XML, action, sizeof(action), &n))
		return NULL;
	for (i = 0; i < sizeof(wsd_messages) / sizeof(wsd_messages[0]); i++) {
		const struct wsd_message *m = &wsd_messages[i];

		if (bytes_ends_with(action, n, m->action) && s[m->body].seen)
			return m;
	}
	return NULL;
}

enum disc_kind wsd_read(const uint8_t *p, size_t len, struct disc_info *info)
{
	struct disc_slot s[W_COUNT];
	const struct wsd_message *m;
	const uint8_t *root = NULL;
	size_t rootlen = 0;

	if (!xml_walk(p, len, wsd_want, W_COUNT, s, &root, &rootlen))
		return DISC_NOT;
	if (rootlen != 8 || memcmp(root, "Envelope", 8) != 0)
		return DISC_NOT;
	m = wsd_which(s);
	if (!m)
		return DISC_NOT;
	info->via = DISC_ONVIF;
	if (m->body == W_PM && s[W_RELATES].seen)
		slot_field(&s[W_RELATES], TEXT_XML, info->uuid, sizeof(info->uuid));
	else
		slot_field(&s[W_MSGID], TEXT_XML, info->uuid, sizeof(info->uuid));
	slot_field(&s[m->types], TEXT_XML, info->types, sizeof(info->types));
	/* a search names what it looks for, not what it is */
	info->camera = m->kind != DISC_SEARCH && types_camera(&s[m->types]);
	if (m->scopes >= 0)
		scopes_read(&s[m->scopes], info);
	if (m->xaddrs >= 0)
		xaddrs_read(&s[m->xaddrs], info);
	return m->kind;
}

size_t disc_search_wsd(uint8_t *buf, size_t cap, const char *uuid)
{
	struct disc_out o;

	if (!disc_uuid_ok(uuid))
		return 0;
	out_init(&o, buf, cap);
	out_str(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\""
		    " xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\""
		    " xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\""
		    " xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\">"
		    "<s:Header><a:MessageID>urn:uuid:");
	out_str(&o, uuid);
	out_str(&o,
		"</a:MessageID>"
		"<a:To s:mustUnderstand=\"1\">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>"
		"<a:Action s:mustUnderstand=\"1\">"
		"http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>"
		"</s:Header><s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types>"
		"</d:Probe></s:Body></s:Envelope>");
	return out_done(&o);
}
