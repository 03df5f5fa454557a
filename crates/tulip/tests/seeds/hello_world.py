# Seed 002 (Асинхронное программирование. Библиотека asyncio), the first example
import asyncio

async def main():
    print('hello')
    await asyncio.sleep(1)
    print('world')

loop = asyncio.get_event_loop()
# Blocking call which returns when the main() coroutine is done
loop.run_until_complete(main())
loop.close()
