// SPDX-License-Identifier: GPL-2.0-or-later
/* sniff.c - SNI, SOCKS host or Host from a client's first bytes (see sniff.h). */
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
		s->proto = SNIFF_PROTO_SOCKS;
		return SNIFF_MORE; /* the next reader: see sniff_name */
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

static enum sniff_result sniff_socks(struct sniff_state *s, const uint8_t *buf, size_t len,
				     bool full, struct name *out)
{
	s->socks_st = socks_host(buf, len, out);
	switch (s->socks_st) {
	case SOCKS_NEED_MORE:
		if (!full)
			return SNIFF_MORE;
		s->why = "SOCKS request larger than the stream buffer";
		return SNIFF_FULL;
	case SOCKS_FOUND:
		return SNIFF_SOCKS;
	case SOCKS_NOT_SOCKS:
		s->proto = SNIFF_PROTO_HTTP;
		return SNIFF_MORE; /* the next reader: see sniff_name */
	case SOCKS_MALFORMED:
		s->why = "malformed SOCKS greeting or request";
		break;
	case SOCKS_UNNAMED:
		s->why =
			"SOCKS request for an address or not a CONNECT: the name behind it is not known";
		break;
	case SOCKS_BAD_NAME:
		s->why = "SOCKS host is not a host name";
		break;
	case SOCKS_METHOD:
		s->why = "SOCKS greeting offers a method whose exchange is not read";
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
	case HTTP_CONNECT_ADDR:
		s->why = "CONNECT to an address: the name behind it is not known";
		break;
	}
	return SNIFF_BROKEN;
}

enum sniff_result sniff_name(struct sniff_state *s, const uint8_t *buf, size_t len, size_t cap,
			     struct name *out)
{
	bool full = len >= cap;
	enum sniff_result r;

	if (s->proto == SNIFF_PROTO_TLS) {
		r = sniff_tls(s, buf, len, full, out);
		if (s->proto == SNIFF_PROTO_TLS)
			return r;
	}
	if (s->proto == SNIFF_PROTO_SOCKS) {
		r = sniff_socks(s, buf, len, full, out);
		if (s->proto == SNIFF_PROTO_SOCKS)
			return r;
	}
	return sniff_http(s, buf, len, full, out);
}
