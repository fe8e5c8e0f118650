#!/usr/bin/env python3
"""Adversarial captures for nfq-guard replay: a Hikvision camera that crafts
its traffic to slip past the filter (DESIGN.md section 6, issue 13).

Usage: tests/adversary/gen.py OUTDIR [REGISTRY]

Writes OUTDIR/NAME.pcap for every case, the two policies OUTDIR/block.conf
("cameras may reach the WAN, but not *.hikvision.com / *.ezvizlife.com")
and OUTDIR/allow.conf ("cameras may reach only *.allowed.example"), and
OUTDIR/cases.json: for each case its policy, capture and the verdict
expected of every decision `nfq-guard replay --json` prints for it (what
the engine should do, which is not always what it does today: see
tests/cli/test_adversary.py).

An expectation is a JSON object of decision fields to compare; a list
value means "one of these"; "note": true means a note must be present,
a string that the note must contain it.  A case has "decisions" (every
decision, in order), or "last" (the last decision; there must be one) or
"all" (every decision; there must be one).
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import packets as P  # noqa: E402
from packets import (TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG, Conn,  # noqa: E402
                     CAM4, CAM4_2, CAM6, ROUTER4, ROUTER6, wan4, wan6)

V = "fw.hikvision.com"          # a vendor name (block.conf drops it)
V2 = "litedev.ezvizlife.com"
B = "cdn1.example.org"          # a harmless name of the same length as V
A = "cdn.allowed.example"       # allow.conf allows it
EVIL = "evil.example.net"       # allow.conf does not
X = wan4(7)                     # the server
X6 = wan6(7)

POLICY_HEAD = """version = 1;
default = "drop";
networks = {
  lan    = [ "192.168.1.0/24", "fd00::/8", "fe80::/10" ];
  router = [ "192.168.1.1", "fd00::1" ];
};
vendors = { registry = [ "%s" ]; };
devices = ( { name = "hikvision"; vendor = [ "Hikvision" ]; } );
"""

POLICIES = {
    "block": """rules = (
  { name = "dns";    to = "router"; proto = "udp"; port = 53; action = "allow"; },
  { name = "local";  to = "lan"; action = "allow"; },
  { name = "vendor"; domain = [ "*.hikvision.com", "*.ezvizlife.com" ]; action = "drop"; log = true; },
  { name = "out";    to = "wan"; action = "allow"; }
);
""",
    "allow": """rules = (
  { name = "dns";     to = "router"; proto = "udp"; port = 53; action = "allow"; },
  { name = "local";   to = "lan"; action = "allow"; },
  { name = "allowed"; to = "wan"; domain = [ "*.allowed.example" ]; action = "allow"; }
);
""",
}

UNREAD = "unreadable"


def D(action, rule=None, name=None, source=None, note=None, **flow):
    """An expected decision; a field left None is not compared (null: pass NULL)."""
    d = {"action": action}
    for k, v in (("rule", rule), ("name", name), ("name_source", source), ("note", note)):
        if v is not None:
            d[k] = v
    d.update(flow)
    return d


NULL = "\0null"  # a field that must be null


def unknown(rule, note=True, **kw):
    """A drop for an unknown name: name_source unreadable, no name, a note."""
    return D("drop", rule, NULL, UNREAD, note, **kw)


def block_unknown(note=True, **kw):
    return unknown("vendor", note, **kw)


def allow_unknown(note=True, **kw):
    return unknown("default", note, **kw)


DNSQ = D("allow", "dns")
DROP_V = D("drop", "vendor", V, "sni")


def allow_out(name, source="sni"):
    return D("allow", "out", name, source)


CASES = []


def case(name, policy, frames, decisions=None, last=None, all_=None, doc=""):
    c = {"name": name, "policy": policy, "frames": frames, "doc": doc}
    if decisions is not None:
        c["decisions"] = decisions
    if last is not None:
        c["last"] = last
    if all_ is not None:
        c["all"] = all_
    CASES.append(c)


# --- helpers for whole conversations -------------------------------------------------


def tls_conn(payload, acked=True, dport=443, **kw):
    """Handshake, the payload in one segment, the server's ACK of it."""
    c = Conn(kw.pop("dst", X), dport, **kw)
    fr = c.handshake() + [c.data(payload)]
    if acked:
        fr.append(c.ack())
    return fr


def dns_exchange(name, answers, qtype=1, qid=0x1234, sport=33333, src=CAM4, resolver=ROUTER4,
                 answer_id=None, answer_dport=None, answer_name=None, answer_from=None,
                 answer_mac=None, query=True, additional=()):
    fr = []
    if query:
        fr.append(P.udp_frame(src, resolver, sport, 53, P.dns_query(qid, name, qtype)))
    msg = P.dns_answer(qid if answer_id is None else answer_id, answer_name or name, answers,
                       qtype, additional)
    fr.append(P.udp_frame(answer_from or resolver, src, 53, answer_dport or sport, msg,
                          mac=answer_mac))
    return fr


def udp_to(dst, dport=8800, src=CAM4, sport=40500):
    return P.udp_frame(src, dst, sport, dport, b"\x01hello-cloud")


# =============================================================================
# TCP stream tricks (block.conf, TLS on 443)
# =============================================================================


