/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_community.c - the Community ID against the spec's own baseline
 * (community-id-spec/baseline, seeds 0 and 1: TCP, UDP, SCTP, ICMP and
 * ICMPv6 both ways and one-way, a protocol without ports), and what cannot
 * be computed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "print/community.h"

static const struct {
	uint16_t seed;
	uint8_t proto;
	const char *src, *dst;
	int sport, dport; /* ICMP: the type, and its counterpart or the code */
	const char *want;
} baseline[] = {
	{ 0, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136,
	  "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
	{ 0, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135,
	  "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=" },
	{ 0, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136,
	  "1:zavyT/cezQr1fmImYCwYnMXbgck=" },
	{ 0, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135,
	  "1:zavyT/cezQr1fmImYCwYnMXbgck=" },
	{ 0, 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
	  "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=" },
	{ 0, 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4,
	  "1:hLZd0XGWojozrvxqE0dWB1iM6R0=" },
	{ 0, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129,
	  "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
	{ 0, 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128,
	  "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=" },
	{ 0, 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134,
	  "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=" },
	{ 0, 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133,
	  "1:pkvHqCL88/tg1k4cPigmZXUtL00=" },
	{ 0, 1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
	{ 0, 1, "192.168.0.1", "192.168.0.89", 0, 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=" },
	{ 0, 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM=" },
	{ 0, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 0, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 0, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	{ 0, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	{ 0, 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 0, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 0, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	{ 0, 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	{ 0, 46, "10.1.12.1", "10.1.12.2", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
	{ 0, 46, "10.1.12.2", "10.1.12.1", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
	{ 1, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136,
	  "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
	{ 1, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135,
	  "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
	{ 1, 58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136,
	  "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
	{ 1, 58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135,
	  "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
	{ 1, 58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0,
	  "1:lVEtCZpYu84Xqaa++3lXFyuu2n4=" },
	{ 1, 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4,
	  "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8=" },
	{ 1, 58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129,
	  "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
	{ 1, 58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128,
	  "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
	{ 1, 58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134,
	  "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8=" },
	{ 1, 58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133,
	  "1:K/ee5UCqAMAQXDorP5nSa2CGLjc=" },
	{ 1, 1, "192.168.0.89", "192.168.0.1", 8, 0, "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
	{ 1, 1, "192.168.0.1", "192.168.0.89", 0, 8, "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
	{ 1, 1, "10.0.0.1", "10.0.0.2", 11, 0, "1:XjUibYHaafLQ3pxQeiMI8g25q20=" },
	{ 1, 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
	  "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 1, 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
	  "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 1, 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 1, 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 1, 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 1, 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 1, 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 1, 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 1, 46, "10.1.12.1", "10.1.12.2", -1, -1, "1:rYir8gphR31noO9iDRQmF/BteEI=" },
	{ 1, 46, "10.1.12.2", "10.1.12.1", -1, -1, "1:rYir8gphR31noO9iDRQmF/BteEI=" },
};

static void flow_of(int i, struct community_flow *f, uint8_t s[16], uint8_t d[16])
{
	int fam = strchr(baseline[i].src, ':') ? AF_INET6 : AF_INET;

	memset(f, 0, sizeof(*f));
	assert_int_equal(inet_pton(fam, baseline[i].src, s), 1);
	assert_int_equal(inet_pton(fam, baseline[i].dst, d), 1);
	f->family = fam == AF_INET ? 4 : 6;
	f->proto = baseline[i].proto;
	f->src = s;
	f->dst = d;
	f->ports_known = baseline[i].sport >= 0;
	if (f->proto == 1 || f->proto == 58) {
		f->icmp_type = (uint8_t)baseline[i].sport;
		f->icmp_code = (uint8_t)baseline[i].dport;
	} else if (f->ports_known) {
		f->sport = (uint16_t)baseline[i].sport;
		f->dport = (uint16_t)baseline[i].dport;
	}
}

static void test_baseline(void **state)
{
	uint8_t s[16], d[16];
	char out[COMMUNITY_ID_MAX];
	struct community_flow f;

	(void)state;
	for (size_t i = 0; i < sizeof(baseline) / sizeof(baseline[0]); i++) {
		flow_of((int)i, &f, s, d);
		assert_int_equal(community_id(&f, baseline[i].seed, out), 0);
		if (strcmp(out, baseline[i].want))
			print_message("row %zu: %s, want %s\n", i, out, baseline[i].want);
		assert_string_equal(out, baseline[i].want);
	}
}

static void test_two_way_icmp_ignores_the_code(void **state)
{
	uint8_t s[16], d[16];
	char a[COMMUNITY_ID_MAX], b[COMMUNITY_ID_MAX];
	struct community_flow f;

	(void)state;
	flow_of(10, &f, s, d); /* an echo request */
	assert_int_equal(community_id(&f, 0, a), 0);
	f.icmp_code = 7;
	assert_int_equal(community_id(&f, 0, b), 0);
	assert_string_equal(a, b);
	/* a one-way message keeps its direction and its code counts */
	flow_of(12, &f, s, d);
	assert_int_equal(community_id(&f, 0, a), 0);
	f.icmp_code = 1;
	assert_int_equal(community_id(&f, 0, b), 0);
	assert_string_not_equal(a, b);
}

static void test_not_computable(void **state)
{
	uint8_t s[16], d[16];
	char out[COMMUNITY_ID_MAX];
	struct community_flow f;

	(void)state;
	flow_of(17, &f, s, d); /* TCP */
	f.ports_known = false;
	assert_int_equal(community_id(&f, 0, out), -EINVAL);
	flow_of(10, &f, s, d); /* ICMP without its type */
	f.ports_known = false;
	assert_int_equal(community_id(&f, 0, out), -EINVAL);
	flow_of(21, &f, s, d); /* no ports to know: computable */
	assert_int_equal(community_id(&f, 0, out), 0);
	f.family = 0;
	assert_int_equal(community_id(&f, 0, out), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_two_way_icmp_ignores_the_code),
		cmocka_unit_test(test_not_computable),
	};

	return cmocka_run_group_tests_name("community", tests, NULL, NULL);
}
