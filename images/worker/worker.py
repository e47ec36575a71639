"""worker: fetch random bytes, hash them, and count finished work in Redis (flushed about once a second)."""
import os
import time
import urllib.request

import redis

RNG_URL = os.environ.get("RNG_URL", "http://rng/32")
HASHER_URL = os.environ.get("HASHER_URL", "http://hasher/")
REDIS_HOST = os.environ.get("REDIS_HOST", "redis")
COUNTER = os.environ.get("COUNTER", "hashes")


def work_once():
    with urllib.request.urlopen(RNG_URL, timeout=30) as r:
        data = r.read()
    req = urllib.request.Request(HASHER_URL, data=data, method="POST", headers={"Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(req, timeout=30) as r:
        r.read()


def main():
    db = redis.Redis(host=REDIS_HOST, port=6379, socket_timeout=10)
    done = 0
    last_flush = time.monotonic()
    print(f"worker: {RNG_URL} -> {HASHER_URL} -> redis {REDIS_HOST} ({COUNTER})")
    while True:
        try:
            work_once()
            done += 1
        except Exception as err:  # a service not up yet: wait and retry
            print(f"worker: {err}")
            time.sleep(1)
        now = time.monotonic()
        if done and now - last_flush >= 1:
            try:
                db.incrby(COUNTER, done)
                done = 0
                last_flush = now
            except redis.RedisError as err:
                print(f"worker: redis: {err}")
                time.sleep(1)


if __name__ == "__main__":
    main()
