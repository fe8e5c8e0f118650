"""`check`, `explain` and `replay` of the built binary.

Run from the repository root through tests/cli/run.py BINARY.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ.get("NFQG_BIN", "build/nfq-guard")
DATA = "tests/data"
POLICY = os.path.join(DATA, "replay.conf")
DECISION_FIELDS = {"event", "ts", "action", "rule", "device", "match", "mac", "label", "src",
                   "dst", "proto", "sport", "dport", "community_id", "in_iface", "out_iface",
                   "name", "name_source"}


def community_id(src, dst, proto, sport, dport):
    """Community ID v1, seed 0, for TCP/UDP: written from the spec, apart from the C one."""
    import base64, hashlib, ipaddress, struct
    a, b = ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed
    if (a, sport) > (b, dport):
        a, b, sport, dport = b, a, dport, sport
    h = hashlib.sha1(struct.pack("!H", 0) + a + b + bytes([proto, 0]) +
                     struct.pack("!HH", sport, dport))
    return "1:" + base64.b64encode(h.digest()).decode()


def run(*args, timeout=60):
    return subprocess.run([BIN, *args], capture_output=True, timeout=timeout)


class Replay(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        r = run("-c", POLICY, "replay", os.path.join(DATA, "replay-lab.pcap"), "--json")
        assert r.returncode == 0, r.stderr
        cls.objs = [json.loads(l) for l in r.stdout.decode("ascii").splitlines()]
        cls.decisions = [o for o in cls.objs if o["event"] == "decision"]

    def find(self, **kw):
        hits = [o for o in self.decisions if all(o[k] == v for k, v in kw.items())]
        self.assertEqual(len(hits), 1, (kw, self.decisions))
        return hits[0]

    def test_fields(self):
        for o in self.decisions:
            self.assertTrue(DECISION_FIELDS <= set(o), o)
        self.assertEqual(self.objs[-1]["event"], "summary")
        self.assertEqual(sum(1 for o in self.objs if o["event"] == "summary"), 1)

    def test_community_id(self):
        """Each TCP/UDP decision carries the flow's Community ID, as Suricata and Zeek log it."""
        n = 0
        for o in self.decisions:
            if o["proto"] in ("tcp", "udp") and o["sport"] is not None:
                want = community_id(o["src"], o["dst"], 6 if o["proto"] == "tcp" else 17,
                                    o["sport"], o["dport"])
                self.assertEqual(o["community_id"], want, o)
                n += 1
            elif o["sport"] is None and o["proto"] in ("tcp", "udp"):
                self.assertIsNone(o["community_id"], o)
            # a capture names no interfaces
            self.assertEqual((o["in_iface"], o["out_iface"]), (None, None))
        self.assertGreaterEqual(n, 5)

    def test_dns_learned_name_dropped_at_syn(self):
        o = self.find(dst="198.51.100.7", dport=443)
        self.assertEqual((o["action"], o["rule"], o["device"], o["match"]),
                         ("drop", "hik-cloud", "hikvision", "vendor"))
        self.assertEqual((o["name"], o["name_source"]), ("cloud.ezvizlife.com", "dns"))
        self.assertEqual(o["mac"], "44:47:cc:00:00:64")

    def test_hard_coded_ip_with_vendor_sni(self):
        o = self.find(dst="198.51.100.8", name="upgrade.hik-connect.com")
        self.assertEqual((o["action"], o["rule"], o["name_source"]), ("drop", "hik-cloud", "sni"))

    def test_harmless_sni_goes_on(self):
        o = self.find(dst="198.51.100.8", name="www.example.org")
        self.assertEqual((o["action"], o["rule"], o["name_source"]), ("log", "web", "sni"))

    def test_http_host(self):
        o = self.find(dst="198.51.100.8", dport=80)
        self.assertEqual((o["action"], o["name"], o["name_source"]),
                         ("drop", "firmware.ezvizlife.com", "http"))

    def test_dahua_p2p(self):
        o = self.find(dport=8800)
        self.assertEqual((o["action"], o["rule"], o["device"], o["proto"]),
                         ("reject", "dahua-p2p", "dahua", "udp"))
        self.assertEqual((o["name"], o["name_source"]), ("p2p-eu.easy4ipcloud.com", "dns"))

    def test_local_video_allowed_and_inbound_rtsp_not_a_flow(self):
        o = self.find(dst="192.168.50.5")
        self.assertEqual((o["action"], o["rule"], o["proto"], o["sport"]),
                         ("allow", "local", "udp", 6970))
        # the NVR opened the RTSP connection: no decision for the camera's answers
        self.assertFalse([d for d in self.decisions if d["sport"] == 554])

    def test_laptop_never_decided(self):
        self.assertFalse([d for d in self.decisions if d["src"] == "192.168.50.20"])

    def test_summary_counts(self):
        s = self.objs[-1]
        self.assertEqual(s["decisions"], len(self.decisions))
        rules = {r["rule"]: r for r in s["rules"]}
        self.assertEqual(rules["hik-cloud"]["drop"], 3)
        self.assertEqual(rules["dahua-p2p"]["reject"], 1)
        devices = {d["device"]: d for d in s["devices"]}
        self.assertEqual(devices["dahua"]["reject"], 1)
        self.assertGreaterEqual(s["dns_answers"], 2)

    def test_summary_per_device(self):
        """Per device (MAC): its group, label and flows allowed and blocked, beside the groups'."""
        s = self.objs[-1]
        per = {d["mac"]: d for d in s["per_device"]}
        self.assertEqual(set(per), {o["mac"] for o in self.decisions})
        for mac, d in per.items():
            mine = [o for o in self.decisions if o["mac"] == mac]
            self.assertEqual(d["flows_allowed"],
                             sum(o["action"] in ("allow", "log") for o in mine), d)
            self.assertEqual(d["flows_blocked"],
                             sum(o["action"] in ("drop", "reject") for o in mine), d)
            self.assertEqual((d["group"], d["label"], d["address"]),
                             (mine[-1]["device"], mine[-1]["label"], None))
        self.assertEqual((per["44:47:cc:00:00:64"]["flows_allowed"],
                          per["44:47:cc:00:00:64"]["flows_blocked"]), (3, 3))
        self.assertEqual(s["per_device_cut"], 0)

    def test_text_output(self):
        r = run("-c", POLICY, "replay", os.path.join(DATA, "replay-lab.pcap"))
        self.assertEqual(r.returncode, 0)
        out = r.stdout.decode()
        self.assertIn("drop rule=hik-cloud device=hikvision match=vendor", out)
        self.assertIn("name=upgrade.hik-connect.com (sni)", out)
        summary = out.split("\n\n")[-1]
        self.assertIn("hik-cloud", summary)
        self.assertRegex(summary, r"(?m)^mac +group +label +allowed +blocked$")
        self.assertRegex(summary, r"(?m)^44:47:cc:00:00:64 +hikvision +- +3 +3$")
        self.assertRegex(summary, r"(?m)^08:ed:ed:00:00:65 +dahua +- +1 +1$")

    def test_bad_capture(self):
        r = run("-c", POLICY, "replay", "/nonexistent.pcap")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"nfq-guard: replay:", r.stderr)


