#!/usr/bin/env python3
"""join-oracle.py -- what stream-join must write, computed the plain way.

A model of the stream-join design (/tmp/j/design.md: stream-table and
stream-stream joins, watermark, late records, expiry and output order),
written from the design and not from lib/, for the bats tests to compare
the tool with.

usage:
  join-oracle.py table --on PATH [--table-on PATH] [--tombstone EXPR]
      [--into NAME] [--left] [--stats] --table TABLEFILE [EVENTS]
  join-oracle.py table --on PATH ... --changelog FILE
  join-oracle.py interval --on PATH [--with-on PATH]
      (--within D | --before D --after D) [--left | --outer]
      [--lateness D] [--as L,R] [--max-held N] [--time PATH]
      [--time-unit s|ms|us|ns] [--time-format F] [--late FILE] [--stats]
      [--pause] LEFT RIGHT

Expressions are simple paths (.a.b); --tombstone also takes
`PATH == JSON`.  Durations are the tool's (250ms, 1s, 1h30m) or a bare
number of milliseconds.

Table mode: the table is read to its end, then the events.  With
--changelog FILE the two inputs are one file of interleaved lines
"t JSON" (a table record) and "e JSON" (an event), applied in that order:
an event is joined with the table as it stood when it came.  Output bytes:
the event as it came with the row's missing members appended compactly (row
member values keep their spelling, whitespace outside strings dropped), or
with "NAME":ROW last under --into (an event member NAME is cut out, with the
comma after it, or before it when it is the last member).

A record is its line without the JSON whitespace around it.

Interval mode: the two files are read as a merge (the next record comes
from the input whose largest time so far is smaller, ties and inputs not
yet read first: the left), with the watermark rule of the design.  The
output order is modelled exactly: for each record, (1) late check against
the watermark before it, (2) the pairs it makes, partners in arrival
order, (3) it is held, (4) the watermark moves and the held records whose
expiry (L.t + after, R.t + before) is before it expire, in (expiry,
arrival) order.  At step (3), a record that can never pair (no key) is held
only if its side is reported unmatched (--left, --outer); with --max-held,
when more than N are then held, the one with the smallest (expiry, arrival)
is let go at once (before the watermark moves: it counts as evicted even if
the watermark would have expired it in the same step).  An input that ends
stops holding the watermark back (expiries happen then), and at the end of
both inputs every held record expires.  --pause models a --state run
instead: the end of an input is a pause (stream-join(1), "The watermark"),
so it goes on holding the watermark back with the largest time it gave
(forever if it gave none), and at the end the held records are kept and
nothing is written for them.  --order is accepted and ignored (the order is
always modelled).

--stats writes {"in","out","bad","late"} (and "evicted" with --max-held) to
stderr.  Bad records (invalid JSON, not an object, no usable time, a path
that indexes a non-object, a table record without key) are counted and
skipped.  Not modelled: --idle, --state files (see --pause),
--follow-table on a live pipe (see --changelog), --dead-letter, messages.
"""

import argparse
import datetime
import heapq
import json
import re
import sys
from decimal import Decimal
from fractions import Fraction

US = {"ns": Fraction(1, 1000), "us": 1, "ms": 1000, "s": 10**6,
      "m": 60 * 10**6, "h": 3600 * 10**6, "d": 86400 * 10**6}
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
DEC = json.JSONDecoder()


class Bad(Exception):
    pass


def duration(text):                     # "1h30m" or "250" (ms) -> us
    if re.fullmatch(r"\d+", text):
        return int(text) * 1000
    parts = re.findall(r"(\d+)(ns|us|ms|s|m|h|d)", text)
    if "".join(n + u for n, u in parts) != text or not parts:
        raise argparse.ArgumentTypeError("bad duration %r" % text)
    return int(sum(int(n) * US[u] for n, u in parts))


def path_of(expr):                      # ".geo.country" -> ["geo", "country"]
    if not re.fullmatch(r"(\.[A-Za-z_][A-Za-z0-9_]*)+", expr):
        sys.exit("join-oracle.py: only simple paths: %r" % expr)
    return expr.split(".")[1:]


