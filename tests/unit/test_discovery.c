/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_discovery.c - disc_read() on SADP, DHIP and WS-Discovery messages
 * shaped like those of real cameras and printers (field names and layout
 * from public captures), on the searches nfq-guard sends, and on hostile
 * ones: cut short at every length, fields over the cap, control bytes,
 * entities and escapes, markup hidden in comments, CDATA and attributes,
 * duplicates, lying lengths, deep nesting, wrong Actions and ports.  Every
 * input is copied to a heap buffer of exactly its size so ASan catches an
 * over-read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/discovery.h"

#define SENTINEL 0x5a

static enum disc_kind rd(uint16_t port, const void *p, size_t len, struct disc_info *out)
{
	struct disc_info before;
	enum disc_kind k;
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, p, len);
	memset(out, SENTINEL, sizeof(*out));
	before = *out;
	k = disc_read(port, copy, len, out);
	free(copy);
	if (k == DISC_NOT)
		assert_memory_equal(out, &before, sizeof(before));
	return k;
}

static enum disc_kind rds(uint16_t port, const char *s, struct disc_info *out)
{
	return rd(port, s, strlen(s), out);
}

/* A DHIP datagram: the header with both lengths, then the JSON. */
static size_t dhip(uint8_t *buf, size_t cap, const char *json)
{
	size_t n = strlen(json);

	assert_true(32 + n <= cap);
	memset(buf, 0, 32);
	memcpy(buf, "\x20\0\0\0DHIP", 8);
	buf[16] = buf[24] = (uint8_t)n;
	buf[17] = buf[25] = (uint8_t)(n >> 8);
	memcpy(buf + 32, json, n);
	return 32 + n;
}

static enum disc_kind rd_dhip(const char *json, struct disc_info *out)
{
	static uint8_t buf[70000];

	return rd(DISC_DHIP_PORT, buf, dhip(buf, sizeof(buf), json), out);
}

static const char sadp_answer[] = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\r\n"
				  "<ProbeMatch>\r\n"
				  "<Uuid>8282F1DB-2FA6-4709-B261-3C6B6A48CA17</Uuid>\r\n"
				  "<Types>inquiry</Types>\r\n"
				  "<DeviceType>138179</DeviceType>\r\n"
				  "<DeviceDescription>DS-2CD2143G2-I</DeviceDescription>\r\n"
				  "<DeviceSN>DS-2CD2143G2-I20210818AAWRG12345678</DeviceSN>\r\n"
				  "<CommandPort>8000</CommandPort>\r\n"
				  "<HttpPort>80</HttpPort>\r\n"
				  "<MAC>44-19-b6-0a-1b-2c</MAC>\r\n"
				  "<IPv4Address>192.168.1.64</IPv4Address>\r\n"
				  "<IPv4SubnetMask>255.255.255.0</IPv4SubnetMask>\r\n"
				  "<IPv4Gateway>192.168.1.1</IPv4Gateway>\r\n"
				  "<IPv6Address>fe80::4619:b6ff:fe0a:1b2c</IPv6Address>\r\n"
				  "<DHCP>false</DHCP>\r\n"
				  "<AnalogChannelNum>0</AnalogChannelNum>\r\n"
				  "<DigitalChannelNum>1</DigitalChannelNum>\r\n"
				  "<SoftwareVersion>V5.7.3build 220112</SoftwareVersion>\r\n"
				  "<DSPVersion>V7.3, build 220112</DSPVersion>\r\n"
				  "<BootTime>2024-03-01 10:00:00</BootTime>\r\n"
				  "<OEMInfo>N/A</OEMInfo>\r\n"
				  "<Activated>true</Activated>\r\n"
				  "<PasswordResetAbility>true</PasswordResetAbility>\r\n"
				  "</ProbeMatch>\r\n";

static const char dhip_answer[] =
	"{\"mac\":\"3c:ef:8c:12:34:56\",\"method\":\"client.notifyDevInfo\",\"params\":{"
	"\"deviceInfo\":{\"AlarmInputChannels\":2,\"DeviceClass\":\"IPC\","
	"\"DeviceType\":\"IPC-HDW2431T-AS-S2\",\"HttpPort\":80,"
	"\"IPv4Address\":{\"DefaultGateway\":\"192.168.1.1\",\"DhcpEnable\":false,"
	"\"IPAddress\":\"192.168.1.108\",\"SubnetMask\":\"255.255.255.0\"},"
	"\"IPv6Address\":{\"IPAddress\":\"fe80::3eef:8cff:fe12:3456/64\"},"
	"\"MachineName\":\"6G0123PAZ\",\"Manufacturer\":\"Dahua\",\"Port\":37777,"
	"\"RemoteVideoInputChannels\":0,\"SerialNo\":\"6G0123PAZ00042\","
	"\"Vendor\":\"Private\",\"Version\":\"2.800.0000000.16.R\",\"VideoInputChannels\":1,"
	"\"VideoOutputChannels\":0,\"Init\":1}}}\n";

#define WSD_HEAD(action)                                                                     \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                       \
	"<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" "               \
	"xmlns:wsadis=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "                 \
	"xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" "                       \
	"xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\" "                              \
	"xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\">"                              \
	"<env:Header><wsadis:MessageID>urn:uuid:a3c1e5f0-1dd2-11b2-8000-4419b60a1b2c"        \
	"</wsadis:MessageID>"                                                                \
	"<wsadis:RelatesTo>urn:uuid:0d6b9f5e-52a1-4c6e-9a4e-2b7f3c1d9e80</wsadis:RelatesTo>" \
	"<wsadis:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"         \
	"</wsadis:To><wsadis:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/" action \
	"</wsadis:Action><d:AppSequence InstanceId=\"1709280000\" MessageNumber=\"7\"/>"     \
	"</env:Header><env:Body>"