def tcp_cases():
    hB, hV = P.hello(B), P.hello(V)
    assert len(hB) == len(hV)

    case("tcp_benign_sni", "block", tls_conn(hB), [allow_out(B)],
         doc="baseline: a harmless SNI is allowed once the server acknowledges it")
    case("tcp_vendor_sni", "block", tls_conn(hV), [DROP_V], doc="baseline")

    c = Conn(X, 443)
    case("tcp_retrans_benign_then_vendor", "block",
         c.handshake() + [c.data(hB, ttl=1), c.data(hV, off=0), c.ack()],
         [block_unknown("retransmission")],
         doc="first copy benign with TTL 1 (dies past the router), retransmission names the vendor")
    c = Conn(X, 443)
    case("tcp_retrans_bad_csum_then_vendor", "block",
         c.handshake() + [c.data(hB, bad_csum=True), c.data(hV, off=0), c.ack()],
         [block_unknown("retransmission")],
         doc="first copy benign with a bad TCP checksum (the server drops it)")
    c = Conn(X, 443)
    case("tcp_retrans_vendor_then_benign", "block",
         c.handshake() + [c.data(hV), c.data(hB, off=0), c.ack()], [DROP_V],
         doc="the reverse: the vendor name is read first and dropped")

    c = Conn(X, 443)
    alt = bytearray(hB)
    for i in range(70, 90):
        alt[i] ^= 0xff
    case("tcp_overlap_conflict", "block",
         c.handshake() + [c.data(hB[:100]), c.data(bytes(alt[60:]), off=60), c.ack()],
         [block_unknown("retransmission")],
         doc="two overlapping segments whose common bytes differ")
    c = Conn(X, 443)
    case("tcp_overlap_same", "block",
         c.handshake() + [c.data(hB[:100]), c.data(hB[60:], off=60), c.ack()], [allow_out(B)],
         doc="overlapping segments with the same bytes are fine")

    c = Conn(X, 443)
    case("tcp_out_of_order_vendor", "block",
         c.handshake() + c.segments(hV, 110, order=[2, 1, 0]) + [c.ack()], [DROP_V],
         doc="the hello's segments last to first")
    c = Conn(X, 443)
    case("tcp_out_of_order_benign", "block",
         c.handshake() + c.segments(hB, 110, order=[1, 2, 0]) + [c.ack()], [allow_out(B)])

    c = Conn(X, 443)
    segs = c.segments(hV, 100)
    case("tcp_hole_vendor", "block", c.handshake() + segs[1:], [block_unknown("still waiting")],
         doc="the first segment never comes: nothing is read past a hole")
    c = Conn(X, 443)
    segs = c.segments(hB, 100)
    case("tcp_hole_benign", "block", c.handshake() + segs[1:] + [c.ack(0)],
         [block_unknown("still waiting")], doc="a benign tail past a hole is not a name")

    c = Conn(X, 443)
    case("tcp_urgent_in_head", "block",
         c.handshake() + [c.data(hB, flags=TCP_PSH | TCP_ACK | TCP_URG, urp=40), c.ack()],
         [block_unknown("urgent")], doc="urgent pointer inside the head")

    c = Conn(X, 443)
    fr = [c.syn(hB), c.synack(0), c.c(TCP_ACK, c.isn + 1), c.data(hV, off=0), c.ack()]
    case("tcp_tfo_unacked_benign_then_vendor", "block", fr, [DROP_V],
         doc="SYN data benign, not acknowledged by the SYN-ACK; the data sent after it names the vendor")
    c = Conn(X, 443)
    fr = [c.syn(hV), c.synack(0), c.c(TCP_ACK, c.isn + 1), c.data(hB, off=0), c.ack()]
    case("tcp_tfo_unacked_vendor_then_benign", "block", fr, [allow_out(B)],
         doc="SYN data naming the vendor the server never took: the server reads the benign hello")
    c = Conn(X, 443)
    c.sent = len(hV)
    case("tcp_tfo_acked_vendor", "block", [c.syn(hV), c.synack(len(hV)), c.ack()], [DROP_V],
         doc="TFO data acknowledged by the SYN-ACK is read")
    c = Conn(X, 443)
    c.sent = len(hB)
    case("tcp_tfo_acked_benign", "block",
         [c.syn(hB), c.synack(len(hB)), c.c(TCP_ACK, c.isn + 1 + len(hB)), c.ack()],
         [allow_out(B)])

    for nm, h in (("vendor", hV), ("benign", hB)):
        c = Conn(X, 443)
        case("tcp_fin_before_head_" + nm, "block", c.handshake() + [c.data(h[:60]), c.fin()],
             [block_unknown("closed")], doc="FIN before the hello is complete")
    c = Conn(X, 443)
    case("tcp_rst_before_head", "block", c.handshake() + [c.data(hB[:60]), c.rst()],
         [block_unknown("reset")], doc="RST before the hello is complete")

    for nm, h in (("vendor", hV), ("benign", hB)):
        c = Conn(X, 443)
        case("tcp_one_byte_segments_" + nm, "block", c.handshake() + c.segments(h, 1),
             [block_unknown("wait bound")], doc="the head in 1-byte segments hits the packet bound")

    big = P.handshake_msg(P.hello_padded_to(B, 16385 + 64))
    c = Conn(X, 443)
    case("tcp_hello_over_16k", "block",
         c.handshake() + c.segments(P.records(big, [16000]), 4000) + [c.ack()],
         [block_unknown("large")], doc="a ClientHello body over 16 KiB is unknown")
    for nm, name, exp in (("vendor", V, [DROP_V]), ("benign", B, [allow_out(B)])):
        msg = P.handshake_msg(P.hello_padded_to(name, 16000))
        c = Conn(X, 443)
        case("tcp_hello_16000_" + nm, "block",
             c.handshake() + c.segments(P.records(msg, [9000]), 4000) + [c.ack()], exp,
             doc="a 16000-byte ClientHello in two records and 5 segments is read")
    c = Conn(X, 80)
    head = P.http_get(B, extra=b"X-Pad: " + b"a" * 17000 + b"\r\n")
    case("tcp_http_head_over_16k", "block", c.handshake() + c.segments(head, 4000) + [c.ack()],
         [block_unknown("large")], doc="a request head over 16 KiB is unknown")

    # a new SYN on the 4-tuple while the first connection waits for its name
    c = Conn(X, 443)
    c2 = Conn(X, 443, isn=900000)
    case("tcp_new_syn_while_waiting", "block",
         c.handshake() + [c2.syn(), c2.synack(), c2.c(TCP_ACK, c2.isn + 1), c2.data(hV), c2.ack()],
         [block_unknown("SYN of another connection")],
         doc="a new SYN (other ISN) before any verdict: the first connection may go on "
             "beside it unread, so the name is unknown")
    c = Conn(X, 443)
    c2 = Conn(X, 443, isn=c.isn - (1 << 20))
    fr = c.handshake() + [c2.syn(), c2.data(hB), c.data(hV), c.ack()]
    case("tcp_new_syn_while_waiting_old_data", "block", fr,
         all_=D("drop", "vendor"),
         doc="SYN A and its handshake; a SYN B (ISN 1 MiB below A) and a benign hello in B's "
             "sequence space; the vendor hello on A, which the server acknowledges.  The "
             "server's ACK of A's bytes must not confirm B's benign name")
    c = Conn(X, 443)
    c2 = Conn(X, 443, isn=900000)
    fr = c.handshake() + [c.data(hB), c.ack()] + \
        [c2.syn(), c2.synack(), c2.c(TCP_ACK, c2.isn + 1), c2.data(hV), c2.ack()]
    case("tcp_new_syn_after_allow", "block", fr, [allow_out(B), DROP_V],
         doc="a new SYN on a decided 4-tuple is a new decision")
    c = Conn(X, 443)
    c2 = Conn(X, 443, isn=900000)
    fr = c.handshake() + [c.data(hV), c.ack()] + \
        [c2.syn(), c2.synack(), c2.c(TCP_ACK, c2.isn + 1), c2.data(hB), c2.ack()]
    case("tcp_new_syn_after_drop", "block", fr, [DROP_V, allow_out(B)])

    for nm, fl in (("fin", TCP_FIN), ("rst", TCP_RST)):
        c = Conn(X, 443)
        fr = [c.syn(flags=TCP_SYN | fl)] + c.handshake() + [c.data(hV), c.ack()]
        case("tcp_syn_%s_first" % nm, "block", fr, last=DROP_V,
             doc="a SYN|%s (invalid: conntrack queues it, no server takes it) is decided at "
                 "once with no name; the real SYN with the same ISN then opens the connection "
                 "whose hello names the vendor" % nm.upper())

    c = Conn(X, 443)
    fr = c.handshake() + [c.data(hB, ttl=1), c.ack(mac=P.CAM_MAC), c.data(hV, off=0), c.ack()]
    case("tcp_forged_server_ack", "block", fr, [block_unknown("from its own side")],
         doc="benign first copy with TTL 1; the camera itself sends the server's ACK of it "
             "(the server's address, the camera's MAC); then the vendor retransmission")
    c = Conn(X, 443)
    fr = [c.syn(hB), c.synack(len(hB), mac=P.CAM_MAC), c.synack(0), c.c(TCP_ACK, c.isn + 1),
          c.data(hV, off=0), c.ack()]
    case("tcp_forged_synack_tfo", "block", fr,
         [D("drop", "vendor", [V, NULL], ["sni", UNREAD])],
         doc="SYN data benign; a SYN-ACK acknowledging it forged by the camera, the real one "
             "not; the server reads the vendor hello sent after it")


