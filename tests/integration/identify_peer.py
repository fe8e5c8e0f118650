#!/usr/bin/env python3
"""Peers for the identify tests (tests/integration/cases/48-identify.sh),
run inside a lab namespace (ip netns exec).  Python 3, stdlib only; every
command is bounded in time and in what it sends.

  hold ADDR NAME SECONDS
        One TLS connection to ADDR:443 (SNI NAME, certificate not checked),
        kept alive: a GET every 0.1 s, each answer counted in the second it
        arrived.  Prints the counts per second, then "open", "reset",
        "closed" or "refused" (how the connection ended), then port=N (its
        local port).  Never reconnects:
        what it measures is the one flow that started first.
  sadp-answer DST [--oem TEXT] [--model M] [--serial S] [--firmware F] [--mac M]
        One well-formed SADP ProbeMatch from port 37020 to DST:37020 (an
        address or 239.255.255.250), as a camera answers a Probe.
  wsd ROLE DST [--types TYPES] [--name NAME]
        One WS-Discovery message from port 3702 to DST:3702: ROLE hello or
        probematches (an answer, with TYPES and, when NAME is given, the
        ONVIF name scope), or probe (a search that names TYPES).
  search LOCAL SECONDS
        From the router: a WS-Discovery Probe naming no Types (printers
        answer it too) and an SSDP M-SEARCH ssdp:all to 239.255.255.250, out
        of the interface holding address LOCAL; after SECONDS prints
        "wsd ADDR" / "ssdp ADDR" for each host that answered.
  junk DST
        Malformed and oversized discovery datagrams to DST (SADP 37020,
        DHIP 37810, WS-Discovery 3702): truncated and mismatched XML,
        nesting past the decoders' depth, a DOCTYPE, binary noise, DHIP
        headers whose lengths lie, broken JSON, WS-Discovery near-misses
        (a search naming NetworkVideoTransmitter, the word outside Types,
        NetworkVideoTransmitterX) and, when DST is IPv6, a well-formed
        ProbeMatch larger than any IPv4 UDP payload.  Prints how many it
        sent.  None of them describes a camera.
  dhcp IFACE [--hostname H] [--vendor-class V] [--params LIST] [--chaddr MAC] [--from ADDR]
        One DHCPREQUEST from port 68 to 255.255.255.255:67, as a DHCP
        client sends it: options 53 (request), 12 (H), 60 (V), 55 (LIST,
        e.g. 1,3,6,12,15,28,42), 50 and 61, each only when given.  chaddr
        is IFACE's MAC unless --chaddr says otherwise.  Without --from, a
        client at boot: from 0.0.0.0, a raw Ethernet broadcast frame out of
        IFACE; with it, a rebinding client's broadcast from ADDR.
  dns SERVER SECONDS NAME...
        Every second for SECONDS (at most 30), one A query for each NAME
        to SERVER:53 over UDP, in order; answers are read for 0.2 s and not
        looked at.  Prints how many queries were sent.
  nflog-hold GROUP SECONDS READY
        Bind nfnetlink_log group GROUP (one listener a group: the daemon
        then cannot) for SECONDS; READY is created once it is bound.
"""
import argparse
import json
import socket
import ssl
import struct
import sys
import time
import uuid
from xml.sax.saxutils import escape

SADP_PORT, DHIP_PORT, WSD_PORT = 37020, 37810, 3702
SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
DN = "http://www.onvif.org/ver10/network/wsdl"
PRINT = "http://schemas.microsoft.com/windows/2006/08/wdp/print"


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def udp_from(port, addr):
    """A UDP socket bound to port (reused: a responder may hold it too)."""
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family(addr) == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind(("::", port))
    else:
        s.bind(("0.0.0.0", port))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    return s


def send(port, dst, data, sport=None):
    s = udp_from(port if sport is None else sport, dst)
    try:
        s.sendto(data, (dst, port))
    finally:
        s.close()


