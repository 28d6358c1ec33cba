#!/usr/bin/env python3
"""gen-background.py -- write tests/rules/background.ndjson: an hour of
normal traffic (2026-11-25 08:00 to 09:00) on which none of the rules of
tests/rules/*.yaml fires.  Deterministic; run it again to regenerate:

    python3 tests/rules/gen-background.py >tests/rules/background.ndjson

What it holds, and why nothing fires:
- heartbeats of boiler-1, boiler-2 and pump-7 every 2 minutes (jittered
  by up to 20 s) to the end: never 5 minutes of silence (dead-sensor);
- logins of eight users, each from its own address (grace from two), every
  address seen in the first 25 minutes (new-ip learns for 30), at most one
  failed login per user in 10 minutes, followed by a success (bruteforce,
  botnet, failed-then-success); root fails once and never gets in
  (admin-login);
- api requests in two regions every 20 s with latencies of 20 to 300 ms
  (latency); server errors of checkout and search, 0 to 2 a minute, so
  never three times the minute before (error-spike);
- payments of six cards, each from one or two countries (card-countries);
- configuration reports of three devices every 15 minutes, always with
  the same hash (config-change).
"""

import datetime
import random

START = datetime.datetime(2026, 11, 25, 8, 0, tzinfo=datetime.timezone.utc)
SPAN = 3600 * 1000                      # ms


def ts(ms):
    t = START + datetime.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def main():
    rnd = random.Random(2026)
    out = []                            # (ms, seq, line)

    def emit(ms, body):
        out.append((ms, len(out), '{"ts":"%s",%s}' % (ts(ms), body)))

    # heartbeats
    for i, s in enumerate(("boiler-1", "boiler-2", "pump-7")):
        ms = 5000 + i * 3000
        while ms < SPAN:
            emit(ms, '"kind":"heartbeat","sensor":"%s","temp_c":%d'
                 % (s, 55 + rnd.randrange(10)))
            ms += 120000 + rnd.randrange(-20000, 20001)

    # logins
    users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace",
             "heidi"]
    ips = {u: ["10.1.0.%d" % (i + 1)] for i, u in enumerate(users)}
    ips["grace"].append("10.1.0.77")
    for i, u in enumerate(users):
        host = "web-%d" % (1 + i % 2)
        # every address once while new-ip learns
        for k, ip in enumerate(ips[u]):
            ms = (60 + i * 150 + k * 300) * 1000 + rnd.randrange(1000)
            emit(ms, '"event":"login_success","user":"%s","src_ip":"%s",'
                 '"host":"%s"' % (u, ip, host))
        # then one session every 7 to 13 minutes
        ms = 30 * 60000 + rnd.randrange(0, 5 * 60000)
        while ms < SPAN - 60000:
            ip = rnd.choice(ips[u])
            if rnd.random() < 0.4:      # a typo first
                emit(ms, '"event":"login_failed","user":"%s","src_ip":"%s",'
                     '"host":"%s"' % (u, ip, host))
                ms += 3000 + rnd.randrange(5000)
            emit(ms, '"event":"login_success","user":"%s","src_ip":"%s",'
                 '"host":"%s"' % (u, ip, host))
            emit(ms + 60000 + rnd.randrange(120000),
                 '"event":"logout","user":"%s","src_ip":"%s","host":"%s"'
                 % (u, ip, host))
            ms += 7 * 60000 + rnd.randrange(6 * 60000)
    emit(41 * 60000 + 1234, '"event":"login_failed","user":"root",'
         '"src_ip":"10.9.9.9","host":"web-1"')
    emit(12 * 60000 + 4321, '"event":"login_success","user":"admin",'
         '"src_ip":"10.1.0.99","host":"web-2"')

    # api requests, and the errors of two other services
    ms = 2000
    n = 0
    while ms < SPAN:
        emit(ms, '"service":"api","region":"%s","path":"/v1/items",'
             '"status":200,"latency_ms":%d'
             % (("eu", "us")[n % 2], 20 + rnd.randrange(281)))
        ms += 20000
        n += 1
    for minute in range(60):
        for svc in ("checkout", "search"):
            for _ in range(rnd.choice((0, 1, 1, 2))):
                emit(minute * 60000 + rnd.randrange(60000),
                     '"service":"%s","path":"/v1/%s","status":%d,'
                     '"latency_ms":%d' % (svc, svc, rnd.choice((500, 502, 503)),
                                          400 + rnd.randrange(600)))
            emit(minute * 60000 + rnd.randrange(60000),
                 '"service":"%s","path":"/v1/%s","status":200,'
                 '"latency_ms":%d' % (svc, svc, 30 + rnd.randrange(100)))

    # payments
    cards = [("4111-1001", ["DE"]), ("4111-1002", ["FR"]),
             ("4111-1003", ["US", "CA"]), ("4111-1004", ["GB"]),
             ("4111-1005", ["JP", "DE"]), ("4111-1006", ["NL"])]
    for card, countries in cards:
        for _ in range(5):
            emit(rnd.randrange(SPAN), '"kind":"payment","card":"%s",'
                 '"amount":%d.%02d,"geo":{"country":"%s"}'
                 % (card, 5 + rnd.randrange(200), rnd.randrange(100),
                    rnd.choice(countries)))

    # configuration reports
    for i, (dev, h) in enumerate((("sw-1", "a1f3"), ("sw-2", "c9d0"),
                                  ("fw-1", "77e1"))):
        for q in range(4):
            emit(q * 15 * 60000 + 30000 + i * 7000,
                 '"kind":"config","device":"%s","config_hash":"%s"' % (dev, h))

    for _, _, line in sorted(out):
        print(line)


if __name__ == "__main__":
    main()