def get(v, path):                       # jq's .a.b: null when absent
    for k in path:
        if v is not None and not isinstance(v, dict):
            raise Bad("cannot index %s with %r" % (type(v).__name__, k))
        v = None if v is None else v.get(k)
    return v


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def canon(v):
    """canonical text of a JSON value: 1 and 1.0 one key, "1" another"""
    def norm(x):
        if isinstance(x, float) and x.is_integer():
            return int(x)
        if isinstance(x, list):
            return [norm(y) for y in x]
        if isinstance(x, dict):
            return {k: norm(x[k]) for k in sorted(x)}
        return x
    return json.dumps(norm(v), separators=(",", ":"), ensure_ascii=False)


def truthy(v):
    return v is not None and v is not False


def compact(text):
    """the JSON text without whitespace outside strings (spelling kept)"""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif c in " \t\r\n":
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def skip_ws(s, i):
    while i < len(s) and s[i] in " \t\r\n":
        i += 1
    return i


def members(text):
    """the top-level members of an object's text: [(name, key_start,
    value_start, value_end)], and the index of the closing brace"""
    i = skip_ws(text, 0)
    assert text[i] == "{"
    i = skip_ws(text, i + 1)
    out = []
    if text[i] == "}":
        return out, i
    while True:
        ks = i
        name, i = json.decoder.scanstring(text, i + 1)
        i = skip_ws(text, i)
        assert text[i] == ":"
        vs = skip_ws(text, i + 1)
        _, ve = DEC.raw_decode(text, vs)
        out.append((name, ks, vs, ve))
        i = skip_ws(text, ve)
        if text[i] == "}":
            return out, i
        assert text[i] == ","
        i = skip_ws(text, i + 1)


def dumps(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def parse_time(v, o):                   # microseconds since the epoch
    if is_num(v):
        return int(Decimal(repr(v)) * Decimal(US[o.time_unit].numerator)
                   / US[o.time_unit].denominator)
    if not isinstance(v, str):
        raise Bad("no usable time")
    try:
        if o.time_format:
            d = datetime.datetime.strptime(v, o.time_format)
        else:
            d = datetime.datetime.fromisoformat(v)
    except ValueError:
        raise Bad("no usable time")
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return (d - EPOCH) // datetime.timedelta(microseconds=1)


def fmt_time(us):
    d = EPOCH + datetime.timedelta(microseconds=us)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)


def lines_of(name):
    """(line number, line) of the non-blank lines of file NAME"""
    fh = sys.stdin.buffer if name == "-" else open(name, "rb")
    for lineno, raw in enumerate(fh, 1):
        line = raw.decode("utf-8")
        if lineno == 1:
            line = line.removeprefix("\ufeff")
        line = line.strip(" \t\r\n")   # the record is the JSON text only
        if line.strip():
            yield lineno, line


# ---------------------------------------------------------------------------
# Stream-table


class Table:
    def __init__(self, o):
        self.o, self.rows = o, {}
        self.n = {"in": 0, "out": 0, "bad": 0, "late": 0}

    def table_record(self, line):
        o = self.o
        self.n["in"] += 1
        try:
            try:
                rec = json.loads(line)
            except ValueError:
                raise Bad("invalid JSON")
            if not isinstance(rec, dict):
                raise Bad("not an object")
            key = get(rec, o.table_on)
            if key is None:
                raise Bad("no key")
            dead = False
            if o.tombstone:
                path, lit = o.tombstone
                v = get(rec, path)
                dead = truthy(v) if lit is None else canon(v) == canon(lit)
        except Bad:
            self.n["bad"] += 1
            return
        if dead:
            self.rows.pop(canon(key), None)
        else:
            self.rows[canon(key)] = line

    def event(self, line):
        o = self.o
        self.n["in"] += 1
        try:
            try:
                rec = json.loads(line)
            except ValueError:
                raise Bad("invalid JSON")
            if not isinstance(rec, dict):
                raise Bad("not an object")
            key = get(rec, o.on)
        except Bad:
            self.n["bad"] += 1
            return
        row = None if key is None else self.rows.get(canon(key))
        if row is None and not o.left:
            return
        if o.into:
            out = self.nest(line, row)
        elif row is None:
            out = line
        else:
            out = self.merge(line, row)
        print(out)
        self.n["out"] += 1

    def merge(self, line, row):
        ev, close = members(line)
        have = {m[0] for m in ev}
        add = []
        for name, _, vs, ve in members(row)[0]:
            if name not in have:
                have.add(name)
                add.append(dumps(name) + ":" + compact(row[vs:ve]))
        if not add:
            return line
        return (line[:close] + ("," if ev else "") + ",".join(add)
                + line[close:])

    def nest(self, line, row):
        name = self.o.into
        while True:
            ev, close = members(line)
            at = [i for i, m in enumerate(ev) if m[0] == name]
            if not at:
                break
            i = at[0]
            if i + 1 < len(ev):
                line = line[:ev[i][1]] + line[ev[i + 1][1]:]
            elif i > 0:
                line = line[:ev[i - 1][3]] + line[ev[i][3]:]
            else:
                line = line[:ev[i][1]] + line[ev[i][3]:]
        ev, close = members(line)
        val = "null" if row is None else compact(row)
        return (line[:close] + ("," if ev else "") + dumps(name) + ":" + val
                + line[close:])


