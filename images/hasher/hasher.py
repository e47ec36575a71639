"""hasher: SHA-256 of a request body over HTTP, deliberately slow."""
import hashlib
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from httpkit import answer

PORT = int(os.environ.get("PORT", "80"))
DELAY = float(os.environ.get("DELAY", "0.1"))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length)
        time.sleep(DELAY)
        answer(self, 200, hashlib.sha256(data).hexdigest().encode())

    def do_GET(self):
        answer(self, 200, b"POST a body to / to get its SHA-256\n")

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    print(f"hasher listening on :{PORT}, {DELAY}s per hash")
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
