# Seed 000, 2a-async-fetch-from-server-as-completed-asyncio-await.py,
# against a real aiohttp: `python3 run.py 0.01 http_events_as_completed.py
# URL`. aiohttp 3's request() is an async context manager.
import sys
import time
import random
import asyncio
import aiohttp

URL = sys.argv[1]
MAX_CLIENTS = 3

async def fetch_async(pid):
    start = time.time()
    sleepy_time = random.randint(2, 5)
    print('Fetch async process {} started, sleeping for {} seconds'.format(
        pid, sleepy_time))

    await asyncio.sleep(sleepy_time)

    async with aiohttp.request('GET', URL) as response:
        datetime = response.headers.get('Date')

    return 'Process {}: {}, took: {:.2f} seconds'.format(
        pid, datetime, time.time() - start)

async def asynchronous():
    start = time.time()
    futures = [fetch_async(i) for i in range(1, MAX_CLIENTS + 1)]
    for i, future in enumerate(asyncio.as_completed(futures)):
        result = await future
        print('{} {}'.format(">>" * (i + 1), result))

    print("Process took: {:.2f} seconds".format(time.time() - start))

ioloop = asyncio.new_event_loop()
ioloop.run_until_complete(asynchronous())
ioloop.close()
