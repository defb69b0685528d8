#!/usr/bin/env python3
"""A message-to-idle turn through the OpenAI Agents API against the same turn through our own API,
on one node, in one run (issue 14, item 9). Standard library only.

Starts, on loopback: a fake OpenAI-compatible model (chat completions, plain and streamed, one short
answer, no tool call) and `bin/agent-runtime dev` (fresh home under /tmp, free ports, `default`
model pointed at the fake). Then, sequentially, N turns per way, alternating the ways in rounds so
that warm-up and drift fall on both alike:
  ours      POST /v1/sessions/{id}/messages?waitSeconds=30: one request, answered when the turn ends;
  agents    what the SDKs' `sessions.stream` helper sends for one turn: GET the session, open
            GET .../events (SSE), POST .../events with the message and an Idempotency-Key, read the
            stream to `agent.session.idle`, close it;
  agents-open  one events stream kept open across turns (a client that follows a session): POST
            the message, read to `agent.session.idle`.
Two more ways, not turns, price the helper's exchanges apart (`--ways` names them):
  get       the helper's `GET` of the session alone;
  open-close  an events stream opened (new connection, to the response's head) and closed, alone;
  get-new   the same `GET` on a new connection each time (what a connection costs by itself).
Reports p50/p90/p99 client latency (ms) and the node's CPU ms per turn for each way, prints JSON.
Everything it starts it stops, by pid.

  python3 bench/agents-api-vs-ours.py [--turns 300] [--rounds 3] [--out FILE]
"""
import argparse
import http.client
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY = "dev-key"
ANSWER = "Done: the benchmark turn is answered."


