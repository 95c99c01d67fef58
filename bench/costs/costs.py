"""costs.py - the tutorials' price list measured in real CPython, for `parbench costs --python`.

    python3 costs.py WORKERS REPETITIONS

Prints one line per cost, tab-separated: "row", its name, its unit, a part of the name of
its C counterpart in parbench's own price list ("-" if none), how it was measured, then one raw
value per repetition (seconds are already divided by the batch and scaled to the unit).
parbench computes the statistics, pairs each row with its C counterpart and prints the
table.  A value of -1 means "never happened within the time waited" (Pool and a killed
worker).  Standard library only.

Every process it starts dies with its starter (PR_SET_PDEATHSIG, set at every fork and when
a spawned child imports this file): parbench killed outright leaves no child behind; else it
ends the interpreter's process group.  A spawned child pays ~2 ms for ctypes (inside the spawn
rows), a forked one only calls prctl.
"""
import multiprocessing as mp
import os
import pickle
import signal
import sys
import threading
import time

perf = time.perf_counter
SCALE = {"us": 1e6, "ns": 1e9, "ms": 1e3}
PR_SET_PDEATHSIG = 1


def _find_prctl():
    """prctl(2), resolved once here: a forked child only calls it (no loader lock taken
    after a fork of this multi-threaded process); None where there is none."""
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl
    except (ImportError, OSError, AttributeError):
        return None


_prctl = _find_prctl()


def die_with_parent(parent=None):
    """SIGKILL for this process when its parent dies; parent: the pid it must have (a fork's
    parent, which may have died before the request)."""
    if _prctl is None:
        return
    _prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def _watch_parent(parent):
    """A child forked by another thread than the main one (a Pool's replacement workers, by
    its handler thread) must not take PR_SET_PDEATHSIG, which fires when that thread ends
    (at terminate(), a worker killed holding the task queue's lock hangs the pool): a thread
    of its own ends it once the parent process is gone."""
    def watch():
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


_forker = [0, True]  # the forking pid, and whether its main thread forks (set just before)


def _before_fork():
    _forker[0] = os.getpid()
    _forker[1] = threading.current_thread() is threading.main_thread()


def _after_fork_in_child():
    if _forker[1]:
        die_with_parent(_forker[0])
    else:
        _watch_parent(_forker[0])


os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)
die_with_parent()  # here and in every spawned child and forkserver (they import this file)


def noop(x=None):
    return x


def row(name, unit, c_name, how, values):
    vals = " ".join("%.6g" % (v * SCALE.get(unit, 1) if v >= 0 else -1) for v in values)
    print("row\t%s\t%s\t%s\t%s\t%s" % (name, unit, c_name, how, vals), flush=True)


def per_op(fn, k, reps):
    out = []
    for _ in range(reps):
        t0 = perf()
        fn(k)
        out.append((perf() - t0) / k)
    return out


def process_start(method, k):
    ctx = mp.get_context(method)
    for _ in range(k):
        p = ctx.Process(target=noop)
        p.start()
        p.join()


def pool_start(workers):
    t0 = perf()
    p = mp.get_context("fork").Pool(workers)
    p.map(noop, [0])
    t = perf() - t0
    p.terminate()
    p.join()
    return t


def _echo(conn, n):
    for _ in range(n):
        conn.send(conn.recv())


def _queue_sink(q, done, n):
    for _ in range(n):
        q.get()
    done.put(1)


def _pingpong(a, b, n, kind):
    for _ in range(n):
        if kind == "event":
            a.wait()
            a.clear()
            b.set()
        else:
            a.acquire()
            b.release()


def pingpong(kind, k):
    ctx = mp.get_context("fork")
    if kind == "event":
        a, b = ctx.Event(), ctx.Event()
    elif kind == "lock":
        a, b = ctx.Lock(), ctx.Lock()
        a.acquire()
        b.acquire()
    else:
        a, b = ctx.Semaphore(0), ctx.Semaphore(0)
    p = ctx.Process(target=_pingpong, args=(a, b, k, kind))
    p.start()
    t0 = perf()
    for _ in range(k):
        if kind == "event":
            a.set()
            b.wait()
            b.clear()
        else:
            a.release()
            b.acquire()
    t = perf() - t0
    p.join()
    return t / k


def _incr(v, n, locked):
    for _ in range(n):
        if locked:
            with v.get_lock():
                v.value += 1
        else:
            v.value += 1


