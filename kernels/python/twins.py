"""twins.py - the kernels as the Python tutorials write them, for real CPython.

Plain Python, standard library only: the loops are the tutorials' own (count += i ** 2,
sum(range(start, end, step)), time.sleep, per-pixel loops over rows), so that CPython's
interpreter and GIL do the work exactly as a tutorial's program would.  Each function
processes a half-open range of work items, as the C kernels do, and returns its exact
result; parbench verifies it against the same closed forms and references as the C
kernels' (tests/test_twins.c checks them against the C references).

Pixels are 8-bit RGB, rows top to bottom, no padding; the filters follow kernels/filters.c:
  grayscale  Y = (299 R + 587 G + 114 B + 500) // 1000
  sepia      R' = min(255, (393 R + 769 G + 189 B + 500) // 1000), and so on
  box_blur   per channel, (sum of the 3x3 neighbourhood + 4) // 9, edges replicated
  sharpen    per channel, clamp(5 c - up - down - left - right, 0, 255), edges replicated

Command line (for tests and the CPython backends):
  twins.py sum_squares BEGIN END
  twins.py range_sum END TASKS BEGIN_TASK END_TASK
  twins.py io_wait BEGIN END SLEEP_US
  twins.py FILTER W H IN OUT [BEGIN_ROW END_ROW]   (IN, OUT: raw RGB files)
"""
import sys
import time


def sum_squares(begin, end):
    """The tutorials' cpu_intensive_task: the sum of i ** 2 over [begin, end)."""
    count = 0
    for i in range(begin, end):
        count += i ** 2
    return count


def range_sum(end, begin_task, end_task):
    """Tasks k in [begin_task, end_task), each sum(range(0, end, 1 + k % 4)): one C call."""
    total = 0
    for k in range(begin_task, end_task):
        total += sum(range(0, end, 1 + k % 4))
    return total


def io_wait(begin, end, sleep_us):
    """Blocking items: time.sleep releases the GIL.  Returns the sum of the items' indices,
    as the C kernel does (every item ran exactly once: the sum is n (n - 1) / 2)."""
    total = 0
    for i in range(begin, end):
        time.sleep(sleep_us / 1e6)
        total += i
    return total


SEPIA = ((393, 769, 189), (349, 686, 168), (272, 534, 131))


def _point(kind, r, g, b):
    if kind == "grayscale":
        y = (299 * r + 587 * g + 114 * b + 500) // 1000
        return y, y, y
    return tuple(min(255, (m[0] * r + m[1] * g + m[2] * b + 500) // 1000) for m in SEPIA)


def _at(px, w, h, x, y, c):
    x = min(max(x, 0), w - 1)
    y = min(max(y, 0), h - 1)
    return px[3 * (y * w + x) + c]


def _neighbour(kind, px, w, h, x, y, c):
    if kind == "box_blur":
        s = 0
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                s += _at(px, w, h, x + dx, y + dy, c)
        return (s + 4) // 9
    v = (5 * _at(px, w, h, x, y, c) - _at(px, w, h, x, y - 1, c) - _at(px, w, h, x, y + 1, c)
         - _at(px, w, h, x - 1, y, c) - _at(px, w, h, x + 1, y, c))
    return min(max(v, 0), 255)


def filter_rows(kind, px, w, h, begin, end):
    """Rows [begin, end) of the filtered picture, pixel by pixel: bytes of 3 w (end - begin)."""
    out = bytearray(3 * w * (end - begin))
    o = 0
    for y in range(begin, end):
        for x in range(w):
            if kind in ("grayscale", "sepia"):
                i = 3 * (y * w + x)
                out[o:o + 3] = bytes(_point(kind, px[i], px[i + 1], px[i + 2]))
            else:
                for c in range(3):
                    out[o + c] = _neighbour(kind, px, w, h, x, y, c)
            o += 3
    return bytes(out)


FILTERS = ("grayscale", "sepia", "box_blur", "sharpen")


def job(spec, pixels=b""):
    """The task function of a kernel's twin, as its C kernel names it (kernel_shape.twin):
    task(begin, end) processes items [begin, end) and returns (sum, count, output bytes).
    spec: "sum_squares", "range_sum END", "io_wait SLEEP_US", or "FILTER W H" with the
    picture's raw RGB bytes in pixels.  Raises ValueError for any other spec."""
    words = spec.split()
    kind, args = (words[0] if words else ""), [int(a) for a in words[1:]]
    if kind == "sum_squares" and not args:
        return lambda b, e: (sum_squares(b, e), e - b, b"")
    if kind == "range_sum" and len(args) == 1:
        return lambda b, e: (range_sum(args[0], b, e), e - b, b"")
    if kind == "io_wait" and len(args) == 1:
        return lambda b, e: (io_wait(b, e, args[0]), e - b, b"")
    if kind in FILTERS and len(args) == 2 and len(pixels) == 3 * args[0] * args[1]:
        w, h = args
        return lambda b, e: (0, e - b, filter_rows(kind, pixels, w, h, b, e))
    raise ValueError("no twin for %r (with %d input bytes)" % (spec, len(pixels)))


def main(argv):
    kind = argv[1] if len(argv) > 1 else ""
    if kind == "sum_squares" and len(argv) == 4:
        print(sum_squares(int(argv[2]), int(argv[3])))
    elif kind == "range_sum" and len(argv) == 6:
        print(range_sum(int(argv[2]), int(argv[4]), int(argv[5])))
    elif kind == "io_wait" and len(argv) == 5:
        print(io_wait(int(argv[2]), int(argv[3]), int(argv[4])))
    elif kind in FILTERS and len(argv) in (6, 8):
        w, h = int(argv[2]), int(argv[3])
        with open(argv[4], "rb") as f:
            px = f.read()
        if len(px) != 3 * w * h:
            print("twins.py: %s holds %d bytes, not %d" % (argv[4], len(px), 3 * w * h),
                  file=sys.stderr)
            return 2
        begin, end = (int(argv[6]), int(argv[7])) if len(argv) == 8 else (0, h)
        with open(argv[5], "wb") as f:
            f.write(filter_rows(kind, px, w, h, begin, end))
    else:
        print(__doc__.split("Command line")[1].strip(), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