# =============================================================================
# TLS
# =============================================================================


def tls_cases():
    for v in (0x0300, 0x0302, 0x0399):
        case("tls_record_%04x_vendor" % v, "block", tls_conn(P.hello(V, version=v)),
             [DROP_V], doc="record version %04x (OpenSSL reads it)" % v)
    case("tls_record_0399_benign", "block", tls_conn(P.hello(B, version=0x0399)),
         [allow_out(B)])
    empty = struct.pack("!BHH", 22, 0x0301, 0)
    case("tls_empty_records_vendor", "block", tls_conn(empty + empty + hv()), [DROP_V],
         doc="empty handshake records before the hello (OpenSSL skips them)")
    case("tls_hello_in_records_vendor", "block",
         tls_conn(P.hello(V, sizes=[1, 3, 40, 40])), [DROP_V],
         doc="the hello across five records, its header split")
    c = Conn(X, 443)
    recs = P.hello(V, sizes=[30, 60])
    case("tls_hello_records_and_segments_vendor", "block",
         c.handshake() + c.segments(recs, 50, order=[1, 0, 2, 6, 5, 4, 3]), [DROP_V])

    bad = [
        ("tls_sni_nul", "block", "www.hikvision.com\x00.example.org"),
        ("tls_sni_nul_allow", "allow", EVIL + "\x00." + A),
        ("tls_sni_control", "block", "fw.hikvision.com\r\n.example.org"),
        ("tls_sni_control_allow", "allow", EVIL + "\x7f." + A),
        ("tls_sni_empty_label_allow", "allow", "evil.." + A),
        ("tls_sni_two_trailing_dots_allow", "allow", A + ".."),
        ("tls_sni_long_block", "block", ("a" * 60 + ".") * 4 + "fw.example.org"),
        ("tls_sni_long_allow", "allow", ("a" * 60 + ".") * 4 + A),
        ("tls_sni_high_bytes_allow", "allow", "\xe2\x80\xae" + EVIL + "." + A),
    ]
    for name, pol, sni in bad:
        exp = block_unknown() if pol == "block" else allow_unknown()
        case(name, pol, tls_conn(P.hello(sni)), [exp], doc="server name %r" % sni)
    case("tls_sni_trailing_dot_vendor", "block", tls_conn(P.hello(V + ".")), [DROP_V],
         doc="one trailing dot is the same name")
    case("tls_sni_upper_case_vendor", "block", tls_conn(P.hello(V.upper())), [DROP_V])
    case("tls_two_sni_extensions", "block",
         tls_conn(P.hello([P.sni_ext(B), P.sni_ext(V)])), [block_unknown()],
         doc="two server_name extensions")
    case("tls_two_sni_extensions_allow", "allow",
         tls_conn(P.hello([P.sni_ext(A), P.sni_ext(EVIL)])), [allow_unknown()])
    case("tls_sni_list_two_names", "block", tls_conn(P.hello([P.sni_ext(B, V)])),
         [block_unknown()], doc="one server_name list with two host names")
    case("tls_sni_list_two_names_allow", "allow", tls_conn(P.hello([P.sni_ext(A, EVIL)])),
         [allow_unknown()])
    c = Conn(X, 443)
    case("tls_truncated_then_fin", "block", c.handshake() + [c.data(hv()[:-20]), c.fin()],
         [block_unknown("closed")])
    case("tls_no_sni_raw_address", "block", tls_conn(P.hello(no_sni=True)),
         [D("allow", "out", NULL, NULL)],
         doc="a complete hello without server_name to an address: no name, not an unknown one")
    case("tls_no_sni_dns_vendor", "block",
         dns_exchange(V, [P.rr(V, 1, X)]) + tls_conn(P.hello(no_sni=True)),
         [DNSQ, D("drop", "vendor", V, "dns")], doc="no SNI: the name learned from DNS applies")
    case("tls_sni_allowed", "allow", tls_conn(P.hello(A)), [D("allow", "allowed", A, "sni")])
    case("tls_sni_not_allowed", "allow", tls_conn(P.hello(EVIL)),
         [D("drop", "default", EVIL, "sni")])
    case("tls_no_sni_allow", "allow", tls_conn(P.hello(no_sni=True)),
         [D("drop", "default", NULL, NULL)])


