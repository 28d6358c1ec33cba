#!/usr/bin/env python3
"""alert-oracle.py -- what stream-alert must write, computed the plain way.

A model of the stream-alert design (/tmp/alert-design.md: watermark, late
records, cooldown, keep_firing_for, output order, and the types match,
frequency, threshold with for:, absence, new_value, cardinality, spike (up)
and change), written from the design and not from lib/, for the bats tests
to compare the tool with byte for byte.

usage: alert-oracle.py run -r RULES.yaml [--lateness DUR] [--eof c|a]
           [--stats] [FILE...]
       alert-oracle.py gen [--seed N] [-n COUNT] [--disorder MS]
           [--keys K] [--tick]

run: the alerts, one line each, members in the design's order.  Times
are milliseconds inside; records carry RFC 3339 times in .ts.  Rules may
use: where (one comparison '.path OP literal', OP one of == != > >= < <=,
or 'true'), by (paths), field (a path), agg (count or FUNC(.path), FUNC
count sum avg min max), window, threshold, op, for, keep_firing_for,
cooldown, learn, keys, factor, direction (up only), severity, labels,
sample.  No message (written null).  --stats writes {"in","late",
"alerts","suppressed"} to stderr.

End of input without --state (design: "windows close as if wm = +inf";
absence judged up to the last event time; "firing alerts stay firing (no
resolved at EOF)"): --eof c (default) closes each key's windows that hold
records and nothing more: no empty window is judged after a key's last
record, and cardinality values do not expire, so nothing is resolved for
want of data; --eof a advances the window rules to +inf instead, so keys
that fire or are pending judge the empty windows after their last record
(which resolves or resets them) and every cardinality value expires.  Most
bats tests end their input with a far "tick" record (gen --tick), on which
both readings agree.

Absence with --lateness: a matching record after the watermark waits until
the watermark passes it, and each key's records and silences are judged
in time order, so that a record that arrives early does not hide the
silence before it (the man page: "when the watermark reaches D = L +
window without a matching record for the key").

Cardinality with --lateness: a record at t forgets the values last seen at
or before t - window (the design: "expire values with time <= t - window;
count"), but a firing key is judged again only when the watermark passes
an expiry, and resolves at the expiry time ("when the watermark moves past
expiries: recount; ... resolved at the expiry time").

gen: a seeded random stream of a handful of keys (k0..), with busy and
quiet periods per key; --disorder MS moves each printed time by up to
+-MS ms (the records stay in generation order); --tick adds a last record
{"ev":"tick"} an hour after the others.
"""

import argparse
import datetime
import heapq
import json
import math
import random
import re
import sys
from collections import deque

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
UNIT_MS = {"ms": 1, "s": 1000, "m": 60000, "h": 3600000, "d": 86400000}
INF = float("inf")


# ---------------------------------------------------------------------------
# Values, times, text

def duration(text):                     # "1m30s" -> ms
    text = str(text)
    parts = re.findall(r"(\d+)(ms|s|m|h|d)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError("bad duration %r" % text)
    return sum(int(n) * UNIT_MS[u] for n, u in parts)


def parse_ts(s):                        # RFC 3339 -> ms since the epoch
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)", s)
    if not m:
        raise ValueError("no usable time: %r" % s)
    tz = "+00:00" if m.group(3) == "Z" else m.group(3)
    d = datetime.datetime.fromisoformat(m.group(1) + tz)
    frac = m.group(2) or ".0"
    ms = int((frac[1:] + "000")[:3])
    return int((d - EPOCH).total_seconds()) * 1000 + ms


def fmt_ts(ms):
    d = EPOCH + datetime.timedelta(milliseconds=ms)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def fmt_num(x):
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return "%d" % x
    if math.isfinite(x) and x == int(x) and abs(x) < 2**53:
        return "%d" % int(x)
    return repr(x)


def canon(v):                           # canonical JSON text
    if v is None or isinstance(v, bool):
        return json.dumps(v)
    if isinstance(v, (int, float)):
        return fmt_num(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(canon(x) for x in v) + "]"
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canon(v[k])
                          for k in sorted(v)) + "}"


