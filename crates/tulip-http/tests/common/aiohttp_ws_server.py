# aiohttp's WebSocket server, the peer of tests/ws_aiohttp_server.rs.
import asyncio
import json
import sys

from aiohttp import WSMsgType, web

LOG = []


async def echo(request):
    ws = web.WebSocketResponse(protocols=("chat",))
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            if msg.data == "ping-me":
                await ws.ping(b"from aiohttp")
            else:
                await ws.send_str(msg.data)
        elif msg.type == WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    LOG.append(("echo", ws.close_code))
    return ws


async def hello(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    await ws.send_json({"token": request.headers.get("x-token"), "cookies": dict(request.cookies),
                        "protocol": request.headers.get("sec-websocket-protocol")})
    await ws.receive()
    return ws


async def close(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    await ws.send_str("bye")
    await ws.close(code=4001, message=b"custom")
    return ws


async def small(request):
    ws = web.WebSocketResponse(max_msg_size=1024)
    await ws.prepare(request)
    msg = await ws.receive()
    LOG.append(("small", msg.type.name, ws.close_code))
    return ws


async def big(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    await ws.send_str("y" * 2000)
    msg = await ws.receive()
    LOG.append(("big", msg.type.name, msg.data if msg.type == WSMsgType.CLOSE else None, ws.close_code))
    return ws


async def log(request):
    return web.json_response(LOG)


async def set_cookie(request):
    resp = web.Response(text="ok")
    resp.set_cookie("session", "s3cr3t")
    return resp


async def main():
    app = web.Application()
    app.add_routes([web.get("/echo", echo), web.get("/hello", hello), web.get("/close", close),
                    web.get("/small", small), web.get("/big", big), web.get("/log", log),
                    web.get("/cookie", set_cookie)])
    runner = web.AppRunner(app)
    await runner.setup()
    ssl_ctx = None
    if len(sys.argv) > 2:
        # wss: the test's certificate and key.
        import ssl
        ssl_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ssl_ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_ctx)
    await site.start()
    print("PORT", site._server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