def counter(workers, n, locked):
    ctx = mp.get_context("fork")
    v = ctx.Value("l", 0)
    ps = [ctx.Process(target=_incr, args=(v, n, locked)) for _ in range(workers)]
    t0 = perf()
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    t = perf() - t0
    return t / (workers * n), 1 - v.value / (workers * n)


def _array_write(a, n):
    for i in range(n):
        a[i] = i


def pss_kib(pid):
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def _sleep_task(x):
    time.sleep(0.05)
    return x


def _die(x):
    os.kill(os.getpid(), signal.SIGKILL)


def killed_worker(kind, wait_s):
    """Seconds from handing out a task whose worker is SIGKILLed until the caller hears of it,
    or -1 if it never does within wait_s (Pool: map waits forever)."""
    import concurrent.futures as cf
    ctx = mp.get_context("fork")
    if kind == "pool":
        p = ctx.Pool(2)
        p.map(noop, range(2))
        t0 = perf()
        r = p.map_async(_die, [0])
        r.wait(wait_s)
        t = perf() - t0 if r.ready() else -1
        p.terminate()
        p.join()
        return t
    ex = cf.ProcessPoolExecutor(2, mp_context=ctx)
    list(ex.map(noop, range(2)))
    t0 = perf()
    try:
        list(ex.map(_die, [0], timeout=wait_s))
        t = -1
    except cf.process.BrokenProcessPool:
        t = perf() - t0
    except cf.TimeoutError:
        t = -1
    ex.shutdown(wait=True, cancel_futures=True)
    return t


def memory(reps):
    """PSS added by an idle thread, an idle forked and an idle spawned Pool worker (KiB)."""
    out = {"thread": [], "fork": [], "spawn": []}
    for _ in range(reps):
        before = pss_kib(os.getpid())
        ev = threading.Event()
        ts = [threading.Thread(target=ev.wait) for _ in range(4)]
        for t in ts:
            t.start()
        time.sleep(0.05)
        out["thread"].append((pss_kib(os.getpid()) - before) / 4 * 1024)
        ev.set()
        for t in ts:
            t.join()
        for method in ("fork", "spawn"):
            p = mp.get_context(method).Pool(1)
            p.map(noop, [0])
            w = p._pool[0]
            time.sleep(0.05)
            out[method].append(pss_kib(w.pid) * 1024)
            p.terminate()
            p.join()
    return out


def process_rows(workers, reps, quick):
    """Process starts and the Pool: what starting workers and handing them tasks cost."""
    mp.get_context("forkserver").Process(target=noop).start()  # the server, started once
    for method, k, c in (("fork", 10, "fork + _exit + waitpid"),
                         ("spawn", 2, "posix_spawn(/bin/true) + waitpid"),
                         ("forkserver", 10, "fork + _exit + waitpid")):
        row("Process start + join, %s" % method, "us", c,
            "multiprocessing.get_context('%s').Process(target=f).start(); join()" % method,
            per_op(lambda n: process_start(method, n), k, reps))
    row("Pool(%d) start, to first result" % workers, "us", "fork-pool start, to first result",
        "Pool(N) created until pool.map(f, [0]) returns (fork)",
        [pool_start(workers) for _ in range(reps)])
    pool = mp.get_context("fork").Pool(workers)
    n_map = 2000 if quick else 10000
    row("Pool.map per item, chunksize 1", "us", "fork-pool-pipe, chunk 1",
        "pool.map(f, range(N), chunksize=1) / N",
        per_op(lambda n: pool.map(noop, range(n), chunksize=1), n_map, reps))
    row("Pool.map per item, default chunksize", "us", "fork-pool-pipe, chunk 1",
        "pool.map(f, range(N)) / N (chunksize N / (4 x workers))",
        per_op(lambda n: pool.map(noop, range(n)), 10 * n_map, reps))

    def async_batch(n):
        done = []
        rs = [pool.apply_async(noop, (i,), callback=done.append) for i in range(n)]
        for r in rs:
            r.wait()
    row("apply_async + callback, per task", "us", "fork-pool-pipe, chunk 1",
        "pool.apply_async(f, (i,), callback=...) for N tasks, all waited for / N",
        per_op(async_batch, n_map, reps))
    pool.terminate()
    pool.join()


