#!/usr/bin/env python3
"""Follows one agent of a running `sluice run` through its admin API.

    watch_agent.py ADMIN_HOST:PORT PID AGENT RECORDS [resume]

Polls GET /agents/AGENT over one kept-alive connection (every 5 to 100 ms,
more often as the end nears), until AGENT has processed RECORDS records, then
prints "records=N seconds=S cpu_seconds=C", measured from the last poll that
saw no processed record (so the consumer-group join is not counted, and a
run that finishes between two polls still has a duration), or with
"resume" from just before this script resumes the (paused) agent itself, with
the CPU time (user + system) of process PID from /proc/PID/stat. Exits 1 if the
agent fails or makes no progress for 60 s.

When the host reports the agent's `finish_window` (docs/admin-api.md), the
printed figures are the host's own instead: from its first finished batch to
its last, records = those finished after the first batch, seconds and
cpu_seconds between those two moments, read by the host when they happened
(so the polling interval does not blur them), and "source=host" is appended;
otherwise "source=polling". A window of a single batch falls back to polling.
With the window reported, polls come every 100 ms (they only notice the end;
each costs the measured process CPU); without it, as described above.

Resuming here, not in the calling script, matters for fast agents: the
interpreter's start-up between a separate resume and the first poll took
tens of milliseconds, in which the influxdb agent finished 100,000 records
unmeasured.

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

    def agent(self, name, method="GET", action=""):
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=5)
            self.connection.request(method, f"/agents/{name}{action}",
                                    headers={"Content-Type": "application/json"} if method == "POST" else {})
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


def pause_before_next_poll(processed, wanted, started, now):
    """Polls often only near the end: every admin request costs the measured
    host CPU (about 0.2 ms here), so a quarter of the expected remaining time,
    between 5 ms (the end is seen within 5 ms) and 100 ms."""
    if started is None or processed <= 0 or now <= started:
        return 0.01
    remaining = (wanted - processed) / (processed / (now - started))
    return min(0.1, max(0.005, remaining / 4))


def host_figures(window):
    """The run as the host measured it (first to last finished batch), or None
    when it does not report a window spanning more than one batch."""
    if not window:
        return None
    records = window["records"] - window["first_batch_records"]
    seconds = window["last_finished_at"] - window["first_finished_at"]
    if records <= 0 or seconds <= 0:
        return None
    cpu = window["last_cpu_seconds"] - window["first_cpu_seconds"]
    return f"records={records} seconds={seconds:.6f} cpu_seconds={cpu:.6f} source=host"


def main():
    admin, pid, name, wanted = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    started = cpu_started = None
    client = AdminClient(admin)
    if sys.argv[5:] == ["resume"]:
        started, cpu_started = time.monotonic(), cpu_seconds(pid)
        client.agent(name, "POST", "/resume")
    last, last_change = -1, time.monotonic()
    # The agent's first record lies between the last poll that saw none and the
    # first poll that saw some: starting the clock at the earlier one can only
    # understate the rate, and a small run that ends between two polls gets a
    # real (not zero) duration.
    idle_since, idle_cpu = time.monotonic(), cpu_seconds(pid)
    while True:
        try:
            status = client.agent(name)
        except Exception as error:  # not registered yet, or busy: try again
            status = {"processed": 0, "state": f"unreachable: {error}"}
        now = time.monotonic()
        processed = status.get("processed", 0)
        if started is None:
            if processed > 0:
                started, cpu_started = idle_since, idle_cpu
            else:
                idle_since, idle_cpu = now, cpu_seconds(pid)
        if processed >= wanted:
            print(host_figures(status.get("finish_window"))
                  or f"records={processed} seconds={now - started:.6f} "
                     f"cpu_seconds={cpu_seconds(pid) - cpu_started:.6f} source=polling")
            return 0
        if str(status.get("state", "")).startswith("failed"):
            print(f"watch_agent: {name} failed: {status}", file=sys.stderr)
            return 1
        if processed != last:
            last, last_change = processed, now
        elif now - last_change > 60:
            print(f"watch_agent: {name} stuck at {processed} of {wanted}: {status}", file=sys.stderr)
            return 1
        # With the host's own window the polls only notice the end: poll
        # seldom, since each request costs the measured process CPU.
        time.sleep(0.1 if "finish_window" in status else pause_before_next_poll(processed, wanted, started, now))


if __name__ == "__main__":
    sys.exit(main())