def path_of(expr):                      # ".geo.country" -> ["geo", "country"]
    if not re.fullmatch(r"(\.[A-Za-z_][A-Za-z0-9_]*)+", expr):
        sys.exit("alert-oracle.py: only simple paths: %r" % expr)
    return expr.split(".")[1:]


def get(rec, path):
    v = rec
    for k in path:
        v = v.get(k) if isinstance(v, dict) else None
    return v


def jq_rank(v):                         # jq's order of types
    if v is None:
        return 0
    if v is False:
        return 1
    if v is True:
        return 2
    if isinstance(v, (int, float)):
        return 3
    if isinstance(v, str):
        return 4
    return 5 if isinstance(v, list) else 6


def jq_cmp(a, b):
    ra, rb = jq_rank(a), jq_rank(b)
    if ra != rb or ra < 3:
        return (ra > rb) - (ra < rb)
    if ra in (3, 4):
        return (a > b) - (a < b)
    sa, sb = canon(a), canon(b)
    return (sa > sb) - (sa < sb)


OPS = {
    ">": lambda c: c > 0, ">=": lambda c: c >= 0, "<": lambda c: c < 0,
    "<=": lambda c: c <= 0, "==": lambda c: c == 0, "!=": lambda c: c != 0,
}


def guard():
    for i in range(1000000):
        yield i
    sys.exit("alert-oracle.py: a key never settles")


def compile_where(w):
    if w is None or str(w).strip() == "true":
        return lambda rec: True
    m = re.fullmatch(r"\s*(\.[A-Za-z_][A-Za-z0-9_.]*)\s*(==|!=|>=|<=|>|<)\s*(.+?)\s*", w)
    if not m:
        sys.exit("alert-oracle.py: where not understood: %r" % w)
    path, op, lit = path_of(m.group(1)), OPS[m.group(2)], json.loads(m.group(3))
    return lambda rec: op(jq_cmp(get(rec, path), lit))


def num_op(op):
    return lambda v, t: v is not None and OPS[op]((v > t) - (v < t))


def compile_agg(text):
    text = text or "count"
    if text == "count":
        return lambda recs: len(recs)
    m = re.fullmatch(r"(count|sum|avg|min|max)\((\.[A-Za-z_][A-Za-z0-9_.]*)\)", text)
    if not m:
        sys.exit("alert-oracle.py: agg not understood: %r" % text)
    f, path = m.group(1), path_of(m.group(2))

    def agg(recs):
        vals = [get(r, path) for (_, r, _) in recs]
        vals = [v for v in vals if v is not None]
        if f == "count":
            return len(vals)
        if not vals:
            return None
        if f == "sum":
            return sum(vals)
        if f == "avg":
            return sum(vals) / len(vals)
        return min(vals) if f == "min" else max(vals)
    return agg


# ---------------------------------------------------------------------------
# Rules

