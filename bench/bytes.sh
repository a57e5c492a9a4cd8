#!/usr/bin/env bash
# Where an image's bytes are: its files, by what they are, with the base image's own files
# apart. Reads the image's file system (docker export of a created container) and its base's
# (the org.opencontainers.image.base.name label dslim writes).
#
# Usage: bench/bytes.sh IMAGE
# Prints one Markdown row: | IMAGE | base | interpreter | stdlib | dependencies | libs | app | other |
# in MB (10^6 bytes). Symlinks and directories count nothing.
#   interpreter   the python, node or nginx program, and libpython/libnode
#   stdlib        Python's standard library
#   dependencies  /opt/venv, node_modules
#   libs          every other shared library the image adds to its base
#   app           the app's folder (/app), a compiled app's binary, a single-page app's files
#   other         the rest the image adds: runtime-libs' data files, ldconfig, /etc/passwd...
#   base          the base image's own files (a file the image replaces counts as the image's)
set -euo pipefail

image="$1"
base="$(docker image inspect -f '{{ index .Config.Labels "org.opencontainers.image.base.name" }}' "$image")"

# list IMAGE: "SIZE PATH" for every regular file of the image
list() {
    local id
    id="$(docker create "$1" /none)"
    docker export "$id" | tar -tv | awk '$1 ~ /^-/ { size = $3; $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print size, $0 }'
    docker rm "$id" >/dev/null
}

work="$(mktemp -d "${TMPDIR:-/tmp}/dslim-bytes.XXXXXX")"
trap 'rm -rf "$work"' EXIT
list "$image" >"$work/image"
if [ -n "$base" ] && [ "$base" != "scratch" ]; then
    list "$base" >"$work/base"
else
    : >"$work/base"
fi

awk -v image="$image" '
    FILENAME == ARGV[1] { base[$0] = 1; next }
    {
        size = $1; path = $0; sub(/^[0-9]+ /, "", path)
        if ($0 in base)                                                  kind = "base"
        else if (path ~ /^(opt\/venv|app\/node_modules)\//)               kind = "dependencies"
        else if (path ~ /^usr\/(local\/)?lib\/python3[.0-9]*\//)          kind = "stdlib"
        else if (path ~ /\/(python3[.0-9]*|node|nginx)$/ || path ~ /\/lib(python3|node)[^\/]*\.so/) kind = "interpreter"
        else if (path ~ /^(app|usr\/share\/nginx\/html)\// || (path ~ /^usr\/local\/bin\// && path !~ /dslim-probe$/)) kind = "app"
        else if (path ~ /\.so(\.[0-9]+)*$/)                               kind = "libs"
        else                                                              kind = "other"
        total[kind] += size
    }
    END {
        printf "| %s |", image
        split("base interpreter stdlib dependencies libs app other", kinds, " ")
        for (i = 1; i <= 7; i++) printf " %.2f |", total[kinds[i]] / 1000000
        printf "\n"
    }
' "$work/base" "$work/image"
