#!/usr/bin/env python3
"""Cut each client's byte stream out of http-lo.pcap into one .bin file.

Usage: http-extract.py PCAP OUTDIR (see README.md, "HTTP requests").
Clients are told apart by the local port each curl was given
(--local-port); segments are put in sequence order, repeats dropped.
"""
import struct
import sys

FILES = {
    40001: "host-header.bin",
    40002: "resolve-port.bin",
    40003: "proxy-absolute.bin",
    40004: "http10-no-host.bin",
    40005: "post-ipv4.bin",
    40006: "ipv6-literal.bin",
    40007: "connect.bin",
    40008: "tls-clienthello.bin",
    40009: "h2-prior-knowledge.bin",
}
SERVER_PORT = 8080


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        sys.exit("not a pcap file")
    linktype = struct.unpack(end + "I", data[20:24])[0]
    if linktype != 1:
        sys.exit("expected Ethernet link type, got %d" % linktype)
    off = 24
    while off + 16 <= len(data):
        incl, orig = struct.unpack(end + "II", data[off + 8:off + 16])
        if incl != orig:
            sys.exit("truncated packet in capture")
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def tcp_segment(frame):
    etype = struct.unpack("!H", frame[12:14])[0]
    ip = frame[14:]
    if etype == 0x0800:
        ihl = (ip[0] & 0xF) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        proto, tcp = ip[9], ip[ihl:total]
    elif etype == 0x86DD:
        plen = struct.unpack("!H", ip[4:6])[0]
        proto, tcp = ip[6], ip[40:40 + plen]
    else:
        return None
    if proto != 6:
        return None
    sport, dport, seq = struct.unpack("!HHI", tcp[:8])
    flags = tcp[13]
    doff = (tcp[12] >> 4) * 4
    return sport, dport, seq, flags, tcp[doff:]


def main():
    pcap, outdir = sys.argv[1], sys.argv[2]
    isn, segs = {}, {}
    for frame in packets(pcap):
        seg = tcp_segment(frame)
        if not seg:
            continue
        sport, dport, seq, flags, payload = seg
        if dport != SERVER_PORT:
            continue
        if flags & 0x02:  # SYN: the stream starts at seq + 1
            isn[sport] = seq + 1
        elif payload:
            segs.setdefault(sport, {}).setdefault(seq, payload)
    for sport, name in FILES.items():
        stream, want = b"", isn[sport]
        for seq in sorted(segs.get(sport, {})):
            payload = segs[sport][seq]
            if seq > want:
                sys.exit("%s: gap in stream" % name)
            stream += payload[want - seq:]
            want = max(want, seq + len(payload))
        with open("%s/%s" % (outdir, name), "wb") as f:
            f.write(stream)
        print("%-24s %5d bytes" % (name, len(stream)))
    # the ssh client got no fixed port; it is the one left over
    rest = [p for p in isn if p not in FILES]
    if len(rest) == 1:
        p = rest[0]
        stream = b"".join(segs[p][s] for s in sorted(segs[p]))
        with open("%s/ssh-banner.bin" % outdir, "wb") as f:
            f.write(stream)
        print("%-24s %5d bytes" % ("ssh-banner.bin", len(stream)))


main()