class Rule:
    def __init__(self, spec, idx, eng):
        self.eng = eng
        self.idx = idx
        self.name = spec["name"]
        self.type = spec["type"]
        self.where = compile_where(spec.get("where"))
        by = spec.get("by", [])
        if isinstance(by, str):
            by = [by]
        self.by = [(path_of(b)[-1], path_of(b)) for b in by]
        self.window = duration(spec["window"]) if "window" in spec else None
        self.threshold = spec.get("threshold")
        default_op = ">" if self.type == "threshold" else ">="
        self.cond = num_op(spec.get("op", default_op))
        self.agg = compile_agg(spec.get("agg"))
        self.field = path_of(spec["field"]) if "field" in spec else None
        self.factor = spec.get("factor")
        if spec.get("direction", "both") != "up" and self.type == "spike":
            sys.exit("alert-oracle.py: spike: only direction: up")
        self.for_ = duration(spec.get("for", "0s"))
        self.learn = duration(spec.get("learn", "0s"))
        self.cooldown = duration(spec.get("cooldown", "0s"))
        self.kff = duration(spec.get("keep_firing_for", "0s"))
        self.severity = spec.get("severity", "warning")
        labels = spec.get("labels") or {}
        self.labels = canon(labels)
        self.sample = spec.get("sample", 3)
        self.keys = spec.get("keys", [])
        if "message" in spec:
            sys.exit("alert-oracle.py: message is not modelled")
        self.state = {}                 # key canonical text -> dict
        self.last_fire = {}             # key canonical text -> time

    # -- helpers
    def key_of(self, rec):
        vals = [get(rec, p) for (_, p) in self.by]
        text = "{" + ",".join(json.dumps(n) + ":" + canon(v)
                              for (n, _), v in zip(self.by, vals)) + "}"
        return text

    def may_fire(self, k, at):
        a = self.last_fire.get(k)
        if self.cooldown > 0 and a is not None and at < a + self.cooldown:
            self.eng.suppressed += 1
            return False
        self.last_fire[k] = at
        return True

    def alert(self, state, at, k, value, threshold, window, sample,
              previous=None, has_previous=False):
        out = ['{"alert":', json.dumps(self.name, ensure_ascii=False),
               ',"state":"', state, '","severity":',
               json.dumps(self.severity, ensure_ascii=False),
               ',"at":"', fmt_ts(at), '","key":', k, ',"value":', value]
        if has_previous:
            out += [',"previous":', previous]
        out += [',"threshold":', "null" if threshold is None else fmt_num(threshold),
                ',"window":', "null" if window is None else
                '{"start":"%s","end":"%s"}' % (fmt_ts(window[0]), fmt_ts(window[1])),
                ',"labels":', self.labels, ',"message":null,"sample":[',
                ",".join(sample[:self.sample] if self.sample else []), "]}"]
        self.eng.alerts += 1
        return (at, self.idx, k, "".join(out))

    def value_text(self, v):
        return "null" if v is None else (fmt_num(v) if isinstance(v, (int, float)) else canon(v))

    # -- per type; each returns a list of (at, rule, key, line)
    def start(self, first):
        self.first = first
        if self.type == "absence":
            name = self.by[0][0] if self.by else None
            for v in self.keys:
                k = "{" + json.dumps(name) + ":" + canon(v) + "}"
                self.abs_state(k)["L"] = first

    def record(self, t, rec, raw):
        if not self.where(rec):
            return []
        k = self.key_of(rec)
        return getattr(self, "rec_" + self.type)(t, rec, raw, k)

    def advance(self, w):
        f = getattr(self, "adv_" + self.type, None)
        return f(w) if f else []

    # match
    def rec_match(self, t, rec, raw, k):
        if self.may_fire(k, t):
            return [self.alert("firing", t, k, "null", None, None, [raw])]
        return []

    # frequency
    def rec_frequency(self, t, rec, raw, k):
        s = self.state.setdefault(k, [])
        s[:] = [x for x in s if x[0] > t - self.window]
        s.append((t, raw))
        n = len(s)
        if self.cond(n, self.threshold) and self.may_fire(k, t):
            sample = [r for (_, r) in s][-self.sample:] if self.sample else []
            s.clear()
            return [self.alert("firing", t, k, fmt_num(n), self.threshold,
                               (t - self.window, t), sample)]
        return []

    # change
    def rec_change(self, t, rec, raw, k):
        v = get(rec, self.field)
        if v is None:
            return []
        c = canon(v)
        old = self.state.get(k)
        if old is None:
            self.state[k] = c
            return []
        if c != old and self.may_fire(k, t):
            self.state[k] = c
            return [self.alert("firing", t, k, c, None, None, [raw],
                               previous=old, has_previous=True)]
        return []

    # new_value
    def rec_new_value(self, t, rec, raw, k):
        v = get(rec, self.field)
        if v is None:
            return []
        seen = self.state.setdefault(k, set())
        c = canon(v)
        if self.learn > 0 and t < self.first + self.learn:
            seen.add(c)
            return []
        if c not in seen and self.may_fire(k, t):
            seen.add(c)
            return [self.alert("firing", t, k, c, None, None, [raw])]
        return []

    # absence
    def rec_absence(self, t, rec, raw, k):
        s = self.abs_state(k)
        if t > self.eng.wm:
            # after the watermark: it waits until the watermark passes it,
            # since a record of the key from before it may still come
            heapq.heappush(s["wait"], (t, self.eng.n_in, raw))
            return []
        return self.abs_seen(k, s, t, raw)

    def abs_state(self, k):
        return self.state.setdefault(k, {"L": None, "firing": False, "judged": False,
                                         "D": None, "raw": None, "wait": []})

    def abs_seen(self, k, s, t, raw):
        out = []
        if s["firing"]:
            out.append(self.alert("resolved", t, k, "null", None, (s["D"], t), []))
            s["firing"] = False
        if s["L"] is None or t > s["L"]:
            s["L"] = t
        s["raw"] = raw
        s["judged"] = False
        return out

    def adv_absence(self, w):
        # each key's records and silences in time order, up to w: a record
        # before the deadline D = L + window ends the wait; at D (a record
        # at D too late) the silence fires, once
        out = []
        for k, s in self.state.items():
            for _ in guard():
                d = INF if s["L"] is None or s["judged"] else s["L"] + self.window
                nxt = s["wait"][0][0] if s["wait"] else INF
                if nxt < d and nxt <= w:
                    t, _, raw = heapq.heappop(s["wait"])
                    out += self.abs_seen(k, s, t, raw)
                elif d <= w:
                    s["judged"] = True
                    if self.may_fire(k, d):
                        s["firing"] = True
                        s["D"] = d
                        out.append(self.alert("firing", d, k, "null", None, (s["L"], d),
                                              [s["raw"]] if s["raw"] else []))
                else:
                    break
        return out

    # threshold
    def rec_threshold(self, t, rec, raw, k):
        s = self.state.setdefault(k, {"win": {}, "firing": False, "E0": None,
                                      "last_true": None, "last_eval": None})
        start = t - t % self.window
        s["win"].setdefault(start, []).append((t, rec, raw))
        return []

    def adv_threshold(self, w, eof_c=False):
        out = []
        W = self.window
        for k in sorted(self.state):
            s = self.state[k]
            limit = w
            if eof_c:
                limit = max(s["win"]) + W if s["win"] else -INF
            for _ in guard():
                cands = [S + W for S in s["win"]]
                if (s["firing"] or s["E0"] is not None) and s["last_eval"] is not None:
                    cands.append(s["last_eval"] + W)
                if not cands or min(cands) > limit:
                    break
                E = min(cands)
                s["last_eval"] = E
                recs = s["win"].pop(E - W, [])
                v = self.agg(recs)
                if self.cond(v, self.threshold):
                    s["last_true"] = E
                    if not s["firing"]:
                        if s["E0"] is None:
                            s["E0"] = E
                        if E - s["E0"] >= self.for_ and self.may_fire(k, E):
                            s["firing"] = True
                            s["E0"] = None
                            out.append(self.alert("firing", E, k, self.value_text(v),
                                                  self.threshold, (E - W, E),
                                                  [r for (_, _, r) in recs]))
                elif s["firing"]:
                    if E >= s["last_true"] + W + self.kff:
                        s["firing"] = False
                        out.append(self.alert("resolved", E, k, self.value_text(v),
                                              self.threshold, (E - W, E), []))
                else:
                    s["E0"] = None
        return out

    # spike (direction up)
    def rec_spike(self, t, rec, raw, k):
        s = self.state.setdefault(k, {"win": {}, "vals": {}, "firing": False,
                                      "last_spike": None, "last_eval": None})
        start = t - t % self.window
        s["win"].setdefault(start, []).append((t, rec, raw))
        return []

    def adv_spike(self, w, eof_c=False):
        out = []
        W = self.window
        for k in sorted(self.state):
            s = self.state[k]
            limit = w
            if eof_c:
                limit = max(s["win"]) + W if s["win"] else -INF
            for _ in guard():
                cands = [S + W for S in s["win"]]
                if s["firing"] and s["last_eval"] is not None:
                    cands.append(s["last_eval"] + W)
                if not cands or min(cands) > limit:
                    break
                E = min(cands)
                s["last_eval"] = E
                recs = s["win"].pop(E - W, [])
                cur = self.agg(recs)
                prev = s["vals"].get(E - 2 * W)
                if prev is None and self.agg([]) == 0:
                    prev = 0
                s["vals"] = {E - W: cur}
                thr = None if prev is None else self.factor * prev
                spiking = (prev is not None and prev > 0 and cur is not None
                           and cur >= thr)
                if spiking:
                    s["last_spike"] = E
                    if not s["firing"] and self.may_fire(k, E):
                        s["firing"] = True
                        out.append(self.alert("firing", E, k, self.value_text(cur), thr,
                                              (E - W, E), [r for (_, _, r) in recs]))
                elif s["firing"] and E >= s["last_spike"] + W + self.kff:
                    s["firing"] = False
                    out.append(self.alert("resolved", E, k, self.value_text(cur), thr,
                                          (E - W, E), []))
        return out

    # cardinality
    def card_state(self, k):
        return self.state.setdefault(k, {"vals": {}, "gone": {}, "firing": False, "C": None,
                                         "sample": deque(maxlen=max(self.sample, 1))})

    def rec_cardinality(self, t, rec, raw, k):
        v = get(rec, self.field)
        if v is None:
            return []
        s = self.card_state(k)
        c = canon(v)
        # values last seen at or before t - window expire now; if that
        # makes a firing key's count fail, it resolves at the first of
        # their expiries once the watermark passes it (+ keep_firing_for),
        # unless a record makes the count hold again before that
        gone_now = []
        for x in [x for x, tx in s["vals"].items() if tx <= t - self.window]:
            s["gone"][x] = s["vals"].pop(x)
            gone_now.append(s["gone"][x] + self.window)
        if c not in s["vals"]:
            s["sample"].append((t, raw))    # a record that adds a value
        last = max(s["vals"].get(c, t), t)
        s["vals"][c] = last
        s["gone"].pop(c, None)
        heapq.heappush(self.heap, (last + self.window, k, c))
        n = len(s["vals"])
        if self.cond(n, self.threshold):
            if s["firing"]:
                s["C"] = None
            elif self.may_fire(k, t):
                s["firing"] = True
                s["C"] = None
                # the records that made it: those that added a value,
                # still in the window
                sample = [r for (x, r) in s["sample"] if x > t - self.window]
                return [self.alert("firing", t, k, fmt_num(n), self.threshold,
                                   (t - self.window, t), sample)]
        elif s["firing"] and s["C"] is None and gone_now:
            s["C"] = min(gone_now)
        return []

    def adv_cardinality(self, w):
        out = []
        while True:
            nexts = []
            if self.heap and self.heap[0][0] <= w:
                nexts.append((self.heap[0][0], 0))
            due = [(s["C"] + self.kff, k) for k, s in self.state.items()
                   if s["C"] is not None and s["C"] + self.kff <= w]
            if due:
                nexts.append((min(due)[0], 1))
            if not nexts:
                break
            x, kind = min(nexts)
            if kind == 0:
                _, k, c = heapq.heappop(self.heap)
                s = self.state[k]
                if s["vals"].get(c) == x - self.window:
                    del s["vals"][c]
                elif s["gone"].get(c) == x - self.window:
                    del s["gone"][c]    # expired by a record, judged then
                    continue
                else:
                    continue            # seen again since
                n = len(s["vals"])
                if s["firing"] and not self.cond(n, self.threshold) and s["C"] is None:
                    if self.kff == 0:
                        s["firing"] = False
                        out.append(self.alert("resolved", x, k, fmt_num(n), self.threshold,
                                              (x - self.window, x), []))
                    else:
                        s["C"] = x
            else:
                for at, k in sorted(due):
                    if at != x:
                        continue
                    s = self.state[k]
                    s["C"] = None
                    s["firing"] = False
                    n = len(s["vals"])
                    out.append(self.alert("resolved", at, k, fmt_num(n), self.threshold,
                                          (at - self.window, at), []))
        return out


