"""allow, exceptions and revoke on the client's side (the words it sends the
daemon, escaped, and its errors), and rules with a schedule in check and
explain --at.  The daemon's side is in tests/integration/cases/45-exceptions.sh.

Run from the repository root through tests/cli/run.py BINARY.
"""
import os
import socket
import subprocess
import tempfile
import threading
import unittest

BIN = os.environ.get("NFQG_BIN", "build/nfq-guard")

POLICY = """version = 1;
networks = { lan = [ "192.168.0.0/16" ]; router = [ "192.168.1.1" ]; };
devices = ( { name = "cams"; oui = [ "44:47:CC" ]; } );
rules = (
  { name = "support"; from = "cams"; to = "wan"; proto = "tcp"; port = 443;
    schedule = { days = [ "tue" ]; from = "09:00"; to = "11:00"; }; action = "allow"; },
  { name = "night"; from = "cams"; to = "wan";
    schedule = { from = "22:00"; to = "06:00"; }; action = "reject"; },
  { name = "egress"; to = "wan"; action = "drop"; }
);
"""


def run(*args, timeout=30):
    return subprocess.run([BIN, *args], capture_output=True, timeout=timeout)


class FakeDaemon:
    """A control socket that records the request line and answers status, body."""

    def __init__(self, path, status=b"0", body=b"ok\n"):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(1)
        self.sock.settimeout(10)
        self.request = None
        self.answer = status + b"\n" + body
        self.thread = threading.Thread(target=self.serve)
        self.thread.start()

    def serve(self):
        try:
            c, _ = self.sock.accept()
        except OSError:
            return
        data = b""
        c.settimeout(5)
        while b"\n" not in data:
            chunk = c.recv(65536)
            if not chunk:
                break
            data += chunk
        self.request = data
        c.sendall(self.answer)
        c.close()

    def close(self):
        self.thread.join(15)
        self.sock.close()
        os.unlink(self.path)


class Exceptions(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.sock = os.path.join(self.dir.name, "control")

    def tearDown(self):
        self.dir.cleanup()

    def ask(self, *args, status=b"0", body=b"ok\n"):
        d = FakeDaemon(self.sock, status, body)
        r = run("-s", self.sock, *args)
        d.close()
        return r, d.request

    def test_words_are_escaped_on_the_wire(self):
        r, req = self.ask("allow", "44-47-CC-00-00-64", "--for", "2h", "--reason",
                          "firmware fix 100% done", "--domain", "*.hik-connect.com", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"ok\n")
        # blanks and '%' travel as %XX; the MAC goes as given (the daemon
        # writes it as everywhere, lower-case with colons)
        self.assertEqual(req, b"allow 44-47-CC-00-00-64 --for 2h --reason "
                         b"firmware%20fix%20100%25%20done --domain *.hik-connect.com --json\n")

    def test_a_value_that_reads_as_a_flag(self):
        # a reason of "--json" is a word, the flag only the last plain one
        r, req = self.ask("allow", "cams", "--for", "1h", "--reason", "--json")
        self.assertEqual(req, b"allow cams --for 1h --reason %2D%2Djson\n")
        r, req = self.ask("allow", "cams", "--for", "1h", "--reason", "--json", "--json")
        self.assertEqual(req, b"allow cams --for 1h --reason %2D%2Djson --json\n")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_refusal_is_exit_1_with_the_daemons_words(self):
        r, req = self.ask("revoke", "7", status=b"1",
                          body=b"revoke: no exception '7' (see nfq-guard exceptions)\n")
        self.assertEqual(req, b"revoke 7\n")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"no exception '7'", r.stderr)
        r, req = self.ask("exceptions", "--json", body=b"")
        self.assertEqual(req, b"exceptions --json\n")
        self.assertEqual(r.returncode, 0)

    def test_usage_errors_never_reach_the_daemon(self):
        bad = [
            (["allow", "cam", "--for", "1h", "--reason", "a\tb"], b"printable ASCII"),
            (["allow", "cam", "--for", "1h", "--port", "0"], b"1-65535"),
            (["allow", "cam", "--for", "90"], b"a number and a unit"),
            (["allow", "cam;reboot", "--for", "1h"], b"neither a MAC address nor a group"),
            (["allow", "cam", "--for", "1h", "--domain", "bad domain"], b"not a domain name"),
            (["revoke", "1", "2"], b"name one exception"),
        ]
        for args, why in bad:
            with self.subTest(args=args):
                r = run("-s", self.sock, *args)  # nothing listens: a request would fail
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(why, r.stderr)

    def test_no_daemon_is_exit_1(self):
        r = run("-s", self.sock, "allow", "cams", "--for", "1h")
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"cannot reach the daemon", r.stderr)

    def test_the_largest_request_fits(self):
        # every list at its most, every field at its longest: one request line still
        args = ["allow", "a" * 63, "--for", "30d", "--proto", "tcp", "--reason", " " * 199]
        for i in range(16):
            args += ["--domain", ("x" * 62 + ".") * 3 + "example%02d.org" % i,
                     "--to", "2001:db8:ffff:ffff:ffff:ffff:ffff:%04x/128" % i, "--port", "6553%d" % (i % 6)]
        r, req = self.ask(*args)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(req.startswith(b"allow " + b"a" * 63 + b" --for 30d"))
        self.assertEqual(req.count(b"--domain"), 16)
        self.assertLess(len(req), 8190)


class Schedules(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.conf = os.path.join(self.dir.name, "s.conf")
        with open(self.conf, "w") as f:
            f.write(POLICY)

    def tearDown(self):
        self.dir.cleanup()

    def explain_at(self, at, *extra):
        r = run("-c", self.conf, "explain", "--mac", "44:47:cc:00:00:01", "--dst",
                "198.51.100.1", "--at", at, *extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.decode()

    def test_explain_at(self):
        # 2026-12-08 is a Tuesday
        self.assertIn("verdict: allow (rule support", self.explain_at("2026-12-08 10:59"))
        self.assertIn("window:  tue 09:00-11:00", self.explain_at("2026-12-08 10:00"))
        self.assertIn("rule egress", self.explain_at("2026-12-08 11:00"))
        self.assertIn("rule egress", self.explain_at("2026-12-09 10:00"))
        # past midnight: Tuesday's night runs into Wednesday
        self.assertIn("rule night", self.explain_at("2026-12-09 05:59"))
        self.assertIn("rule egress", self.explain_at("2026-12-09 06:00"))
        self.assertIn("at:      2026-12-08 23:00, local time", self.explain_at("2026-12-08 23:00"))
        j = self.explain_at("2026-12-08 10:00", "--json")
        self.assertIn('"rule":"support"', j)
        self.assertIn('"ts":"2026-12-08T', j)

    def test_bad_windows_are_file_line_errors(self):
        with open(self.conf, "w") as f:
            f.write(POLICY.replace('to = "11:00"', 'to = "11:60"')
                    .replace('from = "22:00"; to = "06:00";', 'from = "06:00"; to = "06:00";'))
        r = run("-c", self.conf, "check")
        self.assertEqual(r.returncode, 1)
        lines = r.stderr.decode().splitlines()
        self.assertIn(self.conf + ":6: schedule: to '11:60' is not a time of day: use "
                      "\"HH:MM\", 00:00 to 23:59 (or 24:00)", lines)
        self.assertIn(self.conf + ":8: schedule: from 06:00 to 06:00 is an empty window (a "
                      "window past midnight: from later than to)", lines)

    def test_a_window_hides_no_later_rule(self):
        r = run("-c", self.conf, "check")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(b"never reached", r.stderr)


if __name__ == "__main__":
    unittest.main()
