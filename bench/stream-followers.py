#!/usr/bin/env python3
"""How many events streams a node still runs after a client closed them (issue 14, item 9).

Starts the same fake model and `bin/agent-runtime dev` as bench/agents-api-vs-ours.py, runs N turns
the way the SDKs' stream helper does (GET the session, open GET .../events, POST the message, read
to `agent.session.idle`, close the stream), then counts, right after the last close and again a
little later: the node's live event-stream stages (`KeyHeldStream` logic objects in a class
histogram, which collects garbage first) and its server-side TCP connections on the HTTP port that
the client has closed (CLOSE-WAIT) or that are still established. A stream that lingers after its
client left shows up in all three. Standard library, jcmd and ss.

  python3 bench/stream-followers.py [--turns 50]
"""
import argparse
import http.client
import importlib.util
import json
import os
import subprocess
import sys
import threading
import time

spec = importlib.util.spec_from_file_location(
    "bench", os.path.join(os.path.dirname(os.path.abspath(__file__)), "agents-api-vs-ours.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def live_streams(pid):
    out = subprocess.run(["jcmd", str(pid), "GC.class_histogram"], capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        if line.rstrip().endswith("io.agentruntime.http.events.KeyHeldStream$1"):
            return int(line.split()[1])
    return 0


def connections(port, state):
    out = subprocess.run(["ss", "-tnH", "state", state, f"sport = :{port}"], capture_output=True,
                         text=True).stdout
    return len([l for l in out.splitlines() if l.strip()])


def count(pid, port):
    return {"streams": live_streams(pid), "close_wait": connections(port, "close-wait"),
            "established": connections(port, "established")}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--turns", type=int, default=50)
    args = ap.parse_args()
    model = bench.http.server.ThreadingHTTPServer(("127.0.0.1", 0), bench.FakeModel)
    threading.Thread(target=model.serve_forever, daemon=True).start()
    node, port, home = bench.start_node(model.server_address[1])
    try:
        pid = bench.listening_pid(port)
        sid = bench.agents_session(port)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        result = {"before": count(pid, port)}
        for _ in range(args.turns):
            bench.turn_agents(c, port, sid)
        result["after_0s"] = count(pid, port)
        time.sleep(1)
        result["after_1s"] = count(pid, port)
        time.sleep(4)
        result["after_5s"] = count(pid, port)
        result["turns"] = args.turns
        print(json.dumps(result, indent=2))
    finally:
        bench.stop(node)
        model.shutdown()


if __name__ == "__main__":
    sys.exit(main())