class Engine:
    def __init__(self, specs, lateness, eof):
        self.rules = []
        self.alerts = self.suppressed = self.n_in = self.late = 0
        for i, spec in enumerate(specs):
            r = Rule(spec, i, self)
            r.heap = []
            self.rules.append(r)
        self.lateness = lateness
        self.eof_mode = eof
        self.maxt = None
        self.wm = None
        self.out = []

    def flush(self, batch, sort):
        if sort:
            batch.sort(key=lambda a: (a[0], a[1], a[2]))
        self.out.extend(line for (_, _, _, line) in batch)

    def advance(self, w, absence_to=None):
        batch = []
        for r in self.rules:
            if r.type == "absence":
                batch += r.advance(w if absence_to is None else absence_to)
            else:
                batch += r.advance(w)
        self.flush(batch, True)

    def record(self, raw):
        self.n_in += 1
        rec = json.loads(raw)
        t = parse_ts(rec["ts"])
        if self.wm is not None and t < self.wm:
            self.late += 1
            return
        if self.maxt is None:
            self.maxt = t
            self.wm = t - self.lateness
            for r in self.rules:
                r.start(t)
        elif t > self.maxt:
            self.maxt = t
            self.wm = t - self.lateness
            self.advance(self.wm)
        batch = []
        for r in self.rules:
            batch += r.record(t, rec, raw)
        self.flush(batch, False)

    def eof(self):
        if self.maxt is None:
            return
        batch = []
        for r in self.rules:
            if r.type == "absence":
                batch += r.advance(self.maxt)
            elif r.type in ("threshold", "spike") and self.eof_mode == "c":
                batch += getattr(r, "adv_" + r.type)(INF, eof_c=True)
            elif r.type == "cardinality" and self.eof_mode == "c":
                pass
            else:
                batch += r.advance(INF)
        self.flush(batch, True)


