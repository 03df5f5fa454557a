import asyncio

def event_handler(loop, stop=False):
    print('Event handler called')
    if stop:
        print('stopping the loop')
        loop.stop()

loop = asyncio.new_event_loop()
try:
    loop.call_soon(event_handler, loop)
    loop.call_soon(event_handler, loop, True)
    print('starting event loop')
    loop.run_forever()
finally:
    print('closing event loop')
    loop.close()
