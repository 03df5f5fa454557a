import asyncio

async def work(name, delay):
    print(f'{name} start')
    await asyncio.sleep(delay)
    print(f'{name} end')
    return name

async def quiet(name, delay):
    await asyncio.sleep(delay)
    return name

async def main():
    out = await asyncio.gather(work('a', 0.03), work('b', 0.01), work('c', 0.02))
    print('gather', out)
    it = asyncio.as_completed([quiet('x', 0.03), quiet('y', 0.01), quiet('z', 0.02)])
    for f in it:
        print('as_completed', await f)

asyncio.run(main())
