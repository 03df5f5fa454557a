# Sends tests/subapps.rs's requests to the server on port argv[1] and
# prints what came back, one line each.
import http.client, sys

c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
for method, path in [
    ("GET", "/admin/"), ("GET", "/admin"), ("GET", "/admin/items/3"), ("GET", "/admin/nope"),
    ("PUT", "/admin/only-post"), ("GET", "/adminx"), ("GET", "/other"), ("GET", "/admin/inner/x/5"),
    ("HEAD", "/admin/items/3"), ("GET", "/admin/items/a%20b"), ("GET", "/plain"), ("GET", "/hooks"),
    ("GET", "/admin/inner"), ("POST", "/admin/only-post"),
]:
    c.request(method, path)
    r = c.getresponse()
    body = r.read().decode()
    mws = " ".join(f"{t}={r.getheader('x-mw-' + t)}" for t in ("p1", "p2", "s1"))
    print(f"{method} {path} {r.status} allow={r.getheader('allow')} {mws} {body!r}")
