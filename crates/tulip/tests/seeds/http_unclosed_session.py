# Seed 000, 2c-fetch-first-ip-address-response-await.py, the version that
# warns, against a real aiohttp: `python3 http_unclosed_session.py
# IPIFY_URL IP_API_URL`. aiohttp 3's request() no longer leaks its session
# when its task is dropped, so the session is the program's own here, shared
# by the fetches and never closed: aiohttp reports "Unclosed client session"
# (stderr), and the task left pending "Task was destroyed but it is
# pending!", as in the seed's output.
import sys
from collections import namedtuple
import time
import asyncio
from concurrent.futures import FIRST_COMPLETED
import aiohttp

Service = namedtuple('Service', ('name', 'url', 'ip_attr'))

SERVICES = (
    Service('ipify', sys.argv[1] + '?format=json', 'ip'),
    Service('ip-api', sys.argv[2] + '/json', 'query')
)

async def fetch_ip(session, service):
    start = time.time()
    print('Fetching IP from {}'.format(service.name))

    async with session.get(service.url) as response:
        json_response = await response.json()
    ip = json_response[service.ip_attr]

    return '{} finished with result: {}, took: {:.2f} seconds'.format(
        service.name, ip, time.time() - start)

async def asynchronous():
    session = aiohttp.ClientSession()
    futures = [asyncio.ensure_future(fetch_ip(session, service)) for service in SERVICES]
    done, pending = await asyncio.wait(
        futures, return_when=FIRST_COMPLETED)

    print(done.pop().result())

ioloop = asyncio.new_event_loop()
ioloop.run_until_complete(asynchronous())
ioloop.close()
