/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sadp.c - Hikvision SADP (UDP 37020): a search is an XML Probe with a
 * Uuid and <Types>inquiry</Types>; a device answers with a ProbeMatch of
 * the same Uuid carrying its model, serial, MAC, address and firmware:
 *
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <ProbeMatch><Uuid>..</Uuid><Types>inquiry</Types>
 *     <DeviceType>..</DeviceType><DeviceDescription>DS-2CD2143G2-I</DeviceDescription>
 *     <DeviceSN>..</DeviceSN><MAC>44-19-b6-..</MAC><IPv4Address>..</IPv4Address>
 *     <SoftwareVersion>V5.7.3build 220112</SoftwareVersion><OEMInfo>N/A</OEMInfo>..
 *   </ProbeMatch>
 *
 * Only the root's direct children are read; an element given twice: the
 * first one counts.
 */
#include <stdbool.h>
#include <string.h>

#include "decode/disc_internal.h"

enum {
	S_PROBE_UUID,
	S_PROBE_TYPES,
	S_UUID,
	S_TYPES,
	S_DEVTYPE,
	S_DESC,
	S_SN,
	S_MAC,
	S_IPV4,
	S_SWVER,
	S_OEM,
	S_COUNT
};

static const char *const sadp_want[S_COUNT] = {
	[S_PROBE_UUID] = "Probe/Uuid",	       [S_PROBE_TYPES] = "Probe/Types",
	[S_UUID] = "ProbeMatch/Uuid",	       [S_TYPES] = "ProbeMatch/Types",
	[S_DEVTYPE] = "ProbeMatch/DeviceType", [S_DESC] = "ProbeMatch/DeviceDescription",
	[S_SN] = "ProbeMatch/DeviceSN",	       [S_MAC] = "ProbeMatch/MAC",
	[S_IPV4] = "ProbeMatch/IPv4Address",   [S_SWVER] = "ProbeMatch/SoftwareVersion",
	[S_OEM] = "ProbeMatch/OEMInfo",
};

/* OEMInfo names the brand of a relabelled device; "N/A" is Hikvision's own. */
static void sadp_vendor(const struct disc_slot *oem, char *dst, size_t cap)
{
	uint8_t buf[16];
	size_t n;

	field_from(dst, cap, (const uint8_t *)"Hikvision", 9, TEXT_RAW);
	if (!slot_nonempty(oem, TEXT_XML))
		return;
	if (slot_text(oem, TEXT_XML, buf, sizeof(buf), &n) &&
	    (bytes_eq_nocase(buf, n, "N/A") || bytes_eq_nocase(buf, n, "none") ||
	     bytes_eq_nocase(buf, n, "Hikvision")))
		return;
	slot_field(oem, TEXT_XML, dst, cap);
}

static void sadp_answer(const struct disc_slot *s, struct disc_info *info)
{
	uint8_t buf[48];
	size_t n;

	info->camera = true;
	slot_field(&s[S_UUID], TEXT_XML, info->uuid, sizeof(info->uuid));
	if (slot_nonempty(&s[S_DESC], TEXT_XML))
		slot_field(&s[S_DESC], TEXT_XML, info->model, sizeof(info->model));
	else
		slot_field(&s[S_DEVTYPE], TEXT_XML, info->model, sizeof(info->model));
	slot_field(&s[S_SN], TEXT_XML, info->serial, sizeof(info->serial));
	slot_field(&s[S_SWVER], TEXT_XML, info->firmware, sizeof(info->firmware));
	sadp_vendor(&s[S_OEM], info->vendor, sizeof(info->vendor));
	if (slot_text(&s[S_MAC], TEXT_XML, buf, sizeof(buf), &n))
		info->has_mac = disc_parse_mac(buf, n, info->mac);
	if (slot_text(&s[S_IPV4], TEXT_XML, buf, sizeof(buf), &n))
		info->has_ipv4 = disc_parse_ipv4(buf, n, info->ipv4);
}

enum disc_kind sadp_read(const uint8_t *p, size_t len, struct disc_info *info)
{
	struct disc_slot s[S_COUNT];
	const uint8_t *root = NULL;
	uint8_t buf[16];
	size_t rootlen = 0, n;

	if (!xml_walk(p, len, sadp_want, S_COUNT, s, &root, &rootlen))
		return DISC_NOT;
	info->via = DISC_SADP;
	if (rootlen == 10 && memcmp(root, "ProbeMatch", 10) == 0) {
		sadp_answer(s, info);
		return DISC_ANSWER;
	}
	if (rootlen == 5 && memcmp(root, "Probe", 5) == 0 &&
	    slot_text(&s[S_PROBE_TYPES], TEXT_XML, buf, sizeof(buf), &n) &&
	    bytes_eq_nocase(buf, n, "inquiry")) {
		slot_field(&s[S_PROBE_UUID], TEXT_XML, info->uuid, sizeof(info->uuid));
		return DISC_SEARCH;
	}
	return DISC_NOT;
}

size_t disc_search_sadp(uint8_t *buf, size_t cap, const char *uuid)
{
	struct disc_out o;

	if (!disc_uuid_ok(uuid))
		return 0;
	out_init(&o, buf, cap);
	out_str(&o, "<?xml version=\"1.0\" encoding=\"utf-8\"?><Probe><Uuid>");
	out_str(&o, uuid);
	out_str(&o, "</Uuid><Types>inquiry</Types></Probe>");
	return out_done(&o);
}
