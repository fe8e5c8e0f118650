#!/usr/bin/env python3
"""DNS flood of the memory benchmark (tests/bench/run-lab): a camera asks
for COUNT names never seen before and gets an answer for each, so that the
router learns COUNT names (nfq-guard learns only answers to queries the
device sent: the query's server, port, ID and question).

  dns-flood.py serve ADDR
      in the WAN namespace: answer every query to ADDR:53 with one A record
      of its own address in 100.64.0.0/10 (from the query's ID and name), TTL 300.
  dns-flood.py ask SERVER COUNT TAG
      on the camera: ask SERVER for fN.TAG.flood.example, N = 0 .. COUNT-1,
      from one socket, at most WINDOW queries unanswered at once (a queue of
      4096 packets never overflows, and nfq-guard keeps 4 per flow); a query
      unanswered within a second is given up.  Prints "answered N".
"""
import select
import socket
import struct
import sys
import time

WINDOW = 4


def qname(i, tag):
    return b"".join(bytes([len(p)]) + p for p in (b"f%d" % i, tag, b"flood", b"example")) + b"\0"


def serve(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 53))
    n = 0
    while True:
        q, peer = s.recvfrom(512)
        if len(q) < 17:
            continue
        end = q.index(b"\0", 12) + 5
        n += 1
        a = (100 << 24) | (64 << 16) | (n & 0x3fffff)
        msg = q[:2] + struct.pack("!HHHHH", 0x8180, 1, 1, 0, 0) + q[12:end]
        msg += struct.pack("!HHHIHI", 0xC00C, 1, 1, 300, 4, a)
        s.sendto(msg, peer)


def ask(server, count, tag):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((server, 53))
    out = {}  # query ID -> when sent
    sent = answered = 0
    deadline = time.monotonic() + 10 + count / 500.0
    while (sent < count or out) and time.monotonic() < deadline:
        while sent < count and len(out) < WINDOW:
            qid = sent & 0xffff
            s.send(struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qname(sent, tag) +
                   struct.pack("!HH", 1, 1))
            out[qid] = time.monotonic()
            sent += 1
        if select.select([s], [], [], 0.2)[0]:
            r = s.recv(512)
            if len(r) >= 2 and out.pop(struct.unpack("!H", r[:2])[0], None) is not None:
                answered += 1
        now = time.monotonic()
        for qid in [k for k, t in out.items() if now - t > 1.0]:
            del out[qid]
    print("answered %d" % answered)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        ask(sys.argv[2], int(sys.argv[3]), sys.argv[4].encode())
