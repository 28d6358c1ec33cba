#!/usr/bin/env python3
"""gen-responses -- responses to generated requests, for the join tests.

usage: gen-responses.py SEED REQUESTS RESPONSES RESPONSES2

For each request (scripts/gen-events output), by id % 20: 0 and 1 get
no response; 2 one 3 s later (outside a 1 s window); 3 one 150 ms
before the request; 4 two responses; 5 one without id; the others one
latency_ms later.  Each response is moved by up to +-200 ms (seeded),
and they are written in time order.  RESPONSES2 is the same with the
key called "req" instead of "id".
"""
import datetime, json, random, sys
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
def ms(s):
    d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return (d - EPOCH) // datetime.timedelta(milliseconds=1)
def ts(m):
    d = EPOCH + datetime.timedelta(milliseconds=m)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (m % 1000)
rnd = random.Random(int(sys.argv[1])).random
out = []
for line in open(sys.argv[2]):
    e = json.loads(line)
    t, i = ms(e["ts"]), e["id"]
    lat = int(e["latency_ms"] if e["latency_ms"] is not None else 10)
    k = i % 20
    if k in (0, 1):
        continue
    times = {2: [t + 3000], 3: [t - 150], 4: [t + lat, t + lat + 400]}
    for rt in times.get(k, [t + lat]):
        r = {"ts": ts(rt), "id": i, "status": e["status"]}
        if k == 5:
            del r["id"]
        out.append((rt + int((rnd() * 2 - 1) * 200), len(out), r))
out.sort(key=lambda x: x[:2])
with open(sys.argv[3], "w") as f, open(sys.argv[4], "w") as g:
    for _, _, r in out:
        f.write(json.dumps(r, separators=(",", ":")) + "\n")
        if "id" in r:
            r["req"] = r.pop("id")
        g.write(json.dumps(r, separators=(",", ":")) + "\n")
