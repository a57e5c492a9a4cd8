#!/usr/bin/env bash
# How long a rebuild takes after a one-line change to the app's source: the hand-written
# Dockerfiles of bench/handwritten against what dslim generates. Both start from a warm build
# of the same folder, so the figure is what a developer waits for on each change.
#
# Usage: bench/rebuild.sh [EXAMPLE...]     (default: all six; DSLIM as in sizes.sh)
# Prints a Markdown table on stdout; progress on stderr.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

# example -> the source file a developer edits
declare -A source_of=(
    [flask]=app.py
    [fastapi-postgres]=main.py
    [node-api]=src/index.ts
    [vite-spa]=src/main.js
    [go-server]=main.go
    [rust-server]=src/main.rs
)
examples=("$@")
[ "${#examples[@]}" -gt 0 ] || examples=(flask fastapi-postgres node-api vite-spa go-server rust-server)

dslim="${DSLIM:-target/release/dslim}"
case "$dslim" in /*) ;; */*) dslim="$repo_root/$dslim" ;; *) dslim="$(command -v "$dslim")" ;; esac
[ -x "$dslim" ] || { echo "error: no dslim binary at $dslim (cargo build --release)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "error: cannot reach the Docker engine" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/dslim-rebuild.XXXXXX")"
trap 'rm -rf "$work"' EXIT

copy_example() {
    mkdir -p "$2"
    tar -C "examples/$1" --exclude=node_modules --exclude=dist --exclude=target \
        --exclude=./Dockerfile --exclude=./compose.yaml --exclude=./.dockerignore -cf - . | tar -C "$2" -xf -
}

# seconds COMMAND...: wall-clock seconds of a command, with one decimal
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}

# touch_source DIR FILE: a change to the app's code that no dependency sees
touch_source() {
    local comment='//'
    case "$2" in *.py) comment='#' ;; esac
    printf '\n%s rebuild bench %s\n' "$comment" "$(date +%s%N)" >> "$1/$2"
}

echo "# Rebuild after a source change: hand-written vs dslim"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) CPUs; docker $(docker version --format '{{.Server.Version}}')"
echo
echo "| example | hand-written (s) | dslim (s) |"
echo "| --- | ---: | ---: |"
for name in "${examples[@]}"; do
    src="${source_of[$name]}"
    hand="$work/hand/$name" mine="$work/dslim/$name"
    copy_example "$name" "$hand"
    copy_example "$name" "$mine"
    echo "==> [$name] warm builds" >&2
    docker build -q -t "dslim-bench-hand-$name" -f "bench/handwritten/$name/Dockerfile" "$hand" >/dev/null
    (cd "$mine" && "$dslim" build >/dev/null 2>&1)
    echo "==> [$name] rebuilds after editing $src" >&2
    touch_source "$hand" "$src"
    touch_source "$mine" "$src"
    t_hand=$(seconds docker build -q -t "dslim-bench-hand-$name" -f "bench/handwritten/$name/Dockerfile" "$hand")
    t_mine=$(cd "$mine" && seconds "$dslim" build)
    echo "| $name | $t_hand | $t_mine |"
done
