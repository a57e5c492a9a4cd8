"""Answers with the file type libmagic sees in the app's own source, over HTTP."""

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import magic


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        with open(__file__, "rb") as source:
            kind = magic.from_buffer(source.read(2048), mime=True)
        body = f"Hello from Python on distroless: app.py is {kind}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", 8000), Handler).serve_forever()
