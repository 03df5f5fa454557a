# Seed 000, 2c-fetch-first-ip-address-response-no-warning-await.py, against
# a real aiohttp: `python3 http_first_ip.py IPIFY_URL IP_API_URL`. With
# `--forget`, the first version (2c-fetch-first-ip-address-response): the
# other task is left pending, and closing the loop reports it (stderr).
# aiohttp 3's request() is an async context manager; 3.11's wait() takes
# tasks (ensure_future, in list order).
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
FORGET = '--forget' in sys.argv

async def fetch_ip(service):
    start = time.time()
    print('Fetching IP from {}'.format(service.name))

    async with aiohttp.request('GET', service.url) as response:
        json_response = await response.json()
    ip = json_response[service.ip_attr]

    return '{} finished with result: {}, took: {:.2f} seconds'.format(
        service.name, ip, time.time() - start)

async def asynchronous():
    futures = [asyncio.ensure_future(fetch_ip(service)) for service in SERVICES]
    done, pending = await asyncio.wait(
        futures, return_when=FIRST_COMPLETED)

    print(done.pop().result())

    if not FORGET:
        for future in pending:
            future.cancel()

ioloop = asyncio.new_event_loop()
ioloop.run_until_complete(asynchronous())
ioloop.close()
