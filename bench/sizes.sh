#!/usr/bin/env bash
# Compare final image sizes: the hand-written Dockerfiles in bench/handwritten
# (the baseline the seed articles teach) against the images dslim builds from
# each example's dslim.kdl, as it is and with `runtime "minimal"` (with its ratio to the
# hand-written image), then where the minimal images' bytes are (bench/bytes.sh).
#
# Usage:
#   bench/sizes.sh                      # all seven examples
#   bench/sizes.sh flask go-server      # only some of them
#
# Environment:
#   DSLIM      path to the dslim binary (default: target/release/dslim,
#              relative to the repository root; a bare name is looked up in PATH)
#   NO_CACHE=1 pass --no-cache to the hand-written docker builds
#
# The Markdown report goes to stdout; progress and build logs of failed builds
# go to stderr. Builds run one at a time. Every build works on a clean
# temporary copy of the example (no node_modules, dist, target or generated
# Dockerfile/compose.yaml/.dockerignore), which is removed on exit.
# Hand-written images are tagged dslim-bench-hand-<example>; dslim's image is
# the one its compose file names: <app-name>, and <app-name>-minimal for the third.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

all_examples=(flask fastapi-postgres node-api vite-spa go-server rust-server elixir-release)
# stacks with no runtime "minimal" (a release's start script needs a shell)
slim_only=(elixir-release)
if [ "$#" -gt 0 ]; then
    examples=("$@")
else
    examples=("${all_examples[@]}")
fi

# Resolve the dslim binary to an absolute path, since it runs from temp dirs.
dslim="${DSLIM:-target/release/dslim}"
case "$dslim" in
    /*) ;;
    */*) dslim="$repo_root/$dslim" ;;
    *) dslim="$(command -v "$dslim" || true)" ;;
esac
if [ -z "$dslim" ] || [ ! -x "$dslim" ]; then
    echo "error: dslim binary not found or not executable: ${DSLIM:-target/release/dslim}" >&2
    echo "       build it with 'cargo build --release' or point DSLIM at it" >&2
    exit 1
fi

if ! docker info >/dev/null 2>&1; then
    echo "error: cannot reach the Docker engine ('docker info' failed)" >&2
    exit 1
fi

for name in "${examples[@]}"; do
    if [ ! -f "examples/$name/dslim.kdl" ] || [ ! -f "bench/handwritten/$name/Dockerfile" ]; then
        echo "error: unknown example '$name' (need examples/$name/dslim.kdl and bench/handwritten/$name/Dockerfile)" >&2
        exit 1
    fi
done

work="$(mktemp -d "${TMPDIR:-/tmp}/dslim-sizes.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

log() { printf '%s\n' "$*" >&2; }

# copy_example NAME DEST: a clean copy of examples/NAME in DEST (DEST's
# basename is NAME, so a compose project created there is named after it).
copy_example() {
    local name="$1" dest="$2"
    mkdir -p "$dest"
    tar -C "examples/$name" \
        --exclude=node_modules --exclude=dist --exclude=target \
        --exclude=./Dockerfile --exclude=./compose.yaml --exclude=./.dockerignore \
        -cf - . | tar -C "$dest" -xf -
}

# app_name DIR: the name in `app "NAME" {` of DIR/dslim.kdl.
app_name() {
    sed -n 's/^[[:space:]]*app[[:space:]][[:space:]]*"\([^"]*\)".*/\1/p' "$1/dslim.kdl" | head -n 1
}

image_size() {
    docker image inspect -f '{{.Size}}' "$1"
}

# show_log FILE: the end of a failed build's log, on stderr.
show_log() {
    log "---- last lines of $1 ----"
    tail -n 40 "$1" >&2 || true
    log "----"
}

# build_handwritten NAME: prints the image size in bytes, or fails.
build_handwritten() {
    local name="$1"
    local ctx="$work/hand/$name"
    local tag="dslim-bench-hand-$name"
    local logf="$work/hand-$name.log"
    local -a cache_flag=()
    if [ "${NO_CACHE:-}" = "1" ]; then cache_flag=(--no-cache); fi
    copy_example "$name" "$ctx"
    log "==> [$name] docker build (hand-written)"
    if ! docker build --progress=plain "${cache_flag[@]}" -t "$tag" \
        -f "$repo_root/bench/handwritten/$name/Dockerfile" "$ctx" >"$logf" 2>&1; then
        log "hand-written build of $name failed"
        show_log "$logf"
        return 1
    fi
    image_size "$tag"
}

# run_dslim_build DIR IMAGE LOG WHAT: `dslim build` in DIR, logged to LOG, after dropping
# a stale IMAGE so that an old image can't pass for this build's; fails with the log's end.
run_dslim_build() {
    local dir="$1" image="$2" logf="$3" what="$4"
    docker image rm "$image" >/dev/null 2>&1 || true
    log "==> [$what] dslim build (image $image)"
    if ! (cd "$dir" && "$dslim" build) >"$logf" 2>&1; then
        log "dslim build of $what failed"
        show_log "$logf"
        return 1
    fi
}