# ---------------------------------------------------------------------------
# gen

def gen(a):
    rnd = random.Random(a.seed)
    keys = ["k%d" % i for i in range(a.keys)]
    t = parse_ts("2026-11-25T10:00:00Z")
    period = None
    mode = {k: "m0" for k in keys}
    lines = []
    for i in range(a.count):
        t += 1 + int(-math.log(1.0 - rnd.random()) * 20)
        if period != t // 2000:
            period = t // 2000
            weight = {k: rnd.choice((0, 1, 1, 2, 4)) for k in keys}
            hot = {k: rnd.random() < 0.25 for k in keys}
            if not any(weight.values()):
                weight[keys[0]] = 1
        k = rnd.choices(keys, [weight[x] for x in keys])[0]
        r = rnd.random()
        ev = "a" if r < 0.6 else ("b" if r < 0.9 else "c")
        v = rnd.randrange(101) + (50 if hot[k] else 0)
        u = "u%d" % rnd.randrange(30 if hot[k] else 12)
        if rnd.random() < 0.005:
            mode[k] = "m%d" % rnd.randrange(3)
        pt = t + (rnd.randint(-a.disorder, a.disorder) if a.disorder else 0)
        lines.append('{"ts":"%s","k":"%s","ev":"%s","v":%d,"u":"%s","mode":"%s"}'
                     % (fmt_ts(pt), k, ev, v, u, mode[k]))
    if a.tick:
        lines.append('{"ts":"%s","ev":"tick"}' % fmt_ts(t + 3600000))
    sys.stdout.write("".join(l + "\n" for l in lines))


