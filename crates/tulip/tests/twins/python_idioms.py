# The guide's constructs (docs/python-idioms.md): except CancelledError and
# finally, async with (exit awaited also when the body raises), async for
# over an async generator, get_event_loop.
import asyncio


class Resource:
    async def __aenter__(self):
        print("enter")
        return self

    async def __aexit__(self, exc_type, exc, tb):
        await asyncio.sleep(0)
        print("exit, raised:", exc_type is not None)


async def worker():
    try:
        try:
            await asyncio.sleep(3600)
        finally:
            print("inner finally")
    except asyncio.CancelledError:
        print("cleanup on cancel")
        raise


async def numbers():
    for i in range(3):
        await asyncio.sleep(0)
        yield i


async def failing_with():
    async with Resource():
        raise ValueError("boom")


async def main():
    t = asyncio.create_task(worker())
    await asyncio.sleep(0)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print("worker cancelled")
    async with Resource():
        print("body")
    try:
        await asyncio.create_task(failing_with())
    except ValueError as e:
        print("body raised", e)
    print("async for", [i async for i in numbers()])


loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
asyncio.get_event_loop().run_until_complete(main())
print("same loop", asyncio.get_event_loop() is loop)
loop.close()
