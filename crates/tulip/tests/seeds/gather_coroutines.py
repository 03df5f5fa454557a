# Seed 001, a reader's comment: gather without create_task (about 3 s)
import asyncio
import datetime

async def fun1():
    print(1)
    await asyncio.sleep(3)

async def fun2():
    print(2)
    await asyncio.sleep(3)

async def main():
    await asyncio.gather(fun1(), fun2())

begin = datetime.datetime.now()
asyncio.run(main())
end = datetime.datetime.now()
print(end - begin)
