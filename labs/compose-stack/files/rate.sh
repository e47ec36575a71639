#!/bin/sh
# Prints how fast the stack works: reads webui's counter twice, some seconds apart (default 5),
# from a throwaway container on the stack's network.
seconds="${1:-5}"
docker run --rm --network coins_default lean-labs/busybox sh -c "
  wget -qO- http://webui/json; echo; sleep $seconds; wget -qO- http://webui/json; echo" |
  sed -n 's/.*\"hashes\": *\([0-9]*\).*\"now\": *\([0-9.]*\).*/\1 \2/p' |
  awk 'NR == 1 { h = $1; t = $2 } NR == 2 { printf "%.1f hashes per second (%d hashes in %.1f s)\n", ($1 - h) / ($2 - t), $1 - h, $2 - t }'
