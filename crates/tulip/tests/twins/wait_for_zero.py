import asyncio


async def body(name):
    print(f"{name} started")
    return name


async def main():
    try:
        print("result", await asyncio.wait_for(body("zero"), 0))
    except TimeoutError:
        print("zero: TimeoutError")
    print("result", await asyncio.wait_for(body("one second"), 1))
    try:
        await asyncio.wait_for(asyncio.sleep(10), 0.01)
    except TimeoutError:
        print("sleep: TimeoutError")


asyncio.run(main())