def hv():
    return P.hello(V)


# =============================================================================
# HTTP (port 80)
# =============================================================================


def http_conn(payload, acked=True, dst=X, dport=80):
    return tls_conn(payload, acked, dport=dport, dst=dst)


def http_cases():
    case("http_host_vendor", "block", http_conn(P.http_get(V)),
         [D("drop", "vendor", V, "http")])
    case("http10_no_host", "block", http_conn(P.http_get(None, version=b"HTTP/1.0")),
         [D("allow", "out", NULL, NULL)], doc="HTTP/1.0 without Host: no name")
    case("http10_no_host_dns_name", "block",
         dns_exchange(B, [P.rr(B, 1, X)]) + http_conn(P.http_get(None, version=b"HTTP/1.0")),
         [DNSQ, D("allow", "out", B, "dns")], doc="... and the DNS name of the address applies")
    case("http10_no_host_dns_vendor", "block",
         dns_exchange(V, [P.rr(V, 1, X)]) +
         http_conn(P.http_get(None, version=b"HTTP/1.0")),
         [DNSQ, D("drop", "vendor", V, "dns")])
    case("http_duplicate_host", "block",
         http_conn(P.http_get(B, extra=b"Host: " + V.encode() + b"\r\n")), [block_unknown()])
    case("http_space_before_colon", "block",
         http_conn(P.http_get(B, extra=b"Host : " + V.encode() + b"\r\n")), [block_unknown()])
    case("http_tab_before_colon_allow", "allow",
         http_conn(P.http_get(A, extra=b"Host\t: " + EVIL.encode() + b"\r\n")),
         [allow_unknown()])
    case("http_obs_fold_host", "block",
         http_conn(b"GET / HTTP/1.1\r\nHost:\r\n " + V.encode() + b"\r\nAccept: */*\r\n\r\n"), [D("drop", "vendor", V, "http")], doc="Host: value on a folded line")
    case("http_obs_fold_hides_host", "block",
         http_conn(b"GET / HTTP/1.1\r\nX-A: b\r\n Host: " + V.encode() + b"\r\n\r\n"),
         [D("drop", "vendor", [V, NULL], ["http", UNREAD])],
         doc="an HTTP/1.1 request whose only Host line is a continuation line: a server that "
             "does not unfold reads Host: " + V)
    tgt = "http://%s\\@%s/" % (V, A)
    case("http_absolute_backslash_at", "block",
         http_conn(P.http_get(A, path=tgt)), [block_unknown()],
         doc="absolute-form " + tgt + ": WHATWG and RFC 3986 parsers disagree on the host")
    case("http_absolute_backslash_at_allow", "allow",
         http_conn(P.http_get(A, path=tgt)), [allow_unknown()])
    case("http_absolute_userinfo", "block",
         http_conn(P.http_get(A, path="http://%s@%s/" % (A, V))),
         [D("drop", "vendor", V, "http")], doc="userinfo naming an allowed host")
    case("http_absolute_overrides_host", "block",
         http_conn(P.http_get(B, path="http://%s/fw.bin" % V)),
         [D("drop", "vendor", V, "http")], doc="the target's authority wins over Host")
    case("http_lowercase_method", "block",
         http_conn(P.http_get(V, method=b"get")),
         [D("drop", "vendor", [V, NULL], ["http", UNREAD])],
         doc="a lower-case method: a token servers such as Go's net/http take, Host and all")
    case("http_leading_empty_lines", "block", http_conn(b"\r\n\r\n" + P.http_get(V)),
         [D("drop", "vendor", V, "http")], doc="empty lines before the request line")
    h2 = P._read("http/h2-prior-knowledge.bin")
    case("http2_prior_knowledge", "block", http_conn(h2), [block_unknown("HTTP/2")])
    case("http2_prior_knowledge_allow", "allow", http_conn(h2), [allow_unknown("HTTP/2")])

    # keep-alive: every request head on the connection is read
    c = Conn(X, 80)
    fr = c.handshake() + [c.data(P.http_get(B)),
                          c.ack(data=b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
                          c.data(P.http_get(V))]
    case("http_keepalive_second_vendor", "block", fr,
         [D("allow", "out", B, "http"), D("drop", "vendor", V, "http")],
         doc="an allowed first request, then a second on the same connection with Host " + V)
    c = Conn(X, 80)
    fr = c.handshake() + [c.data(P.http_get(A)),
                          c.ack(data=b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
                          c.data(P.http_get(EVIL))]
    case("http_keepalive_second_evil_allow", "allow", fr,
         [D("allow", "allowed", A, "http"), D("drop", "default", EVIL, "http")])
    case("http_pipelined_vendor", "block",
         http_conn(P.http_get(B) + P.http_get(V)), last=D("drop", "vendor", V, "http"),
         doc="two requests in one segment, the second for the vendor")
    body = b"hello"
    req = P.http_get(B, method=b"POST", extra=b"Content-Length: 5\r\n") + body + P.http_get(V)
    case("http_after_content_length_vendor", "block", http_conn(req),
         last=D("drop", "vendor", V, "http"), doc="a second request after a Content-Length body")
    req = (P.http_get(B, method=b"POST", extra=b"Transfer-Encoding: chunked\r\n") +
           b"5\r\nhello\r\n0\r\n\r\n" + P.http_get(V))
    case("http_after_chunked_vendor", "block", http_conn(req),
         last=D("drop", "vendor", V, "http"), doc="a second request after a chunked body")
    inner = P.http_get(V)
    req = P.http_get(B, method=b"POST", extra=b"Content-Length: %d\r\n" % len(inner)) + inner
    case("http_body_looks_like_request", "block", http_conn(req), [D("allow", "out", B, "http")],
         doc="a body that reads like a request is a body, not a second head")

    case("http_connect_vendor", "block",
         http_conn(b"CONNECT %s:443 HTTP/1.1\r\nHost: %s:443\r\n\r\n" % (V.encode(), V.encode()), dport=3128), [D("drop", "vendor", V, "http")])
    case("http_connect_evil_allow", "allow",
         http_conn(b"CONNECT %s:443 HTTP/1.1\r\nHost: %s\r\n\r\n" % (EVIL.encode(), A.encode()), dport=3128), [D("drop", "default", EVIL, "http")])
    for nm, lit in (("ipv4", "198.51.100.9"), ("ipv6", "[2001:db8::9]"),
                    ("integer", "3325256713"), ("hex", "0xc6336409"),
                    ("hex_dotted", "0xc6.0x33.0x64.0x09")):
        case("http_connect_%s" % nm, "block",
             http_conn(b"CONNECT %s:443 HTTP/1.1\r\n\r\n" % lit.encode(), dport=3128),
             [block_unknown("CONNECT")], doc="CONNECT to the address " + lit)
    ws = b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" \
         b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    case("http_websocket_vendor", "block", http_conn(P.http_get(V, "/ws", ws)),
         [D("drop", "vendor", V, "http")])
    c = Conn(X, 80)
    fr = c.handshake() + [c.data(P.http_get(B, "/ws", ws)),
                          c.ack(data=b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                     b"Connection: Upgrade\r\n\r\n"),
                          c.data(b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"), c.ack()]
    case("http_websocket_benign", "block", fr, [D("allow", "out", B, "http")],
         doc="after 101 the stream is WebSocket frames, no more heads")
    c = Conn(X, 80)
    fr = c.handshake() + [c.data(P.http_get(B, "/ws", ws)),
                          c.ack(data=b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"),
                          c.data(P.http_get(V))]
    case("http_websocket_refused_then_vendor", "block", fr,
         [D("allow", "out", B, "http"), D("drop", "vendor", V, "http")],
         doc="the server refuses the upgrade; the next request on the connection names the vendor")


# =============================================================================
# SOCKS (port 1080)
# =============================================================================


def socks_conn(steps, acked=True):
    """steps: client payloads, each followed by the server's answer bytes (or None)."""
    c = Conn(X, 1080)
    fr = c.handshake()
    for cl, srv in steps:
        fr.append(c.data(cl))
        if srv is not None:
            fr.append(c.ack(data=srv))
    if acked:
        fr.append(c.ack())
    return fr


OK5 = b"\x05\x00\x00\x01\xc6\x33\x64\x09\x01\xbb"


def socks_cases():
    case("socks5_vendor", "block",
         socks_conn([(P.socks5_greeting(0), b"\x05\x00"), (P.socks5_request(V), None)]),
         [D("drop", "vendor", V, "socks")])
    case("socks5_auth_vendor", "block",
         socks_conn([(P.socks5_greeting(0, 2), b"\x05\x02"), (P.socks5_auth(), b"\x01\x00"),
                     (P.socks5_request(V), None)]),
         [D("drop", "vendor", V, "socks")], doc="RFC 1929 user/password step first")
    case("socks5_auth_pipelined_vendor", "block",
         socks_conn([(P.socks5_greeting(2) + P.socks5_auth() + P.socks5_request(V), None)]), [D("drop", "vendor", V, "socks")])
    case("socks4a_vendor", "block", socks_conn([(P.socks4a(V), None)]),
         [D("drop", "vendor", V, "socks")])
    case("socks5_allowed", "allow",
         socks_conn([(P.socks5_greeting(0), b"\x05\x00"), (P.socks5_request(A), OK5)]),
         [D("allow", "allowed", A, "socks")])
    case("socks5_ipv4", "block",
         socks_conn([(P.socks5_greeting(0), b"\x05\x00"), (P.socks5_request(addr=wan4(9)), OK5)]),
         [block_unknown("SOCKS")], doc="SOCKS5 CONNECT to an address: the name behind it is unknown")
    case("socks5_ipv6", "block",
         socks_conn([(P.socks5_greeting(0), b"\x05\x00"), (P.socks5_request(addr=wan6(9)), OK5)]),
         [block_unknown("SOCKS")])
    case("socks4_ipv4", "block",
         socks_conn([(b"\x04\x01\x01\xbb\xc6\x33\x64\x09cam\x00", b"\x00\x5a" + b"\0" * 6)]),
         [block_unknown("SOCKS")])
    case("socks5_domain_is_address", "block",
         socks_conn([(P.socks5_greeting(0), b"\x05\x00"),
                     (P.socks5_request("198.51.100.9"), OK5)]),
         [block_unknown()],
         doc="an address written as a domain (ATYP 3): the proxy connects to that address")
    case("socks4a_domain_is_address", "block",
         socks_conn([(P.socks4a("198.51.100.9"), b"\x00\x5a" + b"\0" * 6)]), [block_unknown()])
    case("socks5_gssapi_decoy_allow", "allow",
         socks_conn([(P.socks5_greeting(1), b"\x05\x01"), (P.socks5_request(A), None),
                     (P.socks5_request(EVIL), OK5)]),
         [D("drop", "default", [EVIL, NULL], ["socks", UNREAD])],
         doc="only GSSAPI (method 1) offered and chosen: the bytes after the greeting are its "
             "negotiation, not a request; a decoy request for an allowed name there, the real "
             "one for another after it")
    case("socks5_private_method_decoy", "block",
         socks_conn([(P.socks5_greeting(0x80), b"\x05\x80"), (P.socks5_request(B), None),
                     (P.socks5_request(V), OK5)]),
         [D("drop", "vendor", [V, NULL], ["socks", UNREAD])],
         doc="the same with a private method (0x80), a benign decoy, the vendor behind it")


# =============================================================================
# DNS
# =============================================================================


def dns_cases():
    case("dns_vendor_then_udp", "block",
         dns_exchange(V, [P.rr(V, 1, X)]) + [udp_to(X)],
         [DNSQ, D("drop", "vendor", V, "dns", dst="198.51.100.7", dport=8800)],
         doc="an answer teaches the vendor's address; a raw-address UDP flow to it")
    case("dns_vendor_then_tcp_raw", "block",
         dns_exchange(V, [P.rr(V, 1, X)]) + tls_conn(b"\x00\x01binary", dport=8000),
         [DNSQ, D("drop", "vendor", V, "dns", dport=8000)])
    # answers that match no query the camera sent (allow.conf: learning one would allow)
    case("dns_wrong_txid_allow", "allow",
         dns_exchange(A, [P.rr(A, 1, X)], answer_id=0x4321) + [udp_to(X)],
         [DNSQ, D("drop", "default", NULL)], doc="the answer's ID is not the query's")
    case("dns_wrong_port_allow", "allow",
         dns_exchange(A, [P.rr(A, 1, X)], answer_dport=44444) + [udp_to(X)],
         [DNSQ, D("drop", "default", NULL)], doc="the answer goes to another port of the camera")
    case("dns_unsolicited_allow", "allow",
         [udp_to(ROUTER4, dport=123)] + dns_exchange(A, [P.rr(A, 1, X)], query=False) +
         [udp_to(X)],
         [D("allow", "local"), D("drop", "default", NULL)],
         doc="no query at all (the camera was seen: it asked the router for the time)")
    case("dns_wrong_question_allow", "allow",
         [P.udp_frame(CAM4, ROUTER4, 33333, 53, P.dns_query(0x1234, EVIL))] +
         dns_exchange(A, [P.rr(A, 1, X)], query=False) + [udp_to(X)],
         [DNSQ, D("drop", "default", NULL)], doc="the answer's question is not the query's")
    case("dns_wrong_server_allow", "allow",
         dns_exchange(A, [P.rr(A, 1, X)], answer_from=wan4(53)) + [udp_to(X)],
         [DNSQ, D("drop", "default", NULL)],
         doc="the answer comes from an address the query did not go to")
    case("dns_forged_by_camera_allow", "allow",
         dns_exchange(A, [P.rr(A, 1, X)], answer_mac=P.CAM_MAC) + [udp_to(X)],
         [DNSQ, D("drop", "default", NULL)],
         doc="the camera sends the 'answer' itself (router's address, camera's MAC)")
    chain = [P.rr(V, 5, "a.cdn.example.net"), P.rr("a.cdn.example.net", 5, "b.cdn.example.net"),
             P.rr("b.cdn.example.net", 1, X)]
    case("dns_cname_chain", "block", dns_exchange(V, chain) + [udp_to(X)],
         [DNSQ, D("drop", "vendor", V, "dns")])
    links = ["c%d.cdn.example.net" % i for i in range(12)]
    chain = [P.rr(V, 5, links[0])] + [P.rr(links[i], 5, links[i + 1]) for i in range(11)] + \
        [P.rr(links[11], 1, X)]
    case("dns_cname_chain_12", "block", dns_exchange(V, chain) + [udp_to(X)],
         [DNSQ, D("drop", "vendor", V, "dns")], doc="a chain of 12 CNAMEs before the A record")
    loop = [P.rr(V, 5, "a.loop.example.net"), P.rr("a.loop.example.net", 5, "b.loop.example.net"),
            P.rr("b.loop.example.net", 5, "a.loop.example.net"),
            P.rr("b.loop.example.net", 1, X)]
    case("dns_cname_loop", "block", dns_exchange(V, loop) + [udp_to(X)],
         [DNSQ, D("drop", "vendor", V, "dns")],
         doc="a CNAME loop does not void the answer: the address before the loop is learned")
    many = [P.rr(V, 1, bytes([203, 0, 113, i + 1])) for i in range(40)]
    case("dns_40_records", "block",
         dns_exchange(V, many) + [udp_to(bytes([203, 0, 113, n]), sport=40500 + n)
                                  for n in (1, 32, 33, 40)],
         [DNSQ] + [D("drop", "vendor", V, "dns", dst="203.0.113.%d" % n) for n in (1, 32, 33, 40)],
         doc="40 A records: every address is the vendor's")
    fr = dns_exchange(V, [P.rr(V, 1, X)])
    for i in range(5):
        n = "n%d.example.net" % i
        fr += dns_exchange(n, [P.rr(n, 1, X)], qid=0x2000 + i, sport=34000 + i)
    case("dns_vendor_name_pushed_out", "block", fr + [udp_to(X)],
         [DNSQ] * 6 + [D("drop", "vendor", V, "dns")],
         doc="five harmless names learned for the vendor's address after its name")
    case("dns_v4_answer_v6_flow", "block",
         dns_exchange(V, [P.rr(V, 28, X6)], qtype=28) + [udp_to(X6, src=CAM6)],
         [DNSQ, D("drop", "vendor", V, "dns", src="fd00::64")],
         doc="AAAA asked and answered over IPv4, used from the camera's IPv6 address")
    case("dns_v6_answer_v4_flow", "block",
         dns_exchange(V, [P.rr(V, 1, X)], src=CAM6, resolver=ROUTER6) + [udp_to(X)],
         [DNSQ, D("drop", "vendor", V, "dns", src="192.168.1.64")],
         doc="A asked and answered over IPv6, used from the camera's IPv4 address")
    case("dns_second_v4_address", "block",
         dns_exchange(V, [P.rr(V, 1, X)]) + [udp_to(X, src=CAM4_2)],
         [DNSQ, D("drop", "vendor", V, "dns", src="192.168.1.65")],
         doc="learned for 192.168.1.64, used from the camera's second address 192.168.1.65")
    svc = struct.pack("!H", 1) + b"\x00" + struct.pack("!HH", 4, 4) + X
    case("dns_https_ipv4hint", "block",
         dns_exchange(V, [P.rr(V, 65, svc)], qtype=65) + [udp_to(X, dport=443)],
         [DNSQ, D("drop", "vendor", V, "dns")], doc="an HTTPS record's ipv4hint")
    svc = struct.pack("!H", 1) + P.dns_name("edge.cdn.example.net") + struct.pack("!HH", 4, 4) + X
    case("dns_https_target_hint", "block",
         dns_exchange(V, [P.rr(V, 65, svc)], qtype=65) + [udp_to(X, dport=443)],
         [DNSQ, D("drop", "vendor", V, "dns")],
         doc="an HTTPS record to another target, its ipv4hint the target's address")
    srv = struct.pack("!HHH", 10, 5, 443) + P.dns_name("relay.cdn.example.net")
    case("dns_srv_additional", "block",
         dns_exchange(V, [P.rr(V, 33, srv)], qtype=33,
                      additional=[P.rr("relay.cdn.example.net", 1, X)]) + [udp_to(X)],
         [DNSQ, D("drop", "vendor", V, "dns")],
         doc="an SRV record; its target's address in the additional section")
    links = ["l%d.cdn.example.net" % i for i in range(50)]
    chain = [P.rr(V, 5, links[0])] + [P.rr(links[i], 5, links[i + 1]) for i in range(49)] + \
        [P.rr(links[49], 1, X)]
    case("dns_cname_chain_50", "block", dns_exchange(V, chain[::-1]) + [udp_to(X)],
         [DNSQ, D("drop", "vendor", V, "dns")],
         doc="a chain of 50 CNAMEs, written last link first, before the A record")


# =============================================================================
# Packets that do not decode
# =============================================================================


def undecodable_cases():
    seg = P.tcp(CAM6, X6, 40000, 443, 1000, 0, TCP_SYN)
    ext = [(60, b"\0" * 6)] * 9
    f9 = P.ether(P.ipv6(CAM6, X6, 6, seg, ext=ext), v6=True)
    case("ipv6_9_extension_headers", "block", [f9],
         [D("drop", note="undecodable", src="fd00::64", dst="2001:db8::7", dport=NULL)])
    case("ipv6_9_extension_headers_allow", "allow", [f9], [D("drop", note="undecodable")])
    f8 = P.ether(P.ipv6(CAM6, X6, 6, P.tcp(CAM6, X6, 40000, 443, 1000, 0, TCP_SYN),
                        ext=[(60, b"\0" * 6)] * 8), v6=True)
    case("ipv6_8_extension_headers", "block", [f8], [block_unknown("still waiting")],
         doc="8 extension headers decode; the SYN waits for its name")
    c = Conn(X6, 443, src=CAM6)
    f = P.ether(P.ipv6(CAM6, X6, 6, P.tcp(CAM6, X6, 40000, 443, 1001, 70001, TCP_ACK | TCP_PSH,
                                          hv()), ext=ext), v6=True)
    case("ipv6_9_extension_headers_mid_flow", "block", c.handshake() + [f],
         [D("drop", note="undecodable"), block_unknown("still waiting")],
         doc="the hello inside a packet with 9 extension headers")
    syn = P.tcp(CAM4, X, 40000, 443, 1000, 0, TCP_SYN)
    ip = P.ipv4(CAM4, X, 6, syn)
    f3 = P.ether(ip, vlans=[(0x88a8, 1), (0x8100, 2), (0x8100, 3)])
    case("vlan_three_tags", "block", [f3],
         [D("drop", note="undecodable", mac="44:47:cc:00:00:64")])
    c = Conn(X, 443)
    vl = [(0x88a8, 1), (0x8100, 2)]
    fr = [c.syn(), c.synack(), c.c(TCP_ACK, c.isn + 1, vlans=vl),
          c.c(TCP_ACK | TCP_PSH, c.isn + 1, hv(), vlans=vl)]
    case("vlan_two_tags_vendor", "block", fr, [DROP_V], doc="two tags decode")

    def frag_case(name, l4sizes, order, payload, exp, v6=False):
        c = Conn(X6 if v6 else X, 443, src=CAM6 if v6 else CAM4)
        src, dst = c.src, c.dst
        seg = P.tcp(src, dst, 40000, 443, c.isn + 1, c.sisn + 1, TCP_ACK | TCP_PSH, payload)
        c.sent = len(payload)
        if v6:
            frs = [P.ether(x, v6=True) for x in P.v6_fragments(src, dst, 6, seg, l4sizes,
                                                                order=order)]
        else:
            frs = [P.ether(x) for x in P.v4_fragments(src, dst, 6, seg, l4sizes, order=order)]
        case(name, "block", c.handshake() + frs + [c.ack()], exp,
             doc="the hello's segment in IP fragments: replay puts them together")

    frag_case("ipv4_fragments_vendor", [64, 64], [2, 0, 1], hv(), [DROP_V])
    frag_case("ipv4_fragments_8_bytes_vendor", [8] * 30, None, hv(), [DROP_V])
    frag_case("ipv4_fragments_benign", [96], None, P.hello(B), [allow_out(B)])
    frag_case("ipv6_fragments_vendor", [64, 64], [1, 2, 0], hv(), [DROP_V], v6=True)
    c = Conn(X, 443)
    seg = P.tcp(CAM4, X, 40000, 443, c.isn + 1, c.sisn + 1, TCP_ACK | TCP_PSH, hv())
    f1 = P.ipv4(CAM4, X, 6, seg[:64], ident=77, frag=0x2000)
    f2 = P.ipv4(CAM4, X, 6, b"Z" * 16 + seg[64 + 8:], ident=77, frag=(64 - 8) // 8)
    case("ipv4_fragments_overlap", "block", c.handshake() + [P.ether(f1), P.ether(f2)],
         [block_unknown("still waiting")], doc="overlapping fragments: the datagram is dropped")
    ip = P.ipv4(CAM4, X, 6, syn)
    case("ipv4_truncated_header", "block", [P.ether(ip[:12])],
         [D("drop", note="undecodable", src=NULL, mac="44:47:cc:00:00:64")])
    case("ipv4_total_beyond_capture", "block", [P.ether(ip[:30])],
         [D("drop", note="undecodable")])
    case("ipv4_ihl_below_5", "block", [P.ether(bytes([0x44]) + ip[1:])],
         [D("drop", note="undecodable")])
    case("tcp_header_truncated", "block", [P.ether(P.ipv4(CAM4, X, 6, syn[:10]))],
         [D("drop", note="undecodable", src="192.168.1.64")])
    c = Conn(X, 443)
    opts = b"\x01" * 40
    segd = P.tcp(CAM4, X, 40000, 443, c.isn + 1, c.sisn + 1, TCP_ACK | TCP_PSH, hv())
    case("ipv4_options_vendor", "block",
         c.handshake() + [P.ether(P.ipv4(CAM4, X, 6, segd, options=opts))], [DROP_V],
         doc="an IPv4 header with 40 bytes of options decodes")


def build():
    del CASES[:]
    tcp_cases()
    tls_cases()
    http_cases()
    socks_cases()
    dns_cases()
    undecodable_cases()
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    return CASES


def nulls(v):
    """NULL (must be null) as JSON null."""
    if v == NULL:
        return None
    if isinstance(v, dict):
        return {k: nulls(x) for k, x in v.items()}
    if isinstance(v, list):
        return [nulls(x) for x in v]
    return v


def write(outdir, registry):
    os.makedirs(outdir, exist_ok=True)
    for pol, rules in POLICIES.items():
        with open(os.path.join(outdir, pol + ".conf"), "w") as f:
            f.write(POLICY_HEAD % registry + rules)
    index = []
    for c in build():
        path = os.path.join(outdir, c["name"] + ".pcap")
        with open(path, "wb") as f:
            f.write(P.pcap(c["frames"]))
        entry = {k: nulls(v) for k, v in c.items() if k != "frames"}
        entry["capture"] = c["name"] + ".pcap"
        index.append(entry)
    with open(os.path.join(outdir, "cases.json"), "w") as f:
        json.dump(index, f, indent=1)
    return index


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    reg = argv[2] if len(argv) > 2 else os.path.join(P.HERE, "..", "..", "policies",
                                                      "camera-vendors.manuf")
    idx = write(argv[1], os.path.abspath(reg))
    print("%d cases in %s" % (len(idx), argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