# --- hold --------------------------------------------------------------------
def hold(addr, name, seconds):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    counts = [0] * seconds
    start = time.monotonic()
    end = start + seconds
    how = "open"
    try:
        raw = socket.create_connection((addr, 443), timeout=3)
        s = ctx.wrap_socket(raw, server_hostname=name)
    except OSError:
        print(" ".join(map(str, counts)), "refused", "port=0")
        return 0
    port = s.getsockname()[1]
    req = ("GET / HTTP/1.1\r\nHost: %s\r\nConnection: keep-alive\r\n\r\n" % name).encode()
    buf, waiting, sent_at = b"", False, 0.0
    try:
        while True:
            now = time.monotonic()
            if now >= end:
                break
            if not waiting and now - sent_at >= 0.1:
                s.sendall(req)
                waiting, sent_at = True, now
            s.settimeout(max(0.01, min(0.1, end - now)))
            try:
                b = s.recv(65536)
            except (socket.timeout, ssl.SSLWantReadError):
                continue
            if not b:
                how = "closed"
                break
            buf += b
            # one whole answer: head, then Content-Length bytes
            while b"\r\n\r\n" in buf:
                head, rest = buf.split(b"\r\n\r\n", 1)
                n = 0
                for ln in head.split(b"\r\n"):
                    k, _, v = ln.partition(b":")
                    if k.strip().lower() == b"content-length":
                        n = int(v.strip() or 0)
                if len(rest) < n:
                    break
                buf = rest[n:]
                i = int(time.monotonic() - start)
                if i < seconds:
                    counts[i] += 1
                waiting = False
    except (ConnectionResetError, ssl.SSLError, BrokenPipeError, OSError) as e:
        how = "reset" if isinstance(e, (ConnectionResetError, BrokenPipeError)) else "closed"
    finally:
        try:
            s.close()
        except OSError:
            pass
    print(" ".join(map(str, counts)), how, "port=%d" % port)
    return 0


# --- SADP ----------------------------------------------------------------------
def sadp_match(a, u=None):
    f = [("Uuid", u or str(uuid.uuid4()).upper()), ("Types", "inquiry"), ("DeviceType", "138"),
         ("DeviceDescription", a.model), ("DeviceSN", a.serial), ("CommandPort", "8000"),
         ("HttpPort", "80"), ("MAC", a.mac.replace(":", "-").lower()), ("IPv4Address", a.ipv4),
         ("IPv4SubnetMask", "255.255.255.0"), ("SoftwareVersion", a.firmware),
         ("DSPVersion", "V7.3 build 220112"), ("Activated", "true")]
    if a.oem:
        f.append(("OEMInfo", a.oem))
    body = "".join("<%s>%s</%s>" % (k, escape(v), k) for k, v in f)
    return ('<?xml version="1.0" encoding="UTF-8"?><ProbeMatch>%s</ProbeMatch>' % body).encode()


def dhip(body, n1=None, n2=None, magic=b"DHIP"):
    n1 = len(body) if n1 is None else n1
    n2 = n1 if n2 is None else n2
    return (b"\x20\x00\x00\x00" + magic + b"\x00" * 8 + struct.pack("<I", n1) + b"\x00" * 4
            + struct.pack("<I", n2) + b"\x00" * 4 + body)


# --- WS-Discovery -------------------------------------------------------------
def wsd_msg(action, body, relates=None):
    rel = "<wsa:RelatesTo>%s</wsa:RelatesTo>" % relates if relates else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            '<soap:Envelope xmlns:soap="%s" xmlns:wsa="%s" xmlns:d="%s" xmlns:dn="%s" '
            'xmlns:print="%s"><soap:Header><wsa:MessageID>urn:uuid:%s</wsa:MessageID>%s'
            '<wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>'
            '<wsa:Action>%s/%s</wsa:Action></soap:Header><soap:Body>%s</soap:Body>'
            '</soap:Envelope>' % (SOAP, WSA, WSD, DN, PRINT, uuid.uuid4(), rel, WSD, action,
                                  body)).encode()


def wsd_descr(types, scopes, xaddr):
    sc = "<d:Scopes>%s</d:Scopes>" % escape(scopes) if scopes else ""
    return ("<wsa:EndpointReference><wsa:Address>urn:uuid:%s</wsa:Address>"
            "</wsa:EndpointReference><d:Types>%s</d:Types>%s<d:XAddrs>%s</d:XAddrs>"
            "<d:MetadataVersion>1</d:MetadataVersion>" % (uuid.uuid4(), types, sc, xaddr))


