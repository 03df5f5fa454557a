# Seed 002, say_after run concurrently with gather (about 2 s)
import asyncio
import time

async def say_after(delay, what):
    await asyncio.sleep(delay)
    print(what)

loop = asyncio.get_event_loop()
# Ожидание завершения обоих операций должно занять около 2х секунд
print(f"started at {time.strftime('%X')}")
loop.run_until_complete(asyncio.gather(
    say_after(1, 'hello'),
    say_after(2, 'world')
))
print(f"finished at {time.strftime('%X')}")
loop.close()
