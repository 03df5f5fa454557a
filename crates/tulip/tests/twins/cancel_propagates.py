# Cancelling a task that awaits another task cancels the awaited one too;
# shield opts out.
import asyncio


async def child(name, delay):
    try:
        await asyncio.sleep(delay)
        print(name, "finished")
        return name
    finally:
        print(name, "finally")


async def parent(t):
    return await t


async def parent_shielded(t):
    return await asyncio.shield(t)


async def main():
    c = asyncio.create_task(child("child", 3600))
    p = asyncio.create_task(parent(c))
    await asyncio.sleep(0)
    p.cancel()
    try:
        await p
    except asyncio.CancelledError:
        print("parent cancelled")
    await asyncio.sleep(0)
    print("child cancelled", c.cancelled())
    c2 = asyncio.create_task(child("shielded", 0.01))
    p2 = asyncio.create_task(parent_shielded(c2))
    await asyncio.sleep(0)
    p2.cancel()
    try:
        await p2
    except asyncio.CancelledError:
        print("parent2 cancelled")
    print("shielded result", await c2)


asyncio.run(main())