def wsd_answer(role, types, name, xaddr="http://192.0.2.1/onvif/device_service"):
    scopes = "onvif://www.onvif.org/name/%s" % name.replace(" ", "%20") if name else ""
    d = wsd_descr(types, scopes, xaddr)
    if role == "hello":
        return wsd_msg("Hello", "<d:Hello>%s</d:Hello>" % d)
    return wsd_msg("ProbeMatches", "<d:ProbeMatches><d:ProbeMatch>%s</d:ProbeMatch></d:ProbeMatches>" % d,
                   "urn:uuid:%s" % uuid.uuid4())


def wsd_probe_msg(types):
    t = "<d:Types>%s</d:Types>" % types if types else ""
    return wsd_msg("Probe", "<d:Probe>%s</d:Probe>" % t)


def search(local, seconds):
    """From the router: a WS-Discovery Probe naming no Types (every device
    answers it, printers too) and an SSDP M-SEARCH ssdp:all, to
    239.255.255.250 out of the interface holding local; "wsd ADDR" and
    "ssdp ADDR" for each host that answered."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((local, 0))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(local))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    s.sendto(wsd_probe_msg(""), ("239.255.255.250", WSD_PORT))
    s.sendto(b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n"
             b"MX: 1\r\nST: ssdp:all\r\n\r\n", ("239.255.255.250", 1900))
    seen = set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            data, peer = s.recvfrom(65535)
        except OSError:
            break
        if peer[1] == WSD_PORT and b"ProbeMatches" in data:
            seen.add("wsd " + peer[0])
        elif peer[1] == 1900 and data.startswith(b"HTTP/1.1 200"):
            seen.add("ssdp " + peer[0])
    for x in sorted(seen):
        print(x)
    return 0


# --- junk ---------------------------------------------------------------------
def junk(dst):
    class A:
        model, serial, firmware, mac, ipv4, oem = "DS-2CD0000", "JUNK0001", "V1.0", \
            "02:00:00:00:00:99", "192.0.2.99", ""
    good = sadp_match(A)
    inner = good[good.index(b"<ProbeMatch>"):]
    sadp = [
        good[:len(good) // 2],                                   # cut in half
        good.replace(b"</ProbeMatch>", b""),                     # root never closed
        good.replace(b"</DeviceSN>", b"</DeviceSn>"),            # mismatched end tag
        good.replace(b"<ProbeMatch>", b"<ProbeMatch>" + b"<a>" * 40, 1)
        .replace(b"</ProbeMatch>", b"</a>" * 40 + b"</ProbeMatch>"),  # 41 deep
        b'<?xml version="1.0"?><!DOCTYPE ProbeMatch [<!ENTITY x "y">]>' + inner,  # a DTD
        good + b"<ProbeMatch>" + inner,                          # a second root
        good + b"trailing text",                                 # text after the root
        b"\x00\xff" * 700,                                       # binary noise
        b"<ProbeMatch" + b" a='1'" * 9000,                       # a start tag never ended
        # 65 000 bytes, the root left open: past every buffer but the datagram's
        good.replace(b"</ProbeMatch>", b"<DSPVersion>" + b"A" * (65000 - len(good))),
    ]
    info = json.dumps({"method": "client.notifyDevInfo", "mac": "02:00:00:00:00:99",
                       "params": {"deviceInfo": {"DeviceType": "IPC-JUNK", "SerialNo": "J1",
                                                 "Vendor": "Dahua"}}}).encode()
    dh = [
        dhip(info, n1=len(info) + 1000),                         # length past the datagram
        dhip(info, n1=len(info), n2=len(info) - 1),              # the two lengths differ
        dhip(info, magic=b"DHIQ"),                               # not DHIP
        dhip(info[:-3]),                                         # JSON cut
        dhip(b"[" * 5000 + b"]" * 5000),                         # JSON nested 5000 deep
        dhip(info, n1=0xffffffff),                               # a length of 4 GiB
        dhip(b'{"method":"client.notifyDevInfo","params":' + b'{"a":' * 60 + b"1" + b"}" * 60 + b"}"),
        info,                                                    # no header at all
        b"\x20\x00\x00\x00DHIP",                                 # header cut
    ]
    wsd = [
        wsd_probe_msg("dn:NetworkVideoTransmitter"),             # a search, not an answer
        wsd_answer("hello", "dn:NetworkVideoTransmitterX", "Hikvision"),
        wsd_answer("hello", "print:PrintDeviceType", "Hikvision",
                   "http://192.0.2.1/NetworkVideoTransmitter"),  # the word in XAddrs only
        wsd_answer("probematches", "dn:Device dn:NetworkVideoTransmitter", "Hikvision")[:-40],
        wsd_msg("Hello", "<d:Bye>%s</d:Bye>" % wsd_descr("dn:NetworkVideoTransmitter",
                                                         "onvif://www.onvif.org/name/Hikvision",
                                                         "http://192.0.2.1/")),  # action and body differ
        wsd_msg("Bye", "<d:Bye>%s</d:Bye>" % wsd_descr("dn:NetworkVideoTransmitter",
                                                       "onvif://www.onvif.org/name/Hikvision",
                                                       "http://192.0.2.1/")),  # a Bye is no answer
    ]
    n = 0
    for port, lst in ((SADP_PORT, sadp), (DHIP_PORT, dh), (WSD_PORT, wsd)):
        for d in lst:
            send(port, dst, d)
            n += 1
            time.sleep(0.01)
    if family(dst) == socket.AF_INET6:
        # well-formed, but larger than any IPv4 UDP payload (DISC_PAYLOAD_MAX)
        big = good.replace(b"<Activated>", b"<Pad>" + b"P" * (65520 - len(good) - 11) + b"</Pad><Activated>")
        send(SADP_PORT, dst, big)
        n += 1
    print(n)
    return 0


# --- dhcp --------------------------------------------------------------------
def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def dhcp_request(chaddr, hostname, vendor_class, params, ciaddr):
    opt = bytes([53, 1, 3]) + bytes([61, 7, 1]) + chaddr
    if ciaddr == b"\0\0\0\0":
        opt += bytes([50, 4]) + bytes([192, 168, 77, 199])  # INIT-REBOOT: the address it had
    for code, text in ((12, hostname), (60, vendor_class)):
        if text:
            b = text.encode()
            opt += bytes([code, len(b)]) + b
    if params:
        p = bytes(int(x) for x in params.split(","))
        opt += bytes([55, len(p)]) + p
    opt += b"\xff"
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, int(uuid.uuid4()) & 0xFFFFFFFF,
                        0, 0x8000, ciaddr, b"", b"", b"", chaddr, b"", b"")
    return bootp + b"\x63\x82\x53\x63" + opt


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def dhcp(a):
    own = open("/sys/class/net/%s/address" % a.iface).read().strip()
    chaddr = mac_bytes(a.chaddr or own)
    if a.src:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.iface.encode())
        s.bind((a.src, 68))
        s.sendto(dhcp_request(chaddr, a.hostname, a.vendor_class, a.params, socket.inet_aton(a.src)),
                 ("255.255.255.255", 67))
        s.close()
        return 0
    payload = dhcp_request(chaddr, a.hostname, a.vendor_class, a.params, b"\0\0\0\0")
    udp = struct.pack("!HHHH", 68, 67, 8 + len(payload), 0) + payload  # no UDP checksum (IPv4 allows it)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0x10, 20 + len(udp), 0, 0, 16, 17, 0, b"\0" * 4, b"\xff" * 4)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    frame = b"\xff" * 6 + mac_bytes(own) + b"\x08\x00" + ip + udp
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    s.send(frame)
    s.close()
    return 0


# --- dns ---------------------------------------------------------------------
def dns_query(name):
    q = b"".join(bytes([len(x)]) + x.encode() for x in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", int(uuid.uuid4()) & 0xFFFF, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", 1, 1)


def dns(server, seconds, names):
    s = socket.socket(family(server), socket.SOCK_DGRAM)
    s.settimeout(0.2)
    sent = 0
    start = time.monotonic()
    for i in range(seconds):
        for n in names:
            s.sendto(dns_query(n), (server, 53))
            sent += 1
            try:
                s.recv(4096)
            except OSError:
                pass
        time.sleep(max(0.0, start + i + 1 - time.monotonic()))
    print(sent)
    return 0


# --- nflog-hold ---------------------------------------------------------------
def nflog_hold(group, seconds, ready):
    """Bind nfnetlink_log group GROUP (one listener a group: nobody else can)
    and hold it for SECONDS; touches READY once bound (exit 1 if it cannot)."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
    s.bind((0, 0))
    s.settimeout(2)
    # nfgenmsg: AF_UNSPEC, version 0, the group; NFULA_CFG_CMD (1): NFULNL_CFG_CMD_BIND (1)
    attr = struct.pack("=HHB3x", 5, 1, 1)
    body = struct.pack("!BBH", 0, 0, group) + attr
    hdr = struct.pack("=IHHII", 16 + len(body), (4 << 8) | 1, 1 | 4, 1, 0)  # REQUEST|ACK
    s.send(hdr + body)
    ack = s.recv(4096)
    err = struct.unpack_from("=i", ack, 16)[0] if len(ack) >= 20 else -1
    if err:
        print("nflog-hold: bind group %d: error %d" % (group, -err))
        return 1
    open(ready, "w").close()
    time.sleep(seconds)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("hold")
    h.add_argument("addr")
    h.add_argument("name")
    h.add_argument("seconds", type=int)
    a = sub.add_parser("sadp-answer")
    a.add_argument("dst")
    a.add_argument("--oem", default="")
    a.add_argument("--model", default="DS-2CD1023G0-I")
    a.add_argument("--serial", default="DS-2CD1023G0-I20200101AAWRE00000001")
    a.add_argument("--firmware", default="V5.5.0build 190101")
    a.add_argument("--mac", default="02:00:00:00:00:20")
    a.add_argument("--ipv4", default="192.168.77.20")
    w = sub.add_parser("wsd")
    w.add_argument("role", choices=["hello", "probematches", "probe"])
    w.add_argument("dst")
    w.add_argument("--types", default="")
    w.add_argument("--name", default="")
    p = sub.add_parser("search")
    p.add_argument("local")
    p.add_argument("seconds", type=float)
    n = sub.add_parser("nflog-hold")
    n.add_argument("group", type=int)
    n.add_argument("seconds", type=float)
    n.add_argument("ready")
    j = sub.add_parser("junk")
    j.add_argument("dst")
    d = sub.add_parser("dhcp")
    d.add_argument("iface")
    d.add_argument("--hostname", default="")
    d.add_argument("--vendor-class", default="")
    d.add_argument("--params", default="")
    d.add_argument("--chaddr", default="")
    d.add_argument("--from", dest="src", default="")
    q = sub.add_parser("dns")
    q.add_argument("server")
    q.add_argument("seconds", type=int)
    q.add_argument("names", nargs="+")
    a_ = ap.parse_args()
    if a_.cmd == "hold":
        if not 1 <= a_.seconds <= 60:
            ap.error("hold: 1 to 60 seconds")
        return hold(a_.addr, a_.name, a_.seconds)
    if a_.cmd == "sadp-answer":
        send(SADP_PORT, a_.dst, sadp_match(a_))
        return 0
    if a_.cmd == "wsd":
        d = wsd_probe_msg(a_.types) if a_.role == "probe" else wsd_answer(a_.role, a_.types, a_.name)
        send(WSD_PORT, a_.dst, d)
        return 0
    if a_.cmd == "search":
        return search(a_.local, min(a_.seconds, 10.0))
    if a_.cmd == "dhcp":
        return dhcp(a_)
    if a_.cmd == "dns":
        return dns(a_.server, max(1, min(a_.seconds, 30)), a_.names)
    if a_.cmd == "nflog-hold":
        return nflog_hold(a_.group, min(a_.seconds, 120.0), a_.ready)
    return junk(a_.dst)


if __name__ == "__main__":
    sys.exit(main())
