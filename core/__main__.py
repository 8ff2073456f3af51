"""`python -m core …`: the command line (core/cli).

A short-lived process: what it imports lives until it exits, so the cyclic collector is kept from walking it
over and over: off while the dispatcher and the command's module are imported, everything then frozen
(`gc.freeze`: out of every later collection; forked render workers inherit it), and at the end one collection
of what the command left, then frozen again so that the interpreter's exit does not walk the whole heap
several times. A build spent ~95 ms of CPU in the collector this way, 20 ms now (issue 16)."""

import gc
import sys

gc.disable()
from core.cli import load, main  # noqa: E402

argv = sys.argv[1:]
load(argv)  # the command's own module, imported with the rest
gc.freeze()
gc.enable()
code = main(argv)
gc.collect()
gc.freeze()
sys.exit(code)
