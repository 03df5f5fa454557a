import asyncio

DATA = b"abcdefghij\nxy\nlonglonglong|k\nend"

async def main():
    async def serve(reader, writer):
        writer.write(DATA)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=5)
    await asyncio.sleep(0.1)
    for step in ["readuntil |", "readline", "readline", "readuntil |", "read 3", "readuntil |", "readline", "readline", "readline"]:
        try:
            if step == "readline":
                out = await reader.readline()
            elif step.startswith("readuntil"):
                out = await reader.readuntil(step.split()[1].encode())
            else:
                out = await reader.read(int(step.split()[1]))
            print(f"{step}: ok {out!r}")
        except asyncio.LimitOverrunError as e:
            print(f"{step}: LimitOverrunError consumed={e.consumed}")
        except ValueError as e:
            print(f"{step}: ValueError {e}")
        except asyncio.IncompleteReadError as e:
            print(f"{step}: IncompleteReadError partial={e.partial!r}")
    writer.close()
    server.close()

asyncio.run(main())
