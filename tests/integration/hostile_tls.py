#!/usr/bin/env python3
"""A camera that tries to slip a TLS flow past nfq-guard, on raw sockets.

Run inside a camera's namespace (root).  Opens one TCP connection to
DST:PORT by hand, sends a real ClientHello (made by Python's ssl module for
the given name) in one of these ways, and prints "serverhello" when the
server's answer came back within the timeout, else "none":

  plain      the hello for NAME, as any client sends it
  firstcopy  a first copy naming DECOY with a TTL of --ttl (meant to die past
             the router: it reaches the router, not the server), then the
             real copy naming NAME
  ooo        the hello for NAME in two segments, the second one first
  stray      no handshake: one ACK segment carrying an HTTP request for NAME,
             which conntrack calls invalid when it does not pick up
             connections midstream (nf_conntrack_tcp_loose = 0); prints "sent"

The camera's own kernel would reset a connection it knows nothing of: drop
its outgoing RSTs first (the caller does, with nft in the namespace).

Usage: hostile_tls.py MODE SRC DST PORT NAME [DECOY] [--ttl N] [--timeout S]
"""
import os
import random
import select
import socket
import ssl
import struct
import sys
import time


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def client_hello(name):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname=name)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


class Conn:
    def __init__(self, src, dst, port):
        self.src, self.dst, self.port = src, dst, port
        self.sport = random.randint(20000, 60000)
        self.isn = random.randint(0, 2**32 - 1)
        self.tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        self.rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        self.ack = 0

    def send(self, flags, seq, data=b"", ttl=64):
        tcp = struct.pack("!HHIIBBHHH", self.sport, self.port, seq & 0xFFFFFFFF, self.ack,
                          5 << 4, flags, 64240, 0, 0) + data
        pseudo = struct.pack("!4s4sBBH", socket.inet_aton(self.src), socket.inet_aton(self.dst),
                             0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), random.randint(0, 65535), 0,
                         ttl, 6, 0, socket.inet_aton(self.src), socket.inet_aton(self.dst))
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        self.tx.sendto(ip + tcp, (self.dst, 0))

    def recv(self, timeout):
        """The next segment of this connection from the server: (flags, seq, ack, payload)."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.rx], [], [], left)[0]:
                return None
            pkt = self.rx.recv(65535)
            ihl = (pkt[0] & 15) * 4
            if pkt[12:16] != socket.inet_aton(self.dst):
                continue
            sport, dport, seq, ack, off, flags = struct.unpack("!HHIIBB", pkt[ihl:ihl + 14])
            if sport != self.port or dport != self.sport:
                continue
            return flags, seq, ack, pkt[ihl + (off >> 4) * 4:]

    def open(self, timeout):
        self.send(0x02, self.isn)
        while True:
            seg = self.recv(timeout)
            if seg is None:
                return False
            flags, seq, _, _ = seg
            if flags & 0x12 == 0x12:
                self.ack = (seq + 1) & 0xFFFFFFFF
                self.send(0x10, self.isn + 1)
                return True


def main():
    args = sys.argv[1:]
    ttl, timeout = 2, 3.0
    if "--ttl" in args:
        i = args.index("--ttl")
        ttl = int(args[i + 1])
        del args[i:i + 2]
    if "--timeout" in args:
        i = args.index("--timeout")
        timeout = float(args[i + 1])
        del args[i:i + 2]
    mode, src, dst, port, name = args[:5]
    decoy = args[5] if len(args) > 5 else None
    c = Conn(src, dst, int(port))
    if mode == "stray":
        c.ack = random.randint(0, 2**32 - 1)
        c.send(0x18, c.isn, b"GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % name.encode())
        print("sent")
        return 0
    if not c.open(timeout):
        print("no-handshake")
        return 0
    hello = client_hello(name)
    seq = c.isn + 1
    if mode == "plain":
        c.send(0x18, seq, hello)
    elif mode == "firstcopy":
        # the same name: the same bytes, a plain retransmission
        c.send(0x18, seq, hello if decoy == name else client_hello(decoy), ttl=ttl)
        time.sleep(0.2)
        c.send(0x18, seq, hello)
    elif mode == "ooo":
        half = len(hello) // 2
        c.send(0x18, seq + half, hello[half:])
        time.sleep(0.1)
        c.send(0x18, seq, hello[:half])
    else:
        print("unknown mode", file=sys.stderr)
        return 2
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        seg = c.recv(end - time.monotonic())
        if seg is None:
            break
        flags, _, _, data = seg
        # a TLS handshake record carrying a ServerHello (type 2)
        if len(data) >= 6 and data[0] == 0x16 and data[5] == 2:
            print("serverhello")
            return 0
    print("none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
