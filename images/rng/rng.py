"""rng: random bytes over HTTP. Deliberately slow and single-threaded: the stack's first bottleneck."""
import os
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

from httpkit import answer

PORT = int(os.environ.get("PORT", "80"))
DELAY = float(os.environ.get("DELAY", "0.1"))


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            n = int(self.path.strip("/") or "32")
        except ValueError:
            self.send_error(400, "ask for /<number of bytes>")
            return
        time.sleep(DELAY)
        answer(self, 200, os.urandom(max(0, min(n, 1 << 20))), "application/octet-stream")

    def log_message(self, *args):
        pass


class QueueingServer(HTTPServer):
    # One request at a time, but callers wait in line: with the default backlog of 5, extra connections
    # are dropped and retried with growing delays, and a queue of ten workers starves a newcomer for minutes.
    request_queue_size = 128


if __name__ == "__main__":
    print(f"rng listening on :{PORT}, {DELAY}s per request, one at a time")
    QueueingServer(("0.0.0.0", PORT), Handler).serve_forever()