def main():
    p = argparse.ArgumentParser(prog="alert-oracle.py")
    sub = p.add_subparsers(dest="cmd", required=True)
    pr = sub.add_parser("run")
    pr.add_argument("-r", "--rules", required=True)
    pr.add_argument("--lateness", default="0s")
    pr.add_argument("--eof", choices=("a", "c"), default="c")
    pr.add_argument("--stats", action="store_true")
    pr.add_argument("files", nargs="*")
    pg = sub.add_parser("gen")
    pg.add_argument("--seed", type=int, default=1)
    pg.add_argument("-n", "--count", type=int, default=3000)
    pg.add_argument("--disorder", type=int, default=0)
    pg.add_argument("--keys", type=int, default=5)
    pg.add_argument("--tick", action="store_true")
    a = p.parse_args()
    if a.cmd == "gen":
        gen(a)
        return
    import yaml
    with open(a.rules, encoding="utf-8") as f:
        specs = yaml.safe_load(f)["rules"]
    eng = Engine(specs, duration(a.lateness), a.eof)
    for name in a.files or ["-"]:
        f = sys.stdin if name == "-" else open(name, encoding="utf-8")
        for line in f:
            line = line.rstrip("\n").rstrip("\r")
            if line.strip():
                eng.record(line)
    eng.eof()
    sys.stdout.write("".join(l + "\n" for l in eng.out))
    if a.stats:
        sys.stderr.write(json.dumps({"in": eng.n_in, "late": eng.late,
                                     "alerts": eng.alerts,
                                     "suppressed": eng.suppressed}) + "\n")


if __name__ == "__main__":
    main()
