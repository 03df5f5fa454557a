# The aiohttp side of tests/multipart.rs: `post()` of a form described
# as text fields then file parts, and `multipart()` read part by part.
# Prints the port and serves until stdin closes.
from aiohttp import web
from twin_serve import serve


async def form(request):
    data = await request.post()
    fields, files = [], []
    for k, v in data.items():
        if isinstance(v, web.FileField):
            files.append(f"{k}:{v.filename}:{v.content_type}:{len(v.file.read())}")
        elif isinstance(v, (bytes, bytearray)):
            files.append(f"{k}:None:{request_ct(request, k)}:{len(v)}")
        else:
            fields.append(f"{k}={v}")
    return web.Response(text="|".join(fields + files))


def request_ct(request, name):
    return "application/octet-stream"


async def parts(request):
    reader = await request.multipart()
    out = []
    while (part := await reader.next()) is not None:
        size = 0
        while chunk := await part.read_chunk():
            size += len(chunk)
        out.append(f"{part.name}:{part.filename}:{part.headers.get('content-type')}:{size}")
    return web.Response(text="|".join(out))


app = web.Application(client_max_size=4096)
app.add_routes([web.post("/form", form), web.post("/parts", parts)])
serve(app)