#define WSD_MATCH(types, scopes, xaddrs)                                              \
	"<wsadis:EndpointReference><wsadis:Address>urn:uuid:a3c1e5f0-1dd2-11b2-8000-" \
	"4419b60a1b2c</wsadis:Address></wsadis:EndpointReference>"                    \
	"<d:Types>" types "</d:Types><d:Scopes>" scopes "</d:Scopes>"                 \
	"<d:XAddrs>" xaddrs "</d:XAddrs><d:MetadataVersion>10</d:MetadataVersion>"

#define CAM_TYPES "dn:NetworkVideoTransmitter tds:Device"
#define CAM_SCOPES                                                                          \
	"onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming " \
	"onvif://www.onvif.org/MAC/44:19:b6:0a:1b:2c "                                      \
	"onvif://www.onvif.org/hardware/DS-2CD2143G2-I "                                    \
	"onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G2-I "                            \
	"onvif://www.onvif.org/location/city/hangzhou"
#define CAM_XADDRS                                  \
	"http://192.168.1.64/onvif/device_service " \
	"http://[fe80::4619:b6ff:fe0a:1b2c]/onvif/device_service"

static const char wsd_pm[] = WSD_HEAD("ProbeMatches") "<d:ProbeMatches><d:ProbeMatch>" WSD_MATCH(
	CAM_TYPES, CAM_SCOPES, CAM_XADDRS) "</d:ProbeMatch></d:ProbeMatches>"
					   "</env:Body></env:Envelope>";

static const char wsd_hello[] = WSD_HEAD("Hello") "<d:Hello>" WSD_MATCH(
	"tdn:NetworkVideoTransmitter", CAM_SCOPES,
	"http://192.168.1.64:8080/onvif/device_service") "</d:Hello></env:Body></env:Envelope>";

#define PRN_TYPES "wsdp:Device wprt:PrintDeviceType wscn:ScanDeviceType"
#define PRN_SCOPES "http://schemas.xmlsoap.org/ws/2006/02/devprof"
static const char wsd_printer_pm[] = WSD_HEAD("ProbeMatches") "<d:ProbeMatches><d:ProbeMatch>" WSD_MATCH(
	PRN_TYPES, PRN_SCOPES,
	"http://192.168.1.30:3911/") "</d:ProbeMatch></d:ProbeMatches></env:Body></env:Envelope>";
static const char wsd_printer_hello[] = WSD_HEAD("Hello") "<d:Hello>" WSD_MATCH(
	"wsdp:Device", PRN_SCOPES,
	"http://192.168.1.30:3911/") "</d:Hello></env:Body></env:Envelope>";

static const char wsd_bye[] =
	WSD_HEAD("Bye") "<d:Bye><wsadis:EndpointReference><wsadis:Address>urn:uuid:a3c1e5f0-"
			"1dd2-11b2-8000-4419b60a1b2c</wsadis:Address></wsadis:EndpointReference>"
			"</d:Bye></env:Body></env:Envelope>";

static void test_sadp_answer(void **state)
{
	static const uint8_t mac[6] = { 0x44, 0x19, 0xb6, 0x0a, 0x1b, 0x2c };
	static const uint8_t ip[4] = { 192, 168, 1, 64 };
	struct disc_info d;

	(void)state;
	assert_int_equal(rds(DISC_SADP_PORT, sadp_answer, &d), DISC_ANSWER);
	assert_int_equal(d.via, DISC_SADP);
	assert_true(d.camera);
	assert_true(d.has_mac);
	assert_memory_equal(d.mac, mac, 6);
	assert_true(d.has_ipv4);
	assert_memory_equal(d.ipv4, ip, 4);
	assert_string_equal(d.vendor, "Hikvision");
	assert_string_equal(d.model, "DS-2CD2143G2-I");
	assert_string_equal(d.firmware, "V5.7.3build 220112");
	assert_string_equal(d.serial, "DS-2CD2143G2-I20210818AAWRG12345678");
	assert_string_equal(d.uuid, "8282F1DB-2FA6-4709-B261-3C6B6A48CA17");
	assert_string_equal(d.types, "");
}

static void test_sadp_variants(void **state)
{
	struct disc_info d;

	(void)state;
	/* no description: the device type; an OEM's name */
	assert_int_equal(rds(DISC_SADP_PORT,
			     "<ProbeMatch><DeviceType>138179</DeviceType><DeviceDescription>"
			     "</DeviceDescription><OEMInfo>ANNKE</OEMInfo><MAC>44:19:B6:0A:1B:2C"
			     "</MAC><IPv4Address>192.168.01.64</IPv4Address></ProbeMatch>",
			     &d),
			 DISC_ANSWER);
	assert_string_equal(d.model, "138179");
	assert_string_equal(d.vendor, "ANNKE");
	assert_true(d.has_mac);
	assert_int_equal(d.mac[5], 0x2c);
	assert_false(d.has_ipv4); /* a leading zero is refused */
	/* a root that is neither: not SADP */
	assert_int_equal(rds(DISC_SADP_PORT, "<Other><Uuid>x</Uuid></Other>", &d), DISC_NOT);
	/* a Probe that is not an inquiry */
	assert_int_equal(rds(DISC_SADP_PORT, "<Probe><Uuid>x</Uuid><Types>update</Types></Probe>",
			     &d),
			 DISC_NOT);
	/* elements one level too deep are not the device's */
	assert_int_equal(rds(DISC_SADP_PORT,
			     "<ProbeMatch><Extra><DeviceSN>evil</DeviceSN></Extra>"
			     "<DeviceSN>good</DeviceSN></ProbeMatch>",
			     &d),
			 DISC_ANSWER);
	assert_string_equal(d.serial, "good");
}

