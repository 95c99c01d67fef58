"""driver.py - the CPython side of parbench's CPython backends (backends/cpython/cpython.c).

Started by parbench as
    python3 -u driver.py MODE WORKERS START_METHOD SWITCH_US CPUS FAULT TWINS_DIR
with a socket as stdin and stdout.  MODE is serial, threads, pool (multiprocessing.Pool)
or processes (concurrent.futures.ProcessPoolExecutor); START_METHOD is fork, spawn,
forkserver or "-" (Python's default); SWITCH_US sets sys.setswitchinterval (0: keep 5 ms);
CPUS is the OS CPU of each worker ("0,1", or "-" for no pinning); FAULT is a test hook
("-", kill, raise or hang: the first task of a worker misbehaves so; hang-start: the driver
never answers "ready", its workers started).

Protocol, one line each way, then raw bytes where a length says so:
    parbench: job N GRAIN INLEN OUTLEN TWIN, then INLEN input bytes
    driver:   ready PID,PID,... gil G    (workers started, one untimed task each; G: 1
                                          if this interpreter runs with a GIL, else 0)
    parbench: run
    driver:   done SECONDS NTASKS, NTASKS lines "BEGIN END SUM COUNT", OUTLEN bytes
              (the first run is preceded by an untimed one)
    parbench: quit                       (or end of file)
and "error TEXT" in place of any reply.  The driver only times and reports: every sum,
count and output byte goes back to parbench, which combines and verifies them.
"""
import os
import sys
import threading
import time

import pbworker


def tasks_of(n, grain):
    """The tutorial's tasks: [begin, end) of grain items each (grain 0: one task)."""
    grain = grain or n or 1
    return [(b, min(b + grain, n)) for b in range(0, n, grain)]


def share(n, i, nw):
    """Worker i's static share of n items, as parbench's C backends deal them."""
    return n * i // nw, n * (i + 1) // nw


class Serial:
    """The tasks one after another in this interpreter's main thread."""

    def __init__(self, workers, job):
        self.tasks = tasks_of(job.n, job.grain)
        pbworker.pin(0)

    def run(self):
        return [pbworker.task(t) for t in self.tasks]

    def pids(self):
        return [os.getpid()]

    def close(self):
        pass


class Threads:
    """workers threading.Thread, started once; each run, every thread does its static share
    between two barriers (a pthreads-gil run, in the real interpreter)."""

    def __init__(self, workers, job):
        self.n, self.nw = job.n, workers
        self.start = threading.Barrier(workers + 1)
        self.end = threading.Barrier(workers + 1)
        self.results = [None] * workers
        self.quit = False
        self.threads = [threading.Thread(target=self.loop, args=(i,), daemon=True)
                        for i in range(workers)]
        for t in self.threads:
            t.start()

    def loop(self, i):
        pbworker.pin(i)
        while True:
            self.start.wait()
            if self.quit:
                return
            try:
                self.results[i] = pbworker.task(share(self.n, i, self.nw))
            except BaseException as e:  # reported by run(), never lost in a thread
                self.results[i] = e
            self.end.wait()

    def run(self):
        self.start.wait()
        self.end.wait()
        for r in self.results:
            if isinstance(r, BaseException):
                raise r
        return list(self.results)

    def pids(self):
        return [os.getpid()]

    def close(self):
        self.quit = True
        self.start.wait()
        for t in self.threads:
            t.join()


class Pool:
    """multiprocessing.Pool(workers).map(task, tasks), default chunksize, as the tutorials
    write it; a worker that dies is reported instead of waited for (Pool.map never returns
    then)."""

    def __init__(self, workers, job, ctx):
        self.tasks = tasks_of(job.n, job.grain)
        counter = ctx.Value("i", 0)
        self.pool = ctx.Pool(workers, initializer=pbworker.init,
                             initargs=(job.twin, job.input, counter, pbworker.CPUS,
                                       pbworker.FAULT))
        self.procs = list(self.pool._pool)  # the workers, to notice one that dies
        self.pool.map(pbworker.noop, range(workers), chunksize=1)

    def run(self):
        res = self.pool.map_async(pbworker.task, self.tasks)
        while not res.ready():
            res.wait(0.02)
            dead = [p for p in self.procs if p.exitcode is not None]
            if dead and not res.ready():
                p = dead[0]
                how = ("signal %d" % -p.exitcode if p.exitcode < 0
                       else "exit status %d" % p.exitcode)
                raise RuntimeError("a Pool worker (pid %d) died (%s); multiprocessing.Pool.map "
                                   "would wait for its task forever" % (p.pid, how))
        return res.get()

    def pids(self):
        return [p.pid for p in self.procs]

    def close(self):
        self.pool.close()
        self.pool.join()


