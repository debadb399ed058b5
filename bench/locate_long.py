"""The locate stage on one long notice: 1 MB and 2 MB of text built from the seeds.

    .venv/bin/python bench/locate_long.py [--sizes 1 2] [--repeats 5]

Each body paragraph of each seed is repeated with a running number, so that no two are alike and
the leaders, places and dates of the seeds recur throughout. Prints the median time of locate per
size; locate must stay linear in the length of the notice (1 MB under 50 ms).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from extractor.stages.clean import clean_text
from extractor.stages.locate import locate
from extractor.models import Cleaned

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def long_notice(n_bytes: int) -> Cleaned:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    head = clean_text(seeds[2])
    parts, size, i = [head.text], len(head.text.encode()), 0
    while size < n_bytes:
        for seed in seeds:
            part = "\n".join(f"{line}第{i}段。" for line in seed.split("\n")[3:] if line.strip())
            parts.append(part)
            size += len(part.encode()) + 1
            i += 1
    text = "\n".join(parts)
    return Cleaned(text=text, header=head.header, page=head.header + "\n" + text, title=head.title)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=float, nargs="+", default=[1, 2], help="notice sizes in MB")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    for mb in args.sizes:
        cleaned = long_notice(int(mb * 1_000_000))
        locate(cleaned)  # warm: rules, gazetteer
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            locate(cleaned)
            times.append(time.perf_counter() - start)
        print(f"{mb:g} MB ({len(cleaned.text):,} characters): locate {statistics.median(times) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
