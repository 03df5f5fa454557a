# gather fails fast on the first exception; a later exception of another
# child is marked retrieved (never reported); a detached failing task is.
import asyncio
import gc


async def fails(name, delay):
    await asyncio.sleep(delay)
    raise ValueError(name)


def handler(loop, ctx):
    print("reported:", ctx["message"], ctx["exception"])


async def main():
    asyncio.get_running_loop().set_exception_handler(handler)
    try:
        await asyncio.gather(fails("first", 0.01), fails("second", 0.02))
    except ValueError as e:
        print("gather raised", e)
    await asyncio.sleep(0.05)
    gc.collect()
    print("second failed quietly")
    t = asyncio.create_task(fails("lonely", 0.01))
    await asyncio.sleep(0.05)
    del t
    gc.collect()
    print("done")


asyncio.run(main())