static void test_dhip_answer(void **state)
{
	static const uint8_t mac[6] = { 0x3c, 0xef, 0x8c, 0x12, 0x34, 0x56 };
	static const uint8_t ip[4] = { 192, 168, 1, 108 };
	struct disc_info d;

	(void)state;
	assert_int_equal(rd_dhip(dhip_answer, &d), DISC_ANSWER);
	assert_int_equal(d.via, DISC_DHIP);
	assert_true(d.camera);
	assert_true(d.has_mac);
	assert_memory_equal(d.mac, mac, 6);
	assert_true(d.has_ipv4);
	assert_memory_equal(d.ipv4, ip, 4);
	assert_string_equal(d.vendor, "Private");
	assert_string_equal(d.model, "IPC-HDW2431T-AS-S2");
	assert_string_equal(d.firmware, "2.800.0000000.16.R");
	assert_string_equal(d.serial, "6G0123PAZ00042");
	assert_string_equal(d.uuid, "");
	/* no Vendor: Dahua */
	assert_int_equal(rd_dhip("{\"method\":\"client.notifyDevInfo\",\"params\":{\"deviceInfo\":"
				 "{\"DeviceType\":\"DH-IPC\"}}}",
				 &d),
			 DISC_ANSWER);
	assert_string_equal(d.vendor, "Dahua");
	assert_false(d.has_mac);
	/* another method */
	assert_int_equal(rd_dhip("{\"method\":\"client.notifyOther\"}", &d), DISC_NOT);
}

static void test_wsd_answers(void **state)
{
	static const uint8_t mac[6] = { 0x44, 0x19, 0xb6, 0x0a, 0x1b, 0x2c };
	struct disc_info d;

	(void)state;
	assert_int_equal(rds(DISC_WSD_PORT, wsd_pm, &d), DISC_ANSWER);
	assert_int_equal(d.via, DISC_ONVIF);
	assert_true(d.camera);
	assert_string_equal(d.types, CAM_TYPES);
	assert_string_equal(d.vendor, "HIKVISION DS-2CD2143G2-I");
	assert_string_equal(d.model, "DS-2CD2143G2-I");
	assert_string_equal(d.firmware, "");
	assert_string_equal(d.serial, "");
	assert_string_equal(d.uuid, "urn:uuid:0d6b9f5e-52a1-4c6e-9a4e-2b7f3c1d9e80");
	assert_true(d.has_mac);
	assert_memory_equal(d.mac, mac, 6);
	assert_true(d.has_ipv4);
	assert_int_equal(d.ipv4[3], 64);

	assert_int_equal(rds(DISC_WSD_PORT, wsd_hello, &d), DISC_ANSWER);
	assert_true(d.camera); /* any prefix */
	assert_string_equal(d.uuid, "urn:uuid:a3c1e5f0-1dd2-11b2-8000-4419b60a1b2c");
	assert_true(d.has_ipv4); /* a port after the address */

	assert_int_equal(rds(DISC_WSD_PORT, wsd_printer_pm, &d), DISC_ANSWER);
	assert_false(d.camera);
	assert_string_equal(d.types, PRN_TYPES);
	assert_string_equal(d.vendor, "");
	assert_false(d.has_mac);
	assert_int_equal(rds(DISC_WSD_PORT, wsd_printer_hello, &d), DISC_ANSWER);
	assert_false(d.camera);

	assert_int_equal(rds(DISC_WSD_PORT, wsd_bye, &d), DISC_BYE);
	assert_string_equal(d.uuid, "urn:uuid:a3c1e5f0-1dd2-11b2-8000-4419b60a1b2c");
}

static void test_searches(void **state)
{
	uint8_t buf[2048];
	struct disc_info d;
	size_t n;

	(void)state;
	n = disc_search_sadp(buf, sizeof(buf), "8282F1DB-2FA6-4709-B261-3C6B6A48CA17");
	assert_int_equal(n, strlen("<?xml version=\"1.0\" encoding=\"utf-8\"?><Probe><Uuid>"
				   "8282F1DB-2FA6-4709-B261-3C6B6A48CA17</Uuid><Types>inquiry"
				   "</Types></Probe>"));
	assert_int_equal(rd(DISC_SADP_PORT, buf, n, &d), DISC_SEARCH);
	assert_int_equal(d.via, DISC_SADP);
	assert_string_equal(d.uuid, "8282F1DB-2FA6-4709-B261-3C6B6A48CA17");
	assert_int_equal(disc_search_sadp(buf, n - 1, "8282F1DB-2FA6-4709-B261-3C6B6A48CA17"), 0);
	assert_int_equal(disc_search_sadp(buf, sizeof(buf), "a<b"), 0);
	assert_int_equal(disc_search_sadp(buf, sizeof(buf), ""), 0);
	assert_int_equal(disc_search_sadp(buf, sizeof(buf), NULL), 0);

	n = disc_search_dhip(buf, sizeof(buf));
	assert_int_equal(n,
			 32 + strlen("{\"method\":\"DHDiscover.search\",\"params\":{\"mac\":\"\","
				     "\"uni\":1}}"));
	assert_memory_equal(buf, "\x20\0\0\0DHIP", 8);
	assert_int_equal(buf[16], n - 32);
	assert_int_equal(buf[24], n - 32);
	assert_int_equal(rd(DISC_DHIP_PORT, buf, n, &d), DISC_SEARCH);
	assert_int_equal(d.via, DISC_DHIP);
	assert_false(d.camera);
	assert_int_equal(disc_search_dhip(buf, n - 1), 0);

	n = disc_search_wsd(buf, sizeof(buf), "0d6b9f5e-52a1-4c6e-9a4e-2b7f3c1d9e80");
	assert_true(n > 0);
	assert_int_equal(rd(DISC_WSD_PORT, buf, n, &d), DISC_SEARCH);
	assert_int_equal(d.via, DISC_ONVIF);
	assert_string_equal(d.uuid, "urn:uuid:0d6b9f5e-52a1-4c6e-9a4e-2b7f3c1d9e80");
	assert_string_equal(d.types, "dn:NetworkVideoTransmitter");
	assert_false(d.camera); /* a search is not a camera */
	assert_non_null(memmem(buf, n,
			       "<a:To s:mustUnderstand=\"1\">urn:schemas-xmlsoap-org:ws:"
			       "2005:04:discovery</a:To>",
			       strlen("<a:To s:mustUnderstand=\"1\">urn:schemas-xmlsoap-org:ws:"
				      "2005:04:discovery</a:To>")));
	assert_int_equal(disc_search_wsd(buf, n - 1, "0d6b9f5e"), n - 28);
	assert_int_equal(disc_search_wsd(buf, 100, "0d6b9f5e"), 0);
}

