import asyncio

async def task_func():
    print('in task_func')
    return 'the result'

async def sleeper():
    try:
        print('sleeper started')
        await asyncio.sleep(3600)
    finally:
        print('sleeper finally')

async def main():
    print('creating task')
    task = asyncio.create_task(task_func())
    print('canceling task')
    print('cancel returned', task.cancel())
    try:
        await task
    except asyncio.CancelledError:
        print('caught error from canceled task')
    s = asyncio.create_task(sleeper())
    await asyncio.sleep(0)
    print('cancel sleeper', s.cancel())
    try:
        await s
    except asyncio.CancelledError:
        print('sleeper cancelled', s.cancelled())
    print('cancel again', s.cancel())

asyncio.run(main())
