/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http.c - the host an HTTP/1.x request is for, read in place from the
 * request head (nothing copied, nothing allocated; see http.h).
 *
 *   request-line = method SP request-target SP HTTP-version CRLF
 *   field-line   = field-name ":" OWS field-value OWS CRLF
 *   head         = request-line *( field-line ) CRLF
 *
 * A bare LF is taken for CRLF.  Only HTTP_NOT_HTTP is said before the head
 * is complete: every other answer comes from the whole head, so more bytes
 * never change an answer once it is given.
 */
#include <stdbool.h>

#include <string.h>

#include "base/cursor.h"
#include "decode/http.h"

/* Longest method taken: servers that take any token take long ones too. */
#define HTTP_METHOD_MAX 256

enum {
	CH_TCHAR = 1 << 0,   /* token byte: field names (RFC 9110 5.6.2) */
	CH_METHOD = 1 << 1,  /* token byte a method may hold: no lower case */
	CH_CTL = 1 << 2,     /* control byte no field line may hold (HT may) */
	CH_NOTHOST = 1 << 3, /* byte no host name we report may hold */
};

/*
 * Methods are case-sensitive and all registered ones are upper case, and
 * nginx refuses lower case; but Go's net/http takes any token as a method
 * and routes by the Host, so a first line of any token, a target and an
 * HTTP/1.x version is a request.  A first line that is not one ("user
 * x", "SSH-2.0-dropbear") is some other protocol.
 *
 * Hosts refuse every byte RFC 3986 keeps out of a reg-name, and ',' as
 * well: a comma means two Host values folded into one.  Bytes 0x80-0xff
 * are kept (name.h: escaped when printed).
 */
#define T CH_TCHAR
#define M (CH_TCHAR | CH_METHOD)
#define C (CH_CTL | CH_NOTHOST)
#define X CH_NOTHOST
#define MX (CH_TCHAR | CH_METHOD | CH_NOTHOST)
/* clang-format off */
static const uint8_t chclass[256] = {
/*	 0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f */
/* 0 */	 C, C, C, C, C, C, C, C, C, X, C, C, C, C, C, C,
/* 1 */	 C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C,
/* 2 */	 X, M, X,MX, M, M, M, M, 0, 0, M, M, X, M, M, X,  /*  !"#$%&'()*+,-./ */
/* 3 */	 M, M, M, M, M, M, M, M, M, M, X, 0, X, 0, X, X,  /* 0123456789:;<=>? */
/* 4 */	 X, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M,  /* @ABCDEFGHIJKLMNO */
/* 5 */	 M, M, M, M, M, M, M, M, M, M, M, X, X, X,MX, M,  /* PQRSTUVWXYZ[\]^_ */
/* 6 */	MX, T, T, T, T, T, T, T, T, T, T, T, T, T, T, T,  /* `abcdefghijklmno */
/* 7 */	 T, T, T, T, T, T, T, T, T, T, T, X,MX, X, M, C,  /* pqrstuvwxyz{|}~  */
};
/* clang-format on */
#undef T
#undef M
#undef C
#undef X
#undef MX

/* How the request line said where the request goes. */
enum target_form {
	TARGET_ORIGIN,	  /* "/path" or "*": the Host header says */
	TARGET_AUTHORITY, /* the target holds the authority itself */
	TARGET_CONNECT,	  /* CONNECT host:port: a tunnel to that host */
};

/* How the stream starts, judged before the head is complete. */
enum start {
	START_PARTIAL,	 /* could still become a request line */
	START_OTHER,	 /* cannot */
	START_REQUEST,	 /* a method and SP */
	START_MALFORMED, /* one a lenient server may read as a request line */
};

/* Not enough bytes for an answer: wait, unless the window is full. */
static enum http_status short_of(size_t len)
{
	return len >= HTTP_HEAD_MAX ? HTTP_TOO_LARGE : HTTP_NEED_MORE;
}

