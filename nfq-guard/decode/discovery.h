/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * discovery.h - what a camera says of itself in the LAN discovery
 * protocols: Hikvision SADP (XML, UDP 37020), Dahua DHIP (a binary header
 * and JSON, UDP 37810) and ONVIF WS-Discovery (SOAP, UDP 3702); and the
 * searches nfq-guard sends.  The payloads come from camera firmware and are
 * read as hostile: bounded, nothing allocated, every text field escaped.
 */
#ifndef NFQG_DISCOVERY_H
#define NFQG_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISC_FIELD_MAX 64 /* each text field, NUL included */
#define DISC_TYPES_MAX 128
#define DISC_PAYLOAD_MAX 65507 /* the largest UDP payload over IPv4 */
#define DISC_DEPTH_MAX 16      /* deepest nesting of XML elements or JSON values read */

enum disc_via { DISC_SADP = 1, DISC_DHIP = 2, DISC_ONVIF = 4 };

enum disc_kind {
	DISC_NOT = 0, /* not a discovery message this reads (or malformed: never a crash) */
	DISC_ANSWER,  /* a device describing itself: SADP ProbeMatch/inquiry answer, DHIP
			 client.notifyDevInfo, WS-Discovery ProbeMatches or Hello */
	DISC_SEARCH,  /* a search: SADP Probe inquiry, DHIP DHDiscover.search, WS-Discovery
			 Probe */
	DISC_BYE,     /* WS-Discovery Bye */
};

/*
 * Text fields hold printable ASCII only: every other byte of the value
 * (after XML entities or JSON escapes are decoded) is written \xHH, and a
 * backslash \\; a value cut at the field's size ends in "...".
 */
struct disc_info {
	enum disc_via via;
	bool has_mac;
	uint8_t mac[6]; /* the MAC the device says it has (SADP MAC, DHIP top-level "mac",
			   ONVIF scope .../MAC/...) */
	bool has_ipv4;
	uint8_t ipv4[4];	       /* the address it says it has (SADP IPv4Address, DHIP
			    params.deviceInfo.IPv4Address.IPAddress, ONVIF the host of the first
			    XAddrs URL when it is an IPv4 literal) */
	char vendor[DISC_FIELD_MAX];   /* SADP "Hikvision" unless OEMInfo names another;
					  DHIP deviceInfo.Vendor, else "Dahua"; ONVIF the name
					  scope (percent-decoded) */
	char model[DISC_FIELD_MAX];    /* SADP DeviceDescription (else DeviceType); DHIP
					  deviceInfo.DeviceType; ONVIF the hardware scope */
	char firmware[DISC_FIELD_MAX]; /* SADP SoftwareVersion; DHIP deviceInfo.Version;
					  ONVIF "" */
	char serial[DISC_FIELD_MAX];   /* SADP DeviceSN; DHIP deviceInfo.SerialNo; ONVIF "" */
	char types[DISC_TYPES_MAX];    /* WS-Discovery Types as sent (printers from cameras) */
	char uuid[DISC_FIELD_MAX];     /* SADP Uuid; WS-Discovery RelatesTo (ProbeMatches) or
					  MessageID; DHIP "" */
	bool camera; /* a video device: every SADP and DHIP answer; a WS-Discovery answer
			only when its Types name NetworkVideoTransmitter (any prefix) */
};

/*
 * disc_read - read one UDP payload: port is the well-known port it came
 * from or went to (37020 SADP, 37810 DHIP, 3702 WS-Discovery); other ports,
 * payloads over DISC_PAYLOAD_MAX bytes and anything malformed: DISC_NOT.
 * *out is written only when the answer is not DISC_NOT.
 */
enum disc_kind disc_read(uint16_t port, const uint8_t *p, size_t len, struct disc_info *out);

/*
 * The searches nfq-guard sends: into buf (cap bytes); the length, or 0 when
 * it does not fit (or uuid is not 1 to 48 letters, digits and '-').  uuid:
 * the message id to match answers (SADP Uuid, WS-Discovery MessageID
 * urn:uuid:...).
 */
size_t disc_search_sadp(uint8_t *buf, size_t cap, const char *uuid);
size_t disc_search_dhip(uint8_t *buf, size_t cap);
size_t disc_search_wsd(uint8_t *buf, size_t cap, const char *uuid);

/* The well-known ports and groups */
#define DISC_SADP_PORT 37020
#define DISC_DHIP_PORT 37810
#define DISC_WSD_PORT 3702
#define DISC_SADP_GROUP "239.255.255.250"
#define DISC_DHIP_GROUP "239.255.255.251"
#define DISC_WSD_GROUP "239.255.255.250"

#endif
