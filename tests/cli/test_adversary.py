"""The adversarial captures of tests/adversary/gen.py, replayed.

A Hikvision camera crafts its traffic to slip past the filter (DESIGN.md
section 6, issue 13).  gen.py writes one capture per case and the verdict
the engine should give every decision in it, under block.conf ("cameras
may reach the WAN, but not *.hikvision.com / *.ezvizlife.com") or
allow.conf ("cameras may reach only *.allowed.example").  Each case is a
test here: `nfq-guard -c POLICY replay CASE.pcap --json`, every decision
compared (action, rule, name, name_source "unreadable" where the name could
not be read, and a note saying why).

Where the engine is wrong today the test still asserts the right verdict
and is marked expectedFailure, with the bug in one line.  When a bug is
fixed its test shows up as an unexpected success: remove the mark.

Run from the repository root through tests/cli/run.py BINARY.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

BIN = os.environ.get("NFQG_BIN", "build/nfq-guard")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "adversary"))
import gen  # noqa: E402

REGISTRY = os.path.join(ROOT, "policies", "camera-vendors.manuf")
FIELDS = ("action", "rule", "name", "name_source", "note", "src", "dst", "dport")


def field_ok(key, want, got):
    if key == "note":
        if want is True:
            return bool(got)
        if want is None:
            return got is None
        return bool(got) and want.lower() in got.lower()
    return got in (want if isinstance(want, list) else [want])


def decision_ok(want, got):
    if want.get("name_source") == "unreadable" and not got.get("note"):
        return False  # an unknown name always says why
    return all(field_ok(k, v, got.get(k)) for k, v in want.items())


class Adversary(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="nfqg-adversary-")
        cls.dir = cls.tmp.name
        cls.cases = {c["name"]: c for c in gen.write(cls.dir, REGISTRY)}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def replay(self, c):
        r = subprocess.run([BIN, "-c", os.path.join(self.dir, c["policy"] + ".conf"), "replay",
                            os.path.join(self.dir, c["capture"]), "--json"],
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode(errors="replace"))
        self.assertNotIn(b"runtime error", r.stderr)
        objs = [json.loads(l) for l in r.stdout.decode("ascii").splitlines()]
        self.assertEqual(objs[-1]["event"], "summary")
        return [o for o in objs if o["event"] == "decision"]

    def check(self, name):
        c = self.cases[name]
        got = self.replay(c)
        shown = "\n".join("  got  " + json.dumps({k: d.get(k) for k in FIELDS}) for d in got)
        if "decisions" in c:
            want = c["decisions"]
            ok = len(got) == len(want) and all(decision_ok(w, g) for w, g in zip(want, got))
        elif "last" in c:
            want = c["last"]
            ok = bool(got) and decision_ok(want, got[-1])
        else:
            want = c["all"]
            ok = bool(got) and all(decision_ok(want, g) for g in got)
        self.assertTrue(ok, "%s (%s): %s\n%s\n  want %s" % (name, c["policy"], c["doc"], shown,
                                                           json.dumps(want)))

    def test_every_test_names_a_case(self):
        names = {c["name"] for c in gen.build()}
        for attr in dir(self):
            if attr.startswith("test_") and attr not in ("test_every_test_names_a_case",):
                self.assertIn(attr[5:], names, attr)

    # --- what the engine gets wrong today: the right verdict, marked, the bug in one line --

    # TCP: the server's byte stream
    # HTTP
    # SOCKS
    # undecodable packets

def _add_case_tests():
    """A test for every other case: each asserts what the engine does right today."""
    for c in gen.build():
        attr = "test_" + c["name"]
        if not hasattr(Adversary, attr):
            setattr(Adversary, attr, lambda self, n=c["name"]: self.check(n))


_add_case_tests()

if __name__ == "__main__":
    unittest.main()
