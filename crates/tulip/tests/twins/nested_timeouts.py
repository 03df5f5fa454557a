# Nested timeouts: when both expire, the outer one reports (the inner lets
# the cancellation through); a shorter inner one reports its own, and
# TimeoutError comes from the CancelledError. Rescheduling an ended timeout
# and notifying a condition without its lock are RuntimeErrors.
import asyncio


async def main():
    try:
        async with asyncio.timeout(0.01):
            try:
                async with asyncio.timeout(0.01):
                    await asyncio.sleep(1)
            except TimeoutError:
                print("inner timeout")
            await asyncio.sleep(1)
    except TimeoutError as e:
        print("outer timeout, cause", type(e.__cause__).__name__)
    try:
        async with asyncio.timeout(0.05):
            try:
                async with asyncio.timeout(0.01) as inner:
                    await asyncio.sleep(1)
            except TimeoutError as e:
                print("inner timeout, cause", type(e.__cause__).__name__)
            print("outer body goes on")
    except TimeoutError:
        print("outer timeout")
    try:
        inner.reschedule(None)
    except RuntimeError as e:
        print("reschedule:", e)
    async with asyncio.timeout(1) as done:
        pass
    try:
        done.reschedule(None)
    except RuntimeError as e:
        print("reschedule:", e)
    cond = asyncio.Condition()
    try:
        cond.notify()
    except RuntimeError as e:
        print("notify:", e)
    async with cond:
        cond.notify()
        print("notify with the lock: ok")


asyncio.run(main())
