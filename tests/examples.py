#!/usr/bin/env python3
"""examples.py -- every example of README.md and the man pages, extracted
and run, so that the documentation cannot rot (issue 8).

usage:
  examples.py list [--json] [FILE...]       print the examples
  examples.py fixtures DIR                  build the fixture tree in DIR
  examples.py run --work DIR [--fixtures DIR] [--jobs N] [--timeout S]
                  [--max-time S] [-q] [FILE...]
                                            run them; exit 1 on a failure
  examples.py rendered [FILE...]            check that each man page
                                            example is shown as extracted
                                            (and warn of those that an
                                            80-column terminal wraps)

FILE defaults to README.md and every man/*.1 and man/*.7, found afresh
each time, so that a new page is picked up without a change here.

What is an example
  README.md: each fenced code block marked sh, bash, shell, console,
  sh-session or shell-session.  With "$ " prompts, each prompt line is a
  command (with its continuation lines) and the other lines are output;
  without, the whole block is one command.  Also each line of an
  indented (4-space) code block that starts with a toolkit program
  (stream-...): those are examples too, though not fenced; "make ..."
  and "man ..." lines are not run.
  man/*.1, man/*.7: each ".Dl $ ..." (or ".D1 $ ...") line, and in each
  ".Bd -literal" block each line starting with "$ ", with its
  continuation lines: after a trailing backslash (\\e in mdoc), inside
  an open quote, after a trailing |, && or ||, or written with a "> "
  second prompt.  Other lines of the block are output.
  mdoc escapes become shell text (\\e \\(dq \\(aq \\& \\- \\(rB ...); an
  escape that a UTF-8 terminal shows as something else than what the
  shell needs (\\(mi is U+2212, \\(lq a curly quote) is reported as a
  fault of the example, as is an unknown escape.

How an example runs
  The commands of one block run in order in one scratch directory, with
  "bash -o pipefail -c", stdin from /dev/null, in a fresh copy (a tree of
  symbolic links) of the fixture tree: files the examples name
  (access.ndjson, users.csv, ...; see "fixtures") and, for absolute
  paths (/var/log/..., /etc/stream/...), a tree that each such path is
  rewritten into.  When a block shows "$ cat FILE" and its output, FILE
  holds that output, for that block and the later ones of the page;
  when a page shows a file whole, as ".Pa FILE :" right before a literal
  block with no command in it, FILE holds that block for the page.  A
  block that passes --time-unit ms gets requests and responses with
  times in milliseconds.
  First on PATH: wrappers of the built tools (which log each tool's exit
  status, so that a tool that fails inside >(...), <(...) or a
  background job is seen) and stand-ins for what reaches outside: kcat
  (-C: the topic from the fixtures, as -J envelopes with -J; -P reads
  its input), nc, curl and logger (read their input), pkill (does
  nothing), less (cat).
  A command passes when it exits 0 (a pipeline as pipefail sees it;
  141, SIGPIPE, is fine) and no toolkit program in it exited other than
  0 or 141.  A command that follows or waits (-f, -F, --follow,
  --follow-table, --idle, mkfifo, or a background &) is long-running:
  it is stopped after --timeout seconds (default 5) and passes if
  stopped so; one that ends sooner is judged by its status.  Any other
  command still running after --max-time seconds (default 20) fails.
"""

import argparse
import concurrent.futures
import glob
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXSRC = os.path.join(ROOT, "tests", "fixtures", "examples")

# Examples that cannot run offline at all, with the reason; keyed by a
# regular expression on the command.  Keep it tiny: a fixture or a
# stand-in is nearly always possible.
SKIP = [
]


# ---------------------------------------------------------------------------
# mdoc

# Escapes with what the shell needs; None: rendered as a character that
# is not what a shell command needs (the reason is the value in BAD).
NAMED = {
    "dq": '"', "aq": "'", "ga": "`", "ha": "^", "ti": "~", "rs": "\\",
    "lB": "[", "rB": "]", "lC": "{", "rC": "}", "ba": "|", "at": "@",
    "sh": "#", "Do": "$", "sl": "/", "pl": "+", "eq": "=", "lt": "<",
    "gt": ">", "bu": None, "mi": None, "mu": None, "lq": None, "rq": None,
    "oq": None, "cq": None, "em": None, "en": None, "hy": None,
}
BAD = {
    "mi": "a UTF-8 terminal shows \\(mi as U+2212 MINUS SIGN, which a "
          "shell does not take as a hyphen; write \\- or -",
    "hy": "\\(hy is a typographic hyphen; write \\- or -",
    "en": "\\(en is an en dash; write \\- or -",
    "em": "\\(em is an em dash; write \\-\\- or --",
    "lq": "\\(lq is a curly quote; write \\(dq",
    "rq": "\\(rq is a curly quote; write \\(dq",
    "oq": "\\(oq is a curly quote; write \\(aq or '",
    "cq": "\\(cq is a curly quote; write \\(aq or '",
    "mu": "\\(mu is a multiplication sign",
    "bu": "\\(bu is a bullet",
}
STRINGS = {"Aq": "'", "Ba": "|", "q": '"', "Lq": None, "Rq": None}


