# Seed 000, 3a-fetch-ip-addresses-fail-await.py, against a real aiohttp:
# `python3 http_ip_services.py IPIFY_URL IP_API_URL BORKEN_URL` (the last
# refuses connections). aiohttp 3's request() is an async context manager;
# 3.11's wait() takes tasks (ensure_future, in list order). With
# `--bad-attr`, 3b-fetch-ip-addresses-future-exceptions-await.py: ip-api's
# attribute is missing, and the KeyError is printed with its traceback.
import sys
from collections import namedtuple
import time
import asyncio
import traceback
import aiohttp

Service = namedtuple('Service', ('name', 'url', 'ip_attr'))

SERVICES = (
    Service('ipify', sys.argv[1] + '?format=json', 'ip'),
    Service('ip-api', sys.argv[2] + '/json',
            'this-is-not-an-attr' if '--bad-attr' in sys.argv else 'query'),
    Service('borken', sys.argv[3] + '/json', 'ip')
)

async def fetch_ip(service):
    start = time.time()
    print('Fetching IP from {}'.format(service.name))

    try:
        async with aiohttp.request('GET', service.url) as response:
            json_response = await response.json()
    except:
        return '{} is unresponsive'.format(service.name)

    ip = json_response[service.ip_attr]

    return '{} finished with result: {}, took: {:.2f} seconds'.format(
        service.name, ip, time.time() - start)

async def asynchronous():
    futures = [asyncio.ensure_future(fetch_ip(service)) for service in SERVICES]
    done, _ = await asyncio.wait(futures)

    for future in done:
        try:
            print(future.result())
        except:
            print("Unexpected error: {}".format(traceback.format_exc()))

ioloop = asyncio.new_event_loop()
ioloop.run_until_complete(asynchronous())
ioloop.close()