class Check(unittest.TestCase):
    def write(self, text, name="p.conf"):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def test_valid(self):
        r = run("-c", POLICY, "check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout.decode(), r"replay.conf: ok: mode enforce, default drop, "
                         r"2 devices .* 6 rules, 3 domains")

    def test_warnings_keep_exit_0(self):
        """check: lint warnings at FILE:LINE on stderr in the order of the text, exit 0."""
        lists = os.path.join(self.dir.name, "l.list")
        with open(lists, "w") as f:
            f.write("# cloud\n*.example.com\n")
        p = self.write('version = 1;\n'
                       'networks = { lan = "192.168.0.0/16"; router = [ "192.168.1.1", "fe80::1" ]; };\n'
                       'devices = ( { name = "cams"; ip = "192.168.5.0/24"; },\n'
                       '  { name = "doorbells"; mac = "02:00:00:00:00:07"; } );\n'
                       'rules = (\n'
                       '  { from = "cams"; domain_file = "l.list"; action = "drop"; },\n'
                       '  { from = "cams"; domain = "cdn.example.com"; action = "allow"; },\n'
                       '  { to = "wan"; action = "drop"; }\n'
                       ');\n')
        r = run("-c", p, "check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.decode().splitlines(), [
            "%s:2: warning: networks.router is still the shipped example (192.168.1.1, "
            "fe80::1): put the router's own addresses there (DHCP, DNS and NTP are allowed "
            "only to them)" % p,
            "%s:4: warning: device group 'doorbells' is in no rule's 'from': only the rules "
            "for every device, then the default, decide its flows" % p,
            "%s:7: warning: rule 'rule2' is never reached: rule 'rule1' (line 6) comes first "
            "and matches every flow it does, with another action" % p,
        ])
        self.assertRegex(r.stdout.decode(), r": ok: .* 3 rules, 2 domains, .*; 3 warnings\n$")

    def test_verbose_lists_what_groups_match(self):
        p = self.write('version = 1;\n'
                       'devices = ( { name = "cams"; ip = [ "192.168.5.0/24" ]; iface = "eth1";\n'
                       '  mac = "02:00:00:00:00:07"; oui = "02:00:01"; } );\n'
                       'rules = ( { from = "cams"; action = "drop"; name = "cams-out"; },\n'
                       '  { action = "allow"; port = 53; } );\n')
        r = run("-c", p, "check", "-v")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.decode().splitlines()[1:], [
            "group cams (%s:2): 2 MAC prefixes and addresses, 1 IP prefix, 1 interface" % p,
            "  mac: 1 address; oui: 1 prefix",
            "  ip: 192.168.5.0/24",
            "  iface: eth1",
            "  rules: cams-out; 1 for every device; then the default (drop)",
        ])

    def test_every_error_with_file_and_line(self):
        p = self.write('version = 1;\n'
                       'networks = { lan = [ "10.0.0.0/33" ]; };\n'
                       'devices = ( { name = "cam"; mac = [ "zz:00:00:00:00:00" ]; } );\n'
                       'rules = (\n'
                       '  { from = "nobody"; action = "allow"; },\n'
                       '  { port = 70000; action = "drop"; }\n'
                       ');\n')
        r = run("-c", p, "check")
        self.assertEqual(r.returncode, 1)
        err = r.stderr.decode().splitlines()
        self.assertIn("%s:2: '10.0.0.0/33' is not an address or CIDR prefix" % p, err)
        self.assertIn("%s:3: 'zz:00:00:00:00:00' is not a MAC address "
                      "(use aa:bb:cc:dd:ee:ff)" % p, err)
        self.assertIn("%s:5: unknown device 'nobody' in 'from'" % p, err)
        self.assertIn("%s:6: port 70000 is outside 0-65535" % p, err)
        self.assertIn("nfq-guard: check: %s: policy rejected" % p, err)

    def test_run_settings(self):
        p = self.write('version = 1;\nfail = "maybe";\nevents = "events.json";\n'
                       'queue = { num = 70000; nr = 1; };\nrules = ( { action = "allow"; } );\n')
        r = run("-c", p, "check")
        self.assertEqual(r.returncode, 1)
        err = r.stderr.decode().splitlines()
        self.assertIn("%s:2: fail 'maybe': use open or closed" % p, err)
        self.assertIn("%s:3: events 'events.json': use an absolute path" % p, err)
        self.assertIn("%s:4: 'num' must be between 0 and 65535" % p, err)
        self.assertIn("%s:4: unknown key 'nr' in queue" % p, err)

    def test_syntax_error(self):
        p = self.write('version = 1;\nrules = ( { action = "allow" } \n')
        r = run("-c", p, "check")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr.decode(), r"p\.conf:\d+: ")

    def test_the_mistakes_admins_make(self):
        """Each common mistake named as such, at its file and line, nothing said twice."""
        d = self.dir.name
        os.mkdir(os.path.join(d, "lists"))
        with open(os.path.join(d, "lists", "trail.list"), "w") as f:
            f.write('"a.example",\n"b.example",\n')
        base = ('version = 1;\n'
                'networks = { lan = [ "192.168.0.0/16" ]; };\n'
                'devices = ( { name = "cam"; oui = [ "44:47:CC" ]; } );\n')
        cases = [
            ("rules = (\n  { to = \"wan\"; action = \"drop\"; },\n);\n",
             ":6: syntax error: trailing comma before ')' (line 5 ends with it)"),
            ("rules = ( { to = \"wan\"; action = drop; } );\n",
             ":4: syntax error: string values need quotes (column 34)"),
            ("rules = ( { acton = \"drop\"; } );\n",
             ":4: unknown key 'acton' in a rule (did you mean 'action'?)"),
            ("rules = ( { from = \"cma\"; action = \"drop\"; } );\n",
             ":4: unknown device 'cma' in 'from' (did you mean 'cam'?)"),
            ("rules = ( { to = \"wna\"; action = \"drop\"; } );\n",
             ":4: unknown network 'wna' in 'to' (did you mean 'wan'?)"),
            ("rules = ( { domain = [\n@include \"lists/trail.list\"\n]; action = \"drop\"; } );\n",
             ":6: syntax error: trailing comma before ']' (%s/lists/trail.list:2 ends with it)" % d),
            ("rules = ( { domain = [\n@include \"lists/none.list\"\n]; action = \"drop\"; } );\n",
             ":5: cannot include %s/lists/none.list: No such file or directory" % d),
            # a registry that does not load, and no "no vendor registry loaded" after it
            ("vendors = { registry = \"nosuch.manuf\"; };\n"
             "devices = ( { name = \"v\"; vendor = [ \"Hikvision\" ]; } );\n"
             "rules = ( { action = \"drop\"; } );\n",
             ":2: registry %s/nosuch.manuf: No such file or directory" % d),
        ]
        for text, want in cases:
            with self.subTest(want=want):
                # the registry case brings its own devices
                p = self.write(("version = 1;\n" if text.startswith("vendors") else base) + text)
                r = run("-c", p, "check")
                self.assertEqual(r.returncode, 1)
                err = r.stderr.decode().splitlines()
                # the one error, and the verdict: no knock-on error
                self.assertEqual(err, [p + want, "nfq-guard: check: %s: policy rejected" % p])
        # a byte order mark is no error
        p = self.write("\ufeff" + base + "rules = ( { action = \"drop\"; } );\n")
        self.assertEqual(run("-c", p, "check").returncode, 0)

    def test_relative_paths_say_where_they_looked(self):
        with open(os.path.join(self.dir.name, "p.conf"), "w") as f:
            f.write('version = 1;\nrules = ( { domain = [\n@include "lists/none.list"\n];'
                    ' action = "drop"; } );\n')
        r = subprocess.run([os.path.abspath(BIN), "-c", "p.conf", "check"], capture_output=True,
                           cwd=self.dir.name, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("p.conf:3: cannot include lists/none.list (looked for %s/lists/none.list): "
                      "No such file or directory" % os.path.realpath(self.dir.name),
                      r.stderr.decode())

    def test_missing_file(self):
        r = run("-c", os.path.join(self.dir.name, "none.conf"), "check")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"No such file", r.stderr)

    # fragments to include, not policies of their own
    FRAGMENTS = ("identify-hints.conf",)

    def test_shipped_policies(self):
        for f in sorted(os.listdir("policies")):
            if f.endswith(".conf") and f not in self.FRAGMENTS:
                r = run("-c", os.path.join("policies", f), "check")
                self.assertEqual(r.returncode, 0, (f, r.stderr))

    def test_shipped_identify_hints(self):
        """The shipped policies identify by discovery, DHCP and DNS, identify-hints.conf
        included beside them: its domain lists found, its vendors named by the shipped
        groups' vendors (no warning of it)."""
        for f in ("default.conf", "strict.conf", "monitor.conf"):
            with open(os.path.join("policies", f)) as fh:
                text = fh.read()
            self.assertIn('\nidentify = [ "discovery", "dhcp", "dns" ];\n', text, f)
            self.assertIn('\n@include "identify-hints.conf"\n', text, f)
            r = run("-c", os.path.join("policies", f), "check")
            self.assertEqual(r.returncode, 0, (f, r.stderr))
            self.assertNotIn(b"identify_hints", r.stderr, f)


