# Seed 004, tasks: "Tasks can also be canceled very easily by using their
# cancel method ... Should a task get canceled when it is waiting for another
# operation, the task will raise a CancelledError." The article has no
# program for it; this is the tasks program with my_task waiting (asyncio.sleep)
# and cancelled a second in.
import asyncio

async def my_task(seconds):
    """
    A task to do for a number of seconds
    """
    print('This task is taking {} seconds to complete'.format(
        seconds))
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        print('my_task was cancelled while waiting')
        raise
    return 'task finished'

if __name__ == '__main__':
    my_event_loop = asyncio.get_event_loop()
    try:
        print('task creation started')
        task_obj = my_event_loop.create_task(my_task(seconds=2))
        my_event_loop.call_later(1, task_obj.cancel)
        my_event_loop.run_until_complete(task_obj)
    except asyncio.CancelledError:
        print('run_until_complete raised CancelledError')
    finally:
        my_event_loop.close()

    print("The task was cancelled: {}".format(task_obj.cancelled()))
