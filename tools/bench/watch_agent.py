#!/usr/bin/env python3
"""Follows one agent of a running `sluice run` through its admin API.

    watch_agent.py ADMIN_HOST:PORT PID AGENT RECORDS [now]

Polls GET /agents/AGENT every 10 ms, over one kept-alive connection, until AGENT has processed RECORDS records, then
prints "records=N seconds=S cpu_seconds=C", measured from the first poll that
saw a processed record (so the consumer-group join is not counted), or with
"now" from the start of this script (just after the agent was resumed), with
the CPU time (user + system) of process PID from /proc/PID/stat. Exits 1 if the
agent fails or makes no progress for 60 s.

One connection for all polls matters: a new connection per poll (urllib's
way) cost the host a third of its CPU in S3, in accepting and setting up
the admin API's channels, which the measured process was charged for.
"""
import json
import os
import sys
import http.client
import time

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


class AdminClient:
    """GET requests over one kept-alive HTTP/1.1 connection, reopened if it breaks."""

    def __init__(self, admin):
        self.host, port = admin.rsplit(":", 1)
        self.port = int(port)
        self.connection = None

    def agent(self, name):
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=5)
            self.connection.request("GET", f"/agents/{name}")
            answer = self.connection.getresponse()
            body = answer.read()
            if answer.status != 200:
                raise RuntimeError(f"HTTP {answer.status}")
            return json.loads(body)
        except Exception:
            if self.connection is not None:
                self.connection.close()
            self.connection = None
            raise


def main():
    admin, pid, name, wanted = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    started = cpu_started = None
    if sys.argv[5:] == ["now"]:
        started, cpu_started = time.monotonic(), cpu_seconds(pid)
    client = AdminClient(admin)
    last, last_change = -1, time.monotonic()
    while True:
        try:
            status = client.agent(name)
        except Exception as error:  # not registered yet, or busy: try again
            status = {"processed": 0, "state": f"unreachable: {error}"}
        now = time.monotonic()
        processed = status.get("processed", 0)
        if started is None and processed > 0:
            started, cpu_started = now, cpu_seconds(pid)
        if processed >= wanted:
            print(f"records={processed} seconds={now - started:.6f} cpu_seconds={cpu_seconds(pid) - cpu_started:.6f}")
            return 0
        if str(status.get("state", "")).startswith("failed"):
            print(f"watch_agent: {name} failed: {status}", file=sys.stderr)
            return 1
        if processed != last:
            last, last_change = processed, now
        elif now - last_change > 60:
            print(f"watch_agent: {name} stuck at {processed} of {wanted}: {status}", file=sys.stderr)
            return 1
        time.sleep(0.01)


if __name__ == "__main__":
    sys.exit(main())
