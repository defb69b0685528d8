#!/usr/bin/env python3
"""How late schedules fire when many are due at once (issue 15, item 1). Standard library only.

Starts, on loopback, the fake model and `bin/agent-runtime dev` of bench/agents-api-vs-ours.py
(fresh home under /tmp, free ports). Creates N sessions over HTTP and on each one schedule
`{"message", "at": T}`, all due at the same instant T (the start of a minute at least --lead
seconds after the last is set; --spread S spreads them over S seconds instead). Once every firing
had time to land it reads each session's turns over HTTP: the turn a firing opens is named
`turn_<scheduleId>_<due epoch ms>` and its `acceptedAt` is the journaled time of the scheduled
user message, so delay = acceptedAt - due. Reports how many fired exactly once (none twice) and
the delay p50/p90/p99/max in ms, and p50/p99 per tenth of the spread (a queue that builds shows as
a delay that grows), prints JSON. --split also reads the node's debug line of each firing (decision
0048) and splits the delay: sent (the schedule's timer), taken (the session took the message: its
journaled time) and answered (the message's journal write), and counts the sessions that passivated and recovered before and after the due
time. Every run also reports when the firings' turns completed, and at one instant how many
firings were taken and turns completed in each second after the due time. --wake-ahead sets the node's
agent-runtime.schedules.wake-ahead (0s: sessions are woken by the firing itself, as before 0048),
--max-in-flight its max-firings-in-flight (a large one: no bound, as before 0048).
Everything it starts it stops, by pid.

Build the node first without installing anything: `mvn -B -q -DskipTests package` (the bench
refuses to let bin/agent-runtime build with `install`).

  python3 bench/schedules-fire-delay.py [--schedules 10000] [--threads 16] [--out FILE]
"""
import argparse
import concurrent.futures
import datetime
import http.client
import http.server
import importlib.util
import json
import os
import re
import subprocess
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec = importlib.util.spec_from_file_location("peers", os.path.join(ROOT, "bench", "agents-api-vs-ours.py"))
peers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peers)

local = threading.local()


def conn(port):
    c = getattr(local, "conn", None)
    if c is None:
        c = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    return c


def call(port, method, path, body=None):
    for attempt in range(5):
        try:
            return peers.request(conn(port), method, path, body)
        except (OSError, http.client.HTTPException):
            local.conn = None
            time.sleep(0.2 * (attempt + 1))
    raise RuntimeError(f"{method} {path} failed 5 times")


def create_session(port):
    sid = "sched-bench-" + uuid.uuid4().hex[:12]
    st, data = call(port, "POST", "/v1/sessions", {"id": sid, "agent": {"model": "default"}})
    if st != 201:
        raise RuntimeError(f"POST /v1/sessions -> {st} {data[:300]}")
    return sid


def set_schedule(port, sid, at):
    st, data = call(port, "POST", f"/v1/sessions/{sid}/schedules", {"message": "wake up", "at": at})
    if st != 201:
        raise RuntimeError(f"POST schedules -> {st} {data[:300]}")
    return json.loads(data)


def firings(port, sid, schedule_id):
    for attempt in range(30):  # a node still busy with the turns answers 503: read again later
        st, data = call(port, "GET", f"/v1/sessions/{sid}/turns?limit=10")
        if st != 503:
            break
        time.sleep(1)
    if st != 200:
        raise RuntimeError(f"GET turns -> {st} {data[:300]}")
    return [t for t in json.loads(data)["turns"] if t["turnId"].startswith("turn_" + schedule_id + "_")]


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(ts):
    return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


SPLIT = re.compile(r"Schedule (\S+) run at \S+ fired: sent \+(-?\d+) ms, taken \+(-?\d+) ms, answered \+(-?\d+) ms")


def split(home):
    """Each firing's debug line, by schedule id (node.out: the console appender never drops one)."""
    found = {}
    with open(os.path.join(home, "node.out"), errors="replace") as f:
        for line in f:
            m = SPLIT.search(line)
            if m:
                found[m.group(1)] = tuple(int(g) for g in m.groups()[1:])
    return found


SESSION = re.compile(r"^(\d\d):(\d\d):(\d\d\.\d\d\d) DEBUG .*Session \S+ (passivates|recovered)")


def session_moves(home, due):
    """Sessions that passivated / recovered before and after the due time (debug lines, --split)."""
    counts = {"passivated_before_due": 0, "passivated_after_due": 0, "recovered_before_due": 0,
              "recovered_after_due": 0}
    day = due - due % 86400
    with open(os.path.join(home, "node.out"), errors="replace") as f:
        for line in f:
            m = SESSION.search(line)
            if m:
                t = day + int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
                what = "passivated" if m.group(4) == "passivates" else "recovered"
                counts[what + ("_after_due" if t >= due else "_before_due")] += 1
    return counts


def per_second(offsets, seconds=30):
    """How many of offsets (s after the due time) fall in each second, for the first `seconds`."""
    out = [0] * seconds
    for o in offsets:
        if 0 <= o < seconds:
            out[int(o)] += 1
    return out


