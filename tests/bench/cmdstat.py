#!/usr/bin/env python3
"""cmdstat: run a command REPEAT times (its output to /dev/null) and print the median wall
time and the largest peak RSS of the runs: "secs=S maxrss_mb=M". For tests/bench/run.sh.
   cmdstat.py REPEAT CMD [ARGS...]"""
import os
import subprocess
import sys
import time

repeat = int(sys.argv[1])
times, rss = [], 0
for _ in range(repeat):
    t0 = time.monotonic()
    p = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    times.append(time.monotonic() - t0)
    rss = max(rss, usage.ru_maxrss)
    if status != 0:
        print(f"cmdstat: {sys.argv[2:]} exited with status {status}", file=sys.stderr)
        sys.exit(1)
times.sort()
print(f"secs={times[len(times) // 2]:.4f} maxrss_mb={rss / 1024:.1f}")
