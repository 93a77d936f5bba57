#!/usr/bin/env python3
"""Drain3's lines/s on the same log the throughput benchmark uses, for the README comparison.

    pip install drain3==0.9.11
    python3 benches/drain3_speed.py target/bench-data/plain-1G.log [LINES] [drain3.ini]

Drain3 is single-threaded Python and takes about a minute per configuration on 1 GiB, so by
default it is timed on LINES physical lines (default 400,000) taken as 50 contiguous runs
spread evenly over the file (its speed does not depend on where in the file it is, but the
mix of messages does). LINES=0 streams the whole file instead (the sample's speed is the
whole file's: 181,000 lines/s for the default configuration on all 9.18 M lines).
Only `add_log_message` is timed, not reading the file. Two configurations:

- default: `TemplateMiner()` with Drain3's built-in defaults (no masking);
- masked: default tree parameters plus masking of IPs, UUIDs, hex and numbers (faultline
  masks these too, so this is the comparable amount of work), with this script's patterns;
- an ini file, if given: e.g. the `examples/drain3.ini` of the Drain3 repository, the
  configuration its own demos use (profiling is switched off).

Compare with faultline's lines/s: physical lines of the file / wall time of
`faultline templates FILE` (see the README's benchmark table).
"""

import os
import sys
import time

from drain3 import TemplateMiner
from drain3.masking import MaskingInstruction
from drain3.template_miner_config import TemplateMinerConfig

# Word-bounded variable patterns, written for this script.
MASKS = [
    (r"(?<![A-Za-z0-9])\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?(?![A-Za-z0-9])", "IP"),
    (r"(?<![A-Za-z0-9])[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}(?![A-Za-z0-9])", "UUID"),
    (r"(?<![A-Za-z0-9])0x[0-9a-fA-F]+(?![A-Za-z0-9])", "HEX"),
    (r"(?<![A-Za-z0-9])[0-9a-f]{12,}(?![A-Za-z0-9])", "HEX"),
    (r"(?<![A-Za-z0-9])[-+]?\d+(?:\.\d+)?(?![A-Za-z0-9])", "NUM"),
]


def sample(path, n, runs=50):
    size = os.path.getsize(path)
    per = max(1, n // runs)
    lines = []
    with open(path, "rb") as f:
        for i in range(runs):
            f.seek(size * i // runs)
            if i:
                f.readline()  # skip the partial line
            for _ in range(per):
                line = f.readline()
                if not line:
                    break
                lines.append(line.decode("utf-8", "replace").rstrip("\n"))
    return lines


def run_file(path, cfg):
    miner = TemplateMiner(config=cfg)
    n, spent, clock = 0, 0.0, time.perf_counter
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            t = clock()
            miner.add_log_message(line)
            spent += clock() - t
            n += 1
    return n, spent, len(miner.drain.clusters)


def run(lines, cfg):
    miner = TemplateMiner(config=cfg)
    t = time.perf_counter()
    for line in lines:
        miner.add_log_message(line)
    return time.perf_counter() - t, len(miner.drain.clusters)


def main():
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 400_000
    ini = sys.argv[3] if len(sys.argv) > 3 else None
    lines = sample(path, n) if n else None
    default = TemplateMinerConfig()
    default.profiling_enabled = False
    masked = TemplateMinerConfig()
    masked.profiling_enabled = False
    masked.drain_extra_delimiters = ["_"]
    masked.masking_instructions = [MaskingInstruction(p, name) for p, name in MASKS]
    configs = [("default", default), ("masked", masked)]
    if ini:
        from_ini = TemplateMinerConfig()
        from_ini.load(ini)
        from_ini.profiling_enabled = False
        configs.append((os.path.basename(ini), from_ini))
    for name, cfg in configs:
        if lines is None:
            count, dt, clusters = run_file(path, cfg)
        else:
            count = len(lines)
            dt, clusters = run(lines, cfg)
        print(
            f"drain3 {name}: {count:,} lines in {dt:.2f} s = "
            f"{count / dt:,.0f} lines/s ({clusters} clusters)"
        )


if __name__ == "__main__":
    main()
