"""`nfq-guard inspect` against the captures in tests/data and hostile files.

Run from the repository root through tests/cli/run.py BINARY.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest

BIN = os.environ.get("NFQG_BIN", "build/nfq-guard")
DATA = "tests/data"
FIELDS = {"ts", "mac", "src", "dst", "proto", "sport", "dport", "dns", "sni",
          "http_host", "error"}


def run(*args, timeout=60):
    return subprocess.run([BIN, *args], capture_output=True, timeout=timeout)


def inspect_json(path):
    r = run("inspect", path, "--json")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode("ascii").splitlines()
    return [json.loads(l) for l in lines]


def pcap(frames, linktype=1):
    """A classic pcap file holding the given frames."""
    out = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype)
    for i, f in enumerate(frames):
        out += struct.pack("<IIII", 1700000000 + i, 0, len(f), len(f)) + f
    return out


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def udp4_frame(src, dst, sport, dport, payload, mac=b"\x44\x47\xcc\x00\x00\x64"):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\x00\x00\x00\x00\x01" + mac + b"\x08\x00" + ip + udp


def dns_answer(qname_labels, rdata=b"\xc6\x33\x64\x07"):
    name = b"".join(bytes([len(l)]) + l for l in qname_labels) + b"\0"
    hdr = struct.pack("!HHHHHH", 0x1234, 0x8180, 1, 1, 0, 0)
    q = name + struct.pack("!HH", 1, 1)
    a = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, len(rdata)) + rdata
    return hdr + q + a


class Inspect(unittest.TestCase):
    def test_fields_on_every_line(self):
        for f in ("camera-eth.pcap", "camera-sll2.pcap"):
            objs = inspect_json(os.path.join(DATA, f))
            self.assertGreater(len(objs), 20)
            for o in objs:
                self.assertTrue(FIELDS <= set(o), o)
                self.assertIsNone(o["error"], o)

    def test_split_client_hello(self):
        objs = inspect_json(os.path.join(DATA, "camera-eth.pcap"))
        flow = [o for o in objs if o["proto"] == "tcp" and o["dport"] == 443
                and o["mac"] == "44:47:cc:00:00:64"]
        data = [o for o in flow if o["len"] > 0]
        # the server announced MSS 200: three segments before the SNI
        self.assertEqual([o["len"] for o in data[:3]], [188, 188, 141])
        self.assertEqual([o["sni"] for o in data[:3]],
                         [None, None, "upgrade.hik-connect.com"])
        self.assertEqual(sum(1 for o in flow if o["sni"]), 1)

    def test_dns_answers(self):
        objs = inspect_json(os.path.join(DATA, "camera-eth.pcap"))
        answers = [(a["name"], a["type"], a["data"], a["ttl"])
                   for o in objs if o["dns"] and o["dns"]["qr"]
                   for a in o["dns"]["answers"]]
        self.assertIn(("litedev.ezvizlife.com", "A", "192.168.50.1", 300), answers)
        self.assertIn(("firmware.ezvizlife.com", "CNAME", "cdn.ezvizlife.com", 300),
                      answers)
        self.assertIn(("cdn.ezvizlife.com", "A", "192.168.50.1", 300), answers)
        # the one over TCP, with its length prefix, read from the stream
        tcp = [o for o in objs if o["dns"] and o["proto"] == "tcp" and o["dns"]["qr"]]
        self.assertEqual(len(tcp), 1)
        self.assertEqual(tcp[0]["dns"]["answers"][0]["data"], "fd00:50::1")
        q = [o for o in objs if o["dns"] and not o["dns"]["qr"]][0]
        self.assertEqual(q["dns"]["questions"],
                         [{"name": "litedev.ezvizlife.com", "type": "A"}])

    def test_sni_and_host_per_device(self):
        objs = inspect_json(os.path.join(DATA, "camera-eth.pcap"))
        seen = {(o["mac"], o["sni"]) for o in objs if o["sni"]}
        self.assertEqual(seen, {("44:47:cc:00:00:64", "upgrade.hik-connect.com"),
                                ("08:ed:ed:00:00:65", "p2p.easy4ipcloud.com"),
                                ("02:00:00:00:00:20", "www.example.org")})
        hosts = [(o["mac"], o["http_host"], o["dport"]) for o in objs if o["http_host"]]
        self.assertEqual(hosts, [("44:47:cc:00:00:64", "firmware.ezvizlife.com", 80)])
        v6 = [o for o in objs if o["sni"] == "p2p.easy4ipcloud.com"][0]
        self.assertEqual((v6["src"], v6["dst"]), ("fd00:50::65", "fd00:50::1"))

    def test_cooked_capture(self):
        objs = inspect_json(os.path.join(DATA, "camera-sll2.pcap"))
        snis = {(o["mac"], o["sni"]) for o in objs if o["sni"]}
        self.assertIn(("44:47:cc:00:00:64", "litedev.ezvizlife.com"), snis)

    def test_loopback_captures(self):
        tls = inspect_json(os.path.join(DATA, "tls-lo.pcap"))
        self.assertIn("upgrade.ezvizlife.com", {o["sni"] for o in tls})
        http = inspect_json(os.path.join(DATA, "http-lo.pcap"))
        self.assertIn("firmware.hik-connect.com", {o["http_host"] for o in http})
        dns = inspect_json(os.path.join(DATA, "dns-lo.pcap"))
        self.assertTrue(any(o["dns"] and o["dns"]["answers"] for o in dns))

    def test_text_output(self):
        r = run("inspect", os.path.join(DATA, "camera-eth.pcap"))
        self.assertEqual(r.returncode, 0)
        out = r.stdout.decode("ascii")
        self.assertIn("192.168.50.64:", out)
        self.assertIn(" sni=upgrade.hik-connect.com", out)
        self.assertIn(" http_host=firmware.ezvizlife.com", out)
        self.assertIn("an=firmware.ezvizlife.com/CNAME/cdn.ezvizlife.com/ttl=300", out)

    def test_srv_https_and_additional_records(self):
        name = b"\x02fw\x09hikvision\x03com\x00"
        target = b"\x05relay\x03cdn\x07example\x00"
        srv = struct.pack("!HHH", 10, 5, 443) + target
        https = struct.pack("!H", 1) + b"\x00" + struct.pack("!HH", 4, 8) + \
            bytes([192, 0, 2, 1, 192, 0, 2, 2]) + struct.pack("!HH", 6, 16) + \
            bytes([0x20, 1, 0x0d, 0xb8] + [0] * 11 + [1])
        recs = [(b"\xc0\x0c", 33, srv), (b"\xc0\x0c", 65, https)]
        add = [(target, 1, bytes([198, 51, 100, 9]))]
        msg = struct.pack("!HHHHHH", 0x4242, 0x8180, 1, len(recs), 0, len(add)) + name + \
            struct.pack("!HH", 33, 1)
        for owner, t, rd in recs + add:
            msg += owner + struct.pack("!HHIH", t, 1, 60, len(rd)) + rd
        f = udp4_frame([192, 168, 1, 1], [192, 168, 1, 64], 53, 5353, msg)
        with tempfile.NamedTemporaryFile(suffix=".pcap") as t:
            t.write(pcap([f]))
            t.flush()
            d = inspect_json(t.name)[0]["dns"]
            text = run("inspect", t.name).stdout.decode("ascii")
        self.assertEqual(d["answers"], [
            {"name": "fw.hikvision.com", "type": "SRV", "ttl": 60, "data": "relay.cdn.example"},
            {"name": "fw.hikvision.com", "type": "HTTPS", "ttl": 60, "data": "fw.hikvision.com",
             "hints": ["192.0.2.1", "192.0.2.2", "2001:db8::1"]}])
        self.assertEqual(d["additional"], [
            {"name": "relay.cdn.example", "type": "A", "ttl": 60, "data": "198.51.100.9"}])
        self.assertEqual(d["skipped"], 0)
        self.assertIn(" an=fw.hikvision.com/HTTPS/fw.hikvision.com/ttl=60"
                      "/hints=192.0.2.1,192.0.2.2,2001:db8::1", text)
        self.assertIn(" ar=relay.cdn.example/A/198.51.100.9/ttl=60", text)

    def test_hostile_names_escaped(self):
        evil = [b"a\x1b[2J\"b", b"x\\y\x00", b"ezvizlife", b"com"]
        f = udp4_frame([10, 0, 0, 1], [192, 168, 1, 64], 53, 5353, dns_answer(evil))
        with tempfile.NamedTemporaryFile(suffix=".pcap") as t:
            t.write(pcap([f]))
            t.flush()
            objs = inspect_json(t.name)
            r = run("inspect", t.name)
        name = objs[0]["dns"]["answers"][0]["name"]
        self.assertEqual(name, 'a\\x1b[2j"b.x\\\\y\\x00.ezvizlife.com')
        self.assertEqual(objs[0]["dns"]["answers"][0]["data"], "198.51.100.7")
        text = r.stdout
        self.assertFalse(any(c < 0x20 and c != 0x0a for c in text), text)

    def test_malformed_packets_reported(self):
        good = udp4_frame([10, 0, 0, 1], [192, 168, 1, 64], 53, 5353,
                          dns_answer([b"ok", b"example", b"org"]))
        frames = [
            good[:14 + 10],                        # cut in the IP header
            good[:14] + b"\x44" + good[15:],       # ihl 4
            good[:-3],                             # cut in the DNS answer
            b"\x02\x00\x00\x00\x00\x01" * 2 + b"\x08\x06" + b"\0" * 28,  # ARP
            good[:14] + b"\x45\x00\x00\x14" + b"\0" * 5 + b"\x06" + b"\0" * 10,
        ]
        with tempfile.NamedTemporaryFile(suffix=".pcap") as t:
            t.write(pcap(frames))
            t.flush()
            objs = inspect_json(t.name)
        errs = [o["error"] for o in objs]
        self.assertEqual(errs[0], "ipv4: header truncated")
        self.assertEqual(errs[1], "ipv4: header length below 20")
        self.assertEqual(errs[2], "ipv4: capture shorter than total length")
        self.assertEqual(errs[3], "not ip: ethertype 0x0806")
        self.assertEqual(errs[4], "tcp: header beyond ip length")

    def test_bad_files(self):
        r = run("inspect", "/nonexistent/x.pcap")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"nfq-guard: inspect:", r.stderr)
        with tempfile.NamedTemporaryFile(suffix=".pcap") as t:
            t.write(os.urandom(64))
            t.flush()
            r = run("inspect", t.name)
            self.assertEqual(r.returncode, 1)
            self.assertIn(b"nfq-guard: inspect:", r.stderr)
        # a capture cut inside its last record: lines so far, then an error
        data = open(os.path.join(DATA, "camera-eth.pcap"), "rb").read()
        with tempfile.NamedTemporaryFile(suffix=".pcap") as t:
            t.write(data[:len(data) - 10])
            t.flush()
            r = run("inspect", t.name, "--json")
        self.assertEqual(r.returncode, 1)
        self.assertGreater(len(r.stdout.splitlines()), 20)
        self.assertIn(b"truncated", r.stderr)
        # a link type we do not read (DLT_NULL)
        with tempfile.NamedTemporaryFile(suffix=".pcap") as t:
            t.write(pcap([b"\x02\0\0\0" + b"\x45" + b"\0" * 19], linktype=0))
            t.flush()
            r = run("inspect", t.name)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"unsupported link type", r.stderr)

    def test_usage_errors(self):
        self.assertEqual(run("inspect").returncode, 2)
        self.assertEqual(run("inspect", "--bogus", "x").returncode, 2)
        self.assertEqual(run("inspect", "a", "b").returncode, 2)
        self.assertEqual(run("frobnicate").returncode, 2)
        self.assertEqual(run().returncode, 2)
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"inspect FILE [--json]", r.stdout)
        r = run("version")
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith(b"nfq-guard "))