/* Whether part is the whole's field or empty (a prefix gives a subset). */
static void subset_str(const char *part, const char *whole)
{
	if (part[0] != '\0' && strcmp(part, whole) != 0)
		fail_msg("prefix field \"%s\", whole \"%s\"", part, whole);
}

static void check_prefixes(uint16_t port, const uint8_t *p, size_t len)
{
	struct disc_info whole, part;
	enum disc_kind wk = rd(port, p, len, &whole), k;
	size_t n;

	assert_int_not_equal(wk, DISC_NOT);
	for (n = 0; n < len; n++) {
		k = rd(port, p, n, &part);
		if (k == DISC_NOT)
			continue;
		assert_int_equal(k, wk);
		subset_str(part.vendor, whole.vendor);
		subset_str(part.model, whole.model);
		subset_str(part.firmware, whole.firmware);
		subset_str(part.serial, whole.serial);
		subset_str(part.uuid, whole.uuid);
		subset_str(part.types, whole.types);
		if (part.has_mac)
			assert_memory_equal(part.mac, whole.mac, 6);
	}
}

static void test_truncated(void **state)
{
	static uint8_t buf[4096];
	size_t n;

	(void)state;
	check_prefixes(DISC_SADP_PORT, (const uint8_t *)sadp_answer, strlen(sadp_answer));
	check_prefixes(DISC_WSD_PORT, (const uint8_t *)wsd_pm, strlen(wsd_pm));
	check_prefixes(DISC_WSD_PORT, (const uint8_t *)wsd_hello, strlen(wsd_hello));
	check_prefixes(DISC_WSD_PORT, (const uint8_t *)wsd_bye, strlen(wsd_bye));
	n = dhip(buf, sizeof(buf), dhip_answer);
	check_prefixes(DISC_DHIP_PORT, buf, n);
}

/* A field of exactly cap - 1 bytes is whole; one byte more is cut and ends in "...". */
static void test_long_fields(void **state)
{
	char doc[8192], v[4096];
	struct disc_info d;
	size_t i;

	(void)state;
	memset(v, 'A', 63);
	v[63] = '\0';
	snprintf(doc, sizeof(doc), "<ProbeMatch><DeviceSN>%s</DeviceSN></ProbeMatch>", v);
	assert_int_equal(rds(DISC_SADP_PORT, doc, &d), DISC_ANSWER);
	assert_string_equal(d.serial, v);
	memset(v, 'A', 64);
	v[64] = '\0';
	snprintf(doc, sizeof(doc), "<ProbeMatch><DeviceSN>%s</DeviceSN></ProbeMatch>", v);
	assert_int_equal(rds(DISC_SADP_PORT, doc, &d), DISC_ANSWER);
	assert_int_equal(strlen(d.serial), 63);
	assert_string_equal(d.serial + 60, "...");
	/* escapes are never cut in half */
	for (i = 0; i < 40; i++)
		memcpy(v + 5 * i, "&#1;B", 5);
	v[200] = '\0';
	snprintf(doc, sizeof(doc), "<ProbeMatch><DeviceSN>%s</DeviceSN></ProbeMatch>", v);
	assert_int_equal(rds(DISC_SADP_PORT, doc, &d), DISC_ANSWER);
	assert_true(strlen(d.serial) <= 63);
	assert_string_equal(d.serial, "\\x01B\\x01B\\x01B\\x01B\\x01B\\x01B\\x01B\\x01B\\x01B"
				      "\\x01B\\x01B\\x01B...");
	/* a long Types list */
	memset(v, 'x', 3000);
	v[3000] = '\0';
	snprintf(doc, sizeof(doc),
		 WSD_HEAD("Hello") "<d:Hello><d:Types>dn:NetworkVideoTransmitter %s</d:Types>"
				   "</d:Hello></env:Body></env:Envelope>",
		 v);
	assert_int_equal(rds(DISC_WSD_PORT, doc, &d), DISC_ANSWER);
	assert_int_equal(strlen(d.types), DISC_TYPES_MAX - 1);
	assert_true(d.camera);
	/* a DHIP value longer than the field */
	snprintf(
		doc, sizeof(doc),
		"{\"method\":\"client.notifyDevInfo\",\"params\":{\"deviceInfo\":{\"Version\":\"%s\"}}}",
		v);
	assert_int_equal(rd_dhip(doc, &d), DISC_ANSWER);
	assert_int_equal(strlen(d.firmware), 63);
	assert_string_equal(d.firmware + 60, "...");
}

