"""`learn` of the built binary: event logs and captures per device, --json
field by field, --suggest passed to `check`, and the errors.

Run from the repository root through tests/cli/run.py BINARY.
"""
import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ.get("NFQG_BIN", "build/nfq-guard")
DATA = "tests/data"
POLICY = os.path.join(DATA, "learn", "learn.conf")
EVENTS = os.path.join(DATA, "learn", "events.json")
H1, H2, D1 = "44:47:cc:00:00:64", "44:47:cc:00:00:65", "08:ed:ed:00:00:65"
DEVICE_KEYS = {"mac", "address", "group", "label", "first_seen", "last_seen", "flows",
               "flows_cut", "destinations"}
DEST_KEYS = {"dst", "name", "names", "proto", "dport", "flows", "summarised", "verdict",
             "verdicts", "rule", "where", "first_seen", "last_seen"}


def run(*args, stdin=None, timeout=60):
    return subprocess.run([BIN, *args], capture_output=True, timeout=timeout, input=stdin)


def learn_json(*files, policy=POLICY):
    r = run("-c", policy, "learn", *files, "--json")
    assert r.returncode == 0, r.stderr
    return {d["mac"] or d["address"]: d for d in map(json.loads, r.stdout.splitlines())}


def dest(dev, dst, proto, dport):
    hits = [t for t in dev["destinations"]
            if (t["dst"], t["proto"], t["dport"]) == (dst, proto, dport)]
    assert len(hits) == 1, (dst, proto, dport, dev)
    return hits[0]


class LearnEvents(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.devs = learn_json(EVENTS)

    def test_devices(self):
        self.assertEqual(set(self.devs), {H1, H2, D1})
        for d in self.devs.values():
            self.assertEqual(set(d), DEVICE_KEYS, d)
            for t in d["destinations"]:
                self.assertEqual(set(t), DEST_KEYS, t)

    def test_device_fields(self):
        d = self.devs[H1]
        self.assertEqual((d["mac"], d["address"], d["group"], d["label"]),
                         (H1, None, "hikvision", "entrance-3"))
        self.assertEqual((d["first_seen"], d["last_seen"]),
                         ("2026-11-29T15:00:00.000001Z", "2026-11-29T15:00:09.500000Z"))
        # 1 + 9 (a summary line: itself and 8 more held back) + 6 lines more
        self.assertEqual(d["flows"], 16)
        self.assertEqual(d["flows_cut"], 0)
        self.assertEqual(len(d["destinations"]), 6)
        self.assertIsNone(self.devs[H2]["label"])
        self.assertEqual(self.devs[D1]["group"], "dahua")

    def test_repeated_counted(self):
        t = dest(self.devs[H1], "192.168.50.1", "udp", 53)
        # two lines went there; the 8 held back with the second may have too
        self.assertEqual((t["flows"], t["summarised"]), (2, 8))
        self.assertEqual((t["verdict"], t["rule"], t["where"]), ("allow", "dns", "router"))
        self.assertEqual(t["verdicts"], {"allow": 2, "drop": 0, "reject": 0, "log": 0})
        self.assertEqual((t["first_seen"], t["last_seen"]),
                         ("2026-11-29T15:00:00.000001Z", "2026-11-29T15:00:09.500000Z"))
        self.assertEqual(dest(self.devs[D1], "198.51.100.9", "udp", 8800)["summarised"], 2)

    def test_same_destination_other_ports(self):
        a = dest(self.devs[H1], "192.168.50.5", "udp", 5000)
        b = dest(self.devs[H1], "192.168.50.5", "udp", 5001)
        self.assertEqual((a["flows"], b["flows"], a["verdict"], a["rule"], a["where"]),
                         (1, 1, "drop", "default", "lan"))

    def test_names(self):
        t = dest(self.devs[H1], "198.51.100.7", "tcp", 443)
        self.assertEqual(t["names"], ["cloud.ezvizlife.com", "litedev.ezvizlife.com"])
        self.assertEqual(t["name"], "litedev.ezvizlife.com")  # the latest
        self.assertEqual((t["verdict"], t["rule"], t["where"]), ("drop", "egress", "wan"))
        self.assertIsNone(dest(self.devs[H1], "192.168.50.1", "udp", 123)["name"])

    def test_hostile_name_escaped(self):
        t = dest(self.devs[D1], "198.51.100.9", "udp", 8800)
        self.assertEqual(t["names"][0], "p2p\\x0a\\x2a/\\x22x\\x1b[2J.easy4ipcloud.com")
        r = run("-c", POLICY, "learn", EVENTS)
        self.assertNotIn(b"\x1b", r.stdout)
        self.assertIn(b"names=p2p\\x0a\\x2a/\\x22x\\x1b[2J.easy4ipcloud.com", r.stdout)

    def test_exception_decisions_and_other_events(self):
        t = dest(self.devs[D1], "192.168.50.20", "tcp", 80)
        self.assertEqual((t["verdict"], t["rule"]), ("allow", "exception:3"))
        r = run("-c", POLICY, "learn", EVENTS)
        self.assertIn(b"4 other events skipped, 1 malformed line, 0 too long", r.stdout)

    def test_malformed_line_named(self):
        r = run("-c", POLICY, "learn", EVENTS)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stderr.decode().splitlines(),
                         ["nfq-guard: learn: %s:12: malformed event: not JSON: cut short" % EVENTS])

    def test_text(self):
        r = run("-c", POLICY, "learn", EVENTS)
        out = r.stdout.decode()
        self.assertRegex(out, r"(?m)^44:47:cc:00:00:64 group=hikvision label=\"entrance-3\" "
                              r"flows=16 2026-11-29T15:00:00\.000001Z\."
                              r"\.2026-11-29T15:00:09\.500000Z$")
        self.assertRegex(out, r"(?m)^  192\.168\.50\.1 +udp/53 +router +2 \(\+8\)  allow rule=dns ")
        self.assertRegex(out, r"(?m)^  198\.51\.100\.7 +tcp/443 +wan +2  drop rule=egress "
                              r"names=cloud\.ezvizlife\.com,litedev\.ezvizlife\.com ")
        self.assertTrue(out.endswith("1 file: 12 decisions (22 flows), 3 devices; 4 other "
                                     "events skipped, 1 malformed line, 0 too long\n"), out)

    def test_gzip_and_stdin_alike(self):
        want = run("-c", POLICY, "learn", EVENTS, "--json").stdout
        with open(EVENTS, "rb") as f:
            raw = f.read()
        with tempfile.TemporaryDirectory() as d:
            gz = os.path.join(d, "events.json.2.gz")
            with gzip.open(gz, "wb") as f:
                f.write(raw)
            self.assertEqual(run("-c", POLICY, "learn", gz, "--json").stdout, want)
            self.assertEqual(run("-c", POLICY, "learn", "-", "--json", stdin=raw).stdout, want)
            self.assertEqual(run("-c", POLICY, "learn", "--json", "-",
                                 stdin=gzip.compress(raw)).stdout, want)
            # rotated pieces: the same, in any order
            lines = raw.splitlines(keepends=True)
            a, b = os.path.join(d, "events.json"), os.path.join(d, "events.json.1")
            with open(a, "wb") as f:
                f.writelines(lines[9:])
            with open(b, "wb") as f:
                f.writelines(lines[:9])
            self.assertEqual(run("-c", POLICY, "learn", a, b, "--json").stdout, want)


