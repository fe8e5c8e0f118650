"""Raw packets and pcap files for the adversarial captures (no scapy needed).

Everything here is bytes: Ethernet, VLAN, IPv4/IPv6 (with extension
headers and fragments), TCP and UDP with real checksums, a TCP connection
helper that keeps the sequence numbers, TLS ClientHellos (built on the real
OpenSSL 3 hello in tests/data/tls), HTTP, SOCKS and DNS messages.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")

# --- the network of the captures ---------------------------------------------
# 44:47:cc is Hangzhou Hikvision in policies/camera-vendors.manuf.
CAM_MAC = bytes.fromhex("4447cc000064")
ROUTER_MAC = bytes.fromhex("020000000001")
CAM4 = bytes([192, 168, 1, 64])
CAM4_2 = bytes([192, 168, 1, 65])  # a second address of the same camera
ROUTER4 = bytes([192, 168, 1, 1])
CAM6 = bytes.fromhex("fd000000000000000000000000000064")
ROUTER6 = bytes.fromhex("fd000000000000000000000000000001")


def wan4(n):
    return bytes([198, 51, 100, n])


def wan6(n):
    return bytes.fromhex("20010db8000000000000000000000000")[:15] + bytes([n])


def ip_str(a):
    if len(a) == 4:
        return ".".join(str(b) for b in a)
    import ipaddress
    return str(ipaddress.IPv6Address(a))


# --- pcap -------------------------------------------------------------------


def pcap(frames, t0=1700000000, step_us=1000):
    """A classic pcap (Ethernet) of the frames, step_us apart."""
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1)]
    for i, f in enumerate(frames):
        us = i * step_us
        out.append(struct.pack("<IIII", t0 + us // 1000000, us % 1000000, len(f), len(f)))
        out.append(f)
    return b"".join(out)


# --- link and IP ----------------------------------------------------------------


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ether(payload, src=CAM_MAC, dst=ROUTER_MAC, v6=False, vlans=()):
    tags = b"".join(struct.pack("!HH", tpid, vid) for tpid, vid in vlans)
    return dst + src + tags + (b"\x86\xdd" if v6 else b"\x08\x00") + payload


_ident = [100]


def ipv4(src, dst, proto, payload, ttl=64, ident=None, frag=0, options=b"", total=None):
    if ident is None:
        _ident[0] += 1
        ident = _ident[0] & 0xffff
    ihl = 5 + len(options) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total or ihl * 4 + len(payload), ident,
                      frag, ttl, proto, 0, src, dst) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, nh, payload, hops=64, ext=()):
    """ext: (type, body) extension headers in order; body without next/len bytes."""
    chain = b""
    types = [t for t, _ in ext] + [nh]
    for i, (t, body) in enumerate(ext):
        nxt = types[i + 1]
        if t == 44:  # fragment header: body is its 6 bytes after next and reserved
            chain += bytes([nxt, 0]) + body
        else:
            raw = bytes([nxt, 0]) + body
            pad = (-len(raw)) % 8
            raw += b"\x01" + bytes([pad - 2]) + b"\0" * (pad - 2) if pad >= 2 else b"\0" * pad
            chain += raw[:1] + bytes([len(raw) // 8 - 1]) + raw[2:]
    first = types[0]
    return struct.pack("!IHBB16s16s", 0x60000000, len(chain) + len(payload), first, hops, src,
                       dst) + chain + payload


def pseudo(src, dst, proto, length):
    if len(src) == 4:
        return struct.pack("!4s4sBBH", src, dst, 0, proto, length)
    return struct.pack("!16s16sIxxxB", src, dst, length, proto)


TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG = 1, 2, 4, 8, 16, 32


def tcp(src, dst, sport, dport, seq, ack, flags, data=b"", urp=0, win=64240, bad_csum=False):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff, 5 << 4,
                      flags, win, 0, urp)
    c = csum(pseudo(src, dst, 6, len(hdr) + len(data)) + hdr + data)
    if bad_csum:
        c ^= 0x5a5a
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + data


def udp(src, dst, sport, dport, data):
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    c = csum(pseudo(src, dst, 17, 8 + len(data)) + hdr + data) or 0xffff
    return hdr[:6] + struct.pack("!H", c) + data


def ip_packet(src, dst, proto, l4, **kw):
    if len(src) == 4:
        return ipv4(src, dst, proto, l4, **kw)
    return ipv6(src, dst, proto, l4, **kw)


def frame(src, dst, proto, l4, mac=None, vlans=(), **ipkw):
    """A frame from src to dst: the camera's MAC when src is one of its addresses."""
    if mac is None:
        mac = CAM_MAC if src in (CAM4, CAM4_2, CAM6) else ROUTER_MAC
    dmac = ROUTER_MAC if mac == CAM_MAC else CAM_MAC
    return ether(ip_packet(src, dst, proto, l4, **ipkw), src=mac, dst=dmac, v6=len(src) == 16,
                 vlans=vlans)