def unescape(s, errors):
    """mdoc/roff text to what is shown, as shell text; faults appended to
    errors."""
    out = []
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= n:
            # a backslash at the very end: roff joins the next line
            errors.append("a lone backslash ends a line; write \\e")
            i += 1
            continue
        e = s[i + 1]
        i += 2
        if e in "e\\":
            out.append("\\")
        elif e == "&" or e == "|" or e == "^" or e == ")":
            pass
        elif e == "-":
            out.append("-")
        elif e in " ~0":
            out.append(" ")
        elif e == ".":
            out.append(".")
        elif e == '"' or e == "#":
            errors.append("a roff comment (\\%s) inside an example" % e)
            break
        elif e == "(" or e == "[":
            if e == "(":
                name = s[i:i + 2]
                i += 2
            else:
                j = s.find("]", i)
                if j < 0:
                    errors.append("unclosed \\[ escape")
                    break
                name = s[i:j]
                i = j + 1
            if name in NAMED and NAMED[name] is not None:
                out.append(NAMED[name])
            elif name in BAD:
                errors.append(BAD[name])
                out.append("?")
            else:
                errors.append("unknown mdoc escape \\(%s" % name)
                out.append("?")
        elif e == "*":
            if s[i:i + 1] == "(":
                name = s[i + 1:i + 3]
                i += 3
            elif s[i:i + 1] == "[":
                j = s.find("]", i)
                name = s[i + 1:j] if j >= 0 else ""
                i = j + 1 if j >= 0 else n
            else:
                name = s[i:i + 1]
                i += 1
            if STRINGS.get(name):
                out.append(STRINGS[name])
            else:
                errors.append("unknown or typographic string \\*(%s"
                              % name)
                out.append("?")
        elif e == "f":
            # a font change: \fB, \fI, \fR, \fP, \f(CW, \f[B]
            if s[i:i + 1] == "(":
                i += 3
            elif s[i:i + 1] == "[":
                j = s.find("]", i)
                i = j + 1 if j >= 0 else n
            else:
                i += 1
        elif e == "'":
            errors.append("\\' is an acute accent; write \\(aq or '")
            out.append("?")
        elif e == "`":
            errors.append("\\` is a grave accent; write \\(ga")
            out.append("?")
        else:
            errors.append("unknown mdoc escape \\%s" % e)
            out.append("?")
    return "".join(out)


# ---------------------------------------------------------------------------
# shell text

def scan(text, state=None):
    """Quote state after text: None (none open), "'" or '"'."""
    q = state
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if q == "'":
            if c == "'":
                q = None
        elif q == '"':
            if c == "\\":
                i += 1
            elif c == '"':
                q = None
        else:
            if c == "\\":
                i += 1
            elif c == "'" or c == '"':
                q = c
            elif c == "#" and (i == 0 or text[i - 1] in " \t\n;|&("):
                j = text.find("\n", i)     # a comment: to the line's end
                i = n if j < 0 else j
                continue
        i += 1
    return q


def ends_with_backslash(text):
    m = re.search(r"(\\+)$", text)
    return bool(m) and len(m.group(1)) % 2 == 1


def strip_quoted(cmd):
    """cmd with the contents of its quoted strings removed."""
    out = []
    q = None
    i = 0
    while i < len(cmd):
        c = cmd[i]
        if q:
            if c == q:
                q = None
                out.append(c)
            elif q == '"' and c == "\\":
                i += 1
        else:
            if c == "\\" and i + 1 < len(cmd):
                out.append(cmd[i:i + 2])
                i += 2
                continue
            if c in "'\"":
                q = c
            out.append(c)
        i += 1
    return "".join(out)


LONG_RE = re.compile(
    r"(?:^|[\s;|&(])(?:-f|-F|--follow|--follow-table|--idle(?:=\S*)?)"
    r"(?=$|[\s;|&)=])"
    r"|\bmkfifo\b"
    r"|(?<![&>|<])&(?![&>])")


def long_running(cmd):
    return bool(LONG_RE.search(strip_quoted(cmd)))


class Example:
    def __init__(self, file, line, block, cmd, shown, errors=(), files=None,
                 kind=""):
        self.file = file
        self.line = line
        self.block = block      # (file, line of the block)
        self.cmd = cmd
        self.shown = shown
        self.errors = list(errors)
        self.files = dict(files or {})
        self.kind = kind
        self.long = long_running(cmd)

    def where(self):
        return "%s:%d" % (self.file, self.line)

    def json(self):
        return {"file": self.file, "line": self.line,
                "block": "%s:%d" % self.block, "cmd": self.cmd,
                "shown": self.shown, "long": self.long,
                "errors": self.errors, "files": sorted(self.files),
                "kind": self.kind}


