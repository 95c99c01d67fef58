"""pbworker.py - what every CPython worker of driver.py runs: the twin's task, pinned.

A module of its own so that pool workers started by spawn or forkserver import it by name.
"""
import os
import signal
import time

CPUS = []      # the OS CPU of each worker (empty: not pinned)
FAULT = "-"    # test hook: kill, raise or hang in a worker's first task
_task = None
_first = True


def pin(i):
    """Binds the calling thread (a process's main thread: the process) to worker i's CPU."""
    if CPUS:
        os.sched_setaffinity(0, {CPUS[i % len(CPUS)]})


def init(twin, data, counter, cpus, fault):
    """A worker's start: the twin's task function, and (pool workers, which have a shared
    counter) the next worker's CPU."""
    global _task, CPUS, FAULT
    import twins
    _task = twins.job(twin, data)
    CPUS, FAULT = cpus, fault
    if counter is not None:
        _die_with_parent()
        with counter.get_lock():
            i = counter.value
            counter.value += 1
        pin(i)


def _die_with_parent():
    """A pool worker dies with the interpreter that started it (Linux PR_SET_PDEATHSIG), so
    that parbench killed outright leaves no worker behind: the driver has the same."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
        if os.getppid() == 1:
            os._exit(1)
    except (OSError, AttributeError):
        pass


def noop(x):
    return x


def task(r):
    """Items [begin, end) of the twin: (begin, end, sum, count, output bytes)."""
    global _first
    if _first and FAULT != "-":
        if FAULT == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        elif FAULT == "raise":
            raise ValueError("test fault: a task that raises")
        elif FAULT == "hang":
            while True:
                time.sleep(1)
    _first = False
    b, e = r
    s, c, o = _task(b, e)
    return b, e, s, c, o
