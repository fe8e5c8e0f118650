#!/usr/bin/env python3
"""DNS-answer flood of the memory benchmark (tests/bench/run-lab).

Run in the lab's WAN namespace: sends COUNT DNS answers, each for a name
never seen before (fN.TAG.flood.example) with an A record of its own
address (in 100.64.0.0/10), from SRC:53 to DST:PORT, in batches of BATCH
with a short pause, so that a queue of 4096 packets never overflows.
Usage: dns-flood.py SRC DST PORT COUNT TAG [BATCH]
"""
import socket
import struct
import sys
import time

src, dst, port, count, tag = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
batch = int(sys.argv[6]) if len(sys.argv) > 6 else 256

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((src, 53))
for i in range(count):
    name = b"".join(bytes([len(p)]) + p for p in (b"f%d" % i, tag.encode(), b"flood", b"example")) + b"\0"
    addr = (100 << 24) | (64 << 16) | (i & 0x3fffff)
    msg = struct.pack("!HHHHHH", i & 0xffff, 0x8180, 1, 1, 0, 0) + name + struct.pack("!HH", 1, 1)
    msg += struct.pack("!HHHIHI", 0xC00C, 1, 1, 300, 4, addr)
    s.sendto(msg, (dst, port))
    if i % batch == batch - 1:
        time.sleep(0.002)
