"""balancer: keeps a hamba load balancer's backends equal to the running containers that carry a label.

The watcher's second job (MODE=balancer): on every start, die or destroy of a labelled container it lists the
running ones again and reconfigures the balancer container through the engine's exec API, so a burst of events or
a missed one costs nothing: the list is rebuilt from what runs, never patched event by event.
"""
import json

from watcher import api, filters, log, subscribe

PLACEHOLDER = ["127.0.0.1:1"]  # hamba needs a backend; nothing listens here, so the statistics say L4CON


def backends(label, port):
    _, running = api("GET", "/containers/json?filters=" + filters(label=[label], status=["running"]))
    return sorted(f"{c['Names'][0].lstrip('/')}:{port}" for c in running)


def reconfigure(balancer, listen, servers):
    status, body = api("POST", f"/containers/{balancer}/exec", {
        "Cmd": ["hamba", "reconfigure", listen, *(servers or PLACEHOLDER)],
        "AttachStdout": True,
        "AttachStderr": True,
    })
    if status != 201:
        log(f"could not reach the balancer {balancer}: {status} {body}")
        return
    status, output = api("POST", f"/exec/{body['Id']}/start", {"Detach": False, "Tty": False})
    _, done = api("GET", f"/exec/{body['Id']}/json")
    if done.get("ExitCode") != 0:
        log(f"hamba reconfigure failed in {balancer}: {output!r}")
        return
    names = ", ".join(s.rsplit(":", 1)[0] for s in servers) or "nothing"
    log(f"balancing {listen} over {names}")


def run(label, balancer, listen, port):
    # Subscribe first, then read what runs: a start in between is seen in one or both, never in neither.
    events = subscribe(label)
    if events is None:
        return 1
    log(f"balancing containers labelled {label} behind {balancer}")
    last = backends(label, port)
    reconfigure(balancer, listen, last)
    for line in events:
        if not line.strip():
            continue
        json.loads(line)  # any event of a labelled container: rebuild the whole list
        current = backends(label, port)
        if current != last:
            reconfigure(balancer, listen, current)
            last = current
    log("the events stream ended (the engine stopped?)")
    return 1