static void test_escaped(void **state)
{
	struct disc_info d;

	(void)state;
	assert_int_equal(rds(DISC_SADP_PORT,
			     "<ProbeMatch><DeviceDescription>\x1b[2J\x1b]0;pwn\x07 a\\b\x7f\xc3\xa9"
			     "</DeviceDescription><SoftwareVersion>&#27;[31m&#0;&#x9b;&#233;"
			     "</SoftwareVersion></ProbeMatch>",
			     &d),
			 DISC_ANSWER);
	assert_string_equal(d.model, "\\x1b[2J\\x1b]0;pwn\\x07 a\\\\b\\x7f\\xc3\\xa9");
	assert_string_equal(d.firmware, "\\x1b[31m\\x00\\xc2\\x9b\\xc3\\xa9");
	/* entities decoded; an unknown one kept as it is */
	assert_int_equal(rds(DISC_SADP_PORT,
			     "<ProbeMatch><DeviceSN>&lt;a&gt; &amp; &quot;&apos; &#65;&#x42; &foo; "
			     "&#xZZ; & &#99999999;</DeviceSN></ProbeMatch>",
			     &d),
			 DISC_ANSWER);
	assert_string_equal(d.serial, "<a> & \"' AB &foo; &#xZZ; & &#99999999;");
	/* JSON escapes */
	assert_int_equal(rd_dhip("{\"method\":\"client.notif\\u0079DevInfo\",\"params\":{"
				 "\"deviceInfo\":{\"DeviceType\":\"a\\\"b\\\\c\\/d\\ne\\u0000f"
				 "\\u00e9\\ud83d\\ude00\\u001b[0m\"}}}",
				 &d),
			 DISC_ANSWER);
	assert_string_equal(d.model,
			    "a\"b\\\\c/d\\x0ae\\x00f\\xc3\\xa9\\xf0\\x9f\\x98\\x80\\x1b[0m");
	/* a lone surrogate or a bad escape is not JSON */
	assert_int_equal(rd_dhip("{\"method\":\"client.notifyDevInfo\",\"x\":\"\\ud83d\"}", &d),
			 DISC_NOT);
	assert_int_equal(rd_dhip("{\"method\":\"client.notifyDevInfo\",\"x\":\"\\ude00\"}", &d),
			 DISC_NOT);
	assert_int_equal(rd_dhip("{\"method\":\"client.notifyDevInfo\",\"x\":\"\\q\"}", &d),
			 DISC_NOT);
	assert_int_equal(rd_dhip("{\"method\":\"client.notifyDevInfo\",\"x\":\"a\nb\"}", &d),
			 DISC_NOT);
	/* percent-decoded ONVIF name, then escaped */
	assert_int_equal(
		rds(DISC_WSD_PORT,
		    WSD_HEAD("Hello") "<d:Hello><d:Scopes>onvif://www.onvif.org/name/"
				      "Evil%1b%5b2J%00%zz%5c onvif://www.onvif.org/name/"
				      "Second</d:Scopes></d:Hello></env:Body></env:Envelope>",
		    &d),
		DISC_ANSWER);
	assert_string_equal(d.vendor, "Evil\\x1b[2J\\x00%zz\\\\");
	assert_false(d.camera);
}

static void test_hidden_markup(void **state)
{
	struct disc_info d;

	(void)state;
	assert_int_equal(rds(DISC_SADP_PORT,
			     "<?xml version=\"1.0\"?><!-- <ProbeMatch> --><Probe><!-- <Types>x"
			     "</Types> --><Uuid a=\"<Uuid>\">u1</Uuid></Probe>",
			     &d),
			 DISC_NOT); /* '<' in an attribute value is not XML */
	assert_int_equal(rds(DISC_SADP_PORT,
			     "<?xml version=\"1.0\"?><!-- <Probe> --><ProbeMatch "
			     "note='>&lt;DeviceSN>x'><!-- <DeviceSN>comment</DeviceSN> -->"
			     "<![CDATA[<DeviceSN>cdata</DeviceSN>]]><?pi <DeviceSN>pi</DeviceSN>?>"
			     "<Extra a=\"DeviceSN\" DeviceSN=\"attr\"/><DeviceSN>real</DeviceSN>"
			     "</ProbeMatch><!-- after -->\n",
			     &d),
			 DISC_ANSWER);
	assert_string_equal(d.serial, "real");
	/* an unterminated comment hides the rest */
	assert_int_equal(rds(DISC_SADP_PORT, "<ProbeMatch><!-- <DeviceSN>x</DeviceSN></ProbeMatch>",
			     &d),
			 DISC_NOT);
	/* DOCTYPE (entity definitions) refused */
	assert_int_equal(rds(DISC_SADP_PORT,
			     "<!DOCTYPE x [<!ENTITY e \"y\">]><ProbeMatch></ProbeMatch>", &d),
			 DISC_NOT);
	/* two roots, text outside the root, a mismatched end tag, no root at all */
	assert_int_equal(rds(DISC_SADP_PORT, "<ProbeMatch/><ProbeMatch/>", &d), DISC_NOT);
	assert_int_equal(rds(DISC_SADP_PORT, "<ProbeMatch/>junk", &d), DISC_NOT);
	assert_int_equal(rds(DISC_SADP_PORT, "<ProbeMatch><a></b></ProbeMatch>", &d), DISC_NOT);
	assert_int_equal(rds(DISC_SADP_PORT, "<!-- x -->", &d), DISC_NOT);
	assert_int_equal(rds(DISC_SADP_PORT, "", &d), DISC_NOT);
	assert_int_equal(rds(DISC_SADP_PORT, "<ProbeMatch/>", &d), DISC_ANSWER);
	/* a WS-Discovery Types inside a comment does not make a camera */
	assert_int_equal(rds(DISC_WSD_PORT,
			     WSD_HEAD("Hello") "<d:Hello><!-- <d:Types>dn:NetworkVideoTransmitter"
					       "</d:Types> --><d:Types>wsdp:Device</d:Types>"
					       "</d:Hello></env:Body></env:Envelope>",
			     &d),
			 DISC_ANSWER);
	assert_false(d.camera);
	/* Types in the header, or beside the Hello, are not the Hello's */
	assert_int_equal(
		rds(DISC_WSD_PORT,
		    WSD_HEAD("Hello") "<d:Types>dn:NetworkVideoTransmitter</d:Types>"
				      "<d:Hello><x:Types>dn:NetworkVideoTransmitter</x:Types>"
				      "</d:Hello></env:Body></env:Envelope>",
		    &d),
		DISC_ANSWER);
	assert_true(d.camera); /* x:Types is Types by local name */
	assert_int_equal(rds(DISC_WSD_PORT,
			     WSD_HEAD("Hello") "<d:Types>dn:NetworkVideoTransmitter</d:Types>"
					       "<d:Hello/></env:Body></env:Envelope>",
			     &d),
			 DISC_ANSWER);
	assert_false(d.camera);
}

