"""`nfq-guard replay` puts fragments together as the kernel does before the
queue: a ClientHello in IPv4 or IPv6 fragments is read whole; an
overlapping fragment drops the datagram.  Captures built here.
"""
import json
import os
import struct
import subprocess
import tempfile
import unittest

BIN = os.environ.get("NFQG_BIN", "build/nfq-guard")
CAM_MAC = b"\x44\x47\xcc\x00\x00\x64"
CAM4, SRV4 = bytes([192, 168, 1, 64]), bytes([198, 51, 100, 7])
CAM6 = bytes.fromhex("fd000000000000000000000000000064")
SRV6 = bytes.fromhex("20010db8000000000000000000000007")

POLICY = """version = 1;
networks = { lan = [ "192.168.0.0/16", "fd00::/8" ]; };
devices = ( { name = "cam"; mac = [ "44:47:cc:00:00:64" ]; } );
rules = (
  { name = "vendor"; domain = [ "*.hikvision.com" ]; action = "drop"; },
  { name = "out"; to = "wan"; action = "allow"; }
);
"""


def pcap(frames):
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1700000000, i * 1000, len(f), len(f)) + f
    return out


def eth(payload, v6=False):
    return b"\x02\x00\x00\x00\x00\x01" + CAM_MAC + (b"\x86\xdd" if v6 else b"\x08\x00") + payload


def hello(name):
    n = name.encode()
    sni = struct.pack("!HHHBH", 0, len(n) + 5, len(n) + 3, 0, len(n)) + n
    body = b"\x03\x03" + b"\x5a" * 32 + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00"
    body += struct.pack("!H", len(sni)) + sni
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def tcp(sport, dport, flags, seq, data=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0) + data


def v4(payload, ident=7, frag=0, proto=6, total=None):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, total or 20 + len(payload), ident, frag, 64,
                       proto, 0, CAM4, SRV4) + payload


def v4_frags(segment, cut, ident=7):
    """segment (a whole TCP segment) in two IPv4 fragments, the first cut bytes long."""
    return [v4(segment[:cut], ident, 0x2000), v4(segment[cut:], ident, cut // 8)]


def v6(payload, nh=6):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, 64, CAM6, SRV6) + payload


def v6_frags(segment, cut, ident=9):
    f1 = struct.pack("!BBHI", 6, 0, 1, ident) + segment[:cut]
    f2 = struct.pack("!BBHI", 6, 0, cut, ident) + segment[cut:]
    return [v6(f1, 44), v6(f2, 44)]


def replay(frames):
    with tempfile.TemporaryDirectory() as d:
        pol = os.path.join(d, "p.conf")
        cap = os.path.join(d, "c.pcap")
        with open(pol, "w") as f:
            f.write(POLICY)
        with open(cap, "wb") as f:
            f.write(pcap(frames))
        r = subprocess.run([BIN, "-c", pol, "replay", cap, "--json"], capture_output=True,
                           timeout=30)
        assert r.returncode == 0, r.stderr
        lines = [json.loads(l) for l in r.stdout.decode().splitlines()]
        return [l for l in lines if l["event"] == "decision"], lines[-1]


class Defrag(unittest.TestCase):
    def test_ipv4_fragmented_hello_is_read_whole(self):
        seg = tcp(40000, 443, 0x18, 1001, hello("fw.hikvision.com"))
        frames = [eth(v4(tcp(40000, 443, 0x02, 1000)))]
        frames += [eth(f) for f in v4_frags(seg, 48)]
        d, s = replay(frames)
        self.assertEqual(len(d), 1, d)
        self.assertEqual((d[0]["action"], d[0]["rule"], d[0]["name"], d[0]["name_source"]),
                         ("drop", "vendor", "fw.hikvision.com", "sni"))
        self.assertEqual(s["fragments_dropped"], 0)

    def test_ipv4_fragments_out_of_order(self):
        seg = tcp(40001, 443, 0x18, 1001, hello("fw.hikvision.com"))
        f1, f2 = v4_frags(seg, 40, ident=8)
        d, _ = replay([eth(v4(tcp(40001, 443, 0x02, 1000))), eth(f2), eth(f1)])
        self.assertEqual([(x["rule"], x["name"]) for x in d], [("vendor", "fw.hikvision.com")])

    def test_ipv6_fragmented_hello_is_read_whole(self):
        seg = tcp(40002, 443, 0x18, 1001, hello("fw.hikvision.com"))
        frames = [eth(v6(tcp(40002, 443, 0x02, 1000)), True)]
        frames += [eth(f, True) for f in v6_frags(seg, 40)]
        d, _ = replay(frames)
        self.assertEqual([(x["rule"], x["name"], x["dst"]) for x in d],
                         [("vendor", "fw.hikvision.com", "2001:db8::7")])

    def test_overlap_drops_the_datagram(self):
        # the second fragment overlaps the first, other bytes: the kernel drops both
        seg = tcp(40003, 443, 0x18, 1001, hello("fw.hikvision.com"))
        f1 = v4(seg[:48], 10, 0x2000)
        f2 = v4(b"X" * 8 + seg[48:], 10, (48 - 8) // 8)
        d, s = replay([eth(v4(tcp(40003, 443, 0x02, 1000))), eth(f1), eth(f2)])
        # nothing read: still waiting at the end of the capture, so unknown
        self.assertEqual([(x["rule"], x["name_source"]) for x in d], [("vendor", "unreadable")])
        self.assertEqual(s["fragments_dropped"], 1)

    def test_exact_duplicate_is_no_overlap(self):
        seg = tcp(40004, 443, 0x18, 1001, hello("www.example.org"))
        f1, f2 = v4_frags(seg, 48, ident=11)
        d, s = replay([eth(v4(tcp(40004, 443, 0x02, 1000))), eth(f1), eth(f1), eth(f2)])
        # read whole; allowed once the server acknowledges it, which this capture never shows
        self.assertEqual(s["fragments_dropped"], 0)
        self.assertEqual(len(d), 1)
        self.assertEqual(d[0]["name_source"], "unreadable")
        self.assertIn("acknowledge", d[0]["note"] or "")


class Undecodable(unittest.TestCase):
    def test_long_ipv6_chain_is_a_decision_with_what_was_read(self):
        # nine destination-options headers: more than the decoder walks
        chain = b"".join(struct.pack("!BB6s", 60 if i < 8 else 6, 0, b"\x01\x04" + b"\0" * 4)
                         for i in range(9))
        d, s = replay([eth(v6(chain + tcp(40005, 443, 0x02, 1000), 60), True)])
        self.assertEqual(len(d), 1, d)
        self.assertEqual(s["unreadable"], 1)
        self.assertEqual((d[0]["action"], d[0]["src"], d[0]["dst"]),
                         ("drop", "fd00::64", "2001:db8::7"))
        # the protocol and ports were not read: null, not 0
        self.assertEqual((d[0]["proto"], d[0]["sport"], d[0]["dport"]), (None, None, None))


if __name__ == "__main__":
    unittest.main()
