# A task's result(), exception(), done callbacks, several awaiters, and the
# cancellation count and message seen from its cleanup code.
import asyncio


async def boom():
    raise ValueError("boom")


async def worker():
    try:
        await asyncio.sleep(3600)
    finally:
        me = asyncio.current_task()
        print("cleanup cancelling", me.cancelling())
        print("uncancel", me.uncancel())


async def main():
    t = asyncio.create_task(asyncio.sleep(0.01, "value"))
    try:
        t.result()
    except asyncio.InvalidStateError:
        print("result: InvalidStateError")
    t.add_done_callback(lambda t: print("callback sees done", t.done()))

    def unwanted(t):
        print("removed callback ran")

    t.add_done_callback(unwanted)
    print("removed", t.remove_done_callback(unwanted))

    async def waiter(name):
        print(name, "got", await t)

    await asyncio.gather(waiter("w1"), waiter("w2"))
    print("result", t.result())
    print("exception of a good task", t.exception())
    b = asyncio.create_task(boom())
    await asyncio.sleep(0)
    print("exception is set", b.exception() is not None)
    w = asyncio.create_task(worker())
    await asyncio.sleep(0)
    w.cancel("stop")
    w.cancel("again")
    print("cancelling before it runs", w.cancelling())
    try:
        await w
    except asyncio.CancelledError as e:
        print("cancelled with", e.args[0] if e.args else None)


asyncio.run(main())
