#!/usr/bin/env bash
# How long dslim takes over a large workspace: a root dslim.kdl `workspace "bench" { members
# "services/*" }` with N members of three stacks in turn (a Flask app on pip, a Go server, a
# Vite single-page app on npm), each with its own service name and published port. Times, at
# the root, `dslim generate` with no generated file there, `dslim generate` again when every
# file is up to date, `dslim check` and `dslim list`: wall clock, best of 3 runs.
#
# Usage: bench/workspace.sh [MEMBERS...]     (default: 1000 10000)
# Environment:
#   DSLIM   path to the dslim binary (default: target/release/dslim, relative to the
#           repository root; a bare name is looked up in PATH). Build it with
#           `cargo build --release`.
# Prints a Markdown table on stdout (seconds), with the machine it ran on, then for scale how
# long bash takes to write the same 3N files, 1 KB each (the file system's share of the first
# generate); progress on stderr. The workspaces are written to a temporary folder, removed on exit.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(1000 10000)

dslim="${DSLIM:-target/release/dslim}"
case "$dslim" in /*) ;; */*) dslim="$repo_root/$dslim" ;; *) dslim="$(command -v "$dslim" || true)" ;; esac
[ -x "$dslim" ] || { echo "error: no dslim binary at $dslim (cargo build --release)" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/dslim-workspace.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# member DIR I: the I-th member, service svc-I publishing port 20000+I, in folder DIR
member() {
    local dir="$1" i="$2" port=$((20000 + $2))
    mkdir -p "$dir"
    case $((i % 3)) in
        0)
            printf 'app "svc-%s" {\n    python "3.13" manager="pip"\n    port %s\n    entrypoint "gunicorn" "--bind" "0.0.0.0:%s" "app:app"\n}\n' \
                "$i" "$port" "$port" >"$dir/dslim.kdl"
            printf 'Flask==3.1.3\ngunicorn==23.0.0\n' >"$dir/requirements.txt"
            printf 'from flask import Flask\n\napp = Flask(__name__)\n' >"$dir/app.py"
            ;;
        1)
            printf 'app "svc-%s" {\n    go "1.24" package="."\n    port %s\n}\n' "$i" "$port" >"$dir/dslim.kdl"
            printf 'module example.com/svc%s\n\ngo 1.24\n' "$i" >"$dir/go.mod"
            printf 'package main\n\nfunc main() {}\n' >"$dir/main.go"
            ;;
        2)
            printf 'app "svc-%s" {\n    node "20" manager="npm"\n    build script="build" output="dist"\n    spa nginx="1.26"\n    port %s\n}\n' \
                "$i" "$port" >"$dir/dslim.kdl"
            printf '{ "name": "svc%s", "scripts": { "build": "vite build" } }\n' "$i" >"$dir/package.json"
            printf '{ "name": "svc%s", "lockfileVersion": 3, "packages": {} }\n' "$i" >"$dir/package-lock.json"
            printf '<!doctype html>\n<script type="module" src="/main.js"></script>\n' >"$dir/index.html"
            ;;
    esac
}

# seconds DIR COMMAND...: wall-clock seconds of a dslim command run in DIR (it must succeed)
seconds() {
    local dir="$1" start end
    shift
    start=$(date +%s%N)
    if ! (cd "$dir" && "$dslim" "$@" >/dev/null 2>"$work/stderr"); then
        echo "error: dslim $* failed in $dir:" >&2
        tail -5 "$work/stderr" >&2
        exit 1
    fi
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}

# best RUNS...: the smallest of the milliseconds given, in seconds
best() {
    printf '%s\n' "$@" | sort -n | head -1 | awk '{ printf "%.2f", $1 / 1000 }'
}

# clean DIR: remove every generated file of the workspace, and flush the removal to disk so
# that the next run does not pay for it
clean() {
    find "$1" \( -name Dockerfile -o -name compose.yaml -o -name .dockerignore \) -delete
    sync
}

# plain_files DIR: milliseconds bash takes to write each member's three files, 1 KB each (a
# file with data takes a block, which an empty one does not)
plain_files() {
    local start end member kilobyte
    kilobyte="$(printf '%01024d' 0)"
    start=$(date +%s%N)
    for member in "$1"/services/*; do
        echo "$kilobyte" >"$member/Dockerfile"
        echo "$kilobyte" >"$member/compose.yaml"
        echo "$kilobyte" >"$member/.dockerignore"
    done
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}

cpu="$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //' || true)"
echo "Machine: $(nproc) cores, ${cpu:-unknown CPU}; $("$dslim" --version)"
echo
echo "| members | generate | generate (up to date) | check | list |"
echo "|---:|---:|---:|---:|---:|"
notes=()
for n in "${sizes[@]}"; do
    ws="$work/ws-$n"
    echo "writing a workspace of $n members in $ws" >&2
    mkdir -p "$ws/services"
    printf 'workspace "bench" {\n    members "services/*"\n}\n' >"$ws/dslim.kdl"
    for ((i = 0; i < n; i++)); do
        member "$ws/services/svc-$i" "$i"
    done
    first=() again=() check=() list=() plain=()
    for _ in 1 2 3; do
        clean "$ws"
        plain+=("$(plain_files "$ws")")
        clean "$ws"
        echo "  $n members: generate" >&2
        first+=("$(seconds "$ws" generate)")
        echo "  $n members: generate (up to date), check, list" >&2
        again+=("$(seconds "$ws" generate)")
        check+=("$(seconds "$ws" check)")
        list+=("$(seconds "$ws" list)")
    done
    echo "| $n | $(best "${first[@]}") s | $(best "${again[@]}") s | $(best "${check[@]}") s | $(best "${list[@]}") s |"
    notes+=("$n members: bash writes the $((3 * n)) files, 1 KB each, in $(best "${plain[@]}") s")
    rm -rf "$ws"
done
echo
printf '%s\n' "${notes[@]}"
