import asyncio


async def ticker():
    for i in range(5):
        print("tick", i)
        await asyncio.sleep(0)


async def main():
    asyncio.get_running_loop().create_task(ticker())
    await asyncio.sleep(0)
    print("main done")


loop = asyncio.new_event_loop()
loop.run_until_complete(main())
print("after run_until_complete")
loop.run_until_complete(asyncio.sleep(0))
print("after a second run")
loop.close()
