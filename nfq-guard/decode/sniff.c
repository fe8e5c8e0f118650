// SPDX-License-Identifier: GPL-2.0-or-later
/* sniff.c - SNI or Host from a client's first bytes (see sniff.h). */
#include "decode/sniff.h"

static enum sniff_result sniff_tls(struct sniff_state *s, const uint8_t *buf, size_t len, bool full,
				   struct name *out)
{
	s->tls = tls_sni(buf, len, out);
	switch (s->tls) {
	case TLS_NEED_MORE:
		if (!full)
			return SNIFF_MORE;
		s->why = "ClientHello larger than the stream buffer";
		return SNIFF_FULL;
	case TLS_FOUND:
		return SNIFF_SNI;
	case TLS_NO_SNI:
		return SNIFF_NO_NAME;
	case TLS_NOT_TLS:
		s->http = true;
		return SNIFF_MORE; /* read as HTTP: see sniff_name */
	case TLS_MALFORMED:
		s->why = "malformed ClientHello";
		break;
	case TLS_TOO_LARGE:
		s->why = "ClientHello too large";
		break;
	case TLS_BAD_NAME:
		s->why = "server name is not a host name";
		break;
	}
	return SNIFF_BROKEN;
}

static enum sniff_result sniff_http(struct sniff_state *s, const uint8_t *buf, size_t len,
				    bool full, struct name *out)
{
	s->http_st = http_host(buf, len, out);
	switch (s->http_st) {
	case HTTP_NEED_MORE:
		if (!full)
			return SNIFF_MORE;
		s->why = "request head larger than the stream buffer";
		return SNIFF_FULL;
	case HTTP_FOUND:
		return SNIFF_HOST;
	case HTTP_NO_HOST:
	case HTTP_NOT_HTTP:
		return SNIFF_NO_NAME;
	case HTTP_MALFORMED:
		s->why = "malformed or ambiguous request head";
		break;
	case HTTP_TOO_LARGE:
		s->why = "request head too large";
		break;
	case HTTP_H2_PRIOR:
		s->why = "HTTP/2 with prior knowledge: its :authority is not read";
		break;
	case HTTP_BAD_HOST:
		s->why = "Host is not a host name";
		break;
	}
	return SNIFF_BROKEN;
}

enum sniff_result sniff_name(struct sniff_state *s, const uint8_t *buf, size_t len, size_t cap,
			     struct name *out)
{
	bool full = len >= cap;
	enum sniff_result r;

	if (!s->http) {
		r = sniff_tls(s, buf, len, full, out);
		if (!s->http)
			return r;
	}
	return sniff_http(s, buf, len, full, out);
}
