"""The command line as a whole: --help everywhere, one error prefix, a short
hint on a usage error, files named, the vendor of each MAC in inspect.

Run from the repository root through tests/cli/run.py BINARY.
"""
import json
import os
import subprocess
import tempfile
import unittest

BIN = os.environ.get("NFQG_BIN", "build/nfq-guard")
POLICY = "tests/data/replay.conf"
COMMANDS = ["check", "explain", "run", "status", "stats", "devices", "flush", "reload",
            "reopen", "allow", "exceptions", "revoke", "rules", "replay", "inspect", "learn",
            "discover", "version"]


def run(*args, timeout=60):
    return subprocess.run([BIN, *args], capture_output=True, timeout=timeout)


class Consistency(unittest.TestCase):
    def test_every_command_takes_help(self):
        for cmd in COMMANDS:
            for flag in ("-h", "--help"):
                with self.subTest(cmd=cmd, flag=flag):
                    r = run("-c", POLICY, "-s", "/nonexistent/sock", cmd, flag)
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertIn(b"usage: nfq-guard", r.stdout)
                    self.assertEqual(r.stderr, b"")

    def test_usage_error_is_a_hint_not_the_usage(self):
        cases = [
            (["explain", "--bogus"], "nfq-guard: explain: '--bogus': unknown option, or its "
             "value is missing", "explain"),
            (["explain", "--mac", "x", "--dst", "1.2.3.4"],
             "nfq-guard: explain: --mac 'x' is not a MAC address", "explain"),
            (["run", "--pidfile"], "nfq-guard: run: '--pidfile': unknown option, or its value "
             "is missing", "run"),
            (["check", "extra"], "nfq-guard: check: unexpected argument 'extra'", "check"),
            (["stats", "--json", "--prometheus"],
             "nfq-guard: stats: --json or --prometheus, not both", "stats"),
            (["replay"], "nfq-guard: replay: no capture file given", "replay"),
            (["allow", "cam"], "nfq-guard: allow: say for how long: --for DURATION (30s, 10m, "
             "2h, 1d)", "allow"),
            (["allow", "cam", "--for", "31d"], "nfq-guard: allow: duration '31d': from 1s to 30d",
             "allow"),
            (["revoke"], "nfq-guard: revoke: name one exception: revoke ID", "revoke"),
            (["exceptions", "x"], "nfq-guard: exceptions: unexpected argument 'x'",
             "exceptions"),
            (["explain", "--mac", "44:47:cc:00:00:01", "--dst", "192.0.2.1", "--at", "tomorrow"],
             "nfq-guard: explain: --at 'tomorrow': use \"YYYY-MM-DD HH:MM\", local time",
             "explain"),
            (["learn"], "nfq-guard: learn: no file given (event logs, captures)", "learn"),
            (["discover", "--timeout", "0"], "nfq-guard: discover: --timeout '0': use 1-60 seconds",
             "discover"),
            (["discover", "--timeout", "61"],
             "nfq-guard: discover: --timeout '61': use 1-60 seconds", "discover"),
            (["discover", "--json", "--policy-snippet"],
             "nfq-guard: discover: --json or --policy-snippet, not both", "discover"),
            (["discover", "-i", "x" * 16], "nfq-guard: discover: -i '%s': too long for an "
             "interface" % ("x" * 16), "discover"),
            (["frobnicate"], "nfq-guard: unknown command 'frobnicate'", None),
            (["-x"], "nfq-guard: '-x': unknown option, or its value is missing", None),
            ([], "nfq-guard: no command given", None),
        ]
        for args, first, cmd in cases:
            with self.subTest(args=args):
                r = run("-c", POLICY, *args)
                self.assertEqual(r.returncode, 2)
                hint = "nfq-guard: see 'nfq-guard %s--help' or nfq-guard(8)" % (
                    cmd + " " if cmd else "")
                self.assertEqual(r.stderr.decode().splitlines(), [first, hint])
                self.assertEqual(r.stdout, b"")

    def test_capture_files_are_named(self):
        with tempfile.TemporaryDirectory() as d:
            text = os.path.join(d, "notes.txt")
            with open(text, "w") as f:
                f.write("not a capture\n")
            for cmd in ("replay", "inspect"):
                cases = [(os.path.join(d, "none.pcap"), "No such file or directory"),
                         (text, "not a pcap or pcapng capture"),
                         (d, "")]
                for path, why in cases:
                    with self.subTest(cmd=cmd, path=path):
                        r = run("-c", POLICY, cmd, path)
                        self.assertEqual(r.returncode, 1)
                        err = r.stderr.decode()
                        self.assertTrue(err.startswith("nfq-guard: %s: %s: " % (cmd, path)),
                                        err)
                        self.assertIn(why, err)
                        self.assertEqual(err.count("\n"), 1, err)

    def test_inspect_names_the_vendor(self):
        r = run("inspect", "--json", "tests/data/replay-lab.pcap")
        self.assertEqual(r.returncode, 0, r.stderr)
        objs = [json.loads(l) for l in r.stdout.splitlines()]
        by_mac = {o["mac"]: o["vendor"] for o in objs}
        self.assertTrue(all("vendor" in o for o in objs))
        if os.path.exists("/usr/share/ieee-data/oui.csv") or \
                os.path.exists("/usr/share/wireshark/manuf"):
            self.assertIn("Hikvision", by_mac["44:47:cc:00:00:64"])
            self.assertIn("Dahua", by_mac["08:ed:ed:00:00:65"])
        # a locally administered MAC is in no registry
        self.assertTrue(any(m.startswith("02:") and v is None for m, v in by_mac.items()))
        r = run("inspect", "tests/data/replay-lab.pcap")
        line = r.stdout.decode().splitlines()[0]
        self.assertRegex(line, r' vendor="[^"]+"$')


if __name__ == "__main__":
    unittest.main()
