# aiohttp's WebSocket client, the peer of tests/ws_aiohttp_client.rs:
# runs one scenario against a tulip server and prints what it saw as JSON.
import asyncio
import json
import sys

import aiohttp
from aiohttp import WSMsgType


def show(msg):
    data = msg.data
    if isinstance(data, bytes):
        data = data.hex()
    elif not isinstance(data, (str, int, type(None))):
        data = str(data)
    return [msg.type.name, data, msg.extra]


async def main(base, scenario):
    out = {}
    async with aiohttp.ClientSession() as s:
        if scenario == "echo":
            async with s.ws_connect(base + "/echo", protocols=("v2", "chat")) as ws:
                out["protocol"] = ws.protocol
                await ws.send_str("héllo")
                out["text"] = show(await ws.receive())
                await ws.send_bytes(b"\x00\x01\xff")
                out["binary"] = show(await ws.receive())
                await ws.send_json({"n": [1, 2]})
                out["json"] = (await ws.receive()).json()
                await ws.close(code=4000, message=b"done")
                out["close_code"] = ws.close_code
        elif scenario == "ping":
            async with s.ws_connect(base + "/echo", autoping=False) as ws:
                await ws.ping(b"are you there")
                out["pong"] = show(await ws.receive())
                await ws.send_str("ping-me")
                out["server_ping"] = show(await ws.receive())
                await ws.pong(b"from aiohttp")
                await ws.send_str("after")
                out["after"] = show(await ws.receive())
        elif scenario == "server_close":
            async with s.ws_connect(base + "/close") as ws:
                out["first"] = show(await ws.receive())
                out["close"] = show(await ws.receive())
                out["close_code"] = ws.close_code
        elif scenario == "too_big":
            async with s.ws_connect(base + "/small") as ws:
                await ws.send_str("x" * 2000)
                out["close"] = show(await ws.receive())
                out["close_code"] = ws.close_code
        elif scenario == "server_too_big":
            async with s.ws_connect(base + "/big", max_msg_size=1024) as ws:
                out["msg"] = show(await ws.receive())
                out["close_code"] = ws.close_code
        elif scenario == "shutdown":
            async with s.ws_connect(base + "/echo") as ws:
                await ws.send_str("ready")
                await ws.receive()
                print(json.dumps({"connected": True}), flush=True)
                out["close"] = show(await ws.receive())
                out["close_code"] = ws.close_code
        elif scenario == "bad_handshake":
            async with s.get(base + "/echo") as r:
                out["status"] = r.status
                out["text"] = await r.text()
    print(json.dumps(out), flush=True)


asyncio.run(main(sys.argv[1], sys.argv[2]))