def run_table(o):
    tb = Table(o)
    if o.changelog:
        for _, line in lines_of(o.changelog):
            side, _, rec = line.partition(" ")
            if side == "t":
                tb.table_record(rec)
            elif side == "e":
                tb.event(rec)
            else:
                sys.exit("join-oracle.py: changelog lines start with t or e")
    else:
        for _, line in lines_of(o.table):
            tb.table_record(line)
        for _, line in lines_of(o.events):
            tb.event(line)
    return tb.n


# ---------------------------------------------------------------------------
# Stream-stream


class Rec:
    __slots__ = ("seq", "side", "t", "key", "raw", "paired", "expiry",
                 "gone")

    def __lt__(self, other):
        return (self.expiry, self.seq) < (other.expiry, other.seq)


class Input:
    def __init__(self, name, side):
        self.name = "<stdin>" if name == "-" else name
        self.side, self.lines = side, lines_of(name)
        self.maxt, self.ended = None, False


class Interval:
    def __init__(self, o):
        self.o = o
        self.n = {"in": 0, "out": 0, "bad": 0, "late": 0}
        if o.max_held is not None:
            self.n["evicted"] = 0
        self.by_key = ({}, {})          # side -> key -> [Rec] by arrival
        self.heap = []                  # held records by (expiry, arrival)
        self.nheld = 0
        self.seq = 0
        self.wm = None
        self.ins = [Input(o.left_file, 0), Input(o.right_file, 1)]
        self.keep = (True, o.outer) if (o.left or o.outer) else (False, False)
        self.late = open(o.late, "a") if o.late else None
        self.names = [dumps(n) for n in o.as_names]

    def write(self, lraw, rraw):
        print("{%s:%s,%s:%s}" % (self.names[0], lraw or "null",
                                  self.names[1], rraw or "null"))
        self.n["out"] += 1

    def pop(self):
        """take the held record that expires first out of the heap"""
        while True:
            r = heapq.heappop(self.heap)
            if not r.gone:
                return r

    def let_go(self, r):
        r.gone = True
        self.nheld -= 1
        if r.key is not None:
            self.by_key[r.side][r.key].remove(r)
        if not r.paired and self.keep[r.side]:
            if r.side == 0:
                self.write(r.raw, None)
            else:
                self.write(None, r.raw)

    def watermark(self):
        live = [i for i in self.ins if self.o.pause or not i.ended]
        if not live or any(i.maxt is None for i in live):
            return
        wm = min(i.maxt for i in live) - self.o.lateness
        if self.wm is None or wm > self.wm:
            self.wm = wm

    def expire(self, everything=False):
        while self.nheld:
            r = self.pop()
            if everything or (self.wm is not None and r.expiry < self.wm):
                self.let_go(r)
            else:
                heapq.heappush(self.heap, r)
                return

    def record(self, inp, lineno, line):
        o = self.o
        self.n["in"] += 1
        try:
            try:
                v = json.loads(line)
            except ValueError:
                raise Bad("invalid JSON")
            t = parse_time(get(v, o.time), o)
            key = get(v, o.on if inp.side == 0 else o.with_on)
        except Bad:
            self.n["bad"] += 1
            return
        if self.wm is not None and t < self.wm:
            self.n["late"] += 1
            if self.late:
                err = "late: %s is before the watermark %s" % (
                    fmt_time(t), fmt_time(self.wm))
                print(dumps({"error": err, "source": inp.name,
                             "line": lineno, "raw": line}), file=self.late)
            return
        r = Rec()
        r.seq, r.side, r.t, r.raw = self.seq, inp.side, t, line
        r.paired = r.gone = False
        self.seq += 1
        r.key = None if key is None else canon(key)
        r.expiry = t + (o.after if inp.side == 0 else o.before)
        if r.key is not None:
            for p in self.by_key[1 - r.side].get(r.key, ()):
                lt, rt = (r.t, p.t) if r.side == 0 else (p.t, r.t)
                if lt - o.before <= rt <= lt + o.after:
                    r.paired = p.paired = True
                    if r.side == 0:
                        self.write(r.raw, p.raw)
                    else:
                        self.write(p.raw, r.raw)
            self.by_key[r.side].setdefault(r.key, []).append(r)
        if r.key is not None or self.keep[r.side]:
            heapq.heappush(self.heap, r)
            self.nheld += 1
            if o.max_held is not None and self.nheld > o.max_held:
                self.n["evicted"] += 1
                self.let_go(self.pop())
        inp.maxt = t if inp.maxt is None else max(inp.maxt, t)
        self.watermark()
        self.expire()

    def run(self):
        while True:
            live = [i for i in self.ins if not i.ended]
            if not live:
                break
            inp = min(live, key=lambda i: (
                float("-inf") if i.maxt is None else i.maxt, i.side))
            nxt = next(inp.lines, None)
            if nxt is None:
                inp.ended = True
                if not self.o.pause:
                    self.watermark()
                    self.expire()
                continue
            self.record(inp, *nxt)
        if not self.o.pause:
            self.expire(everything=True)
        return self.n