class Processes:
    """concurrent.futures.ProcessPoolExecutor(workers).map(task, tasks); its workers are
    started at once by one untimed task each."""

    def __init__(self, workers, job, ctx):
        import concurrent.futures as cf
        self.tasks = tasks_of(job.n, job.grain)
        counter = ctx.Value("i", 0)
        self.ex = cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=pbworker.init,
                                         initargs=(job.twin, job.input, counter,
                                                   pbworker.CPUS, pbworker.FAULT))
        list(self.ex.map(pbworker.noop, range(workers)))

    def run(self):
        return list(self.ex.map(pbworker.task, self.tasks))

    def pids(self):
        return sorted(self.ex._processes)

    def close(self):
        self.ex.shutdown(wait=True)


class Job:
    def __init__(self, words, data):
        self.n, self.grain = int(words[1]), int(words[2])
        self.outlen = int(words[4])
        self.twin = " ".join(words[5:])
        self.input = data


def gil_enabled():
    """What the interpreter says now, its workers started and the twin imported (an extension
    module can turn a free-threaded interpreter's GIL back on): sys._is_gil_enabled() where
    it exists (3.13 and newer), else a GIL."""
    is_on = getattr(sys, "_is_gil_enabled", None)
    return 1 if is_on is None or is_on() else 0


def read_exact(f, n):
    data = f.read(n) if n else b""
    if len(data) != n:
        raise EOFError("parbench closed the connection")
    return data


def make(mode, workers, method, job):
    import multiprocessing as mp
    pbworker.init(job.twin, job.input, None, pbworker.CPUS, pbworker.FAULT)
    if mode == "serial":
        return Serial(workers, job)
    if mode == "threads":
        return Threads(workers, job)
    ctx = mp.get_context(None if method == "-" else method)
    return Pool(workers, job, ctx) if mode == "pool" else Processes(workers, job, ctx)


def serve(rd, wr, mode, workers, method):
    words = rd.readline().decode().split()
    if len(words) < 6 or words[0] != "job":
        raise ValueError("expected a job line")
    job = Job(words, read_exact(rd, int(words[3])))
    runner = make(mode, workers, method, job)
    while pbworker.FAULT == "hang-start":  # test hook: an interpreter that never gets ready
        time.sleep(1)
    wr.write(("ready %s gil %d\n" % (",".join(str(p) for p in runner.pids()),
                                     gil_enabled())).encode())
    wr.flush()
    warm = True
    try:
        while rd.readline().strip() == b"run":
            out = bytearray(job.outlen)
            try:
                if warm:  # a fresh interpreter's first runs are slower (its memory
                    runner.run()  # arenas, caches): one more untimed run first
                    warm = False
                t0 = time.perf_counter()
                results = runner.run()
                t1 = time.perf_counter()
            except Exception as e:
                wr.write(("error %s: %s\n" % (type(e).__name__, e)).replace("\n", " ")
                         .strip().encode() + b"\n")
                wr.flush()
                return 1
            lines = ["done %.9f %d" % (t1 - t0, len(results))]
            for (b, e, s, c, o) in results:
                lines.append("%d %d %d %d" % (b, e, s, c))
                if o:
                    row = len(o) // (e - b)
                    out[b * row:b * row + len(o)] = o
            wr.write(("\n".join(lines) + "\n").encode() + bytes(out))
            wr.flush()
    finally:
        runner.close()
    return 0


def main(argv):
    if len(argv) != 8:
        print(__doc__, file=sys.stderr)
        return 2
    mode, workers, method, switch_us, cpus, fault, twins_dir = argv[1:]
    sys.path.insert(0, twins_dir)
    if int(switch_us) > 0:
        sys.setswitchinterval(int(switch_us) / 1e6)
    pbworker.CPUS = [] if cpus == "-" else [int(c) for c in cpus.split(",")]
    pbworker.FAULT = fault
    rd, wr = sys.stdin.buffer, sys.stdout.buffer
    try:
        return serve(rd, wr, mode, int(workers), method)
    except EOFError:
        return 0
    except Exception as e:
        try:
            wr.write(("error %s: %s" % (type(e).__name__, e)).replace("\n", " ").encode()
                     + b"\n")
            wr.flush()
        except OSError:
            pass
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
