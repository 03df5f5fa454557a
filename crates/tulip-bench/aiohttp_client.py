"""The aiohttp row of tulip-bench's HTTP client benchmark: N GETs of URL over
C keep-alive connections of one ClientSession (C workers, N / C requests in
turn each, every body read), timed from just before the first connection.

    python aiohttp_client.py URL N C  ->  "N WALL_S CPU_USER_S CPU_SYS_S"
"""
import asyncio
import resource
import sys
import time

import aiohttp


async def worker(session, url, k):
    done = 0
    for _ in range(k):
        async with session.get(url) as response:
            body = await response.read()
            done += 1 if body else 0
    return done


async def main(url, n, c):
    connector = aiohttp.TCPConnector(limit=c)
    async with aiohttp.ClientSession(connector=connector) as session:
        shares = [n // c + (1 if i < n % c else 0) for i in range(c)]
        t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
        done = sum(await asyncio.gather(*(worker(session, url, k) for k in shares)))
        wall, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    assert done == n, (done, n)
    print(done, wall, r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime)


url, n, c = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
asyncio.run(main(url, n, c))