/* Index of the first byte b in the view c, if there is one. */
static bool view_find(const struct cursor *c, uint8_t b, size_t *at)
{
	const uint8_t *v = cur_ptr(c);
	size_t n = cur_left(c), i;

	for (i = 0; i < n; i++) {
		if (v[i] == b) {
			*at = i;
			return true;
		}
	}
	return false;
}

/* Cut c at its first byte b: the bytes before it into *before, b dropped. */
static bool view_cut(struct cursor *c, uint8_t b, struct cursor *before)
{
	size_t at;

	if (!view_find(c, b, &at))
		return false;
	cur_sub(c, at, before);
	cur_skip(c, 1);
	return true;
}

static bool view_is(struct cursor v, const char *lit)
{
	uint8_t b;

	for (; *lit; lit++)
		if (!cur_u8(&v, &b) || b != (uint8_t)*lit)
			return false;
	return cur_left(&v) == 0;
}

/* Compare with a lower-case literal, ignoring ASCII case in v. */
static bool view_is_nocase(struct cursor v, const char *lit)
{
	uint8_t b;

	for (; *lit; lit++) {
		if (!cur_u8(&v, &b))
			return false;
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (b != (uint8_t)*lit)
			return false;
	}
	return cur_left(&v) == 0;
}

/* Whether every byte of v has one of the classes in want. */
static bool view_all(struct cursor v, uint8_t want)
{
	uint8_t b;

	while (cur_u8(&v, &b))
		if (!(chclass[b] & want))
			return false;
	return true;
}

/* Whether no byte of v has a class in refuse. */
static bool view_none(struct cursor v, uint8_t refuse)
{
	uint8_t b;

	while (cur_u8(&v, &b))
		if (chclass[b] & refuse)
			return false;
	return true;
}

/* Drop leading and trailing SP and HT (OWS). */
static void view_trim(struct cursor *v)
{
	const uint8_t *p;
	size_t n;

	while (cur_left(v) > 0 && (cur_ptr(v)[0] == ' ' || cur_ptr(v)[0] == '\t'))
		cur_skip(v, 1);
	for (;;) {
		n = cur_left(v);
		p = cur_ptr(v);
		if (n == 0 || (p[n - 1] != ' ' && p[n - 1] != '\t'))
			break;
		cur_truncate(v, n - 1);
	}
}

/* Cut the next line off c, without its LF or the CR before that. */
static bool line_next(struct cursor *c, struct cursor *line)
{
	size_t n;

	if (!view_cut(c, '\n', line))
		return false;
	n = cur_left(line);
	if (n > 0 && cur_ptr(line)[n - 1] == '\r')
		cur_truncate(line, n - 1);
	return true;
}

/*
 * Skip the empty lines a server should ignore before a request line (RFC
 * 9112 2.2), then see whether a method and SP follow.
 */
static enum start request_start(struct cursor *c)
{
	struct cursor t;
	uint8_t b;
	size_t n;

	/* servers skip CR and LF bytes before the request line, in any mix */
	for (;;) {
		t = *c;
		if (!cur_u8(&t, &b))
			return START_PARTIAL;
		if (b != '\n' && b != '\r')
			break;
		*c = t;
	}
	/*
	 * RFC 9112 3: a server may split the request line on any whitespace
	 * (HTAB, VT, FF), and Go's takes methods of any length: a line that
	 * opens with whitespace, or a method ended by other whitespace than
	 * SP or longer than HTTP_METHOD_MAX, may be a request to such a
	 * server.  Its name cannot be told: malformed, not another protocol.
	 */
	t = *c;
	if (cur_u8(&t, &b) && (b == ' ' || b == '\t'))
		return START_MALFORMED;
	t = *c;
	for (n = 0;; n++) {
		if (!cur_u8(&t, &b))
			return START_PARTIAL;
		if (b == ' ')
			return n > HTTP_METHOD_MAX ? START_MALFORMED :
			       n > 0		   ? START_REQUEST :
						     START_OTHER;
		if (n > 0 && (b == '\t' || b == '\v' || b == '\f'))
			return START_MALFORMED;
		if (!(chclass[b] & CH_TCHAR))
			return n > HTTP_METHOD_MAX ? START_MALFORMED : START_OTHER;
		if (n > HTTP_HEAD_MAX)
			return START_MALFORMED;
	}
}

