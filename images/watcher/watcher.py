"""watcher: a logging sidekick for every container that carries a label, started and removed by engine events.
With MODE=balancer it keeps a load balancer's backends equal to the running labelled containers instead (balancer.py).

It talks to the engine's API over the socket mounted at /var/run/docker.sock (no docker CLI inside), so it can
run with no network, a read-only filesystem and no capabilities. Every sidekick it starts is labelled with the
app it serves; on SIGTERM it removes them all.
"""
import http.client
import json
import os
import signal
import socket
import sys
import urllib.parse

SOCKET = os.environ.get("DOCKER_SOCKET", "/var/run/docker.sock")
LABEL = os.environ.get("WATCH_LABEL", "es.logs")
SIDEKICK_IMAGE = os.environ.get("SIDEKICK_IMAGE", "lean-labs/logcollector")
OWNER = "es.sidekick-for"  # on each sidekick: the name of the app it serves


def log(message):
    print(f"watcher: {message}", flush=True)


class EngineConnection(http.client.HTTPConnection):
    """HTTP over the engine's Unix socket."""

    def __init__(self, timeout=None):
        super().__init__("engine", timeout=timeout)

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(SOCKET)


def api(method, path, body=None):
    conn = EngineConnection(timeout=30)
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body), headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        return r.status, json.loads(data) if data.startswith((b"{", b"[")) else data.decode(errors="replace").strip()
    finally:
        conn.close()


def filters(**f):
    return urllib.parse.quote(json.dumps(f))


def sidekick_of(app):
    return f"{app}-logs"


def start_sidekick(app, app_id):
    name = sidekick_of(app)
    status, body = api("POST", f"/containers/create?name={name}", {
        "Image": SIDEKICK_IMAGE,
        "Labels": {OWNER: app},
        "HostConfig": {"VolumesFrom": [app_id]},
    })
    if status == 409:  # already there: one sidekick per app, however many events say so
        return
    if status != 201:
        log(f"could not create {name}: {status} {body}")
        return
    status, body = api("POST", f"/containers/{body['Id']}/start")
    log(f"started {name} for {app}" if status in (204, 304) else f"could not start {name}: {status} {body}")


def remove_sidekick(app):
    # v=1: if the app was removed first (docker rm -f -v races us), the log volume it shared is ours alone now and
    # goes with us; while the app still exists, the engine keeps the volume for it.
    status, _ = api("DELETE", f"/containers/{sidekick_of(app)}?force=1&v=1")
    if status == 204:
        log(f"removed {sidekick_of(app)}: {app} went away")


def subscribe(label):
    """The engine's stream of start, die and destroy events of containers carrying the label; None if refused."""
    conn = EngineConnection()
    conn.request("GET", "/events?filters=" + filters(type=["container"], label=[label], event=["start", "die", "destroy"]))
    events = conn.getresponse()
    if events.status != 200:
        log(f"the engine refused the events stream: {events.status} {events.read()[:200]!r}")
        return None
    return events


def reconcile():
    """Whatever happened before we listened: running apps get a sidekick, sidekicks without a running app go."""
    _, apps = api("GET", "/containers/json?filters=" + filters(label=[LABEL], status=["running"]))
    running = {c["Names"][0].lstrip("/"): c["Id"] for c in apps}
    for app, app_id in running.items():
        start_sidekick(app, app_id)
    _, sidekicks = api("GET", "/containers/json?all=1&filters=" + filters(label=[OWNER]))
    for s in sidekicks:
        if s["Labels"].get(OWNER) not in running:
            remove_sidekick(s["Labels"].get(OWNER, ""))


def remove_all(*_):
    _, sidekicks = api("GET", "/containers/json?all=1&filters=" + filters(label=[OWNER]))
    for s in sidekicks:
        api("DELETE", f"/containers/{s['Id']}?force=1&v=1")
    log(f"stopping: removed {len(sidekicks)} sidekick(s)")
    sys.exit(0)


def main():
    signal.signal(signal.SIGTERM, remove_all)
    signal.signal(signal.SIGINT, remove_all)
    # Subscribe first, then catch up: an app that starts in between shows up in one or both, never in neither.
    events = subscribe(LABEL)
    if events is None:
        return 1
    log(f"watching containers labelled {LABEL}; sidekick image {SIDEKICK_IMAGE}")
    reconcile()
    for line in events:  # one JSON object per line, in the order the engine saw them
        if not line.strip():
            continue
        event = json.loads(line)
        app = event.get("Actor", {}).get("Attributes", {}).get("name", "")
        action = event.get("Action", "")
        if action == "start":
            start_sidekick(app, event["Actor"]["ID"])
        elif action in ("die", "destroy"):
            remove_sidekick(app)
    log("the events stream ended (the engine stopped?)")
    return 1


if __name__ == "__main__":
    if os.environ.get("MODE") == "balancer":
        import balancer
        sys.exit(balancer.run(os.environ.get("BACKEND_LABEL", "es.backend"), os.environ.get("BALANCER", "es-lb"),
                              os.environ.get("LISTEN", "80"), os.environ.get("BACKEND_PORT", "80")))
    sys.exit(main())