class FakeModel(http.server.BaseHTTPRequestHandler):
    """POST /v1/chat/completions: one assistant answer, streamed when the request asks for it."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle's algorithm and the
    # client's delayed ACK add 40 ms to every model call.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        if body.get("stream"):
            chunks = [
                {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ANSWER[:10]}}]},
                {"choices": [{"index": 0, "delta": {"content": ANSWER[10:]}}]},
                {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                 "usage": {"prompt_tokens": 20, "completion_tokens": 8, "total_tokens": 28}},
            ]
            out = b"".join(
                b"data: " + json.dumps(dict(c, id="chatcmpl-1", object="chat.completion.chunk")).encode() + b"\n\n"
                for c in chunks) + b"data: [DONE]\n\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
        else:
            out = json.dumps({
                "id": "chatcmpl-1", "object": "chat.completion",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": ANSWER},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 20, "completion_tokens": 8, "total_tokens": 28}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def headers(extra=None):
    h = {"Authorization": "Bearer " + KEY, "Content-Type": "application/json", "OpenAI-Beta": "agents=v1"}
    h.update(extra or {})
    return h


def request(conn, method, path, body=None, extra=None):
    conn.request(method, path, json.dumps(body) if body is not None else None, headers(extra))
    r = conn.getresponse()
    data = r.read()
    return r.status, data


class EventStream:
    """GET .../events, read frame by frame (`event:`/`data:` lines, blank line ends a frame)."""

    def __init__(self, port, sid):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.request("GET", f"/v1/agents/sessions/{sid}/events", None,
                          headers({"Accept": "text/event-stream"}))
        self.resp = self.conn.getresponse()
        if self.resp.status != 200:
            raise RuntimeError(f"events stream -> {self.resp.status} {self.resp.read()[:200]}")

    def until(self, event_type):
        data = []
        while True:
            line = self.resp.fp.readline()
            if not line:
                raise RuntimeError("the events stream ended before " + event_type)
            line = line.rstrip(b"\r\n")
            if line.startswith(b"data:"):
                data.append(line[5:].strip())
            elif not line and data:
                event = json.loads(b"\n".join(data))
                data = []
                if event.get("type") == event_type:
                    return event
                if event.get("type") == "error":
                    raise RuntimeError(f"error event: {event}")

    def close(self):
        self.resp.close()
        self.conn.close()


def node_cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def listening_pid(port):
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True).stdout
    for part in out.split("pid=")[1:]:
        return int(part.split(",")[0])
    raise RuntimeError(f"nothing listens on {port}")


def start_node(model_port, java_opts=""):
    home = f"/tmp/agents-api-bench-{os.getpid()}"
    os.makedirs(home, exist_ok=True)
    http_port, storage = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENT_RUNTIME_")}
    env.update({
        "AGENT_RUNTIME_HOME": home, "AGENT_RUNTIME_HTTP_PORT": str(http_port),
        "AGENT_RUNTIME_CASSANDRA_PORT": str(free_port()), "AGENT_RUNTIME_CLUSTER_PORT": str(free_port()),
        "AGENT_RUNTIME_MANAGEMENT_PORT": str(free_port()),
        "AGENT_RUNTIME_MODEL_BASE_URL": f"http://127.0.0.1:{model_port}/v1",
        "AGENT_RUNTIME_MODEL_NAME": "fake", "AGENT_RUNTIME_MODEL_API_KEY": "sk-bench",
        "AGENT_RUNTIME_RATE_LIMIT": "0",
        "AGENT_RUNTIME_JAVA_OPTS": "-Xms256m -Xmx1g"
                                   f" -Dagent-runtime.cassandra.managed.storage-port={storage}"
                                   f" -Dagent-runtime.cassandra.managed.ssl-storage-port={free_port()}"
                                   + (" " + java_opts if java_opts else "")})
    node = subprocess.Popen([os.path.join(ROOT, "bin", "agent-runtime"), "dev"], cwd=ROOT, env=env,
                            stdout=open(os.path.join(home, "node.out"), "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", http_port, timeout=2)
            if request(c, "GET", "/health/ready")[0] == 200:
                return node, http_port, home
        except OSError:
            pass
        if node.poll() is not None:
            raise RuntimeError(f"the node exited; see {home}/node.out")
        time.sleep(0.5)
    raise RuntimeError(f"the node was not ready in 300 s; see {home}/node.out")


def stop(node):
    try:
        os.killpg(node.pid, signal.SIGTERM)
        node.wait(60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(node.pid, signal.SIGKILL)


def agents_session(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    st, data = request(c, "POST", "/v1/agents/sessions",
                       {"agent": {"model": "default", "instructions": "You are a benchmark agent."},
                        "environment": {"type": "none"}})
    if st not in (200, 201):
        raise RuntimeError(f"POST /v1/agents/sessions -> {st} {data[:300]}")
    return json.loads(data)["id"]


def turn_ours(c, sid):
    st, data = request(c, "POST", f"/v1/sessions/{sid}/messages?waitSeconds=30", {"content": "hello"})
    if st != 200 or b'"completed"' not in data:
        raise RuntimeError(f"our turn -> {st} {data[:300]}")


def message_event():
    return {"events": [{"type": "agent.session.input.message",
                        "input": [{"role": "user", "content": [{"type": "input_text", "text": "hello"}]}]}]}


def turn_agents(c, port, sid):
    st, data = request(c, "GET", f"/v1/agents/sessions/{sid}")
    if st != 200 or json.loads(data).get("status") != "idle":
        raise RuntimeError(f"session before the turn -> {st} {data[:300]}")
    events = EventStream(port, sid)
    try:
        st, data = request(c, "POST", f"/v1/agents/sessions/{sid}/events", message_event(),
                           {"Idempotency-Key": str(uuid.uuid4())})
        if st != 202:
            raise RuntimeError(f"POST events -> {st} {data[:300]}")
        events.until("agent.session.idle")
    finally:
        events.close()


def get_session(c, sid):
    st, data = request(c, "GET", f"/v1/agents/sessions/{sid}")
    if st != 200:
        raise RuntimeError(f"GET session -> {st} {data[:300]}")


def get_session_new(port, sid):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        get_session(c, sid)
    finally:
        c.close()


def open_close(port, sid):
    EventStream(port, sid).close()


def turn_agents_open(c, events, sid):
    st, data = request(c, "POST", f"/v1/agents/sessions/{sid}/events", message_event(),
                       {"Idempotency-Key": str(uuid.uuid4())})
    if st != 202:
        raise RuntimeError(f"POST events -> {st} {data[:300]}")
    events.until("agent.session.idle")


def percentiles(ms):
    ms = sorted(ms)
    pick = lambda q: round(ms[min(len(ms) - 1, int(len(ms) * q))], 2)
    return {"p50": pick(0.5), "p90": pick(0.9), "p99": pick(0.99), "n": len(ms)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--turns", type=int, default=300, help="measured turns per way and round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=300, help="unmeasured turns per way first")
    ap.add_argument("--out", help="write the JSON here too")
    ap.add_argument("--ways", default="ours,agents,agents-open",
                    help="comma-separated ways to run (ours, agents, agents-open, get, open-close, get-new)")
    ap.add_argument("--jfr", help="record the node with JFR (settings=profile) over the measured"
                                  " turns into this file")
    args = ap.parse_args()

    model = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
    threading.Thread(target=model.serve_forever, daemon=True).start()
    node, port, home = start_node(model.server_address[1])
    try:
        pid = listening_pid(port)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        ours_sid = "bench-ours-" + uuid.uuid4().hex[:8]
        st, data = request(c, "POST", "/v1/sessions",
                           {"id": ours_sid, "agent": {"model": "default",
                                                      "instructions": "You are a benchmark agent."}})
        if st != 201:
            raise RuntimeError(f"POST /v1/sessions -> {st} {data[:300]}")
        agents_sid, open_sid = agents_session(port), agents_session(port)
        events = EventStream(port, open_sid)
        ways = {
            "ours": lambda: turn_ours(c, ours_sid),
            "agents": lambda: turn_agents(c, port, agents_sid),
            "agents-open": lambda: turn_agents_open(c, events, open_sid),
            "get": lambda: get_session(c, agents_sid),
            "open-close": lambda: open_close(port, agents_sid),
            "get-new": lambda: get_session_new(port, agents_sid),
        }
        ways = {w: ways[w] for w in args.ways.split(",")}
        for run in ways.values():
            for _ in range(args.warmup):
                run()
        if args.jfr:
            subprocess.run(["jcmd", str(pid), "JFR.start", "name=bench", "settings=" + os.environ.get("JFR_SETTINGS", "profile"),
                            f"filename={os.path.abspath(args.jfr)}"], check=True,
                           capture_output=True)
        latency = {w: [] for w in ways}
        cpu = {w: 0.0 for w in ways}
        for _ in range(args.rounds):
            for way, run in ways.items():
                cpu0 = node_cpu_seconds(pid)
                for _ in range(args.turns):
                    t = time.perf_counter()
                    run()
                    latency[way].append((time.perf_counter() - t) * 1000)
                cpu[way] += node_cpu_seconds(pid) - cpu0
        if args.jfr:
            subprocess.run(["jcmd", str(pid), "JFR.stop", "name=bench"], check=True,
                           capture_output=True)
        turns = args.turns * args.rounds
        result = {w: dict(percentiles(latency[w]), node_cpu_ms_per_turn=round(cpu[w] * 1000 / turns, 2))
                  for w in ways}
        result["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                          capture_output=True, text=True).stdout.strip()
        result["when"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        events.close()
        text = json.dumps(result, indent=2)
        print(text)
        if args.out:
            with open(args.out, "w") as f:
                f.write(text + "\n")
    finally:
        stop(node)
        model.shutdown()


if __name__ == "__main__":
    sys.exit(main())
