import asyncio

async def ok(name, delay):
    try:
        await asyncio.sleep(delay)
        print(f'{name} done')
        return name
    finally:
        print(f'{name} finally')

async def bad(delay):
    await asyncio.sleep(delay)
    print('bad raises')
    raise ValueError('bad')

async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(ok('fast', 0.01))
            tg.create_task(bad(0.02))
            tg.create_task(ok('slow', 0.5))
    except* ValueError as eg:
        print('group failed', [str(e) for e in eg.exceptions])
    try:
        await asyncio.wait_for(ok('eternity', 3600), 0.02)
    except TimeoutError:
        print('timeout!')

asyncio.run(main())