/* The head is everything up to and including the first empty line. */
static bool head_cut(struct cursor *c, struct cursor *head)
{
	struct cursor scan = *c, line;

	while (line_next(&scan, &line))
		if (cur_left(&line) == 0)
			return cur_sub(c, cur_left(c) - cur_left(&scan), head);
	return false;
}

/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static bool scheme_ok(struct cursor s)
{
	uint8_t b;
	bool first = true;

	if (cur_left(&s) == 0)
		return false;
	while (cur_u8(&s, &b)) {
		bool alpha = (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
		bool other = (b >= '0' && b <= '9') || b == '+' || b == '-' || b == '.';

		if (!alpha && (first || !other))
			return false;
		first = false;
	}
	return true;
}

/*
 * The authority of an absolute-form request-target, userinfo removed:
 *
 *   http://user:pw@Example.COM:8080/path?q
 *          \______/\______________/
 *          dropped    *authority
 *
 * It ends at the first '/', '?', '#' or '\\'.  More than one '@' is refused: parsers disagree on which one ends the
 * userinfo, and the host must be the one the server will see.
 */
static bool absolute_authority(struct cursor t, struct cursor *authority)
{
	struct cursor scheme;
	const uint8_t *v;
	size_t n, i, bs, at;

	if (!view_cut(&t, ':', &scheme) || !scheme_ok(scheme))
		return false;
	if (!cur_bytes(&t, 2, &v) || v[0] != '/' || v[1] != '/')
		return false;
	v = cur_ptr(&t);
	n = cur_left(&t);
	for (i = 0; i < n; i++)
		if (v[i] == '/' || v[i] == '?' || v[i] == '#')
			break;
	/*
	 * WHATWG URL parsers take '\\' for '/', RFC 3986 ones do not: the
	 * authority ends at '\\', and an '@' after it (which one of them
	 * would take for the end of a userinfo) leaves the host in doubt.
	 */
	for (bs = 0; bs < i && v[bs] != '\\'; bs++)
		;
	if (bs < i && memchr(v + bs, '@', i - bs))
		return false;
	cur_truncate(&t, bs);
	if (view_find(&t, '@', &at)) {
		cur_skip(&t, at + 1);
		if (view_find(&t, '@', &at))
			return false;
	}
	*authority = t;
	return true;
}

/*
 * Not empty, and no control byte or HT: a server that splits the line at
 * any whitespace must see the same three parts.
 */
static bool target_ok(struct cursor t)
{
	uint8_t b;

	if (cur_left(&t) == 0)
		return false;
	while (cur_u8(&t, &b))
		if (b <= ' ' || b == 0x7f)
			return false;
	return true;
}

/* Does v start with lit, in any case? */
static bool view_has_prefix_nocase(struct cursor v, const char *lit)
{
	return cur_truncate(&v, strlen(lit)) && view_is_nocase(v, lit); /* lit: lower-case */
}

/* HTTP/1.x: "HTTP/1." and one digit (RFC 9112 2.3); a server takes 1.2 as 1.1. */
static bool version_1x(struct cursor v)
{
	const uint8_t *p;

	if (cur_left(&v) != 8)
		return false;
	p = cur_ptr(&v);
	return memcmp(p, "HTTP/1.", 7) == 0 && p[7] >= '0' && p[7] <= '9';
}

/*
 * method SP request-target SP HTTP-version.  HTTP_FOUND means a good
 * HTTP/1.x request line; *authority is set with TARGET_AUTHORITY.
 *
 * The HTTP/2 connection preface (RFC 9113 3.4) starts like a request line,
 * "PRI * HTTP/2.0": its requests name their host in :authority, in HPACK,
 * which nfq-guard does not read: HTTP_H2_PRIOR, an unreadable name.  The
 * text protocols shaped like HTTP but with their own version (RTSP/1.0 of a
 * camera's video stream, SIP/2.0) are HTTP_NOT_HTTP: they carry no Host.
 */
/* Is the method upper case, as every registered one is (a broken request, not another protocol)? */
static bool method_registered_case(struct cursor m)
{
	uint8_t b;

	while (cur_u8(&m, &b))
		if (!(chclass[b] & CH_METHOD))
			return false;
	return true;
}

/*
 * The request line; *bodiless tells a GET or HEAD (any case), whose body a
 * server may well not read as one.
 */
static enum http_status request_line(struct cursor line, enum target_form *form,
				     struct cursor *authority, bool *bodiless)
{
	struct cursor method, target;
	size_t sp;
	uint8_t b;

	if (!view_cut(&line, ' ', &method) || !view_cut(&line, ' ', &target))
		return method_registered_case(method) ? HTTP_MALFORMED : HTTP_NOT_HTTP;
	*bodiless = view_is_nocase(method, "get") || view_is_nocase(method, "head");
	/* the version is what is left of the line */
	if (view_is(method, "PRI") && view_is(target, "*") && view_is(line, "HTTP/2.0"))
		return HTTP_H2_PRIOR;
	if (!view_find(&line, ' ', &sp) && !view_has_prefix_nocase(line, "http/"))
		return HTTP_NOT_HTTP;
	if (!version_1x(line))
		return HTTP_MALFORMED;
	if (!target_ok(target))
		return HTTP_MALFORMED;

	if (view_is(method, "CONNECT")) {
		*form = TARGET_CONNECT; /* authority-form: host:port */
		*authority = target;
		return HTTP_FOUND;
	}
	b = cur_ptr(&target)[0];
	if (b == '/' || view_is(target, "*")) {
		*form = TARGET_ORIGIN;
		return HTTP_FOUND;
	}
	if (!absolute_authority(target, authority))
		return HTTP_MALFORMED;
	/* RFC 9112 3.2.2: the target's authority wins over any Host header */
	*form = TARGET_AUTHORITY;
	return HTTP_FOUND;
}

/* field-name ":" OWS field-value OWS */
static bool field_line(struct cursor line, struct cursor *name, struct cursor *value)
{
	/*
	 * NUL, a bare CR and other controls are refused anywhere in the line:
	 * some servers end a line at a bare CR, and would see a header there
	 * that this parser does not.  Whitespace before the colon fails
	 * the token check on the name (RFC 9112 5.1: must be rejected).  Lines
	 * that continue a field (obs-fold) are taken apart in fields_read().
	 */
	if (!view_none(line, CH_CTL))
		return false;
	if (!view_cut(&line, ':', name) || cur_left(name) == 0 || !view_all(*name, CH_TCHAR))
		return false;
	view_trim(&line);
	*value = line;
	return true;
}

/* Hex digits, ':' and '.', with at least two colons: an IPv6 literal. */
static bool ipv6_ok(struct cursor v)
{
	unsigned int colons = 0;
	uint8_t b;

	while (cur_u8(&v, &b)) {
		uint8_t l = b | 0x20;

		if (b == ':')
			colons++;
		else if (!(b >= '0' && b <= '9') && !(l >= 'a' && l <= 'f') && b != '.')
			return false;
	}
	return colons >= 2;
}

/* Empty, or ":" and a port number: ":" alone is allowed (RFC 3986 3.2.3). */
static bool port_ok(struct cursor v)
{
	uint32_t port = 0;
	uint8_t b;

	if (!cur_u8(&v, &b))
		return true;
	if (b != ':')
		return false;
	while (cur_u8(&v, &b)) {
		if (b < '0' || b > '9')
			return false;
		port = port * 10 + (uint32_t)(b - '0');
		if (port > 65535)
			return false;
	}
	return true;
}

/*
 * Store the host of uri-host [ ":" port ]:
 *
 *   Example.COM.:8080  ->  example.com
 *   [2001:DB8::1]:80   ->  2001:db8::1
 */
static enum http_status host_store(struct cursor a, struct name *host)
{
	struct cursor h;
	struct name n;
	bool v6 = false;
	size_t at;

	if (cur_left(&a) > 0 && cur_ptr(&a)[0] == '[') {
		v6 = true;
		cur_skip(&a, 1);
		if (!view_cut(&a, ']', &h) || !ipv6_ok(h))
			return HTTP_MALFORMED;
	} else {
		if (!view_find(&a, ':', &at))
			at = cur_left(&a);
		cur_sub(&a, at, &h);
		if (!view_none(h, CH_NOTHOST))
			return HTTP_MALFORMED;
	}
	if (!port_ok(a))
		return HTTP_MALFORMED;
	/* an empty host, a lone dot, or longer than NAME_MAX_LEN */
	if (name_set(&n, cur_ptr(&h), cur_left(&h)) < 0)
		return HTTP_MALFORMED;
	if (!v6 && !name_is_hostname(&n))
		return HTTP_BAD_HOST;
	*host = n;
	return HTTP_FOUND;
}

/*
 * A CONNECT's host.  A tunnel to an address goes to a server whose name
 * nfq-guard does not know (the names learned from DNS are those of the
 * proxy's address): HTTP_CONNECT_ADDR, an unknown name.
 */
static enum http_status connect_store(struct cursor a, struct name *host)
{
	struct name n;
	enum http_status st = host_store(a, &n);

	if (st != HTTP_FOUND)
		return st;
	/* an IPv6 literal (only those keep a colon), or what a proxy reads as IPv4 */
	if (memchr(n.s, ':', n.len) || name_is_address(&n))
		return HTTP_CONNECT_ADDR;
	*host = n;
	return HTTP_FOUND;
}

/* A Host value as the server sees it: obs-fold lines joined with SP (RFC 9112 5.2). */
struct host_value {
	uint8_t b[HTTP_HOST_VALUE_MAX];
	size_t len;
	bool over; /* longer than b: no host would fit */
};

static void host_value_add(struct host_value *hv, struct cursor piece, bool fold)
{
	size_t n;

	view_trim(&piece);
	n = cur_left(&piece);
	if (fold && hv->len > 0 && n > 0) {
		if (hv->len + 1 > sizeof(hv->b)) {
			hv->over = true;
			return;
		}
		hv->b[hv->len++] = ' ';
	}
	if (n > sizeof(hv->b) - hv->len) {
		hv->over = true;
		return;
	}
	memcpy(hv->b + hv->len, cur_ptr(&piece), n);
	hv->len += n;
}

/* What the field lines say: the Host, and how long a body follows the head. */
struct head_fields {
	struct host_value hv;
	unsigned int host_fields;
	bool has_length; /* Content-Length */
	uint64_t length;
	bool has_te;	      /* Transfer-Encoding: a body whose end only chunks tell */
	unsigned int chunked; /* codings "chunked" in the Transfer-Encoding list */
	bool last_chunked;    /* ... and it is the last one */
	bool upgrade;	      /* Upgrade */
	bool in_host;	      /* the last field line was Host ... */
	bool in_framing;      /* ... or Content-Length or Transfer-Encoding */
};

/* Content-Length = 1*DIGIT, at most 2^53 (RFC 9110 8.6). */
static bool length_value(struct cursor v, uint64_t *out)
{
	uint64_t n = 0;
	uint8_t b;

	if (cur_left(&v) == 0 || cur_left(&v) > 16)
		return false;
	while (cur_u8(&v, &b)) {
		if (b < '0' || b > '9')
			return false;
		n = n * 10 + (uint64_t)(b - '0');
	}
	*out = n;
	return true;
}

/*
 * A Transfer-Encoding list (RFC 9112 6.1): count "chunked" and note whether
 * the last coding is it.  Empty elements are allowed, as the list syntax
 * says.
 */
static void codings_take(struct head_fields *hf, struct cursor v)
{
	struct cursor item;
	bool more = true;

	while (more) {
		more = view_cut(&v, ',', &item);
		if (!more)
			item = v;
		view_trim(&item);
		if (cur_left(&item) == 0)
			continue;
		hf->last_chunked = view_is_nocase(item, "chunked");
		hf->chunked += hf->last_chunked;
	}
}

/*
 * One field line.  A second Content-Length, one with Transfer-Encoding,
 * or a framing field folded over lines, leaves the end of the body (and so
 * where the next request starts) in doubt: request smuggling's raw
 * material, refused (RFC 9112 6.3).
 */
static enum http_status field_take(struct head_fields *hf, struct cursor name, struct cursor value)
{
	hf->in_host = view_is_nocase(name, "host");
	hf->in_framing = false;
	if (hf->in_host) {
		/* RFC 9112 3.2: more than one Host must be rejected */
		if (++hf->host_fields > 1)
			return HTTP_MALFORMED;
		host_value_add(&hf->hv, value, false);
	} else if (view_is_nocase(name, "content-length")) {
		if (hf->has_length || hf->has_te || !length_value(value, &hf->length))
			return HTTP_MALFORMED;
		hf->has_length = hf->in_framing = true;
	} else if (view_is_nocase(name, "transfer-encoding")) {
		if (hf->has_length)
			return HTTP_MALFORMED;
		hf->has_te = hf->in_framing = true;
		codings_take(hf, value);
	} else if (view_is_nocase(name, "upgrade")) {
		/* a WebSocket only: h2c would carry HTTP/2, whose :authority is not read */
		view_trim(&value);
		hf->upgrade = view_is_nocase(value, "websocket");
	}
	return HTTP_FOUND;
}

/*
 * Does a continuation line read as a Host field of its own (" Host: x")?
 * A server that unfolds it takes it for part of the field before; one that
 * does not, or that strips the whitespace, for a Host: which, is in doubt.
 */
static bool folded_host(struct cursor line)
{
	uint8_t b;

	view_trim(&line);
	if (!view_has_prefix_nocase(line, "host"))
		return false;
	cur_skip(&line, 4);
	while (cur_u8(&line, &b))
		if (b != ' ' && b != '\t')
			return b == ':';
	return false;
}

/*
 * The field lines of a head, every line checked.  Lines that continue a
 * field (obs-fold) are joined to a Host; a continuation before any field
 * is refused (RFC 9112 2.2: servers may also drop it; which one is
 * unknown).
 */
static enum http_status fields_read(struct cursor *head, struct head_fields *hf)
{
	struct cursor line, name, value;
	bool any = false;

	while (line_next(head, &line) && cur_left(&line) > 0) {
		uint8_t b = cur_ptr(&line)[0];
		enum http_status st;

		if (b == ' ' || b == '\t') { /* obs-fold: the last field goes on */
			if (!any || hf->in_framing || !view_none(line, CH_CTL) ||
			    (!hf->in_host && folded_host(line)))
				return HTTP_MALFORMED;
			if (hf->in_host)
				host_value_add(&hf->hv, line, true);
			continue;
		}
		if (!field_line(line, &name, &value))
			return HTTP_MALFORMED;
		any = true;
		st = field_take(hf, name, value);
		if (st != HTTP_FOUND)
			return st;
	}
	return hf->hv.over ? HTTP_MALFORMED : HTTP_FOUND;
}

enum http_status http_request(const uint8_t *stream, size_t len, struct name *host,
			      struct http_request *req)
{
	struct cursor c, head, line, hvc;
	struct cursor authority = { NULL, 0 };
	enum target_form form = TARGET_ORIGIN;
	struct head_fields hf;
	enum http_status st;
	bool bodiless = false;

	cur_init(&c, stream, len);
	cur_truncate(&c, len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX);
	switch (request_start(&c)) {
	case START_OTHER:
		return HTTP_NOT_HTTP;
	case START_MALFORMED:
		return HTTP_MALFORMED;
	case START_PARTIAL:
		return short_of(len);
	case START_REQUEST:
		break;
	}
	if (!head_cut(&c, &head)) {
		/* a whole first line that is no request line: another protocol */
		head = c;
		if (line_next(&head, &line) &&
		    request_line(line, &form, &authority, &bodiless) == HTTP_NOT_HTTP)
			return HTTP_NOT_HTTP;
		return short_of(len);
	}

	line_next(&head, &line);
	st = request_line(line, &form, &authority, &bodiless);
	if (st != HTTP_FOUND)
		return st;
	memset(&hf, 0, sizeof(hf));
	st = fields_read(&head, &hf);
	if (st != HTTP_FOUND)
		return st;
	/*
	 * Where the body ends, and the next request starts, in doubt: codings
	 * that do not end in chunked exactly once (RFC 9112 6.3: a server
	 * answers 400), or a body on a GET or HEAD, which a server may take
	 * for the next request (it need not read one there).
	 */
	if (hf.has_te && (hf.chunked != 1 || !hf.last_chunked))
		return HTTP_MALFORMED;
	if (bodiless && (hf.has_te || hf.length > 0))
		return HTTP_MALFORMED;
	if (req) {
		req->head_len = (size_t)(cur_ptr(&c) - stream);
		req->body_len = hf.has_length ? hf.length : 0;
		req->body_chunked = hf.has_te;
		req->tunnel = form == TARGET_CONNECT;
		req->upgrade = hf.upgrade;
	}

	/* an empty authority is HTTP_MALFORMED, unlike an empty Host */
	if (form == TARGET_CONNECT)
		return connect_store(authority, host);
	if (form == TARGET_AUTHORITY) /* to a proxy: an address is no name, as for CONNECT */
		return connect_store(authority, host);
	if (hf.host_fields == 0 || hf.hv.len == 0)
		return HTTP_NO_HOST;
	cur_init(&hvc, hf.hv.b, hf.hv.len);
	return host_store(hvc, host);
}

enum http_status http_host(const uint8_t *stream, size_t len, struct name *host)
{
	return http_request(stream, len, host, NULL);
}

bool http_switching(const uint8_t *p, size_t len)
{
	static const char v[] = "HTTP/1.";

	return len >= 13 && !memcmp(p, v, 7) && p[7] >= '0' && p[7] <= '9' && p[8] == ' ' &&
	       !memcmp(p + 9, "101", 3) && (p[12] == ' ' || p[12] == '\r');
}

const char *http_status_str(enum http_status st)
{
	static const char *const str[] = {
		[HTTP_NEED_MORE] = "need more",
		[HTTP_FOUND] = "found",
		[HTTP_NO_HOST] = "no host",
		[HTTP_NOT_HTTP] = "not http",
		[HTTP_MALFORMED] = "malformed",
		[HTTP_TOO_LARGE] = "too large",
		[HTTP_H2_PRIOR] = "http/2 prior knowledge",
		[HTTP_BAD_HOST] = "not a host name",
		[HTTP_CONNECT_ADDR] = "connect to an address",
	};

	if ((size_t)st < sizeof(str) / sizeof(str[0]) && str[st])
		return str[st];
	return "unknown";
}
