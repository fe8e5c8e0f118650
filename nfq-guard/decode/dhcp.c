/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dhcp.c - a DHCP client's message (see dhcp.h): the BOOTP header, the
 * magic cookie, and the options it says itself in, RFC 2131 and 2132:
 *
 *    0       1       2       3
 *   +-------+-------+-------+-------+
 *   |  op   | htype | hlen  | hops  |  op 1: BOOTREQUEST; htype 1, hlen 6: Ethernet
 *   +-------+-------+-------+-------+
 *   |              xid              |
 *   +---------------+---------------+
 *   |     secs      |     flags     |
 *   +---------------+---------------+
 *   |  ciaddr  yiaddr  siaddr  giaddr  (4 bytes each)
 *   +-------------------------------+
 *   |  chaddr (16): the MAC, then zeros
 *   |  sname (64)   \  with option 52 (overload): more options,
 *   |  file (128)   /  file first, then sname
 *   +-------------------------------+
 *   |  99 130 83 99: the magic cookie  (byte 236)
 *   +-------------------------------+
 *   |  options: code len data...; code 0 is one byte of padding,
 *   |  code 255 ends the field (so does its last byte)
 *
 * An option given more than once is one value, its pieces in the order of
 * the fields (RFC 3396).  Options other than those in the table are read
 * over.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "decode/dhcp.h"
#include "decode/disc_internal.h"

#define BOOTREQUEST 1
#define HTYPE_ETHER 1
#define DHCP_COOKIE 0x63825363u
#define DHCP_FIXED_LEN 240 /* the header and the cookie */

#define OPT_PAD 0
#define OPT_END 255

#define OVERLOAD_FILE 1
#define OVERLOAD_SNAME 2

/* Where an option's bytes go. */
enum opt_kind {
	OPT_APPEND,   /* gathered, all pieces, up to the field's cap */
	OPT_TYPE,     /* the message type: one byte */
	OPT_OVERLOAD, /* which of file and sname hold options: one byte, 1 to 3 */
};

enum { ACC_HOSTNAME, ACC_VENDOR, ACC_PARAMS, ACC_CLIENT_ID, ACC_COUNT };

/* An option's bytes gathered: at most cap of them, cut when more came. */
struct acc {
	uint8_t b[64];
	size_t n, cap;
	bool cut;
};

struct reader {
	struct acc acc[ACC_COUNT];
	uint8_t type;
	uint8_t overload;
};

/*
 * The options read.  A text field's bytes are capped at its size: 64 raw
 * bytes always escape to more than the 63 characters the field holds, so
 * a value cut here is cut again, with "...", when it is escaped.
 */
static const struct dhcp_option {
	uint8_t code;
	enum opt_kind kind;
	uint8_t acc;
} dhcp_options[] = {
	{ 12, OPT_APPEND, ACC_HOSTNAME },  /* host name */
	{ 52, OPT_OVERLOAD, 0 },	   /* option overload */
	{ 53, OPT_TYPE, 0 },		   /* DHCP message type */
	{ 55, OPT_APPEND, ACC_PARAMS },	   /* parameter request list */
	{ 60, OPT_APPEND, ACC_VENDOR },	   /* vendor class identifier */
	{ 61, OPT_APPEND, ACC_CLIENT_ID }, /* client identifier */
};

static const size_t acc_cap[ACC_COUNT] = {
	[ACC_HOSTNAME] = DHCP_TEXT_MAX,
	[ACC_VENDOR] = DHCP_TEXT_MAX,
	[ACC_PARAMS] = DHCP_PARAMS_MAX,
	[ACC_CLIENT_ID] = DHCP_CLIENT_ID_MAX,
};

static void acc_add(struct acc *a, const uint8_t *v, size_t len)
{
	size_t room = a->cap - a->n, k = len < room ? len : room;

	memcpy(a->b + a->n, v, k);
	a->n += k;
	a->cut |= k < len;
}