def udp_frame(src, dst, sport, dport, data, **kw):
    return frame(src, dst, 17, udp(src, dst, sport, dport, data), **kw)


def v4_fragments(src, dst, proto, l4, sizes, ident=4242, order=None, ttl=64):
    """The datagram's payload l4 cut at the given sizes (multiples of 8, the last takes the rest)."""
    pieces, off = [], 0
    for n in sizes:
        pieces.append((off, l4[off:off + n]))
        off += n
    if off < len(l4):
        pieces.append((off, l4[off:]))
    out = []
    for i, (o, p) in enumerate(pieces):
        more = 0x2000 if i < len(pieces) - 1 else 0
        out.append(ipv4(src, dst, proto, p, ident=ident, frag=more | (o // 8), ttl=ttl))
    if order:
        out = [out[i] for i in order]
    return out


def v6_fragments(src, dst, proto, l4, sizes, ident=0x4242, order=None):
    pieces, off = [], 0
    for n in sizes:
        pieces.append((off, l4[off:off + n]))
        off += n
    if off < len(l4):
        pieces.append((off, l4[off:]))
    out = []
    for i, (o, p) in enumerate(pieces):
        more = 1 if i < len(pieces) - 1 else 0
        fh = struct.pack("!HI", o | more, ident)
        out.append(ipv6(src, dst, proto, p, ext=[(44, fh)]))
    if order:
        out = [out[i] for i in order]
    return out


# --- a TCP connection -----------------------------------------------------------


class Conn:
    """One TCP connection of the camera; offsets count from the first data byte."""

    def __init__(self, dst, dport, sport=40000, src=CAM4, isn=1000, sisn=70000):
        self.src, self.dst, self.sport, self.dport = src, dst, sport, dport
        self.isn, self.sisn = isn, sisn
        self.sent = 0   # client bytes sent in order so far
        self.srv_sent = 0

    def c(self, flags, seq, data=b"", ack=None, mac=None, urp=0, ttl=64, bad_csum=False,
          vlans=()):
        if ack is None:
            ack = self.sisn + 1 + self.srv_sent if flags & TCP_ACK else 0
        seg = tcp(self.src, self.dst, self.sport, self.dport, seq, ack, flags, data, urp=urp,
                  bad_csum=bad_csum)
        kw = {"ttl": ttl} if len(self.src) == 4 else {"hops": ttl}
        return frame(self.src, self.dst, 6, seg, mac=mac, vlans=vlans, **kw)

    def s(self, flags, ack, data=b"", mac=ROUTER_MAC, seq=None):
        """A packet of the server's (from the router's MAC unless forged)."""
        if seq is None:
            seq = self.sisn + (0 if flags & TCP_SYN else 1 + self.srv_sent)
        seg = tcp(self.dst, self.src, self.dport, self.sport, seq, ack, flags, data)
        return frame(self.dst, self.src, 6, seg, mac=mac)

    def syn(self, data=b"", isn=None, flags=TCP_SYN):
        return self.c(flags, self.isn if isn is None else isn, data, ack=0)

    def synack(self, acked_syn_data=0, mac=ROUTER_MAC):
        return self.s(TCP_SYN | TCP_ACK, self.isn + 1 + acked_syn_data, mac=mac)

    def handshake(self):
        return [self.syn(), self.synack(), self.c(TCP_ACK, self.isn + 1)]

    def data(self, payload, off=None, flags=TCP_PSH | TCP_ACK, **kw):
        """A segment of payload at offset off (default: after what was sent)."""
        if off is None:
            off = self.sent
        self.sent = max(self.sent, off + len(payload))
        return self.c(flags, self.isn + 1 + off, payload, **kw)

    def segments(self, payload, size, order=None, **kw):
        base = self.sent
        segs = [(base + i, payload[i:i + size]) for i in range(0, len(payload), size)]
        if order:
            assert sorted(order) == list(range(len(segs))), (len(segs), order)
            segs = [segs[i] for i in order]
        return [self.data(p, off=o, **kw) for o, p in segs]

    def ack(self, upto=None, mac=ROUTER_MAC, data=b""):
        """The server acknowledges the client's bytes up to offset upto (default: all)."""
        upto = self.sent if upto is None else upto
        f = self.s(TCP_ACK | (TCP_PSH if data else 0), self.isn + 1 + upto, data, mac=mac)
        self.srv_sent += len(data)
        return f

    def fin(self):
        return self.c(TCP_FIN | TCP_ACK, self.isn + 1 + self.sent)

    def rst(self):
        return self.c(TCP_RST | TCP_ACK, self.isn + 1 + self.sent)


# --- TLS ------------------------------------------------------------------------


def _read(name):
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


def _openssl_hello_parts():
    """The real OpenSSL 3 TLS 1.3 hello: (body up to its extensions, [(type, data)])."""
    rec = _read("tls/hello-tls13-openssl.bin")
    hs = rec[5:]
    body = hs[4:4 + int.from_bytes(hs[1:4], "big")]
    p = 2 + 32
    p += 1 + body[p]
    p += 2 + int.from_bytes(body[p:p + 2], "big")
    p += 1 + body[p]
    head = body[:p]
    exts, q = [], p + 2
    while q < len(body):
        t = int.from_bytes(body[q:q + 2], "big")
        n = int.from_bytes(body[q + 2:q + 4], "big")
        exts.append((t, body[q + 4:q + 4 + n]))
        q += 4 + n
    return head, exts


HELLO_HEAD, HELLO_EXTS = _openssl_hello_parts()


def sni_ext(*names, name_type=0):
    entries = b"".join(bytes([name_type]) + struct.pack("!H", len(n)) + n for n in
                       (x.encode("latin-1") if isinstance(x, str) else x for x in names))
    return (0, struct.pack("!H", len(entries)) + entries)


def hello_body(sni=None, exts=None, pad=0, no_sni=False):
    """A ClientHello body: OpenSSL's, its server_name replaced (sni: a name or an ext list)."""
    if exts is None:
        exts = []
        if not no_sni:
            if isinstance(sni, list):
                exts.extend(sni)
            else:
                exts.append(sni_ext(sni))
        exts += [e for e in HELLO_EXTS if e[0] != 0]
    if pad:
        exts = exts + [(21, b"\0" * pad)]
    raw = b"".join(struct.pack("!HH", t, len(d)) + d for t, d in exts)
    return HELLO_HEAD + struct.pack("!H", len(raw)) + raw


def handshake_msg(body):
    return b"\x01" + struct.pack("!I", len(body))[1:] + body


def records(msg, sizes=None, version=0x0301, ctype=22):
    """msg cut into records of the given fragment sizes (the last takes the rest)."""
    out, off = b"", 0
    for n in (sizes or []):
        out += struct.pack("!BHH", ctype, version, n) + msg[off:off + n]
        off += n
    if off < len(msg) or not sizes:
        out += struct.pack("!BHH", ctype, version, len(msg) - off) + msg[off:]
    return out


def hello(sni=None, version=0x0301, sizes=None, **kw):
    return records(handshake_msg(hello_body(sni, **kw)), sizes, version)


def hello_padded_to(sni, body_len):
    """A hello whose body is body_len bytes, padded with a padding extension."""
    base = len(hello_body(sni, pad=0)) + 4
    return hello_body(sni, pad=body_len - base)


# --- HTTP, SOCKS ------------------------------------------------------------------


def http_get(host, path="/", extra=b"", version=b"HTTP/1.1", method=b"GET"):
    h = b"Host: " + host.encode() + b"\r\n" if host is not None else b""
    return (method + b" " + path.encode() + b" " + version + b"\r\n" + h +
            b"User-Agent: cam/1.0\r\nAccept: */*\r\n" + extra + b"\r\n")


def socks5_greeting(*methods):
    return bytes([5, len(methods)]) + bytes(methods)


def socks5_request(host=None, addr=None, port=443, cmd=1):
    if host is not None:
        h = host.encode()
        a = bytes([3, len(h)]) + h
    elif len(addr) == 4:
        a = b"\x01" + addr
    else:
        a = b"\x04" + addr
    return bytes([5, cmd, 0]) + a + struct.pack("!H", port)


def socks5_auth(user=b"cam", pw=b"secret"):
    return bytes([1, len(user)]) + user + bytes([len(pw)]) + pw


def socks4a(host, port=443, user=b"cam"):
    return b"\x04\x01" + struct.pack("!H", port) + b"\0\0\0\x01" + user + b"\0" + \
        host.encode() + b"\0"


# --- DNS ------------------------------------------------------------------------


def dns_name(name):
    return b"".join(bytes([len(l)]) + l for l in
                    (p.encode() for p in name.rstrip(".").split(".") if p)) + b"\0"


def rr(name, rtype, data, ttl=300):
    if rtype == 1:
        rd = data
    elif rtype == 28:
        rd = data
    elif rtype == 5:
        rd = dns_name(data)
    else:
        rd = data
    return dns_name(name) + struct.pack("!HHIH", rtype, 1, ttl, len(rd)) + rd


def dns_query(qid, name, qtype=1):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + dns_name(name) + \
        struct.pack("!HH", qtype, 1)


def dns_answer(qid, name, answers, qtype=1, additional=()):
    return (struct.pack("!HHHHHH", qid, 0x8180, 1, len(answers), 0, len(additional)) +
            dns_name(name) + struct.pack("!HH", qtype, 1) + b"".join(answers) +
            b"".join(additional))
