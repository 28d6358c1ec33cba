#!/usr/bin/env python3
"""window-oracle.py -- what stream-window must write, computed the plain way.

A model of the stream-window design (/tmp/window-design.md: windows,
watermark, late records, aggregates, output order), written from the design
and not from lib/, for the bats tests to compare the tool with.  It keeps
every record of an open window and computes each aggregate exactly.

usage: window-oracle.py (--tumbling D | --hopping D --every D | --session D |
           --count N) [--offset D] [--by [NAME=]PATH]... [--agg AGG]...
           [--emit final|update] [--collect-max N] [--time PATH]
           [--time-unit U] [--time-format F] [--time-output F]
           [--lateness D] [--late FILE] [--stats] [FILE...]

Expressions are simple paths (.a.b).  --late FILE gets the late records;
--stats writes {"in","out","bad","late"} to stderr.  Bad records (invalid
JSON, no usable time, a non-number for a numeric aggregate) are skipped.
Not modelled: --max-keys, --idle, --processing-time, error messages.
"""

import argparse
import datetime
import json
import math
import re
import statistics
import sys
from collections import Counter
from decimal import Decimal
from fractions import Fraction

US = {"ns": Fraction(1, 1000), "us": 1, "ms": 1000, "s": 10**6,
      "m": 60 * 10**6, "h": 3600 * 10**6, "d": 86400 * 10**6}
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


class Bad(Exception):
    pass


def duration(text):                     # "1h30m" -> microseconds
    parts = re.findall(r"(\d+)(ns|us|ms|s|m|h|d)", text)
    if "".join(n + u for n, u in parts) != text or not parts:
        raise argparse.ArgumentTypeError("bad duration %r" % text)
    return int(sum(int(n) * US[u] for n, u in parts))


def path_of(expr):                      # ".geo.country" -> ["geo", "country"]
    if not re.fullmatch(r"(\.[A-Za-z_][A-Za-z0-9_]*)+", expr):
        sys.exit("window-oracle.py: only simple paths: %r" % expr)
    return expr.split(".")[1:]


def get(v, path):                       # jq's .a.b: null when absent
    for k in path:
        if v is not None and not isinstance(v, dict):
            raise Bad("cannot index")
        v = None if v is None else v.get(k)
    return v


def named(spec):                        # "n=expr" -> ("n", "expr")
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)=(?!=)(.*)$", spec)
    return m.groups() if m else (None, spec)


def parse_agg(spec):
    name, body = named(spec)
    func, args = re.fullmatch(r"(\w+(?:\.\d+)?)(?:\((.*)\))?", body).groups()
    k = None
    if func == "top":
        k, args = args.split(",", 1)
    path = path_of(args) if args is not None else None
    if name is None:
        name = func.replace(".", "_") + ("_" + path[-1] if path else "")
    q = Fraction(func[1:]) / 100 if re.fullmatch(r"p[\d.]+", func) else None
    numeric = q is not None or func in ("sum", "avg", "min", "max", "stddev")
    return {"name": name, "func": func, "path": path, "k": k and int(k),
            "q": q, "numeric": numeric}


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def norm(v):                            # integers as integers, keys sorted
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {k: norm(v[k]) for k in sorted(v)}
    return v


def dumps(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def jq_key(v):                          # jq's order of JSON values
    if v is None or isinstance(v, bool):
        return (0 if v is None else 1 + v,)
    if is_num(v):
        return (3, v)
    if isinstance(v, str):
        return (4, v)
    if isinstance(v, list):
        return (5, tuple(map(jq_key, v)))
    return (6, tuple(sorted(v)), tuple(jq_key(v[k]) for k in sorted(v)))


def event_time(v, o):                   # microseconds since the epoch
    if is_num(v):
        return int(Decimal(repr(v)) * Decimal(US[o.time_unit].numerator)
                   / US[o.time_unit].denominator)
    try:
        if o.time_format:
            d = datetime.datetime.strptime(v, o.time_format)
        else:
            d = datetime.datetime.fromisoformat(v)
    except (TypeError, ValueError):
        raise Bad("no usable time")
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return (d - EPOCH) // datetime.timedelta(microseconds=1)


def fmt_time(us, how="rfc3339"):
    if how in ("s", "ms"):
        return norm(us / (10**6 if how == "s" else 1000))
    d = EPOCH + datetime.timedelta(microseconds=us)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)


def aggregate(i, a, recs, o):           # recs: [(seq, t, values)]
    vs = sorted((s, t, v[i]) for s, t, v in recs if v[i] is not None)
    xs = [v for _, _, v in vs]
    f = a["func"]
    if f == "count":
        return len(recs) if a["path"] is None else len(xs)
    if f == "distinct":
        return len({dumps(norm(x)) for x in xs})
    if f == "collect":                  # in arrival order, the first N
        return norm(xs[:o.collect_max])
    if f == "top":                      # count descending, then jq order
        c = Counter(dumps(norm(x)) for x in xs)
        best = sorted(c, key=lambda k: (-c[k], jq_key(json.loads(k))))
        return [{"value": json.loads(k), "count": c[k]}
                for k in best[:a["k"]]]
    if not xs:
        return None
    if f in ("first", "last"):          # earliest/latest time; ties: arrival
        pick = min if f == "first" else max
        return norm(pick(vs, key=lambda r: (r[1], r[0]))[2])
    if f == "stddev":
        return norm(statistics.stdev(xs)) if len(xs) > 1 else None
    if f in ("sum", "avg", "min", "max"):
        return norm({"sum": sum(xs), "avg": sum(xs) / len(xs),
                     "min": min(xs), "max": max(xs)}[f])
    return norm(sorted(xs)[math.floor(a["q"] * (len(xs) - 1))])


