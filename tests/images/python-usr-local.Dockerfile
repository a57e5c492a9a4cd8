# The layout of the official python:*-slim images, for the e2e tests: the interpreter in
# /usr/local/bin linking a shared libpython in /usr/local/lib (RUNPATH $ORIGIN/../lib), the
# standard library in /usr/local/lib/python3.13, and no Python in /usr. The docker lab's
# stand-in has Debian's python (in /usr, libpython linked statically) and no way to fetch
# CPython's sources, so a launcher linked against Debian's libpython takes the interpreter's place.
FROM python:3.13-slim-trixie AS launcher
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libpython3.13-dev \
    && rm -rf /var/lib/apt/lists/*
RUN printf '%s\n' '#include <Python.h>' 'int main(int argc, char **argv) { return Py_BytesMain(argc, argv); }' > /tmp/main.c \
    && mkdir -p /out/usr/local/bin /out/usr/local/lib \
    && gcc -O2 -s -I/usr/include/python3.13 -o /out/usr/local/bin/python3.13 /tmp/main.c -lpython3.13 -Wl,-rpath,'$ORIGIN/../lib' \
    && cp -L "/usr/lib/$(gcc -print-multiarch)/libpython3.13.so.1.0" /out/usr/local/lib/

FROM python:3.13-slim-trixie
COPY --from=launcher /out/ /
# Debian's python has a /usr/local/lib/python3.13 already (for dist-packages)
RUN cp -a /usr/lib/python3.13/. /usr/local/lib/python3.13/ \
    && rm -rf /usr/lib/python3.13 /usr/local/lib/python3.13/EXTERNALLY-MANAGED \
    && rm -f /usr/bin/python3* /usr/local/bin/python /usr/local/bin/python3 /usr/local/bin/pip \
    && ln -s python3.13 /usr/local/bin/python3 \
    && ln -s python3 /usr/local/bin/python \
    && ldconfig \
    && printf '%s\n' '#!/bin/sh' 'PYTHONPATH=/usr/lib/python3/dist-packages exec /usr/local/bin/python3.13 -m pip "$@"' > /usr/local/bin/pip \
    && chmod +x /usr/local/bin/pip \
    && pip --version \
    && python -c 'import sys, ssl, sqlite3, ctypes, venv; assert sys.base_prefix == "/usr/local", sys.base_prefix'