/* One option: into its place, or -EBADMSG for a bad type or overload. */
static int take_option(struct reader *rd, uint8_t code, const uint8_t *v, size_t len,
		       bool in_options)
{
	const struct dhcp_option *o = NULL;
	size_t i;

	for (i = 0; i < sizeof(dhcp_options) / sizeof(dhcp_options[0]); i++)
		if (dhcp_options[i].code == code)
			o = &dhcp_options[i];
	if (!o)
		return 0;
	switch (o->kind) {
	case OPT_APPEND:
		acc_add(&rd->acc[o->acc], v, len);
		return 0;
	case OPT_TYPE:
		if (len != 1 || v[0] == 0 || (rd->type && rd->type != v[0]))
			return -EBADMSG;
		rd->type = v[0];
		return 0;
	case OPT_OVERLOAD:
		/* only the options field may say that the others hold options */
		if (!in_options)
			return 0;
		if (len != 1 || v[0] < 1 || v[0] > 3)
			return -EBADMSG;
		rd->overload |= v[0];
		return 0;
	}
	return 0;
}

/* The options of one field: 0, or -EBADMSG for one running past its end. */
static int read_options(struct reader *rd, struct cursor c, bool in_options)
{
	const uint8_t *v;
	uint8_t code, len;
	int err;

	while (cur_u8(&c, &code)) {
		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			return 0;
		if (!cur_u8(&c, &len) || !cur_bytes(&c, len, &v))
			return -EBADMSG;
		err = take_option(rd, code, v, len, in_options);
		if (err)
			return err;
	}
	return 0; /* no end option: the field's end ends it, as servers read it */
}

/* A text option gathered, into a field: trailing NULs dropped, escaped. */
static void text_field(const struct acc *a, char *dst, size_t cap)
{
	size_t n = a->n;

	while (!a->cut && n > 0 && a->b[n - 1] == 0)
		n--;
	field_from(dst, cap, a->b, n, TEXT_RAW);
}

static bool type_wanted(uint8_t type)
{
	return type == DHCP_DISCOVER || type == DHCP_REQUEST || type == DHCP_INFORM;
}

static void fill_request(const struct reader *rd, const uint8_t *chaddr, struct dhcp_request *r)
{
	const struct acc *a;

	memset(r, 0, sizeof(*r));
	r->type = rd->type;
	memcpy(r->chaddr, chaddr, 6);
	text_field(&rd->acc[ACC_HOSTNAME], r->hostname, sizeof(r->hostname));
	text_field(&rd->acc[ACC_VENDOR], r->vendor_class, sizeof(r->vendor_class));
	a = &rd->acc[ACC_PARAMS];
	memcpy(r->params, a->b, a->n);
	r->nparams = (uint8_t)a->n;
	r->params_cut = a->cut;
	a = &rd->acc[ACC_CLIENT_ID];
	memcpy(r->client_id, a->b, a->n);
	r->client_id_len = (uint8_t)a->n;
	r->client_id_cut = a->cut;
	r->overload = rd->overload != 0;
}

int dhcp_read_request(const uint8_t *p, size_t len, struct dhcp_request *out)
{
	struct cursor c, sname, file;
	const uint8_t *chaddr;
	uint8_t op, htype, hlen;
	struct reader rd;
	uint32_t cookie;
	size_t i;
	int err;

	cur_init(&c, p, len);
	if (cur_left(&c) < DHCP_FIXED_LEN || !cur_u8(&c, &op) || !cur_u8(&c, &htype) ||
	    !cur_u8(&c, &hlen) || !cur_skip(&c, 25) || !cur_bytes(&c, 16, &chaddr) ||
	    !cur_sub(&c, 64, &sname) || !cur_sub(&c, 128, &file) || !cur_u32be(&c, &cookie))
		return -EINVAL;
	if (op != BOOTREQUEST || cookie != DHCP_COOKIE)
		return -EINVAL;
	if (htype != HTYPE_ETHER || hlen != 6)
		return -EPROTONOSUPPORT;

	memset(&rd, 0, sizeof(rd));
	for (i = 0; i < ACC_COUNT; i++)
		rd.acc[i].cap = acc_cap[i];
	err = read_options(&rd, c, true);
	if (!err && (rd.overload & OVERLOAD_FILE))
		err = read_options(&rd, file, false);
	if (!err && (rd.overload & OVERLOAD_SNAME))
		err = read_options(&rd, sname, false);
	if (err)
		return err;
	if (!type_wanted(rd.type))
		return -ENOMSG;
	fill_request(&rd, chaddr, out);
	return 0;
}
