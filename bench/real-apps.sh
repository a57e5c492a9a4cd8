#!/usr/bin/env bash
# Tries dslim on existing apps as a new user would: `dslim init`, then `dslim build`, then runs
# the image (with a placeholder for each variable init asks to fill) and asks it for `/` over
# HTTP. One line per app, for the README's table:
#   app | stack | what init chose to start | init | build | HTTP status of /
# Usage: bench/real-apps.sh APP_DIR... (copies of real projects; nothing is written elsewhere)
# Needs Docker with the compose plugin, and dslim on PATH or in DSLIM.
set -uo pipefail
DSLIM=${DSLIM:-dslim}
LOG=${LOG:-/tmp/real-apps}
mkdir -p "$LOG"

for dir in "$@"; do
  name=$(echo "$dir" | tr '/+' '__')
  log="$LOG/$name.log"
  : > "$log"
  init=fail build=- served=- stack=- start=-
  rm -f "$dir/dslim.kdl"
  if "$DSLIM" init --yes "$dir" >>"$log" 2>&1; then
    init=ok
    stack=$(grep -m1 -oE '^\s+(python|node|go|rust)\b' "$dir/dslim.kdl" | tr -d ' ')
    start=$(grep -m1 -E '^\s+(entrypoint|spa)' "$dir/dslim.kdl" | sed 's/^ *//' | cut -c1-60)
    port=$(grep -m1 -oE '^\s+port [0-9]+' "$dir/dslim.kdl" | grep -oE '[0-9]+' || true)
    [ -n "$port" ] || port=8080
    image=$("$DSLIM" plan "$dir" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["app"]["image"])')
    if timeout 900 "$DSLIM" build --force "$dir" >>"$log" 2>&1; then
      build=ok
      # the variables init asks to fill (commented run-env lines) get a placeholder, as a
      # user would fill them; a database URL's placeholder still fails where it is used
      env_args=()
      while read -r var; do env_args+=(-e "$var=dslim-bench"); done < <(
        grep -oE '^\s*// run-env [A-Za-z_][A-Za-z0-9_]*' "$dir/dslim.kdl" | awk '{print $3}')
      cid=$(docker run -d -P "${env_args[@]}" "$image" 2>>"$log")
      served=none
      if [ -n "$cid" ]; then
        host_port=$(docker port "$cid" "$port/tcp" 2>/dev/null | head -1 | sed 's/.*://')
        for _ in $(seq 1 30); do
          if [ -n "$host_port" ]; then
            code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$host_port/" || true)
            if [ -n "$code" ] && [ "$code" != 000 ]; then served=$code; break; fi
          fi
          if [ "$(docker inspect -f '{{.State.Running}}' "$cid" 2>/dev/null)" != true ]; then
            served=exited; break
          fi
          sleep 1
        done
        docker logs "$cid" >>"$log" 2>&1
        docker rm -f "$cid" >/dev/null 2>&1
      fi
    else
      build=fail
    fi
  fi
  echo "| $dir | $stack | \`$start\` | $init | $build | $served |"
done