static void test_duplicates(void **state)
{
	struct disc_info d;

	(void)state;
	assert_int_equal(rds(DISC_SADP_PORT,
			     "<ProbeMatch><DeviceSN>first</DeviceSN><MAC>44-19-b6-00-00-01</MAC>"
			     "<DeviceSN>second</DeviceSN><MAC>44-19-b6-00-00-02</MAC></ProbeMatch>",
			     &d),
			 DISC_ANSWER);
	assert_string_equal(d.serial, "first");
	assert_int_equal(d.mac[5], 1);
	/* the first, even empty, wins */
	assert_int_equal(rds(DISC_SADP_PORT,
			     "<ProbeMatch><DeviceSN/><DeviceSN>second</DeviceSN></ProbeMatch>", &d),
			 DISC_ANSWER);
	assert_string_equal(d.serial, "");
	assert_int_equal(
		rd_dhip("{\"mac\":\"00:11:22:33:44:55\",\"method\":\"client.notifyDevInfo\","
			"\"mac\":\"66:77:88:99:aa:bb\",\"method\":\"DHDiscover.search\"}",
			&d),
		DISC_ANSWER);
	assert_int_equal(d.mac[0], 0x00);
	/* a first non-string value at a wanted key holds the place */
	assert_int_equal(rd_dhip("{\"mac\":5,\"mac\":\"66:77:88:99:aa:bb\",\"method\":"
				 "\"client.notifyDevInfo\"}",
				 &d),
			 DISC_ANSWER);
	assert_false(d.has_mac);
	assert_int_equal(rds(DISC_WSD_PORT,
			     WSD_HEAD("Hello") "<d:Hello><d:Types>wsdp:Device</d:Types><d:Types>"
					       "dn:NetworkVideoTransmitter</d:Types></d:Hello>"
					       "</env:Body></env:Envelope>",
			     &d),
			 DISC_ANSWER);
	assert_false(d.camera);
	assert_string_equal(d.types, "wsdp:Device");
}

static void test_dhip_lengths(void **state)
{
	uint8_t buf[4096];
	struct disc_info d;
	size_t n;

	(void)state;
	n = dhip(buf, sizeof(buf), dhip_answer);
	assert_int_equal(rd(DISC_DHIP_PORT, buf, n, &d), DISC_ANSWER);
	buf[16]++; /* longer than the datagram */
	assert_int_equal(rd(DISC_DHIP_PORT, buf, n, &d), DISC_NOT);
	buf[16] -= 2; /* shorter */
	assert_int_equal(rd(DISC_DHIP_PORT, buf, n, &d), DISC_NOT);
	buf[16]++;
	buf[24]++; /* the two lengths disagree */
	assert_int_equal(rd(DISC_DHIP_PORT, buf, n, &d), DISC_NOT);
	buf[24]--;
	buf[19] = 0x80; /* huge */
	assert_int_equal(rd(DISC_DHIP_PORT, buf, n, &d), DISC_NOT);
	buf[19] = 0;
	buf[4] = 'd'; /* not the magic */
	assert_int_equal(rd(DISC_DHIP_PORT, buf, n, &d), DISC_NOT);
	buf[4] = 'D';
	assert_int_equal(rd(DISC_DHIP_PORT, buf, 31, &d), DISC_NOT);
	/* bare JSON without the header */
	assert_int_equal(rds(DISC_DHIP_PORT, dhip_answer, &d), DISC_NOT);
	/* trailing bytes after the JSON within the length: only white space and NUL */
	assert_int_equal(rd_dhip("{\"method\":\"DHDiscover.search\"}\r\n", &d), DISC_SEARCH);
	assert_int_equal(rd_dhip("{\"method\":\"DHDiscover.search\"}x", &d), DISC_NOT);
	assert_int_equal(rd_dhip("{\"method\":\"DHDiscover.search\"}{}", &d), DISC_NOT);
	assert_int_equal(rd_dhip("[\"method\",\"DHDiscover.search\"]", &d), DISC_NOT);
}

static void test_json_paths(void **state)
{
	struct disc_info d;

	(void)state;
	/* keys inside strings do not count */
	assert_int_equal(rd_dhip("{\"x\":\"\\\"method\\\":\\\"client.notifyDevInfo\\\"\","
				 "\"y\":\"{\\\"mac\\\":\\\"00:11:22:33:44:55\\\"}\","
				 "\"method\":\"DHDiscover.search\"}",
				 &d),
			 DISC_SEARCH);
	/* a mac under params, or in an array, is not the top-level one */
	assert_int_equal(rd_dhip("{\"params\":{\"mac\":\"00:11:22:33:44:55\"},\"list\":["
				 "{\"mac\":\"00:11:22:33:44:56\"}],\"method\":"
				 "\"client.notifyDevInfo\"}",
				 &d),
			 DISC_ANSWER);
	assert_false(d.has_mac);
	/* a deviceInfo at the wrong place */
	assert_int_equal(rd_dhip("{\"method\":\"client.notifyDevInfo\",\"deviceInfo\":{"
				 "\"SerialNo\":\"top\"},\"params\":{\"x\":{\"deviceInfo\":{"
				 "\"SerialNo\":\"deep\"}}}}",
				 &d),
			 DISC_ANSWER);
	assert_string_equal(d.serial, "");
	/* an escaped key is the key it decodes to */
	assert_int_equal(rd_dhip("{\"\\u006dac\":\"00:11:22:33:44:55\",\"method\":"
				 "\"client.notifyDevInfo\"}",
				 &d),
			 DISC_ANSWER);
	assert_true(d.has_mac);
	/* malformed JSON */
	assert_int_equal(rd_dhip("{\"method\":\"DHDiscover.search\",}", &d), DISC_NOT);
	assert_int_equal(rd_dhip("{\"method\" \"DHDiscover.search\"}", &d), DISC_NOT);
	assert_int_equal(rd_dhip("{\"method\":\"DHDiscover.search\"", &d), DISC_NOT);
	assert_int_equal(rd_dhip("{\"method\":\"DHDiscover.search\",\"x\":tru}", &d), DISC_NOT);
	assert_int_equal(rd_dhip("{method:\"DHDiscover.search\"}", &d), DISC_NOT);
}

