"""sitecustomize.py - imported at start-up by the interpreter that tests/fake_ft/python3.13t
runs: it reports its GIL off, as a free-threaded CPython 3.13t does (and as nothing else of
the interpreter changes: a test stand-in only)."""
import sys

sys._is_gil_enabled = lambda: False
