import asyncio

async def main(loop):
    now = loop.time()
    print('registering callbacks')
    loop.call_at(now + 0.02, print, 'callback 1')
    loop.call_at(now + 0.01, print, 'callback 2')
    loop.call_soon(print, 'callback 3')
    loop.call_at(now + 0.015, print, 'callback 4')
    loop.call_later(0.0, print, 'callback 5 (call_later 0)')
    await asyncio.sleep(0.05)
    print('done')

loop = asyncio.new_event_loop()
loop.run_until_complete(main(loop))
loop.close()
