#!/usr/bin/env python3
"""Restart of a dev node after kill -9: wall time to /health/ready and the node JVM's CPU seconds
until then (CPU time is much less sensitive to the machine's other load than wall time)."""
import os, sys, time, json, socket, signal, subprocess, http.client, shutil

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def ready(port):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=2); c.request("GET", "/health/ready")
        st = c.getresponse().status; c.close(); return st == 200
    except Exception:
        return False

def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

def run(project, restarts, out):
    home = f"/tmp/restart-ab/home-{os.path.basename(project)}-{os.getpid()}"
    shutil.rmtree(home, ignore_errors=True); os.makedirs(home)
    hp, cp = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENT_RUNTIME_")}
    env.update(AGENT_RUNTIME_HOME=home, AGENT_RUNTIME_HTTP_PORT=str(hp), AGENT_RUNTIME_CASSANDRA_PORT=str(cp),
               AGENT_RUNTIME_CLUSTER_PORT=str(free_port()), AGENT_RUNTIME_MANAGEMENT_PORT=str(free_port()))
    log = open(f"{home}/node.out", "ab")
    results = []
    for i in range(restarts + 1):
        t0 = time.time()
        p = subprocess.Popen(["bin/agent-runtime", "dev"], cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        while not ready(hp):
            if p.poll() is not None: raise SystemExit(f"exited {p.returncode}")
            time.sleep(0.05)
        wall = time.time() - t0; c = cpu(p.pid)
        if i > 0:
            results.append({"wallToReady": round(wall, 2), "nodeCpuToReady": round(c, 2), "load": open("/proc/loadavg").read().split()[0]})
        if i < restarts:
            time.sleep(3)
            os.kill(p.pid, signal.SIGKILL); p.wait()
        else:
            p.send_signal(signal.SIGTERM); p.wait(180)
    json.dump(results, open(out, "w")); print(project, results)

run(sys.argv[1], int(sys.argv[2]), sys.argv[3])
