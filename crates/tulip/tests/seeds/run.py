"""Runs a seed program with its delays scaled: `python3 run.py SCALE PROGRAM.py [ARGS]`.

Every timer of the loop (asyncio.sleep, call_later, call_at, wait/wait_for
timeouts all go through BaseEventLoop.call_at) and time.sleep are shortened
by SCALE, as the Rust twins' `--fast` does (SCALE 0.01). The directory of
this file comes first on sys.path, so `import aiohttp` finds the stand-in
(unless TULIP_REAL_AIOHTTP is set: the http_* programs use the real one).
"""
import asyncio.base_events
import os
import runpy
import sys
import time
import warnings

scale = float(sys.argv[1])
program = sys.argv[2]
sys.argv = [program] + sys.argv[3:]
here = os.path.dirname(os.path.abspath(__file__))
if os.environ.get('TULIP_REAL_AIOHTTP'):
    # Python put this directory first, stand-in and all: take it out.
    sys.path = [p for p in sys.path if os.path.abspath(p or '.') != here]
else:
    sys.path.insert(0, here)
warnings.simplefilter('ignore', DeprecationWarning)

_call_at = asyncio.base_events.BaseEventLoop.call_at
def call_at(self, when, callback, *args, context=None):
    now = self.time()
    return _call_at(self, now + (when - now) * scale, callback, *args, context=context)
asyncio.base_events.BaseEventLoop.call_at = call_at

_sleep = time.sleep
time.sleep = lambda s: _sleep(s * scale)

runpy.run_path(program, run_name='__main__')
