import asyncio

async def waiter(fut, name):
    print(f'{name} waiting')
    v = await fut
    print(f'{name} got {v}')

async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.add_done_callback(lambda f: print('callback A', f.result()))
    t1 = asyncio.create_task(waiter(fut, 'task1'))
    await asyncio.sleep(0)
    fut.add_done_callback(lambda f: print('callback B', f.result()))
    t2 = asyncio.create_task(waiter(fut, 'task2'))
    await asyncio.sleep(0)
    print('setting result')
    fut.set_result(7)
    print('set_result returned')
    await t1
    await t2
    print('main done')

asyncio.run(main())
