# Seed 001, examples 5.4 (gather) and, with `--await-each`, 5.2 (each task
# prints, awaited in turn), against a real aiohttp: `python3 http_weather.py
# BASE_URL` (the stand-in's base). The seed's list misses a comma between
# 'Vladivostok' and 'Minsk' (Python joins them into one unknown city); it is
# put back here and in the twin.
import sys
import asyncio
import time
from aiohttp import ClientSession

BASE = sys.argv[1]
AWAIT_EACH = '--await-each' in sys.argv

async def get_weather(city):
    async with ClientSession() as session:
        url = f'{BASE}/data/2.5/weather'
        params = {'q': city, 'APPID': '2a4ff86f9aaa70041ec8e82db64abf56'}

        async with session.get(url=url, params=params) as response:
            weather_json = await response.json()
            line = f'{city}: {weather_json["weather"][0]["main"]}'
            if AWAIT_EACH:
                print(line)
            return line

async def main(cities_):
    tasks = []
    for city in cities_:
        tasks.append(asyncio.create_task(get_weather(city)))
    if AWAIT_EACH:
        for task in tasks:
            await task
    else:
        results = await asyncio.gather(*tasks)
        for result in results:
            print(result)

cities = ['Moscow', 'St. Petersburg', 'Rostov-on-Don', 'Kaliningrad', 'Vladivostok',
          'Minsk', 'Beijing', 'Delhi', 'Istanbul', 'Tokyo', 'London', 'New York']
print(time.strftime('%X'))
asyncio.run(main(cities))
print(time.strftime('%X'))