def commands(lines, prompts):
    """Split the lines of a block, [(lineno, text, errors)], into
    commands: [(lineno, cmd, shown, errors)], and the output lines after
    each command: a second list, [(index of command, [text...])]."""
    cmds = []
    outputs = []
    i = 0
    n = len(lines)

    def take(i, first):
        """A command from lines[i] on; its first line's text is first."""
        ln, raw, errs = lines[i]
        cmd = first
        shown = [raw]
        errors = list(errs)
        q = scan(first)
        i += 1
        while i < n:
            nln, ntext, nerrs = lines[i]
            ps2 = re.match(r">(?:[ \t]|$)", ntext) if prompts else None
            last = cmd.split("\n")[-1]
            cont_bs = q is None and ends_with_backslash(last)
            cont_op = q is None and re.search(r"(\|\||&&|\|)\s*$",
                                              strip_quoted(last))
            if prompts and ntext.startswith("$ "):
                break
            if q is not None or cont_bs:
                piece = ntext[1:].lstrip(" \t") if ps2 else ntext
                if cont_bs:
                    cmd = cmd[:-1].rstrip() + " " + piece.lstrip()
                else:
                    cmd = cmd + "\n" + piece
            elif ps2 or cont_op:
                piece = ntext[1:].lstrip(" \t") if ps2 else ntext
                cmd = cmd + "\n" + piece
            else:
                break
            shown.append(ntext)
            errors.extend(nerrs)
            q = scan(cmd)
            i += 1
        if q is not None:
            errors.append("unclosed %s quote at the end of the example" % q)
        return i, (ln, cmd, "\n".join(shown), errors)

    if not prompts:
        if not lines:
            return [], []
        text = []
        for _, t, _ in lines:
            text.append(t)
        # join backslash continuations, keep the other lines
        cmd = ""
        for t in text:
            if cmd and ends_with_backslash(cmd.split("\n")[-1]) \
                    and scan(cmd) is None:
                cmd = cmd[:-1].rstrip() + " " + t.lstrip()
            else:
                cmd = cmd + ("\n" if cmd else "") + t
        errors = [e for _, _, es in lines for e in es]
        return [(lines[0][0], cmd, "\n".join(text), errors)], []

    while i < n:
        ln, text, errs = lines[i]
        if text.startswith("$ ") or text == "$":
            i, c = take(i, text[2:])
            cmds.append(c)
            outputs.append((len(cmds) - 1, []))
        else:
            if outputs:
                outputs[-1][1].append(text)
            i += 1
    return cmds, outputs


def cat_files(cmds, outputs):
    """Files that a block shows with "$ cat FILE" and its output."""
    files = {}
    for k, out in outputs:
        m = re.fullmatch(r"cat\s+([\w.@+-]+)\s*", cmds[k][1])
        if not m or not out:
            continue
        if any(t.strip() in ("...", "\u2026") for t in out):
            continue
        files[m.group(1)] = "".join(t + "\n" for t in out)
    return files


MACRO_RE = re.compile(r"^\.\s*(\S+)\s*(.*)$")


def extract_man(path, rel):
    with open(path, encoding="utf-8") as f:
        src = f.read().split("\n")
    examples = []
    page_files = {}

    def add_block(start, lines):
        cmds, outputs = commands(lines, True)
        page_files.update(cat_files(cmds, outputs))
        snapshot = dict(page_files)
        for ln, cmd, shown, errors in cmds:
            examples.append(Example(rel, ln, (rel, start), cmd, shown,
                                    errors, snapshot, "man"))

    # Files a page shows whole: ".Pa NAME :" right before a literal block
    # that holds no command.  They hold for the whole page (the text may
    # show the file after the command that reads it).
    i = 0
    n = len(src)
    while i < n - 1:
        m = re.match(r"^\.\s*Pa\s+([\w.@+-]+)\s+:\s*$", src[i])
        if m and re.match(r"^\.\s*Bd\s+-literal\b", src[i + 1]):
            body = []
            k = i + 2
            while k < n and not re.match(r"^\.\s*Ed\b", src[k]):
                if not src[k].startswith("."):
                    body.append(unescape(src[k], []))
                k += 1
            if body and not any(t.startswith("$ ") for t in body):
                page_files[m.group(1)] = "".join(t + "\n" for t in body)
        i += 1

    i = 0
    while i < n:
        raw = src[i]
        m = MACRO_RE.match(raw)
        if m and m.group(1) in ("Dl", "D1"):
            errs = []
            arg = m.group(2)
            if arg.startswith("$ ") or arg == "$":
                if '"' in arg:
                    errs.append('a plain " on a .%s line is an mdoc quote, '
                                'not shown; write \\(dq' % m.group(1))
                text = unescape(arg, errs)
                cmds, _ = commands([(i + 1, text, errs)], True)
                for ln, cmd, shown, errors in cmds:
                    examples.append(Example(rel, ln, (rel, i + 1), cmd,
                                            shown, errors, page_files,
                                            "man"))
            i += 1
            continue
        if m and m.group(1) == "Bd" and re.match(r"-literal\b", m.group(2)):
            start = i + 1
            lines = []
            i += 1
            while i < n and not re.match(r"^\.\s*Ed\b", src[i]):
                t = src[i]
                if t.startswith(".") or t.startswith("'"):
                    if t.startswith("'"):
                        errs = ["a line starting with ' is a roff "
                                "request, not shown; write \\&'"]
                        lines.append((i + 1, "", errs))
                    # a macro or comment line inside the display
                    i += 1
                    continue
                errs = []
                lines.append((i + 1, unescape(t, errs), errs))
                i += 1
            add_block(start, lines)
            i += 1
            continue
        i += 1
    return examples


FENCE_LANGS = {"sh", "bash", "shell", "console", "sh-session",
               "shell-session", "zsh"}