def main():
    p = argparse.ArgumentParser(prog="join-oracle.py")
    sub = p.add_subparsers(dest="mode", required=True)
    t = sub.add_parser("table")
    t.add_argument("--on", required=True)
    t.add_argument("--table-on")
    t.add_argument("--tombstone")
    t.add_argument("--into")
    t.add_argument("--left", action="store_true")
    t.add_argument("--follow-table", action="store_true")
    t.add_argument("--stats", action="store_true")
    g = t.add_mutually_exclusive_group(required=True)
    g.add_argument("--table")
    g.add_argument("--changelog")
    t.add_argument("events", nargs="?", default="-")
    i = sub.add_parser("interval")
    i.add_argument("--on", required=True)
    i.add_argument("--with-on")
    i.add_argument("--within", type=duration)
    i.add_argument("--before", type=duration)
    i.add_argument("--after", type=duration)
    i.add_argument("--left", action="store_true")
    i.add_argument("--outer", action="store_true")
    i.add_argument("--lateness", type=duration, default=0)
    i.add_argument("--as", dest="as_names", default="left,right")
    i.add_argument("--max-held", type=int)
    i.add_argument("--time", default=".ts")
    i.add_argument("--time-unit", default="s",
                   choices=("s", "ms", "us", "ns"))
    i.add_argument("--time-format")
    i.add_argument("--late")
    i.add_argument("--stats", action="store_true")
    i.add_argument("--order", action="store_true")
    i.add_argument("--pause", action="store_true")
    i.add_argument("left_file")
    i.add_argument("right_file")
    o = p.parse_args()
    o.on = path_of(o.on)
    if o.mode == "table":
        o.table_on = path_of(o.table_on) if o.table_on else o.on
        if o.tombstone:
            m = re.fullmatch(r"\s*(\S+?)\s*==\s*(.+?)\s*", o.tombstone)
            o.tombstone = ((path_of(m.group(1)), json.loads(m.group(2)))
                           if m else (path_of(o.tombstone), None))
        n = run_table(o)
    else:
        o.with_on = path_of(o.with_on) if o.with_on else o.on
        o.time = path_of(o.time)
        if o.within is not None:
            o.before = o.after = o.within
        if o.before is None or o.after is None:
            p.error("--within, or --before and --after")
        o.as_names = o.as_names.split(",")
        n = Interval(o).run()
    sys.stdout.flush()
    if o.stats:
        print(dumps(n), file=sys.stderr)


if __name__ == "__main__":
    main()
