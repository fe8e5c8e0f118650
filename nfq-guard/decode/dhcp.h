/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dhcp.h - a bounded reader of what a DHCP client sends (RFC 2131, 2132):
 * its hardware address, the message type, and what it says of itself - the
 * host name, the vendor class, the parameter request list, the client
 * identifier - for telling cameras by their DHCP (engine/hints.h).  The
 * payload comes from any host on the LAN and is read as hostile: nothing
 * allocated, every text field escaped and bounded.
 */
#ifndef NFQG_DHCP_H
#define NFQG_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_TEXT_MAX 64      /* each text field, NUL included */
#define DHCP_PARAMS_MAX 64    /* parameter request list entries kept */
#define DHCP_CLIENT_ID_MAX 32 /* client identifier bytes kept */

/* The message types read: a client asking for its configuration. */
enum dhcp_msg_type {
	DHCP_DISCOVER = 1,
	DHCP_REQUEST = 3,
	DHCP_INFORM = 8,
};

/*
 * Text fields hold printable ASCII only: every other byte is written \xHH
 * and a backslash \\; a value too long for its field ends in "...".  A
 * text option may come in several pieces (RFC 3396): they are one value.
 * NUL bytes ending a value (some clients count the C string's terminator)
 * are dropped.  An option not sent leaves its field empty.
 */
struct dhcp_request {
	uint8_t type;		      /* DHCP_DISCOVER, DHCP_REQUEST or DHCP_INFORM (option 53) */
	uint8_t chaddr[6];	      /* the client's hardware address (Ethernet only) */
	char hostname[DHCP_TEXT_MAX]; /* option 12 */
	char vendor_class[DHCP_TEXT_MAX]; /* option 60, e.g. "udhcp 1.36.1", "MSFT 5.0" */
	uint8_t params[DHCP_PARAMS_MAX];  /* option 55, the options asked for, in order */
	uint8_t nparams;
	bool params_cut;		       /* the list was longer: the first 64 kept */
	uint8_t client_id[DHCP_CLIENT_ID_MAX]; /* option 61 as sent, its type byte first */
	uint8_t client_id_len;
	bool client_id_cut;
	bool overload; /* option 52: options were read from the file and/or sname fields too */
};

/*
 * dhcp_read_request - read the UDP payload a client sent to port 67.
 * Returns 0 for a BOOTREQUEST of an Ethernet client (htype 1, hlen 6)
 * with the magic cookie and a DHCPDISCOVER, DHCPREQUEST or DHCPINFORM;
 * otherwise, never crashing on any bytes:
 *   -EINVAL           not a BOOTREQUEST with the magic cookie (or shorter
 *                     than its fixed part);
 *   -EPROTONOSUPPORT  a hardware address that is not Ethernet's;
 *   -EBADMSG          an option running past the end of its field, a
 *                     message type or option overload of the wrong length
 *                     or value, two different message types;
 *   -ENOMSG           no message type, or another one (DECLINE, RELEASE,
 *                     a server's message).
 * *out is written only when it returns 0.
 */
int dhcp_read_request(const uint8_t *p, size_t len, struct dhcp_request *out);

#endif
