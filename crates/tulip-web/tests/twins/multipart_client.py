# Posts tests/multipart.rs's hand-built multipart bodies to the server on
# port argv[1] and prints each answer on a line.
import http.client, sys

B = "XyZ"


def part(headers, body):
    return "--" + B + "\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n" + body + "\r\n"


cd = "Content-Disposition: form-data; "
BODIES = [
    ("/form", part([cd + 'name="title"'], "Report") + part([cd + 'name="tag"'], "a") + part([cd + 'name="tag"'], "b")
        + part([cd + 'name="doc"; filename="r.pdf"', "Content-Type: application/pdf"], "%PDF-1.4\r\nbinary")
        + part([cd + 'name="empty"; filename="e.txt"', "Content-Type: text/plain"], "")
        + part([cd + 'name="note"', "Content-Type: text/plain; charset=utf-8"], "h\u00e9llo\r\nworld")
        + "--" + B + "--\r\n"),
    ("/form", part([cd + 'name="only"'], "text with --XyZ inside, not a boundary") + "--" + B + "--\r\n"),
    ("/parts", "preamble\r\n" + part([cd + 'name="a"'], "1") + part([cd + 'name="f"; filename="x.bin"',
        "Content-Type: application/octet-stream"], "x" * 10000) + "--" + B + "--\r\nepilogue"),
    ("/form", (part([cd + 'name="latin"', "Content-Type: text/plain; charset=latin-1"], "caf\u00e9") + "--" + B
        + "--\r\n").encode("latin-1")),
    # Last: tulip closes the connection after a 413 with the body unread.
    ("/form", part([cd + 'name="big"'], "y" * 5000) + "--" + B + "--\r\n"),
]

c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
for path, body in BODIES:
    body = body if isinstance(body, bytes) else body.encode()
    c.request("POST", path, body=body, headers={"Content-Type": "multipart/form-data; boundary=" + B})
    r = c.getresponse()
    text = r.read().decode()
    print(f"{path} {r.status} {text if r.status == 200 else ''}")