# build_dslim NAME: prints the image size in bytes, or fails.
build_dslim() {
    local name="$1"
    local dir="$work/dslim/$name"
    local logf="$work/dslim-$name.log"
    local app image
    copy_example "$name" "$dir"
    app="$(app_name "$dir")"
    app="${app:-$name}"
    run_dslim_build "$dir" "$app" "$logf" "$name" || return 1
    image=""
    # The compose file names the image after the app; if it does not, compose
    # falls back to <project>-<service>, and the project is the folder name.
    for candidate in "$app" "$name-$app"; do
        if docker image inspect "$candidate" >/dev/null 2>&1; then
            image="$candidate"
            break
        fi
    done
    if [ -z "$image" ]; then
        log "dslim build of $name succeeded but no image '$app' exists"
        show_log "$logf"
        return 1
    fi
    image_size "$image"
}

# build_minimal NAME: the example with `runtime "minimal"` (its own runtime line
# dropped), as app NAME-minimal; prints the image size in bytes, or fails.
build_minimal() {
    local name="$1"
    local dir="$work/minimal/$name"
    local logf="$work/minimal-$name.log"
    local app
    copy_example "$name" "$dir"
    app="$(app_name "$dir")"
    sed -i -e '/^[[:space:]]*runtime[[:space:]]/d' \
        -e "s/^\([[:space:]]*app[[:space:]]*\)\"$app\"/\1\"$app-minimal\"/" \
        -e '$ s/^}$/    runtime "minimal"\n}/' "$dir/dslim.kdl"
    run_dslim_build "$dir" "$app-minimal" "$logf" "$name, runtime minimal" || return 1
    image_size "$app-minimal"
}

# mb BYTES: megabytes (10^6, as docker prints them), one decimal.
mb() {
    awk -v b="$1" 'BEGIN { printf "%.1f", b / 1000000 }'
}

# diff_cell HAND DSLIM: "-12.3 MB (-6.0%)", or exact bytes/kB below 1 MB
diff_cell() {
    awk -v h="$1" -v d="$2" 'BEGIN {
        delta = d - h; pct = (h > 0) ? 100 * delta / h : 0
        a = (delta < 0) ? -delta : delta
        if (a >= 1000000)   printf "%+.1f MB (%+.1f%%)", delta / 1000000, pct
        else if (a >= 1000) printf "%+.1f kB (%+.2f%%)", delta / 1000, pct
        else                printf "%+d B", delta
    }'
}

docker_server="$(docker version --format '{{.Server.Version}}' 2>/dev/null || echo unknown)"
docker_client="$(docker version --format '{{.Client.Version}}' 2>/dev/null || echo unknown)"

echo "# Image sizes: hand-written vs dslim"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- machine: $(nproc) CPUs, $(uname -sm)"
echo "- docker: engine $docker_server, client $docker_client"
dslim_version="$("$dslim" --version 2>/dev/null || true)"
echo "- dslim: ${dslim_version:-$dslim}"
echo
echo "| example | hand-written (MB) | dslim (MB) | difference | dslim, runtime \"minimal\" (MB) |"
echo "| --- | ---: | ---: | ---: | ---: |"

failed=0
minimal_images=()
for name in "${examples[@]}"; do
    hand_cell="failed"
    dslim_cell="failed"
    diff="n/a"
    hand=""
    slim=""
    if hand="$(build_handwritten "$name")"; then
        hand_cell="$(mb "$hand")"
    else
        hand=""
        failed=1
    fi
    if slim="$(build_dslim "$name")"; then
        dslim_cell="$(mb "$slim")"
    else
        slim=""
        failed=1
    fi
    if [ -n "$hand" ] && [ -n "$slim" ]; then
        diff="$(diff_cell "$hand" "$slim")"
    fi
    minimal_cell="failed"
    if [[ " ${slim_only[*]} " == *" $name "* ]]; then
        minimal_cell="n/a (slim only)"
    elif minimal="$(build_minimal "$name")"; then
        minimal_cell="$(mb "$minimal")"
        if [ -n "$hand" ]; then
            minimal_cell="$minimal_cell ($(awk -v h="$hand" -v m="$minimal" 'BEGIN { printf "%.2f×", m / h }'))"
        fi
        minimal_images+=("$(app_name "$work/minimal/$name")")
    else
        failed=1
    fi
    echo "| $name | $hand_cell | $dslim_cell | $diff | $minimal_cell |"
done

if [ "${#minimal_images[@]}" -gt 0 ]; then
    echo
    echo "Where the minimal images' bytes are (MB; bench/bytes.sh):"
    echo
    echo "| image | base image | interpreter | stdlib | dependencies | libs | app | other |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for image in "${minimal_images[@]}"; do
        "$repo_root/bench/bytes.sh" "$image" || failed=1
    done
fi

if [ "$failed" -ne 0 ]; then
    echo
    echo "Some builds failed; see the log excerpts above (stderr)."
    exit 1
fi
