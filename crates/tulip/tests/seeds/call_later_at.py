# Seed 004, scheduling calls: the call_soon program with its second call
# delayed by the article's `current_time = loop.time()` and
# `loop.call_at(current_time + 300, event_handler, loop)` (five minutes; given
# stop=True here so that the loop ends, as the call_soon program's does).
import asyncio
import functools

def event_handler(loop, stop=False):
    print('Event handler called')
    if stop:
        print('stopping the loop')
        loop.stop()

if __name__ == '__main__':
    loop = asyncio.get_event_loop()
    try:
        loop.call_soon(functools.partial(event_handler, loop))
        print('starting event loop')
        current_time = loop.time()
        loop.call_at(current_time + 300, functools.partial(event_handler, loop, stop=True))
        loop.run_forever()
    finally:
        print('closing event loop')
        loop.close()
