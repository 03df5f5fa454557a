import asyncio
import warnings

warnings.simplefilter("ignore")  # the never-awaited coroutine's warning
loop = asyncio.new_event_loop()
loop.close()
for name, call in [
    ("call_soon", lambda: loop.call_soon(print)),
    ("call_later", lambda: loop.call_later(1, print)),
    ("create_task", lambda: loop.create_task(asyncio.sleep(0))),
]:
    try:
        call()
        print(name, "accepted")
    except RuntimeError as e:
        print(name, "RuntimeError", e)
