# Seed 002, futures: set_after, then (with --await) the "just await it" main
import asyncio
import sys

async def set_after(delay, value):
    # Sleep for *delay* seconds.
    await asyncio.sleep(delay)

    # Set *value* as a result of *fut* Future.
    return value

async def main():
    # Run "set_after()" coroutine in a parallel Task.
    fut = asyncio.ensure_future(
        set_after(1, '... world'))

    print('hello ...')

    # Wait until *fut* has a result (1 second)
    await asyncio.wait_for(fut, None)
    # and print it.
    print(fut.result())

async def main_await():
     # Run "set_after()" coroutine in a parallel Task.
    fut = asyncio.ensure_future(
        set_after(1, '... world'))

    print('hello ...')

    # Wait until *fut* has a result (1 second) and print it.
    # Alternative way to get a result, just use it.
    print(await fut)

loop = asyncio.get_event_loop()
loop.run_until_complete(main_await() if '--await' in sys.argv else main())
loop.close()
