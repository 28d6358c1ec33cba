#!/usr/bin/env python3
"""latency.py -- how long a record takes to cross a live pipeline.

usage: latency.py PORTFILE FIFO RECORD...

Listens on 127.0.0.1 (a free port, written to PORTFILE so that the
pipeline's netcat can connect), opens FIFO for writing (the pipeline's
input), then for each RECORD: writes it with a newline, and waits until
one line arrives on the socket.  Prints each latency in milliseconds, one
per line.  Exits 1 if a line does not arrive within 5 seconds.
"""
import os
import socket
import sys
import time


def main():
    portfile, fifo, records = sys.argv[1], sys.argv[2], sys.argv[3:]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    srv.settimeout(10)
    conn, _ = srv.accept()
    conn.settimeout(5)
    w = os.open(fifo, os.O_WRONLY)
    pending = b""
    for rec in records:
        t0 = time.monotonic()
        os.write(w, rec.encode() + b"\n")
        while b"\n" not in pending:
            try:
                chunk = conn.recv(65536)
            except socket.timeout:
                chunk = b""
            if not chunk:
                print("no line arrived for %s" % rec, file=sys.stderr)
                return 1
            pending += chunk
        line, pending = pending.split(b"\n", 1)
        print("%.1f" % ((time.monotonic() - t0) * 1000))
        sys.stdout.flush()
    os.close(w)
    return 0


if __name__ == "__main__":
    sys.exit(main())
