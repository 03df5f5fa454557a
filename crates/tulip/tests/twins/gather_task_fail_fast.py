# A Task passed to gather is awaited as is: its cancellation or exception
# fails the gather at once, before the slow sibling finishes.
import asyncio


async def boom():
    await asyncio.sleep(0.01)
    raise ValueError("boom")


async def main():
    loop = asyncio.get_running_loop()
    start = loop.time()
    sleeper = asyncio.create_task(asyncio.sleep(3600))
    loop.call_later(0.01, sleeper.cancel)
    try:
        await asyncio.gather(sleeper, asyncio.sleep(1))
    except asyncio.CancelledError:
        print("gather cancelled, fast:", loop.time() - start < 0.5)
    start = loop.time()
    b = asyncio.create_task(boom())
    try:
        await asyncio.gather(b, asyncio.sleep(1))
    except ValueError as e:
        print("gather raised", e, "fast:", loop.time() - start < 0.5)
    ok = asyncio.create_task(asyncio.sleep(0.01, "task value"))
    print("gathered", await asyncio.gather(ok, asyncio.sleep(0, "coro value")))


asyncio.run(main())
