# Seed 002, the aiohttp client: the start of google.com's page as text,
# against a real aiohttp: `python3 http_page_text.py URL`. The seed's
# `async with` stands at the top level (a syntax error outside a
# coroutine); here it is inside `main()`, run by asyncio.run.
import sys
import asyncio
import aiohttp

async def main():
    async with aiohttp.ClientSession() as session:
        async with session.get(sys.argv[1]) as resp:
            text = await resp.text()
            print('{:.70}...'.format(text))

asyncio.run(main())
