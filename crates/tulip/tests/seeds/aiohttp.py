"""A stand-in for aiohttp's `request`, so the seed programs that ask IP
services run without the network: each known host answers after a fixed
latency, the "borken" one fails to connect. The Rust twins simulate the same
services with the same latencies."""
import asyncio
import email.utils
import urllib.parse

IP = '82.34.76.170'
LATENCY = {'api.github.com': 0.5, 'api.ipify.org': 0.25, 'ip-api.com': 0.08}
BODY = {'api.ipify.org': {'ip': IP}, 'ip-api.com': {'status': 'success', 'query': IP}}


class ClientConnectorError(OSError):
    pass


class _Response:
    def __init__(self, host):
        self.host = host
        self.headers = {'Date': email.utils.formatdate(usegmt=True)}

    async def json(self):
        return dict(BODY[self.host])

    def close(self):
        pass


async def request(method, url):
    host = urllib.parse.urlsplit(url).hostname
    if host not in LATENCY:
        await asyncio.sleep(0.05)
        raise ClientConnectorError('Cannot connect to host {}:80'.format(host))
    await asyncio.sleep(LATENCY[host])
    return _Response(host)
