# Seed 000, 1d-async-fetch-from-server-asyncio-await.py, against a real
# aiohttp: `python3 http_github_events.py URL` (the stand-in's /events).
# aiohttp 3's request() is an async context manager, no longer awaitable:
# `async with aiohttp.request(...) as response` replaces `await` + close().
import sys
import time
import urllib.request
import asyncio
import aiohttp

URL = sys.argv[1]
MAX_CLIENTS = 3

def fetch_sync(pid):
    print('Fetch sync process {} started'.format(pid))
    start = time.time()
    response = urllib.request.urlopen(URL)
    datetime = response.getheader('Date')

    print('Process {}: {}, took: {:.2f} seconds'.format(
        pid, datetime, time.time() - start))

    return datetime

async def fetch_async(pid):
    print('Fetch async process {} started'.format(pid))
    start = time.time()
    async with aiohttp.request('GET', URL) as response:
        datetime = response.headers.get('Date')

    print('Process {}: {}, took: {:.2f} seconds'.format(
        pid, datetime, time.time() - start))

    return datetime

def synchronous():
    start = time.time()
    for i in range(1, MAX_CLIENTS + 1):
        fetch_sync(i)
    print("Process took: {:.2f} seconds".format(time.time() - start))

async def asynchronous():
    start = time.time()
    tasks = [asyncio.ensure_future(
        fetch_async(i)) for i in range(1, MAX_CLIENTS + 1)]
    await asyncio.wait(tasks)
    print("Process took: {:.2f} seconds".format(time.time() - start))

print('Synchronous:')
synchronous()

print('Asynchronous:')
ioloop = asyncio.new_event_loop()
ioloop.run_until_complete(asynchronous())
ioloop.close()
