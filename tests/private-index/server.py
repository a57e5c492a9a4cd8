"""A private Python package index for dslim's tests: one package, behind basic auth.

Usage: python3 server.py PORT TOKEN
Serves PEP 503's simple API at /simple/ for `dslim-private-greeting` 1.0, a wheel built here in
memory, to the user `dslim` with the password TOKEN; anyone else gets 401. Prints "ready" once
it listens.
"""

import base64
import hashlib
import io
import sys
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME = "dslim_private_greeting"
WHEEL = f"{NAME}-1.0-py3-none-any.whl"


def wheel() -> bytes:
    files = {
        f"{NAME}/__init__.py": b'def greet():\n    return "hello from the private index"\n',
        f"{NAME}-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: dslim-private-greeting\nVersion: 1.0\n",
        f"{NAME}-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: dslim-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{NAME}-1.0.dist-info/RECORD,,")
    files[f"{NAME}-1.0.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for path, data in files.items():
            z.writestr(path, data)
    return out.getvalue()


def main() -> None:
    port, token = int(sys.argv[1]), sys.argv[2]
    expected = "Basic " + base64.b64encode(f"dslim:{token}".encode()).decode()
    body = wheel()
    sha = hashlib.sha256(body).hexdigest()

    class Index(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="private"')
                self.end_headers()
                return
            if self.path.rstrip("/") in ("/simple/dslim-private-greeting", "/simple/dslim_private_greeting"):
                page = f'<a href="/files/{WHEEL}#sha256={sha}">{WHEEL}</a>'.encode()
                self.reply(page, "text/html")
            elif self.path == f"/files/{WHEEL}":
                self.reply(body, "application/octet-stream")
            else:
                self.send_response(404)
                self.end_headers()

        def reply(self, data: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("0.0.0.0", port), Index)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
