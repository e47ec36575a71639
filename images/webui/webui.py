"""webui: serves the rate page and the work counter as JSON."""
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import redis
from httpkit import answer

PORT = int(os.environ.get("PORT", "80"))
REDIS_HOST = os.environ.get("REDIS_HOST", "redis")
COUNTER = os.environ.get("COUNTER", "hashes")
PAGE = open(os.path.join(os.path.dirname(__file__), "index.html"), "rb").read()
db = redis.Redis(host=REDIS_HOST, port=6379, socket_timeout=5)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/json"):
            try:
                body = json.dumps({"hashes": int(db.get(COUNTER) or 0), "now": time.time()}).encode()
                status = 200
            except redis.RedisError as err:
                body = json.dumps({"error": str(err)}).encode()
                status = 503
            ctype = "application/json"
        elif self.path in ("/", "/index.html"):
            body, status, ctype = PAGE, 200, "text/html; charset=utf-8"
        else:
            body, status, ctype = b"not found\n", 404, "text/plain"
        answer(self, status, body, ctype)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    print(f"webui listening on :{PORT}, reading {COUNTER} from redis {REDIS_HOST}")
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