static void nest(char *out, size_t cap, const char *pre, const char *open, const char *close,
		 int levels, const char *mid, const char *post)
{
	size_t n = 0;
	int i;

	n += (size_t)snprintf(out + n, cap - n, "%s", pre);
	for (i = 0; i < levels; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s", open);
	n += (size_t)snprintf(out + n, cap - n, "%s", mid);
	for (i = 0; i < levels; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s", close);
	snprintf(out + n, cap - n, "%s", post);
}

static void test_depth(void **state)
{
	char doc[4096];
	struct disc_info d;

	(void)state;
	/* the root and 15 levels below it: 16 */
	nest(doc, sizeof(doc), "<ProbeMatch><DeviceSN>x</DeviceSN>", "<a>", "</a>", 15, "",
	     "</ProbeMatch>");
	assert_int_equal(rds(DISC_SADP_PORT, doc, &d), DISC_ANSWER);
	nest(doc, sizeof(doc), "<ProbeMatch><DeviceSN>x</DeviceSN>", "<a>", "</a>", 16, "",
	     "</ProbeMatch>");
	assert_int_equal(rds(DISC_SADP_PORT, doc, &d), DISC_NOT);
	nest(doc, sizeof(doc), "<ProbeMatch>", "<a>", "</a>", 16, "", "</ProbeMatch>");
	assert_int_equal(rds(DISC_SADP_PORT, doc, &d), DISC_NOT);
	nest(doc, sizeof(doc), "<ProbeMatch>", "<a>", "</a>", 15, "<b/>", "</ProbeMatch>");
	assert_int_equal(rds(DISC_SADP_PORT, doc, &d), DISC_NOT);
	/* JSON: the top object and 15 inside it; then 16 */
	nest(doc, sizeof(doc), "{\"method\":\"DHDiscover.search\",\"x\":", "{\"a\":", "}", 14,
	     "[1]", "}");
	assert_int_equal(rd_dhip(doc, &d), DISC_SEARCH);
	nest(doc, sizeof(doc), "{\"method\":\"DHDiscover.search\",\"x\":", "{\"a\":", "}", 15,
	     "[1]", "}");
	assert_int_equal(rd_dhip(doc, &d), DISC_NOT);
	nest(doc, sizeof(doc), "{\"method\":\"DHDiscover.search\",\"x\":", "[", "]", 16, "", "}");
	assert_int_equal(rd_dhip(doc, &d), DISC_NOT);
	nest(doc, sizeof(doc), "{\"method\":\"DHDiscover.search\",\"x\":", "[", "]", 15, "", "}");
	assert_int_equal(rd_dhip(doc, &d), DISC_SEARCH);
}

static void test_actions_and_ports(void **state)
{
	uint8_t buf[4096];
	struct disc_info d;
	size_t n;

	(void)state;
	/* the Action must name the message the body holds */
	assert_int_equal(
		rds(DISC_WSD_PORT,
		    WSD_HEAD("Resolve") "<d:ProbeMatches><d:ProbeMatch><d:Types>"
					"dn:NetworkVideoTransmitter</d:Types></d:ProbeMatch>"
					"</d:ProbeMatches></env:Body></env:Envelope>",
		    &d),
		DISC_NOT);
	assert_int_equal(rds(DISC_WSD_PORT,
			     WSD_HEAD("Hello") "<d:ProbeMatches><d:ProbeMatch><d:Types>"
					       "dn:NetworkVideoTransmitter</d:Types></d:ProbeMatch>"
					       "</d:ProbeMatches></env:Body></env:Envelope>",
			     &d),
			 DISC_NOT);
	assert_int_equal(
		rds(DISC_WSD_PORT,
		    WSD_HEAD("ProbeMatchesX") "<d:ProbeMatches/></env:Body></env:Envelope>", &d),
		DISC_NOT);
	/* no Action at all, or one in the body */
	assert_int_equal(rds(DISC_WSD_PORT,
			     "<Envelope><Body><Action>x/Hello</Action><Hello/></Body></Envelope>",
			     &d),
			 DISC_NOT);
	/* not an Envelope */
	assert_int_equal(rds(DISC_WSD_PORT,
			     "<Other><Header><Action>x/Hello</Action></Header><Body><Hello/>"
			     "</Body></Other>",
			     &d),
			 DISC_NOT);
	/* answers on the wrong ports */
	assert_int_equal(rds(DISC_WSD_PORT, sadp_answer, &d), DISC_NOT);
	assert_int_equal(rds(DISC_SADP_PORT, wsd_pm, &d), DISC_NOT);
	assert_int_equal(rds(80, sadp_answer, &d), DISC_NOT);
	n = dhip(buf, sizeof(buf), dhip_answer);
	assert_int_equal(rd(DISC_SADP_PORT, buf, n, &d), DISC_NOT);
	assert_int_equal(rd(DISC_WSD_PORT, buf, n, &d), DISC_NOT);
	assert_int_equal(rds(DISC_DHIP_PORT, wsd_pm, &d), DISC_NOT);
	assert_int_equal(disc_read(DISC_SADP_PORT, NULL, 10, &d), DISC_NOT);
}

static void test_addresses(void **state)
{
	static const char *const macs_ok[] = { "44:19:b6:0a:1b:2c", "44-19-B6-0A-1B-2C",
					       "4419b60a1b2c" };
	static const char *const macs_bad[] = { "44:19-b6:0a:1b:2c", "44:19:b6:0a:1b",
						"44:19:b6:0a:1b:2g", "44:19:b6:0a:1b:2c:" };
	static const char *const ip_bad[] = { "192.168.1", "192.168.1.256", "192.168.1.64 x",
					      "1.2.3.4.5", "0x7f.0.0.1",    "192.168..1" };
	char doc[512];
	struct disc_info d;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(doc, sizeof(doc), "<ProbeMatch><MAC> %s </MAC></ProbeMatch>", macs_ok[i]);
		assert_int_equal(rds(DISC_SADP_PORT, doc, &d), DISC_ANSWER);
		assert_true(d.has_mac);
		assert_int_equal(d.mac[2], 0xb6);
	}
	for (i = 0; i < 4; i++) {
		snprintf(doc, sizeof(doc), "<ProbeMatch><MAC>%s</MAC></ProbeMatch>", macs_bad[i]);
		assert_int_equal(rds(DISC_SADP_PORT, doc, &d), DISC_ANSWER);
		assert_false(d.has_mac);
	}
	for (i = 0; i < 6; i++) {
		snprintf(doc, sizeof(doc), "<ProbeMatch><IPv4Address>%s</IPv4Address></ProbeMatch>",
			 ip_bad[i]);
		assert_int_equal(rds(DISC_SADP_PORT, doc, &d), DISC_ANSWER);
		assert_false(d.has_ipv4);
	}
	/* XAddrs: only an IPv4 literal host */
	assert_int_equal(rds(DISC_WSD_PORT,
			     WSD_HEAD("Hello") "<d:Hello><d:XAddrs>http://cam.local/onvif "
					       "http://192.0.2.1/</d:XAddrs></d:Hello></env:Body>"
					       "</env:Envelope>",
			     &d),
			 DISC_ANSWER);
	assert_false(d.has_ipv4);
	assert_int_equal(rds(DISC_WSD_PORT,
			     WSD_HEAD("Hello") "<d:Hello><d:XAddrs>http://user@192.0.2.1/"
					       "</d:XAddrs></d:Hello></env:Body></env:Envelope>",
			     &d),
			 DISC_ANSWER);
	assert_false(d.has_ipv4);
	assert_int_equal(rds(DISC_WSD_PORT,
			     WSD_HEAD("Hello") "<d:Hello><d:XAddrs>\n https://192.0.2.1:443/x"
					       "</d:XAddrs></d:Hello></env:Body></env:Envelope>",
			     &d),
			 DISC_ANSWER);
	assert_true(d.has_ipv4);
	assert_int_equal(d.ipv4[3], 1);
}

static void test_too_large(void **state)
{
	static uint8_t big[DISC_PAYLOAD_MAX + 1];
	struct disc_info d;
	size_t n = strlen(sadp_answer);

	(void)state;
	memset(big, ' ', sizeof(big));
	memcpy(big, sadp_answer, n);
	assert_int_equal(rd(DISC_SADP_PORT, big, DISC_PAYLOAD_MAX, &d), DISC_ANSWER);
	assert_int_equal(rd(DISC_SADP_PORT, big, DISC_PAYLOAD_MAX + 1, &d), DISC_NOT);
}

static void printable(const char *f, size_t size)
{
	const char *end = memchr(f, '\0', size);
	const char *c;

	assert_non_null(end);
	for (c = f; c < end; c++)
		assert_true(*c >= 0x20 && *c <= 0x7e);
}

/* Each byte of each message replaced by markup and escape bytes: fields stay printable. */
static void mutate_all(uint16_t port, const uint8_t *p, size_t len)
{
	static const uint8_t hostile[] = { '<', '>', '"', '\'', '&', '\\', '/',	 ':',
					   '{', '}', '[', ']',	',', 0,	   0x1b, 0xff };
	uint8_t *m = malloc(len);
	struct disc_info d;
	size_t i, h;

	assert_non_null(m);
	for (i = 0; i < len; i++) {
		for (h = 0; h < sizeof(hostile); h++) {
			memcpy(m, p, len);
			m[i] = hostile[h];
			if (rd(port, m, len, &d) == DISC_NOT)
				continue;
			printable(d.vendor, sizeof(d.vendor));
			printable(d.model, sizeof(d.model));
			printable(d.firmware, sizeof(d.firmware));
			printable(d.serial, sizeof(d.serial));
			printable(d.types, sizeof(d.types));
			printable(d.uuid, sizeof(d.uuid));
		}
	}
	free(m);
}

static void test_mutations(void **state)
{
	static uint8_t buf[4096];

	(void)state;
	mutate_all(DISC_SADP_PORT, (const uint8_t *)sadp_answer, strlen(sadp_answer));
	mutate_all(DISC_WSD_PORT, (const uint8_t *)wsd_pm, strlen(wsd_pm));
	mutate_all(DISC_DHIP_PORT, buf, dhip(buf, sizeof(buf), dhip_answer));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sadp_answer),   cmocka_unit_test(test_sadp_variants),
		cmocka_unit_test(test_dhip_answer),   cmocka_unit_test(test_wsd_answers),
		cmocka_unit_test(test_searches),      cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_long_fields),   cmocka_unit_test(test_escaped),
		cmocka_unit_test(test_hidden_markup), cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_dhip_lengths),  cmocka_unit_test(test_json_paths),
		cmocka_unit_test(test_depth),	      cmocka_unit_test(test_actions_and_ports),
		cmocka_unit_test(test_addresses),     cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests_name("discovery", tests, NULL, NULL);
}