def extract_markdown(path, rel):
    with open(path, encoding="utf-8") as f:
        src = f.read().split("\n")
    examples = []
    i = 0
    n = len(src)
    prev_blank = True
    while i < n:
        t = src[i]
        m = re.match(r"^(\s*)(```+|~~~+)\s*([\w-]*)", t)
        if m:
            fence = m.group(2)
            lang = m.group(3).lower()
            start = i + 1
            body = []
            i += 1
            while i < n and not src[i].strip().startswith(fence):
                body.append((i + 1, src[i], []))
                i += 1
            i += 1
            prev_blank = False
            if lang not in FENCE_LANGS:
                continue
            while body and not body[-1][1].strip():
                body.pop()
            prompts = any(b[1].startswith("$ ") for b in body)
            cmds, outputs = commands(body, prompts)
            files = cat_files(cmds, outputs) if prompts else {}
            for ln, cmd, shown, errors in cmds:
                examples.append(Example(rel, ln, (rel, start), cmd, shown,
                                        errors, files, "fenced " + lang))
            continue
        if prev_blank and t.startswith("    ") and t.strip():
            # an indented code block: until a non-indented, non-blank line
            block = []
            while i < n and (src[i].startswith("    ") or not src[i].strip()):
                block.append((i + 1, src[i][4:]))
                i += 1
            j = 0
            while j < len(block):
                ln, line = block[j]
                if re.match(r"\$?\s*stream-", line):
                    text = re.sub(r"^\$ ", "", line)
                    lines = [(ln, text, [])]
                    while ends_with_backslash(lines[-1][1]) and \
                            j + 1 < len(block):
                        j += 1
                        lines.append((block[j][0], block[j][1], []))
                    cmds, _ = commands(lines, False)
                    for cln, cmd, shown, errors in cmds:
                        examples.append(Example(rel, cln, (rel, cln), cmd,
                                                shown, errors, {},
                                                "indented"))
                j += 1
            prev_blank = False
            continue
        prev_blank = not t.strip()
        i += 1
    return examples


def default_files():
    files = [os.path.join(ROOT, "README.md")]
    files += sorted(glob.glob(os.path.join(ROOT, "man", "*.1")))
    files += sorted(glob.glob(os.path.join(ROOT, "man", "*.7")))
    return [f for f in files if os.path.isfile(f)]


def rel(path):
    p = os.path.abspath(path)
    if p.startswith(ROOT + os.sep):
        return p[len(ROOT) + 1:]
    return path


def extract(paths):
    out = []
    for p in paths:
        if p.endswith(".md"):
            out += extract_markdown(p, rel(p))
        else:
            out += extract_man(p, rel(p))
    return out


# ---------------------------------------------------------------------------
# fixtures

def gen(args, dest):
    with open(dest, "wb") as f:
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts",
                                                     "gen-events")] + args,
                       stdout=f, check=True)


def read_ndjson(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(t) for t in f if t.strip()]


def write_ndjson(path, recs):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, separators=(",", ":"),
                               ensure_ascii=False) + "\n")