class Rules(unittest.TestCase):
    def test_rules(self):
        r = run("-c", POLICY, "rules")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        self.assertTrue(out.startswith("table inet nfq_guard {"))
        self.assertIn("44:47:cc:00:00:00-44:47:cc:ff:ff:ff", out)
        self.assertIn("ct direction original ether saddr @dev_mac ct mark set ct mark & 0xff00ffff"
                      " | 0x00060000 jump to_queue", out)
        self.assertIn("ct state invalid,untracked ether saddr @dev_mac jump to_queue", out)
        self.assertIn("\t\tqueue flags bypass num 0\n", out)
        r = run("-c", POLICY, "rules", "--compat")
        self.assertIn(b"# xtables NFQUEUE target, revision 3", r.stdout)
        self.assertEqual(run("-c", POLICY, "rules", "--bogus").returncode, 2)
        self.assertNotIn("log group", out)

    def test_rules_identify(self):
        """identify = [ "discovery" ]: the log rules and dev_found the daemon installs."""
        with open(POLICY) as f:
            text = f.read()
        # beside the original: its relative paths resolve the same
        with tempfile.NamedTemporaryFile("w", dir=DATA, suffix=".conf") as f:
            f.write(text.replace("version = 1;", 'version = 1;\nidentify = [ "discovery" ];', 1))
            f.flush()
            r = run("-c", f.name, "rules")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode()
        for port in (37020, 37810, 3702):
            for way in ("dport", "sport"):
                self.assertIn("\t\tmeta l4proto udp th %s %d log group 0\n" % (way, port), out)
        self.assertIn("\tset dev_found {\n\t\ttype ether_addr\n\t\tsize 65536\n", out)


