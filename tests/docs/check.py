#!/usr/bin/env python3
"""Docs-consistency test: every command-line flag and command the built binary
prints in --help, and every policy key nfq-guard/policy/*.c looks up, is
documented in the man pages.  What is checked comes from the binary and the
source, never from a list kept here.

Usage: tests/docs/check.py BINARY [TOP]   (TOP: the source tree, default .)
Exit 0 when everything is documented, 1 otherwise (each gap on a line).
"""
import glob
import os
import re
import subprocess
import sys


def help_text(binary):
    """The binary's --help output (stdout, or stderr if it prints there)."""
    r = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=10)
    text = r.stdout or r.stderr
    if not text.strip():
        sys.exit(f"docs: {binary} --help printed nothing (exit {r.returncode})")
    return text


def split_top(s):
    """Split s at '|' outside (), [] and {}."""
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        if ch == "|" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


def help_commands(text):
    """Command names from the 'commands' part of --help.  Two layouts are read:
    one command per line indented by two spaces (description to the right or
    below, indented deeper), and 'commands: a ... | b [...]' with '|' lines."""
    cmds, inside = [], False
    for line in text.splitlines():
        m = re.match(r"^\s*commands:\s?(.*)$", line, re.I)
        if m:
            inside, rest = True, m.group(1)
        elif inside and not line.strip():
            if cmds:
                break
            continue
        elif inside and (line.startswith("  ") and not line.startswith("   ")):
            rest = line  # one command per line
        elif inside and line.strip().startswith("|"):
            rest = line  # continuation of 'a | b | c'
        elif inside and re.match(r"^[a-z]", line, re.I) and ":" in line:
            break  # next section ("exit status: ...")
        else:
            continue
        for seg in split_top(rest):
            words = seg.split()
            if words and re.fullmatch(r"[a-z][a-z0-9-]*", words[0]):
                cmds.append(words[0])
    return sorted(set(cmds))


def help_flags(text):
    """Every long (--xxx) and short (-x) option named anywhere in --help."""
    longs = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", text))
    shorts = set(re.findall(r"(?<![\w-])(-[A-Za-z])(?![\w-])", text))
    return sorted(longs | shorts)


def man_text(path):
    """The page rendered as plain text (mandoc, overstrike removed)."""
    r = subprocess.run(["mandoc", "-Tascii", path], capture_output=True, text=True, check=True)
    return re.sub(r".\x08", "", r.stdout)


def sections(text):
    """{SECTION NAME: text} of a rendered page (headers start in column 0)."""
    out, name = {}, ""
    for line in text.splitlines():
        if re.match(r"^[A-Z][A-Z ]+$", line):
            name = line.strip()
        elif name:
            out[name] = out.get(name, "") + line + "\n"
    return out


def policy_keys(src):
    """Keys the policy compiler accepts: its tables of allowed keys (*keys[] =
    {...} of names, or struct ..._keys[] = {...} whose entries start with one)
    and the names it looks settings up by."""
    keys = set()
    table = r"(?:\*\s*const\s+|struct\s+\w+\s+)\w*keys\s*\[\s*\]\s*=\s*\{(.*?)\}\s*;"
    for m in re.finditer(table, src, re.S):
        keys.update(re.findall(r'"([^"]+)"', m.group(1)))
    lookup = r"(?:config_setting_get_member|config_setting_lookup\w*|config_lookup\w*|get_\w+)"
    keys.update(re.findall(lookup + r'\s*\(\s*[^()";]*"([A-Za-z_][A-Za-z0-9_]*)"', src))
    return sorted(keys)


def mdoc_cm(path):
    """The words a page marks as Cm (command modifiers: how keys are written)."""
    words = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("."):
                words.update(re.findall(r"\bCm\s+\\?&?([A-Za-z_][\w-]*)", line))
    return words


def nested_quotes(pages):
    """A quote opened inside another (mdoc's Ql runs to the end of its line)."""
    out = []
    for page in pages:
        r = subprocess.run(["mandoc", "-Tutf8", page], capture_output=True, text=True,
                           check=True)
        for line in re.sub(r".\x08", "", r.stdout).splitlines():
            if re.search(r"‘[^’]*‘", line):
                out.append(f"{page}: nested quotes: {line.strip()}")
    return out


def missing_files(top, docs):
    """Repository paths a document names (scripts/..., policies/..., X.md) that do not exist."""
    out = []
    pat = re.compile(r"(?<![\w/.-])((?:scripts|policies|tests|man|nfq-guard)/[\w./-]*[\w/]"
                     r"|[A-Z][A-Z_]+\.md)")
    for doc in docs:
        with open(doc, encoding="utf-8") as f:
            text = f.read()
        base = os.path.dirname(doc) if doc.endswith("policies/README.md") else top
        for m in sorted(set(pat.findall(text))):
            # a pattern, or a placeholder such as corpus/NAME/
            if "*" in m or any(re.fullmatch(r"[A-Z]+", c) for c in m.split("/")[:-1] + [m]):
                if not m.endswith(".md"):
                    continue
            if not (os.path.exists(os.path.join(top, m)) or
                    os.path.exists(os.path.join(base, m))):
                out.append(f"{doc}: names {m}, which the repository does not ship")
    return out


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: tests/docs/check.py BINARY [TOP]")
    binary, top = sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else "."
    page8 = os.path.join(top, "man/nfq-guard.8")
    page5 = os.path.join(top, "man/nfq-guard.conf.5")
    gaps = []

    text = help_text(binary)
    sec8 = sections(man_text(page8))
    body = "".join(v for k, v in sec8.items() if k not in ("NAME", "SYNOPSIS"))
    synopsis = sec8.get("SYNOPSIS", "")
    flags, cmds = help_flags(text), help_commands(text)
    if not cmds:
        gaps.append(f"{binary} --help: no commands found (has its layout changed?)")
    for fl in flags:
        if not re.search(r"(?<![\w-])" + re.escape(fl) + r"(?![\w-])", body):
            gaps.append(f"{page8}: flag {fl} (in --help) is not described")
    commands_sec = sec8.get("COMMANDS", "")
    for c in cmds:
        pat = r"(?m)^\s+" + re.escape(c) + r"\b"
        if not re.search(r"\b" + re.escape(c) + r"\b", synopsis):
            gaps.append(f"{page8}: command {c} (in --help) is not in the SYNOPSIS")
        if not re.search(pat, commands_sec):
            gaps.append(f"{page8}: command {c} (in --help) has no entry under COMMANDS")

    src = ""
    for path in sorted(glob.glob(os.path.join(top, "nfq-guard/policy/*.c"))):
        with open(path, encoding="utf-8") as f:
            src += f.read()
    keys = policy_keys(src)
    if not keys:
        gaps.append("nfq-guard/policy/*.c: no policy keys found (has the code changed?)")
    cm = mdoc_cm(page5)
    for k in keys:
        if k not in cm:
            gaps.append(f"{page5}: policy key {k} (in nfq-guard/policy/) is not documented (.Cm {k})")

    gaps += nested_quotes([page8, page5])
    gaps += missing_files(top, [os.path.join(top, "README.md"),
                                os.path.join(top, "policies/README.md"), page8, page5])

    for g in gaps:
        print("docs: " + g)
    print(f"docs: {len(flags)} flags, {len(cmds)} commands, {len(keys)} policy keys; "
          f"{len(gaps)} undocumented")
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