def build_fixtures(d):
    """The fixture tree: d/files (the scratch directory's files), d/root
    (what absolute paths are rewritten into), d/kafka (topics for the kcat
    stand-in), d/ms (files for --time-unit ms), d/bin (stand-ins)."""
    if os.path.exists(d):
        shutil.rmtree(d)
    shutil.copytree(FIXSRC, d, symlinks=True)
    F = os.path.join(d, "files")
    R = os.path.join(d, "root")
    K = os.path.join(d, "kafka")
    M = os.path.join(d, "ms")
    for x in (F, R, K, M):
        os.makedirs(x, exist_ok=True)
    for x in ("var/log/app", "var/lib", "etc/stream"):
        os.makedirs(os.path.join(R, x), exist_ok=True)
    j = os.path.join

    gen(["-n", "2000", "--seed", "1"], j(F, "access.ndjson"))
    gen(["-n", "4000", "--seed", "2"], j(F, "day.ndjson"))
    gen(["-n", "20000", "--seed", "3"], j(F, "big.ndjson"))
    gen(["-n", "1000", "--seed", "4"], j(F, "in.ndjson"))
    gen(["-n", "500", "--seed", "5", "--rate", "50"], j(F, "api.ndjson"))
    gen(["-n", "500", "--seed", "6", "--rate", "50"],
        j(F, "billing.ndjson"))
    gen(["--users", "300", "--seed", "1"], j(F, "users.ndjson"))
    shutil.copy(j(F, "users.ndjson"), j(F, "users.new"))

    access = read_ndjson(j(F, "access.ndjson"))
    logins = [r for r in access
              if r.get("event") in ("login", "login_failed")]
    write_ndjson(j(F, "logins.ndjson"), logins)

    # events.ndjson: with a numeric user_id (the id column of users.csv)
    # and a type; few, so that "--rate 100 -n 6000" ends soon
    events = []
    for k, r in enumerate(access[:60]):
        r = dict(r)
        r["user_id"] = 1 + k % 9            # 9 has no row in users.csv
        r["type"] = r["event"]
        events.append(r)
    write_ndjson(j(F, "events.ndjson"), events)

    # capture.ndjson: "time" in milliseconds, 400 ms of it
    cap = []
    t0 = 1795600800000
    for k in range(40):
        cap.append({"time": t0 + k * 10, "user": access[k].get("user"),
                    "event": access[k]["event"]})
    write_ndjson(j(F, "capture.ndjson"), cap)

    # requests and responses, times as RFC 3339 and in ms
    gen(["-n", "300", "--seed", "8", "--safe-ints"],
        j(F, "requests.ndjson"))
    subprocess.run([sys.executable,
                    j(ROOT, "tests", "gen-responses.py"), "8",
                    j(F, "requests.ndjson"), j(F, "responses.ndjson"),
                    j(d, "responses2.ndjson")], check=True)
    os.unlink(j(d, "responses2.ndjson"))
    import datetime
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

    def to_ms(s):
        t = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
        return (t - epoch) // datetime.timedelta(milliseconds=1)
    for name in ("requests.ndjson", "responses.ndjson"):
        recs = read_ndjson(j(F, name))
        for r in recs:
            r["ts"] = to_ms(r["ts"])
        write_ndjson(j(M, name), recs)

    # absolute paths
    for name in ("var/log/app/api.ndjson", "var/log/app/worker.ndjson",
                 "var/log/app/access.ndjson", "var/log/app.ndjson"):
        shutil.copy(j(F, "api.ndjson" if "worker" not in name
                      else "billing.ndjson"), j(R, name))
    shutil.copy(j(F, "users.ndjson"), j(R, "etc/stream/users.ndjson"))
    shutil.copy(j(F, "users.ndjson"), j(R, "etc/stream/users.new"))
    shutil.copy(j(F, "rules.yaml"), j(R, "etc/stream/rules.yaml"))

    # Kafka topics for the kcat stand-in: TOPIC.ndjson (values) or
    # TOPIC.tsv (key TAB value; no value: a tombstone)
    shutil.copy(j(F, "access.ndjson"), j(K, "access.ndjson"))
    shutil.copy(j(F, "logins.ndjson"), j(K, "logins.ndjson"))
    shutil.copy(j(F, "events.ndjson"), j(K, "events.ndjson"))
    shutil.copy(j(F, "requests.ndjson"), j(K, "requests.ndjson"))
    shutil.copy(j(F, "responses.ndjson"), j(K, "responses.ndjson"))
    beats = []
    for k in range(30):
        beats.append({"ts": "2026-11-25T10:%02d:%02dZ" % (k // 3, k % 3 * 20),
                      "kind": "heartbeat",
                      "sensor": "boiler-%d" % (1 + k % 2 if k < 20 else 1)})
    write_ndjson(j(K, "heartbeats.ndjson"), beats)
    write_ndjson(j(K, "sensors.ndjson"), beats)
    users = read_ndjson(j(F, "users.ndjson"))
    with open(j(K, "users.tsv"), "w", encoding="utf-8") as f:
        for r in users[:40]:
            f.write("%s\t%s\n" % (r["user"], json.dumps(
                r, separators=(",", ":"))))
        f.write("mallory\t\n")                # a deleted user
        f.write("bob\t%s\n" % json.dumps(dict(users[1], team="security"),
                                         separators=(",", ":")))
    # the planted incidents of scripts/demo, and their card payments
    gen(["--incidents", "1", "--seed", "1"], j(F, "incidents.ndjson"))
    shutil.copy(j(ROOT, "scripts", "demo-rules.yaml"),
                j(F, "demo-rules.yaml"))
    write_ndjson(j(K, "payments.ndjson"),
                 [r for r in read_ndjson(j(F, "incidents.ndjson"))
                  if r.get("event") == "payment"])
    shutil.copy(j(F, "readings.ndjson"), j(K, "readings.ndjson"))

    # vitals.ndjson: three bedside monitors every 5 s for 10 minutes;
    # bed-2's SpO2 drops from 10:03 to 10:05:30, bed-1's heart rate is
    # high from 10:06 to 10:08:30, bed-3's monitor stops at 10:07
    rnd = random.Random(7)
    vitals = []
    for k in range(120):
        for b, patient in (("bed-1", "p-1041"), ("bed-2", "p-1042"),
                           ("bed-3", "p-1043")):
            if b == "bed-3" and k >= 84:
                continue
            hr = 72 + int(rnd.random() * 16)
            spo2 = 95 + int(rnd.random() * 5)
            if b == "bed-2" and 36 <= k < 66:
                spo2 = 85 + int(rnd.random() * 4)
            if b == "bed-1" and 72 <= k < 102:
                hr = 134 + int(rnd.random() * 10)
            vitals.append({"ts": "2026-11-25T10:%02d:%02dZ"
                           % (k * 5 // 60, k * 5 % 60), "bed": b,
                           "patient": patient, "hr": hr, "spo2": spo2})
    write_ndjson(j(F, "vitals.ndjson"), vitals)
    write_ndjson(j(K, "vitals.ndjson"), vitals)
    write_stand_ins(j(d, "bin"))


KCAT = r'''#!/usr/bin/env python3
# kcat stand-in for the documentation examples: -C writes the topic's
# messages from $EXAMPLES_KAFKA and exits at their end; -J as kcat's JSON
# envelopes; -P reads its input.  An option it does not know is an error,
# so that an example does not pass on a guess.
import getopt, json, os, sys
try:
    opts, args = getopt.gnu_getopt(sys.argv[1:], "CPLQb:t:p:o:c:eJuqf:K:k:X:G:DEZvd:s:r:T:lV")
except getopt.GetoptError as e:
    sys.stderr.write("kcat (stand-in): %s\n" % e)
    sys.exit(2)
o = {}
for k, v in opts:
    o.setdefault(k, []).append(v)
modes = [m for m in ("-C", "-P", "-L", "-Q") if m in o]
if "-G" in o:
    modes.append("-G")
if len(modes) != 1:
    sys.stderr.write("kcat (stand-in): one of -C, -P, -L, -Q or -G is needed\n")
    sys.exit(2)
if "-b" not in o and "-L" not in o:
    sys.stderr.write("kcat (stand-in): no brokers (-b)\n")
    sys.exit(2)
mode = modes[0]
if mode == "-P":
    for _ in sys.stdin.buffer:
        pass
    sys.exit(0)
if mode in ("-L", "-Q"):
    sys.exit(0)
topics = o.get("-t", []) + (args if mode == "-G" else [])
if not topics:
    sys.stderr.write("kcat (stand-in): no topic (-t)\n")
    sys.exit(2)
d = os.environ["EXAMPLES_KAFKA"]
out = sys.stdout
try:
    for topic in topics:
        path = os.path.join(d, topic + ".tsv")
        if os.path.exists(path):
            msgs = []
            for line in open(path, encoding="utf-8"):
                k, _, v = line.rstrip("\n").partition("\t")
                msgs.append((k, v if v else None))
        elif os.path.exists(os.path.join(d, topic + ".ndjson")):
            msgs = [(None, line.rstrip("\n"))
                    for line in open(os.path.join(d, topic + ".ndjson"),
                                     encoding="utf-8")]
        else:
            sys.stderr.write("%% ERROR: Topic %s error: Broker: Unknown topic "
                             "or partition (no fixture %s.ndjson in %s)\n"
                             % (topic, topic, d))
            sys.exit(1)
        for n, (k, v) in enumerate(msgs):
            if "-J" in o:
                out.write(json.dumps({"topic": topic, "partition": 0,
                                      "offset": n, "tstype": "create",
                                      "ts": 1795600800000 + n, "broker": 1,
                                      "key": k, "payload": v},
                                     separators=(",", ":"),
                                     ensure_ascii=False) + "\n")
            else:
                out.write((v if v is not None else "") + "\n")
    out.flush()
except BrokenPipeError:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
sys.exit(0)
'''

STAND_INS = {
    "kcat": KCAT,
    "nc": '#!/bin/sh\n# nc stand-in: reads its input, sends nothing\n'
          'test $# -ge 1 || { echo "nc (stand-in): no host" >&2; exit 2; }\n'
          'exec cat >/dev/null\n',
    "curl": '#!/bin/sh\n# curl stand-in: reads its input, fetches nothing\n'
            'test $# -ge 1 || { echo "curl (stand-in): no URL" >&2; exit 2; }\n'
            'exec cat >/dev/null\n',
    "pkill": '#!/bin/sh\n# pkill stand-in: signals nothing (a real one '
             'would reach other tests)\n'
             'test $# -ge 1 || { echo "pkill (stand-in): no pattern" >&2;'
             ' exit 2; }\nexit 0\n',
    "logger": '#!/bin/sh\n# logger stand-in: reads its input, logs nothing\n'
              'test -t 0 || exec cat >/dev/null\n',
    "less": '#!/bin/sh\n# less stand-in\nexec cat "$@"\n',
    "more": '#!/bin/sh\n# more stand-in\nexec cat "$@"\n',
}


def write_stand_ins(b):
    os.makedirs(b, exist_ok=True)
    for name, text in STAND_INS.items():
        p = os.path.join(b, name)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, 0o755)


def write_tool_wrappers(b):
    """A wrapper for each built tool, in b, that logs its exit status."""
    os.makedirs(b, exist_ok=True)
    tools = []
    for p in sorted(glob.glob(os.path.join(ROOT, "stream-*"))):
        name = os.path.basename(p)
        if not re.fullmatch(r"stream-[a-z]+", name) or \
                not os.access(p, os.X_OK) or not os.path.isfile(p):
            continue
        tools.append(name)
        w = os.path.join(b, name)
        with open(w, "w") as f:
            f.write('#!/bin/bash\n"%s" "$@"\ns=$?\n'
                    'a="%s $*"\nprintf "%%s\\t%%s\\n" "$s" "${a//$\'\\n\'/ }" '
                    '>>"${EXAMPLES_TOOL_LOG:-/dev/null}"\nexit "$s"\n'
                    % (p, name))
        os.chmod(w, 0o755)
    return tools


# ---------------------------------------------------------------------------
# running

ABS_RE = re.compile(r"(?<![\w.~/$-])/(var|etc|srv|opt|home)/")


def rewrite_paths(cmd, root):
    return ABS_RE.sub(lambda m: root + "/" + m.group(1) + "/", cmd)


def link_tree(src, dst):
    """dst: real directories, symbolic links to the files of src."""
    for dirpath, dirnames, filenames in os.walk(src):
        r = os.path.relpath(dirpath, src)
        t = os.path.join(dst, r) if r != "." else dst
        os.makedirs(t, exist_ok=True)
        for fn in filenames:
            s = os.path.join(dirpath, fn)
            if os.path.islink(os.path.join(t, fn)) or \
                    os.path.exists(os.path.join(t, fn)):
                os.unlink(os.path.join(t, fn))
            os.symlink(s, os.path.join(t, fn))


def kill_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def tail(path, n=15, width=300):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return []
    lines = data.decode("utf-8", "replace").splitlines()
    return [t[:width] for t in lines[-n:]]


def run_block(exs, base, fix, env0, timeout, max_time):
    """Run the examples of one block in order; a list of
    (example, None or reason, stderr lines)."""
    work = os.path.join(base, "work")
    root = os.path.join(base, "root")
    logs = os.path.join(base, "log")
    os.makedirs(logs)
    link_tree(os.path.join(fix, "files"), work)
    link_tree(os.path.join(fix, "root"), root)
    if any("--time-unit ms" in e.cmd or "--time-unit=ms" in e.cmd
           for e in exs):
        link_tree(os.path.join(fix, "ms"), work)
    for name, text in exs[0].files.items():
        p = os.path.join(work, name)
        if os.path.lexists(p):
            os.unlink(p)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
    results = []
    ran = []
    groups = []
    try:
        for k, ex in enumerate(exs):
            if ex.errors:
                results.append((ex, "the example as written: " +
                                "; ".join(ex.errors), []))
                continue
            skip = [why for pat, why in SKIP if re.search(pat, ex.cmd)]
            if skip:
                results.append((ex, "SKIP " + skip[0], []))
                continue
            cmd = rewrite_paths(ex.cmd, root)
            for m in re.finditer(re.escape(root) + r"/[\w./@+-]+", cmd):
                parent = os.path.dirname(m.group(0))
                os.makedirs(parent, exist_ok=True)
            err = os.path.join(logs, "%d.err" % k)
            outp = os.path.join(logs, "%d.out" % k)
            tlog = os.path.join(logs, "%d.tools" % k)
            env = dict(env0, EXAMPLES_TOOL_LOG=tlog)
            limit = timeout if ex.long else max_time
            with open(err, "wb") as fe, open(outp, "wb") as fo:
                p = subprocess.Popen(["bash", "-o", "pipefail", "-c", cmd],
                                     cwd=work, env=env,
                                     stdin=subprocess.DEVNULL, stdout=fo,
                                     stderr=fe, start_new_session=True)
            groups.append(p.pid)
            timed_out = False
            try:
                status = p.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                timed_out = True
                kill_group(p.pid, signal.SIGTERM)
                try:
                    status = p.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    kill_group(p.pid, signal.SIGKILL)
                    status = p.wait()
            if status < 0:
                status = 128 - status
            ran.append((len(results), ex, status, timed_out, limit, err,
                        tlog))
            results.append(None)
    finally:
        # what the commands left in the background ends with the block
        for g in groups:
            kill_group(g, signal.SIGKILL)
    for k, ex, status, timed_out, limit, err, tlog in ran:
        why = None
        if timed_out and not ex.long:
            why = ("still running after %g s; not long-running (no -f, "
                   "--follow, --idle, mkfifo or &), so it should end"
                   % limit)
        elif not timed_out and status not in (0, 141):
            why = "exit status %d" % status
        stopped = timed_out or ex.long
        if why is None:
            for t in tail(tlog, 1000, 1000):
                s, _, argv = t.partition("\t")
                if s not in ("0", "141") and \
                        not (stopped and s in ("143", "137", "130")):
                    why = ("%s exited %s, inside the command (whose "
                           "status is %d)" % (argv, s, status))
                    break
        lines = tail(err, 100000, 300)
        if why is None:
            diag = [t for t in lines if DIAG_RE.match(t)]
            if diag:
                why = ("a diagnostic on the standard error (the fixtures "
                       "are clean): " + diag[0])
        results[k] = (ex, why, lines)
    return results


# A line of the standard error that fails an example that otherwise
# passed: a toolkit program's message (bad input, a missing file: the
# fixtures are clean and complete), the shell's own, a stand-in's.
DIAG_RE = re.compile(r"^(stream-[a-z]+: |bash: |sh: |usage: |jq: error|"
                     r"\S+ \(stand-in\): |% ERROR)")


def first_unique(lines, n=12):
    seen = set()
    out = []
    for t in lines:
        if t not in seen:
            seen.add(t)
            out.append(t)
    out = out[:n]
    if len(lines) > len(out):
        out.append("... (%d lines in all)" % len(lines))
    return out


def run(args):
    paths = args.files or default_files()
    exs = extract(paths)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    if not re.fullmatch(r"[\w./@+-]+", work):
        sys.exit("examples.py: the work directory %r has characters that "
                 "an example's rewritten path cannot hold" % work)
    fix = args.fixtures
    if not fix:
        fix = os.path.join(work, "fixtures")
        build_fixtures(fix)
    fix = os.path.abspath(fix)
    wrap = os.path.join(work, "tools")
    tools = write_tool_wrappers(wrap)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([wrap, os.path.join(fix, "bin"), ROOT,
                                   env.get("PATH", "")])
    env["EXAMPLES_KAFKA"] = os.path.join(fix, "kafka")
    env["LC_ALL"] = "C"
    env["TZ"] = "UTC"
    blocks = []
    index = {}
    for e in exs:
        if e.block not in index:
            index[e.block] = len(blocks)
            blocks.append([])
        blocks[index[e.block]].append(e)
    start = time.monotonic()
    results = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futs = [pool.submit(run_block, b, os.path.join(work, "b%03d" % k),
                            fix, env, args.timeout, args.max_time)
                for k, b in enumerate(blocks)]
        for f in futs:
            results += f.result()
    failed = skipped = 0
    for ex, why, err in results:
        mark = " (long-running)" if ex.long else ""
        if why is None:
            if not args.quiet:
                print("ok %s%s" % (ex.where(), mark))
            continue
        if why.startswith("SKIP "):
            skipped += 1
            print("ok %s # skip %s" % (ex.where(), why[5:]))
            continue
        failed += 1
        print("not ok %s: %s" % (ex.where(), why))
        for t in ex.shown.split("\n"):
            print("#   %s" % t)
        for t in first_unique(err):
            print("#   stderr: %s" % t)
    per = {}
    for ex, why, _ in results:
        per.setdefault(ex.file, [0, 0])
        per[ex.file][0 if why is None or why.startswith("SKIP ")
                     else 1] += 1
    for f in sorted(per):
        print("# %s: %d examples, %d failed" % (f, sum(per[f]), per[f][1]))
    if not any(t for t in tools):
        print("# no built tool found in %s" % ROOT)
    print("# %d examples: %d passed, %d failed, %d skipped (%.1f s; "
          "tools: %s)" % (len(results), len(results) - failed - skipped,
                          failed, skipped, time.monotonic() - start,
                          " ".join(tools) or "none"))
    return 1 if failed else 0


def norm(s):
    return " ".join(s.split())


def rendered(args):
    """Each man page example appears, whitespace aside, in what mandoc
    shows; and every "$ " line of a page is part of an example."""
    paths = [p for p in (args.files or default_files())
             if not p.endswith(".md")]
    bad = 0
    warned = 0

    def show(p, width):
        r = subprocess.run(["mandoc", "-Tascii"] + width + [p],
                           capture_output=True, check=True)
        text = re.sub(r".\x08", "", r.stdout.decode("utf-8", "replace"))
        return [norm(t) for t in text.split("\n")]

    def shows(page, want):
        k = len(want)
        return any(page[i:i + k] == want for i in range(len(page) - k + 1))

    for p in paths:
        page = show(p, ["-Owidth=1000"])
        narrow = show(p, [])
        exs = extract([p])
        for e in exs:
            want = [norm(t) for t in e.shown.split("\n")]
            if shows(page, want) and not shows(narrow, want):
                warned += 1
                print("# warning: %s: wrapped on an 80-column terminal, "
                      "so that a reader who copies it gets two commands; "
                      "a .Bd -literal with \\e at the break avoids that"
                      % e.where())
            if not shows(page, want):
                bad += 1
                print("not ok %s: mandoc shows this example otherwise "
                      "(an mdoc quote, delimiter or macro name in it?)"
                      % e.where())
                for t in e.shown.split("\n"):
                    print("#   extracted: %s" % t)
        lines = set()
        for e in exs:
            a = e.line
            lines.update(range(a, a + e.shown.count("\n") + 1))
        with open(p, encoding="utf-8") as f:
            for k, t in enumerate(f, 1):
                if re.match(r"(\.\s*D[l1]\s+)?\$ ", t) and k not in lines:
                    bad += 1
                    print("not ok %s:%d: a \"$ \" line that is in no "
                          "example (.Bd -literal or .Dl is needed)"
                          % (rel(p), k))
    print("# %d man pages, %d faults, %d warnings" % (len(paths), bad,
                                                     warned))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(prog="examples.py")
    sub = ap.add_subparsers(dest="what", required=True)
    a = sub.add_parser("list")
    a.add_argument("--json", action="store_true")
    a.add_argument("files", nargs="*")
    a = sub.add_parser("fixtures")
    a.add_argument("dir")
    a = sub.add_parser("run")
    a.add_argument("--work", required=True)
    a.add_argument("--fixtures")
    a.add_argument("--jobs", type=int, default=12)
    a.add_argument("--timeout", type=float, default=5)
    a.add_argument("--max-time", type=float, default=20)
    a.add_argument("--quiet", "-q", action="store_true",
                   help="print the failures and the summary only")
    a.add_argument("files", nargs="*")
    a = sub.add_parser("rendered")
    a.add_argument("files", nargs="*")
    args = ap.parse_args()
    if args.what == "list":
        for e in extract(args.files or default_files()):
            if args.json:
                print(json.dumps(e.json()))
            else:
                flags = []
                if e.long:
                    flags.append("long-running")
                if e.files:
                    flags.append("with " + ", ".join(sorted(e.files)))
                flags += ["FAULT: " + x for x in e.errors]
                print("%s: %s%s" % (e.where(), e.cmd.replace("\n", "\n\t"),
                                    "".join("\n\t# " + f for f in flags)))
        return 0
    if args.what == "fixtures":
        build_fixtures(args.dir)
        return 0
    if args.what == "run":
        return run(args)
    return rendered(args)


if __name__ == "__main__":
    sys.exit(main())
