# A test peer on Python's http.server: prints "PORT <n>" then serves.
import gzip, json, sys, time, zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qsl

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="application/json", extra=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        parts = urlsplit(self.path)
        q = dict(parse_qsl(parts.query))
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            body = b"".join(chunks)
        p = parts.path
        if p == "/json":
            self.send(200, json.dumps({"hello": "world", "list": [1, 2, 3]}))
        elif p == "/echo":
            info = {"method": self.command, "path": p, "query": q,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body.decode("latin-1")}
            self.send(200, json.dumps(info))
        elif p.startswith("/status/"):
            code = int(p.rsplit("/", 1)[1])
            self.send(code, "status %d" % code, "text/plain")
        elif p.startswith("/redirect/"):
            left = int(p.rsplit("/", 1)[1])
            to = "/echo" if left == 0 else "/redirect/%d" % (left - 1)
            self.send(302, "", "text/plain", [("Location", to)])
        elif p == "/redirect-to":
            self.send(int(q.get("status", "302")), "moved", "text/plain", [("Location", q["url"])])
        elif p == "/set-cookie":
            self.send(200, "set", "text/plain", [("Set-Cookie", "%s=%s; Path=/" % kv) for kv in q.items()])
        elif p == "/delete-cookie":
            self.send(200, "deleted", "text/plain",
                      [("Set-Cookie", "%s=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT" % k) for k in q])
        elif p == "/gzip":
            self.send(200, gzip.compress(b"gzipped " * 1000), "text/plain", [("Content-Encoding", "gzip")])
        elif p == "/deflate":
            self.send(200, zlib.compress(b"deflated " * 1000), "text/plain", [("Content-Encoding", "deflate")])
        elif p == "/rawdeflate":
            c = zlib.compressobj(wbits=-15)
            data = c.compress(b"raw deflate " * 100) + c.flush()
            self.send(200, data, "text/plain", [("Content-Encoding", "deflate")])
        elif p == "/basic":
            if self.headers.get("Authorization") == "Basic dXNlcjpwYXNz":
                self.send(200, "welcome", "text/plain")
            else:
                self.send(401, "who are you", "text/plain", [("WWW-Authenticate", 'Basic realm="x"')])
        elif p == "/peer":
            self.send(200, str(self.client_address[1]), "text/plain")
        elif p == "/sleep":
            time.sleep(int(q.get("ms", "100")) / 1000)
            self.send(200, "slept", "text/plain")
        elif p == "/latin1":
            self.send(200, "caf\xe9".encode("latin-1"), "text/plain; charset=iso-8859-1")
        elif p == "/html":
            self.send(200, "<p>hi</p>", "text/html")
        elif p == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for line in [b"line one\n", b"line two\n", b"last"]:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
                time.sleep(0.02)
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send(404, "not found", "text/plain")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = handle_any

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print("PORT", server.server_address[1], flush=True)
server.serve_forever()