def channel_rows(workers, reps):
    """Queues, pipes, locks and shared values between processes."""
    ctx = mp.get_context("fork")

    def queue_batch(n):
        q, done = ctx.Queue(), ctx.Queue()
        p = ctx.Process(target=_queue_sink, args=(q, done, n))
        p.start()
        msg = b"x" * 64
        for _ in range(n):
            q.put(msg)
        done.get()
        p.join()
    row("Queue put/get between processes", "ns", "Queue-like channel, per message",
        "64-byte messages put by this process, got by another, all through / N",
        per_op(queue_batch, 20000, reps))

    def pipe_batch(n):
        a, b = ctx.Pipe()
        p = ctx.Process(target=_echo, args=(b, n))
        p.start()
        for _ in range(n):
            a.send(b"12345678")
            a.recv()
        p.join()
    row("Pipe round trip", "us", "pipe round trip", "Connection.send of 8 bytes, echoed back",
        per_op(pipe_batch, 2000, reps))
    for kind, c in (("lock", "lock hand-off between processes"),
                    ("semaphore", "semaphore ping-pong"), ("event", "event ping-pong")):
        name = {"lock": "Lock", "semaphore": "Semaphore", "event": "Event"}[kind]
        row("%s hand-off, round trip" % name, "us", c,
            "two multiprocessing.%s between two processes, passed there and back" % name,
            [pingpong(kind, 2000) for _ in range(reps)])
    n_inc = 20000
    locked = [counter(workers, n_inc, True) for _ in range(reps)]
    row("Value += 1 under get_lock(), %d processes" % workers, "ns",
        "increments, process-shared lock",
        "with v.get_lock(): v.value += 1, %d each (exact: lost updates %s)"
        % (n_inc, "none" if all(l == 0 for _, l in locked) else "SOME"),
        [t for t, _ in locked])
    loose = [counter(workers, n_inc, False) for _ in range(reps)]
    row("Value += 1 unsynchronized, %d processes" % workers, "% lost",
        "increments, plain load/add/store",
        "v.value += 1 without get_lock(), %d each: updates lost, share" % n_inc,
        [100 * l for _, l in loose])

    def array_batch(n):
        a = ctx.Array("d", n, lock=False)
        p = ctx.Process(target=_array_write, args=(a, n))
        p.start()
        p.join()
    row("Array write, per element", "ns", "-",
        "a[i] = i over an Array('d', N, lock=False) in a child (its start included)",
        per_op(array_batch, 200000, reps))


def other_rows(reps, quick):
    """The Manager, pickling, memory and a killed worker."""
    with mp.Manager() as m:
        d, lst = m.dict(), m.list()

        def dict_batch(n):
            for i in range(n):
                d[i % 64] = i
                d.get(i % 64)
        row("Manager dict set + get", "us", "pipe round trip",
            "d[k] = v; d.get(k) on a Manager().dict(), per pair", per_op(dict_batch, 500, reps))
        row("Manager list append", "us", "pipe round trip", "Manager().list().append(i)",
            per_op(lambda n: [lst.append(i) for i in range(n)], 1000, reps))
    data = list(range(200000))
    mb = len(pickle.dumps(data)) / 1e6
    row("pickle dumps + loads, per MB", "ms", "-",
        "a list of 200000 ints (%.1f MB pickled), the way Pool moves arguments" % mb,
        [t / mb for t in per_op(lambda n: [pickle.loads(pickle.dumps(data)) for _ in range(n)],
                                5, reps)])
    mem = memory(min(reps, 3))
    row("idle thread: PSS added", "MiB", "-", "4 threading.Thread waiting, PSS delta / 4",
        [v / 2**20 for v in mem["thread"]])
    row("forked Pool worker, idle: PSS", "MiB", "forked worker, idle: PSS",
        "smaps_rollup Pss of a Pool(1) worker, fork", [v / 2**20 for v in mem["fork"]])
    row("spawned Pool worker, idle: PSS", "MiB", "forked worker, idle: PSS",
        "smaps_rollup Pss of a Pool(1) worker, spawn", [v / 2**20 for v in mem["spawn"]])
    wait = 2.0 if quick else 3.0
    row("killed worker reported, Pool.map", "ms", "killed worker reported, fork-pool",
        "a task SIGKILLs its worker; -1: never (Pool.map waits forever; gave up after %g s)"
        % wait, [killed_worker("pool", wait) for _ in range(min(reps, 2))])
    row("killed worker reported, ProcessPoolExecutor", "ms", "killed worker reported, fork-pool",
        "a task SIGKILLs its worker until map raises BrokenProcessPool",
        [killed_worker("executor", wait) for _ in range(reps)])


def main(argv):
    workers, reps = int(argv[1]), int(argv[2])
    quick = reps <= 3
    process_rows(workers, reps, quick)
    channel_rows(workers, reps)
    other_rows(reps, quick)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
