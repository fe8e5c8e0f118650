#!/usr/bin/env python3
# tls-extract.py - cut each client's first flight (its bytes to the server
# before the server's first reply) out of tls-lo.pcap into tls/*.bin.
# Run once from tests/data after capturing; see README.md.
import struct
import sys

PORT = 4433
NAMES = ["hello-tls13-openssl.bin", "hello-tls12-openssl.bin", "hello-nosni.bin",
         "hello-curl.bin", "hello-python.bin"]


def packets(path):
    with open(path, "rb") as f:
        hdr = f.read(24)
        magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", hdr)
        assert magic == 0xA1B2C3D4 and linktype == 1, "need a little-endian Ethernet pcap"
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            _, _, incl, _ = struct.unpack("<IIII", rec)
            yield f.read(incl)


def tcp_segments(path):
    for frame in packets(path):
        if struct.unpack("!H", frame[12:14])[0] != 0x0800:
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        if ip[9] != 6:
            continue
        tcp = ip[ihl:total]
        sport, dport, seq = struct.unpack("!HHI", tcp[:8])
        doff = (tcp[12] >> 4) * 4
        yield sport, dport, seq, tcp[doff:]


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "tls-lo.pcap"
    flights = {}   # client port -> {seq: payload}
    done = set()   # client ports the server has answered
    order = []
    for sport, dport, seq, data in tcp_segments(path):
        if dport == PORT:
            if sport not in flights:
                flights[sport] = {}
                order.append(sport)
            if data and sport not in done:
                flights[sport][seq] = data
        elif sport == PORT and data:
            done.add(dport)
    assert len(order) == len(NAMES), f"expected {len(NAMES)} connections, got {len(order)}"
    for port, name in zip(order, NAMES):
        segs = flights[port]
        out = b"".join(segs[s] for s in sorted(segs))
        with open("tls/" + name, "wb") as f:
            f.write(out)
        print(f"{name}: client port {port}, {len(out)} bytes")


if __name__ == "__main__":
    main()