class Explain(unittest.TestCase):
    def explain(self, *args):
        r = run("-c", POLICY, "explain", *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.decode()

    def test_vendor_domain(self):
        out = self.explain("--mac", "44:47:cc:00:00:64", "--dst", "198.51.100.7",
                           "--name", "Litedev.EZVIZlife.com.")
        self.assertIn("verdict: drop (rule hik-cloud, line", out)
        self.assertIn("device:  hikvision, matched by vendor \"Hikvision\": 44:47:cc", out)
        self.assertIn("why:     litedev.ezvizlife.com matches *.ezvizlife.com", out)

    def test_json(self):
        r = run("-c", POLICY, "explain", "--mac", "08:ed:ed:00:00:65", "--dst", "198.51.100.9",
                "--proto", "udp", "--port", "8800", "--json")
        self.assertEqual(r.returncode, 0)
        o = json.loads(r.stdout)
        self.assertEqual((o["event"], o["action"], o["rule"], o["device"], o["match"]),
                         ("decision", "drop", "egress", "dahua", "vendor"))
        self.assertEqual((o["proto"], o["dport"], o["vendor"], o["matched_by"]),
                         ("udp", 8800, "Zhejiang Dahua", "08:ed:ed"))
        self.assertIsInstance(o["rule_line"], int)
        self.assertEqual(o["organisation"], "Zhejiang Dahua Technology Co., Ltd.")

    def test_most_specific_group_names_the_device(self):
        """An exact MAC after a vendor group names the camera, whichever rule decides."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "p.conf")
            with open(path, "w") as f:
                f.write('version = 1;\n'
                        'vendors = { registry = [ "%s" ]; };\n'
                        'networks = { lan = [ "192.168.0.0/16" ]; };\n'
                        'devices = ( { name = "hik"; vendor = "Hikvision"; },\n'
                        '  { name = "lobby"; ip = [ "192.168.1.0/24" ]; },\n'
                        '  { name = "entrance"; mac = [ "44:47:cc:00:00:64" ]; } );\n'
                        'labels = ( { mac = "44:47:cc:00:00:64"; label = "door 3"; } );\n'
                        'rules = ( { name = "hik-wan"; from = "hik"; to = "wan";'
                        ' action = "drop"; } );\n'
                        % os.path.abspath("policies/camera-vendors.manuf"))
            r = run("-c", path, "explain", "--mac", "44:47:cc:00:00:64", "--src",
                    "192.168.1.5", "--dst", "198.51.100.7")
            self.assertEqual(r.returncode, 0, r.stderr)
            out = r.stdout.decode()
            self.assertIn("verdict: drop (rule hik-wan, line 8)", out)
            self.assertIn("label:   door 3\n", out)
            self.assertIn("device:  entrance, matched by mac 44:47:cc:00:00:64\n", out)
            self.assertIn("also in: hik, lobby\n", out)
            r = run("-c", path, "explain", "--mac", "44:47:cc:00:00:65", "--src",
                    "192.168.1.5", "--dst", "198.51.100.7", "--json")
            o = json.loads(r.stdout)
            self.assertEqual((o["device"], o["match"], o["groups"], o["label"]),
                             ("hik", "vendor", ["hik", "lobby"], None))
            r = run("-c", path, "explain", "--mac", "02:00:00:00:00:09", "--src",
                    "192.168.1.5", "--dst", "198.51.100.7", "--json")
            o = json.loads(r.stdout)
            self.assertEqual((o["rule"], o["device"], o["match"], o["groups"]),
                             ("default", "lobby", "ip", ["lobby"]))

    def test_local_and_not_device(self):
        out = self.explain("--mac", "44:47:cc:00:00:64", "--dst", "192.168.50.5",
                           "--port", "554")
        self.assertIn("verdict: allow (rule local", out)
        out = self.explain("--mac", "02:00:00:00:00:20", "--dst", "198.51.100.7")
        self.assertEqual(out, "verdict: none: no device group matches, so nfq-guard leaves "
                         "this host alone\n")

    def test_usage(self):
        self.assertEqual(run("-c", POLICY, "explain", "--dst", "1.2.3.4").returncode, 2)
        self.assertEqual(run("-c", POLICY, "explain", "--mac", "x", "--dst", "1.2.3.4")
                         .returncode, 2)
        self.assertEqual(run("-c", POLICY, "explain", "--mac", "44:47:cc:00:00:64")
                         .returncode, 2)
        self.assertEqual(run("-c", POLICY, "explain", "--mac", "44:47:cc:00:00:64", "--dst",
                             "1.2.3.4", "--port", "99999").returncode, 2)