class LearnCapture(unittest.TestCase):
    def test_capture_as_replay_decides(self):
        """A capture goes through replay's path: learn's counts are replay's decisions."""
        cap = os.path.join(DATA, "replay-lab.pcap")
        r = run("-c", POLICY, "replay", cap, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        decisions = [o for o in map(json.loads, r.stdout.splitlines())
                     if o["event"] == "decision"]
        devs = learn_json(cap)
        self.assertEqual(set(devs), {o["mac"] for o in decisions})
        for o in decisions:
            t = dest(devs[o["mac"]], o["dst"], o["proto"], o["dport"])
            self.assertEqual(devs[o["mac"]]["group"], o["device"])
            self.assertEqual(devs[o["mac"]]["label"], o["label"])
            if o["name"]:
                self.assertIn(o["name"], t["names"])
        self.assertEqual(sum(d["flows"] for d in devs.values()), len(decisions))
        for d in devs.values():
            for t in d["destinations"]:
                mine = [o for o in decisions if o["mac"] == d["mac"] and
                        (o["dst"], o["proto"], o["dport"]) == (t["dst"], t["proto"], t["dport"])]
                self.assertEqual(t["flows"], len(mine))
                self.assertEqual(t["verdicts"][mine[0]["action"]], len(mine))
        self.assertEqual(devs[H1]["label"], "entrance-3")

    def test_camera_eth_with_default_conf(self):
        devs = learn_json(os.path.join(DATA, "camera-eth.pcap"),
                          policy="policies/default.conf")
        t = dest(devs[H1], "192.168.50.1", "udp", 53)
        self.assertEqual((t["verdict"], t["rule"]), ("drop", "dns-ntp-elsewhere"))
        self.assertEqual(t["names"], ["litedev.ezvizlife.com"])

    def test_logs_and_captures_together(self):
        both = learn_json(EVENTS, os.path.join(DATA, "replay-lab.pcap"))
        self.assertEqual(both[H1]["flows"], 16 + 6)


class LearnSuggest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        r = run("-c", POLICY, "learn", EVENTS, "--suggest")
        assert r.returncode == 0, r.stderr
        cls.text = r.stdout.decode()
        cls.err = r.stderr.decode()
        cls.path = os.path.join(cls.tmp, "new.conf")
        with open(cls.path, "w") as f:
            f.write(cls.text)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_check_accepts_it(self):
        r = run("-c", self.path, "check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, b"")  # no warning either
        self.assertIn(b"7 rules", r.stdout)

    def test_the_policy_as_it_was_around_the_rules(self):
        with open(POLICY) as f:
            orig = f.read()
        head, rest = orig.split("rules = (", 1)
        self.assertTrue(self.text.startswith(head + "rules = (\n\t# ---- nfq-guard learn"))
        self.assertTrue(self.text.endswith("\t# ---- end of nfq-guard learn ----\n" + rest))

    def test_real_rule_for_lan(self):
        self.assertIn('\t{ name = "learn-hikvision-3"; from = "hikvision"; to = "192.168.50.5"; '
                      'proto = "udp"; port = [ 5000, 5001 ]; action = "allow"; },\n', self.text)
        self.assertIn('\t# seen: 2 devices (44:47:cc:00:00:64 "entrance-3", 44:47:cc:00:00:65), '
                      '3 flows\n', self.text)
        # the router: allowed by "dns" and dropped by the default, one rule
        self.assertIn('to = "192.168.50.1"; proto = "udp"; port = [ 53, 123 ]; '
                      'action = "allow"; },', self.text)
        self.assertIn("3 flows and up to 8 more summed up in the event log", self.text)
        self.assertIn('\t{ name = "learn-dahua-1"; from = "dahua"; to = "192.168.50.20"; '
                      'proto = "tcp"; port = 80; action = "allow"; },', self.text)

    def test_wan_and_blocked_commented_out(self):
        self.assertIn('\t# { name = "learn-hikvision-6"; from = "hikvision"; to = "198.51.100.7"; '
                      'proto = "tcp"; port = 443; action = "allow"; },', self.text)
        self.assertIn("#   names: cloud.ezvizlife.com, litedev.ezvizlife.com\n", self.text)
        self.assertIn('\t# { name = "learn-hikvision-5"; from = "hikvision"; to = "192.168.50.1"; '
                      'proto = "udp"; port = 1900;', self.text)
        self.assertIn("#   commented out: rule upnp blocks it on purpose?  review it", self.text)
        self.assertIn("#   commented out: not in the networks lan or router", self.text)
        self.assertEqual(len(re.findall(r"(?m)^\t# \{ name", self.text)), 3)
        self.assertEqual(len(re.findall(r"(?m)^\t\{ name = \"learn-", self.text)), 3)
        self.assertIn("3 rules suggested, 3 more commented out for review", self.err)

    def test_uncommented_it_still_checks(self):
        text = re.sub(r"(?m)^\t# \{ name", "\t{ name", self.text)
        path = os.path.join(self.tmp, "all.conf")
        with open(path, "w") as f:
            f.write(text)
        r = run("-c", path, "check")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_hostile_name_stays_in_its_comment(self):
        self.assertIn("#   names: p2p\\x0a\\x2a/\\x22x\\x1b[2J.easy4ipcloud.com, "
                      "p2p-eu.easy4ipcloud.com\n", self.text)
        self.assertNotIn("\x1b", self.text)

    def test_default_conf_with_its_lists(self):
        """The shipped policy, beside its registry and lists, and a capture: check accepts it."""
        with tempfile.TemporaryDirectory() as d:
            pol = os.path.join(d, "policies")
            shutil.copytree("policies", pol)
            r = run("-c", os.path.join(pol, "default.conf"), "learn",
                    os.path.join(DATA, "camera-eth.pcap"), "--suggest")
            self.assertEqual(r.returncode, 0, r.stderr)
            out = os.path.join(pol, "new.conf")
            with open(out, "wb") as f:
                f.write(r.stdout)
            r2 = run("-c", out, "check")
            self.assertEqual(r2.returncode, 0, r2.stderr)
            # its own warning only (the shipped router placeholder)
            self.assertEqual(len(r2.stderr.decode().splitlines()), 1, r2.stderr)
            self.assertIn(b'to = "192.168.50.1"; proto = "tcp"; port = [ 80, 443 ]; '
                          b'action = "allow"; },', r.stdout)

    def test_rules_in_an_include(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "rules.inc"), "w") as f:
                f.write('rules = ( { name = "egress"; to = "wan"; action = "drop"; } );\n')
            main = os.path.join(d, "p.conf")
            with open(main, "w") as f:
                f.write('version = 1;\ndevices = ( { name = "c"; oui = "44:47:CC"; } );\n'
                        '@include "rules.inc"\n')
            r = run("-c", main, "learn", EVENTS, "--suggest")
            self.assertEqual(r.returncode, 1)
            self.assertEqual(r.stdout, b"")
            self.assertIn("nfq-guard: learn: %s: its rules list is in an @include'd file" % main,
                          r.stderr.decode())


class LearnErrors(unittest.TestCase):
    def test_missing_file(self):
        r = run("-c", POLICY, "learn", "/nonexistent/events.json", EVENTS, "--json")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"nfq-guard: learn: /nonexistent/events.json: No such file or directory\n",
                      r.stderr)
        # what the others held is still printed
        self.assertEqual(len(r.stdout.splitlines()), 3)

    def test_bad_policy(self):
        r = run("-c", "/nonexistent/p.conf", "learn", EVENTS)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"/nonexistent/p.conf", r.stderr)
        self.assertEqual(r.stdout, b"")
        with tempfile.NamedTemporaryFile("w", suffix=".conf") as f:
            f.write("version = 1;\nrules = ( { action = \"maybe\"; } );\n")
            f.flush()
            r = run("-c", f.name, "learn", EVENTS)
            self.assertEqual(r.returncode, 1)
            self.assertIn(f.name.encode() + b":2:", r.stderr)

    def test_usage(self):
        cases = [([], "nfq-guard: learn: no file given (event logs, captures)"),
                 ([EVENTS, "--json", "--suggest"],
                  "nfq-guard: learn: --json or --suggest, not both"),
                 (["--bogus", EVENTS], "nfq-guard: learn: unknown option '--bogus'")]
        for args, first in cases:
            with self.subTest(args=args):
                r = run("-c", POLICY, "learn", *args)
                self.assertEqual(r.returncode, 2)
                self.assertEqual(r.stderr.decode().splitlines(),
                                 [first,
                                  "nfq-guard: see 'nfq-guard learn --help' or nfq-guard(8)"])
        r = run("-c", POLICY, "learn", *([EVENTS] * 257))
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"at most 256 files", r.stderr)

    def test_not_a_log_a_directory_a_pipe_capture(self):
        with tempfile.TemporaryDirectory() as d:
            text = os.path.join(d, "notes.txt")
            with open(text, "w") as f:
                f.write("hello\nworld\n")
            gzcap = os.path.join(d, "cap.pcap.gz")
            with open(os.path.join(DATA, "camera-eth.pcap"), "rb") as f:
                cap = f.read()
            with gzip.open(gzcap, "wb") as f:
                f.write(cap)
            cut = os.path.join(d, "events.json.3.gz")
            with open(EVENTS, "rb") as f:
                raw = f.read()
            with open(cut, "wb") as f:
                f.write(gzip.compress(raw)[:200])
            cases = [([text], "%s: not an event log" % text),
                     ([d], "%s: Is a directory" % d),
                     ([gzcap], "%s: a capture, compressed" % gzcap),
                     ([cut], "%s: unexpected end of file" % cut),
                     (["-"], "(standard input): a capture on a pipe")]
            for args, why in cases:
                with self.subTest(args=args):
                    r = run("-c", POLICY, "learn", *args, stdin=cap)
                    self.assertEqual(r.returncode, 1)
                    self.assertIn("nfq-guard: learn: " + why, r.stderr.decode())

    def test_malformed_and_long_lines_bounded(self):
        with open(EVENTS, "rb") as f:
            good = f.read().splitlines()[0]
        with tempfile.NamedTemporaryFile("wb", suffix=".json") as f:
            f.write(good + b"\n")
            f.write(b'{"event":"decision","ts":"' + b"x" * 70000 + b'"}\n')
            for i in range(25):
                f.write(b"{broken %d\n" % i)
            f.write(b"\x00\xff\x1b[2J\n")
            f.write(good + b"\n")
            f.flush()
            r = run("-c", POLICY, "learn", f.name)
            self.assertEqual(r.returncode, 0, r.stderr)
            err = r.stderr.decode().splitlines()
            self.assertEqual(err[0], "nfq-guard: learn: %s:2: line longer than 65536 bytes, "
                                     "skipped" % f.name)
            self.assertEqual(err[1], "nfq-guard: learn: %s:3: malformed event: not JSON"
                             % f.name)
            self.assertEqual(len(err), 21)
            self.assertEqual(err[-1], "nfq-guard: learn: 7 more malformed lines not shown")
            self.assertIn(b"2 decisions (2 flows), 1 device; 0 other events skipped, "
                          b"26 malformed lines, 1 too long", r.stdout)


if __name__ == "__main__":
    unittest.main()
