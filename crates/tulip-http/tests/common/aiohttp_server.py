# An aiohttp test peer: prints "PORT <n>" once listening on TCP and on the
# Unix socket given as argv[1].
import asyncio, sys
from aiohttp import web

async def json_h(request):
    return web.json_response({"server": "aiohttp", "query": dict(request.query)})

async def echo(request):
    return web.json_response({"got": await request.json(), "ctype": request.content_type})

async def stream(request):
    resp = web.StreamResponse()
    resp.content_type = "text/plain"
    await resp.prepare(request)
    for i in range(5):
        await resp.write(b"chunk %d\n" % i)
        await asyncio.sleep(0.01)
    await resp.write_eof()
    return resp

async def compressed(request):
    resp = web.Response(text="squeeze me " * 500)
    resp.enable_compression()
    return resp

async def set_cookie(request):
    resp = web.Response(text="ok")
    resp.set_cookie("flavour", "oatmeal")
    return resp

async def echo_cookies(request):
    return web.json_response(dict(request.cookies))

async def redirect(request):
    raise web.HTTPFound("/json?from=redirect")

async def slow(request):
    await asyncio.sleep(0.05)
    return web.Response(text="slow")

async def main():
    app = web.Application()
    app.add_routes([web.get("/json", json_h), web.post("/echo", echo), web.get("/stream", stream),
                    web.get("/compressed", compressed), web.get("/cookies/set", set_cookie),
                    web.get("/cookies/echo", echo_cookies), web.get("/redirect", redirect),
                    web.get("/slow", slow)])
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    await web.UnixSite(runner, sys.argv[1]).start()
    port = site._server.sockets[0].getsockname()[1]
    print("PORT", port, flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
