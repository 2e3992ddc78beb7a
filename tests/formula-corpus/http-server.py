#!/usr/bin/env python3
"""A fixed-answer HTTP server on 127.0.0.1 for the http_query corpus cases
and Halite's http.query tests: no Date header, so answers are the same on
every run. usage: http-server.py PORT (0: pick one; the port is printed)."""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlsplit, parse_qsl

ECHOED = ("user-agent", "authorization", "content-type", "x-test")


class Handler(BaseHTTPRequestHandler):
    server_version = "halite-test"
    sys_version = ""

    def log_message(self, *args):
        pass

    def answer(self, code, ctype, body):
        data = body.encode("utf-8")
        self.send_response_only(code)
        self.send_header("Server", "halite-test")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Served-By", "halite-test")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def handle_any(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        if url.path == "/echo":
            seen = {k.lower(): v for k, v in self.headers.items() if k.lower() in ECHOED}
            echo = {"method": self.command, "path": url.path,
                    "query": parse_qsl(url.query), "headers": dict(sorted(seen.items())),
                    "body": body}
            self.answer(200, "application/json", json.dumps(echo, sort_keys=True))
        elif url.path == "/yaml":
            self.answer(200, "application/x-yaml", "name: halite\nports:\n  - 80\n  - 443\n")
        elif url.path == "/xml":
            self.answer(200, "application/xml",
                        '<r><a>1</a><b><c>2</c><c>3</c><d/></b><e>x<f/></e></r>')
        elif url.path == "/text":
            self.answer(200, "text/plain; charset=utf-8", "plain text\nsecond line\n")
        elif url.path == "/json-as-text":
            self.answer(200, "text/plain", '{"a": 1}')
        else:
            self.answer(404, "text/plain", "no such page: " + url.path)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = HTTPServer(("127.0.0.1", port), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
