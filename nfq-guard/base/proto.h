/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proto.h - the protocol numbers, TCP flags and ethertypes every layer
 * speaks of (decoders, the policy, the nft table, the printers), so that
 * none of them has to include the packet decoder for a constant.
 */
#ifndef NFQG_PROTO_H
#define NFQG_PROTO_H

#include <stdint.h>

#define IPPROTO_NUM_ICMP 1
#define IPPROTO_NUM_TCP 6
#define IPPROTO_NUM_UDP 17
#define IPPROTO_NUM_ICMPV6 58

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10
#define TCPF_URG 0x20

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd

/* "tcp", "udp", "icmp", "icmpv6", or NULL for other protocol numbers. */
const char *proto_str(uint8_t proto);

#endif
