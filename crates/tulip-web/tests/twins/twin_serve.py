# What the aiohttp twins of tests/subapps.rs and tests/multipart.rs
# share: serve an app on a free loopback port, print the port, serve
# until stdin closes, clean up, then print what `after()` returns.
import asyncio, sys
from aiohttp import web


def serve(app, after=lambda: None):
    async def main():
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        print(site._server.sockets[0].getsockname()[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await runner.cleanup()
        text = after()
        if text is not None:
            print(text, flush=True)

    asyncio.run(main())