def pcts(values):
    return {"p50": round(percentile(values, 50)), "p99": round(percentile(values, 99))} if values else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schedules", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--lead", type=float, default=20, help="seconds from the last schedule set to the due time, at least")
    ap.add_argument("--spread", type=float, default=0, help="spread the due times over this many seconds")
    ap.add_argument("--wake-ahead", help="the node's agent-runtime.schedules.wake-ahead, e.g. 0s")
    ap.add_argument("--max-in-flight", type=int,
                    help="the node's agent-runtime.schedules.max-firings-in-flight (a large one: no bound)")
    ap.add_argument("--split", action="store_true", help="split each firing's delay from the node's debug log")
    ap.add_argument("--out")
    args = ap.parse_args()
    java_opts = []
    if args.wake_ahead:
        java_opts.append(f"-Dagent-runtime.schedules.wake-ahead={args.wake_ahead}")
    if args.split:
        java_opts.append("-Dagent-runtime.schedules.log-level=DEBUG")
    if args.max_in_flight:
        java_opts.append(f"-Dagent-runtime.schedules.max-firings-in-flight={args.max_in_flight}")

    model = http.server.ThreadingHTTPServer(("127.0.0.1", peers.free_port()), peers.FakeModel)
    threading.Thread(target=model.serve_forever, daemon=True).start()
    node, port, home = peers.start_node(model.server_address[1], " ".join(java_opts))
    try:
        pool = concurrent.futures.ThreadPoolExecutor(args.threads)
        t0 = time.time()
        sessions = list(pool.map(lambda i: create_session(port), range(args.schedules)))
        created = time.time() - t0
        # Time to set them all at the rate the sessions were created, then the lead, then the next minute.
        due = int((time.time() + created + args.lead) // 60 + 1) * 60
        dues = [due + (i * args.spread / args.schedules if args.spread else 0) for i in range(args.schedules)]
        t1 = time.time()
        made = list(pool.map(lambda sd: set_schedule(port, sd[0], iso(sd[1])), zip(sessions, dues)))
        set_s = time.time() - t1
        if time.time() > due:
            raise RuntimeError("the schedules were set after their due time: raise --lead")
        time.sleep(max(0, due + args.spread - time.time()) + 15)
        found = list(pool.map(lambda sm: firings(port, sm[0], sm[1]["id"]), zip(sessions, made)))
        delays, missing, twice, done, taken_at, done_at = [], 0, 0, [], [], []
        slices = [[] for _ in range(10)]
        for (sid, sched), turns in zip(zip(sessions, made), found):
            if not turns:
                missing += 1
                continue
            twice += len(turns) > 1
            delay = (parse(turns[0]["acceptedAt"]) - parse(sched["nextRunAt"])) * 1000
            delays.append(delay)
            taken_at.append(parse(turns[0]["acceptedAt"]) - due)
            if turns[0]["status"] == "completed":
                done.append((parse(turns[0]["updatedAt"]) - parse(sched["nextRunAt"])) * 1000)
                done_at.append(parse(turns[0]["updatedAt"]) - due)
            if args.spread:
                slices[min(9, int((parse(sched["nextRunAt"]) - due) * 10 / args.spread))].append(delay)
        result = {
            "schedules": args.schedules, "spread_s": args.spread, "fired_once": len(delays) - twice,
            "fired_twice": twice, "not_fired": missing,
            "delay_ms": {"p50": round(percentile(delays, 50)), "p90": round(percentile(delays, 90)),
                         "p99": round(percentile(delays, 99)), "max": round(max(delays))} if delays else None,
            "delay_ms_by_tenth_of_spread": [pcts(d) for d in slices] if args.spread else None,
            # The turns the firings started: how long after its due time each completed, and how
            # many completed while firings were still being taken (work competing with them).
            "turn_completed_ms": {"completed": len(done), "p50": round(percentile(done, 50)),
                                  "p99": round(percentile(done, 99))} if done else None,
            "turns_completed_before_last_firing": sum(1 for t in done_at if taken_at and t < max(taken_at)),
            "firings_taken_per_s": per_second(taken_at) if not args.spread else None,
            "turns_completed_per_s": per_second(done_at) if not args.spread else None,
            "wake_ahead": args.wake_ahead or "default", "max_in_flight": args.max_in_flight or "default",
            "sessions_created_per_s": round(args.schedules / created), "schedules_set_per_s": round(args.schedules / set_s),
            "cpus": os.cpu_count(),
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                     text=True).stdout.strip(),
        }
        if args.split:
            parts = split(home).values()
            result["split_ms"] = {"firings": len(parts), "sent": pcts([p[0] for p in parts]),
                                  "taken": pcts([p[1] for p in parts]),
                                  "answered": pcts([p[2] for p in parts])}
            result["sessions"] = session_moves(home, due)
        print(json.dumps(result, indent=2))
        if args.out:
            with open(args.out, "w") as f:
                json.dump(result, f, indent=2)
    finally:
        peers.stop(node)
        model.shutdown()


if __name__ == "__main__":
    main()
