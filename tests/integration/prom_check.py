#!/usr/bin/env python3
"""Check Prometheus text exposition (format 0.0.4) as nfq-guard writes it.

Usage: prom_check.py FILE [GROUP]   (FILE "-": standard input)
Every sample's family has HELP and TYPE lines before it, each family once;
names start nfq_guard_, counters end _total; at least ten families; label
values quoted; values numbers.  With GROUP: the group's flows counted
(nfq_guard_group_flows_total{group=GROUP} summed > 0).  Prints one line:
"families N, samples M, GROUP flows K" and exits 0, or says what is wrong
and exits 1.
"""
import re
import sys

SAMPLE = re.compile(r'^(nfq_guard_[a-z0-9_]+)(\{([a-z_]+="(?:[^"\\\n]|\\.)*"'
                    r'(?:,[a-z_]+="(?:[^"\\\n]|\\.)*")*)\})? (-?[0-9]+(?:\.[0-9]+)?)$')


def main():
    text = sys.stdin.read() if sys.argv[1] == "-" else open(sys.argv[1]).read()
    group = sys.argv[2] if len(sys.argv) > 2 else None
    helps, types, seen, samples, flows = set(), {}, set(), 0, 0
    if not text.endswith("\n"):
        sys.exit("prom: no newline at the end")
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^# (HELP|TYPE) (\S+) (.+)$", line)
        if m:
            kind, name, rest = m.groups()
            if kind == "HELP":
                if name in helps:
                    sys.exit("prom:%d: %s described twice" % (n, name))
                helps.add(name)
            else:
                if rest not in ("counter", "gauge"):
                    sys.exit("prom:%d: %s of type %s" % (n, name, rest))
                if rest == "counter" and not name.endswith("_total"):
                    sys.exit("prom:%d: counter %s does not end _total" % (n, name))
                types[name] = rest
            continue
        m = SAMPLE.match(line)
        if not m:
            sys.exit("prom:%d: not a sample: %r" % (n, line))
        name = m.group(1)
        if name not in helps or name not in types:
            sys.exit("prom:%d: %s without HELP and TYPE before it" % (n, name))
        key = (name, m.group(3))
        if key in seen:
            sys.exit("prom:%d: %s twice" % (n, line))
        seen.add(key)
        samples += 1
        if group and name == "nfq_guard_group_flows_total" and \
                ('group="%s"' % group) in (m.group(3) or ""):
            flows += int(m.group(4))
    if len(types) < 10:
        sys.exit("prom: %d families, fewer than ten" % len(types))
    if group and flows <= 0:
        sys.exit("prom: no flows counted for group %s" % group)
    print("families %d, samples %d, %s flows %d" % (len(types), samples, group, flows))


if __name__ == "__main__":
    main()