class Oracle:
    def __init__(self, o):
        self.o, self.open, self.maxt, self.wm = o, {}, None, None
        self.n = {"in": 0, "out": 0, "bad": 0, "late": 0}
        self.late = open(o.late, "a") if o.late else None

    def order(self, w):                 # end, then group in jq order, start
        return (w["end"], tuple(map(jq_key, w["group"])), w["start"])

    def write(self, w):
        o = self.o
        out = {"start": fmt_time(w["start"], o.time_output),
               "end": fmt_time(w["end"], o.time_output)}
        for (name, _), g in zip(o.by, w["group"]):
            out[name] = norm(g)
        for i, a in enumerate(o.aggs):
            out[a["name"]] = aggregate(i, a, w["recs"], o)
        print(dumps(out))
        self.n["out"] += 1

    def close(self, ws):
        for w in sorted(ws, key=self.order):
            del self.open[w["id"]]
            if self.o.emit == "final":
                self.write(w)

    def window(self, wid, start, end, group):
        if wid not in self.open:
            self.open[wid] = {"id": wid, "start": start, "end": end,
                              "group": group, "recs": []}
        return self.open[wid]

    def add(self, rec, group):
        """add rec (seq, t, values); return the windows it changed"""
        o, t, gid = self.o, rec[1], dumps(norm(list(group)))
        if o.count:                     # start, end: earliest, latest time
            w = self.window(gid, t, t, group)
            w["recs"].append(rec)
            w["start"], w["end"] = min(w["start"], t), max(w["end"], t)
            if len(w["recs"]) == o.count:
                self.close([w])
            return [w]
        if o.session:                   # merge every session rec is near
            near = [w for w in self.open.values() if w["id"][1] == gid and
                    w["start"] - o.session < t < w["end"]]
            recs = [rec] + [r for w in near for r in w["recs"]]
            for w in near:
                del self.open[w["id"]]
            start = min(r[1] for r in recs)
            w = self.window((start, gid), start,
                            max(r[1] for r in recs) + o.session, group)
            w["recs"] = recs
            return [w]
        size, hop = o.size, o.every or o.size
        s = (t - o.offset) // hop * hop + o.offset
        changed = []
        while s > t - size:
            changed.insert(0, self.window((s, gid), s, s + size, group))
            s -= hop
        for w in changed:
            w["recs"].append(rec)
        return changed

    def record(self, line, src, lineno, seq):
        o = self.o
        self.n["in"] += 1
        try:
            try:
                rec = json.loads(line)
            except ValueError:
                raise Bad("invalid JSON")
            t = event_time(get(rec, o.time), o)
            group = tuple(get(rec, p) for _, p in o.by)
            vals = [a["path"] and get(rec, a["path"]) for a in o.aggs]
            if any(a["numeric"] and v is not None and not is_num(v)
                   for a, v in zip(o.aggs, vals)):
                raise Bad("not a number")
        except Bad:
            self.n["bad"] += 1
            return
        if not o.count and self.wm is not None and t < self.wm:
            self.n["late"] += 1
            if self.late:
                err = "late: %s is before the watermark %s" % (
                    fmt_time(t), fmt_time(self.wm))
                print(dumps({"error": err, "source": src, "line": lineno,
                             "raw": line}), file=self.late)
            return
        changed = self.add((seq, t, vals), group)
        if o.emit == "update":
            for w in changed:
                self.write(w)
        if not o.count:
            self.maxt = t if self.maxt is None else max(self.maxt, t)
            self.wm = self.maxt - o.lateness
            self.close([w for w in self.open.values() if w["end"] <= self.wm])


def main():
    p = argparse.ArgumentParser(prog="window-oracle.py")
    for opt in ("tumbling", "hopping", "every", "session", "offset",
                "lateness"):
        p.add_argument("--" + opt, type=duration, default=0)
    for opt in ("count", "collect-max"):
        p.add_argument("--" + opt, type=int, default=100 * (opt != "count"))
    for opt in ("by", "agg"):
        p.add_argument("--" + opt, action="append", default=[])
    p.add_argument("--emit", default="final", choices=("final", "update"))
    p.add_argument("--time", default=".ts")
    p.add_argument("--time-unit", default="s", choices=("s", "ms", "us", "ns"))
    p.add_argument("--time-format")
    p.add_argument("--time-output", default="rfc3339")
    p.add_argument("--late")
    p.add_argument("--stats", action="store_true")
    p.add_argument("files", nargs="*", default=["-"])
    o = p.parse_args()
    o.size = o.tumbling or o.hopping
    o.time = path_of(o.time)
    o.by = [(n or path_of(e)[-1], path_of(e)) for n, e in map(named, o.by)]
    o.aggs = [parse_agg(a) for a in o.agg or ["count"]]
    ora, seq = Oracle(o), 0
    for f in o.files:
        fh = sys.stdin.buffer if f == "-" else open(f, "rb")
        for lineno, raw in enumerate(fh, 1):
            line = raw.decode("utf-8").rstrip("\n").removesuffix("\r")
            if line.strip():
                ora.record(line, "<stdin>" if f == "-" else f, lineno, seq)
                seq += 1
    ora.close(list(ora.open.values()))  # end of input closes every window
    if o.stats:
        print(dumps(ora.n), file=sys.stderr)


if __name__ == "__main__":
    main()
