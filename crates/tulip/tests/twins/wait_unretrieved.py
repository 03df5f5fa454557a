# A failed task that went through wait() and whose exception nobody read
# is reported, with its exception, when it is dropped; one that was read
# is not.
import asyncio
import gc


async def boom(msg):
    raise ValueError(msg)


def handler(loop, ctx):
    print("reported:", ctx["message"], ctx["exception"])


async def main():
    asyncio.get_running_loop().set_exception_handler(handler)
    done, pending = await asyncio.wait([asyncio.create_task(boom("lost boom"))])
    print("wait returned", len(done), len(pending))
    del done
    gc.collect()
    done, _ = await asyncio.wait([asyncio.create_task(boom("read boom"))])
    for t in done:
        print("read", t.exception())
    del done, t
    gc.collect()
    print("done")


asyncio.run(main())
