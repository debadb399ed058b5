"""Benchmark ``directives extract`` as a user runs it: throughput, memory, start-up latency.

Builds a varied corpus from ``seeds/`` (shuffled paragraphs, simplified and traditional script,
plain text and portal-style HTML, UTF-8 / UTF-8-BOM / GB18030 / Big5 / UTF-16), runs the installed
``directives`` command on it in a subprocess and prints one table; the figures also go to
``bench/results.json``. See ``bench/README.md``.

    python bench/bench.py                       # sizes 1000 and 20000, 3 repeats
    python bench/bench.py --quick               # a minute or two
    python bench/bench.py --sizes 1000 --repeats 5 --jobs 1 2
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NOTICES = "notices"  # bench/corpus-N/notices/ holds the files, bench/corpus-N/corpus.json their list
CORPUS_VERSION = 5  # bump when the generator changes, so cached corpora are rebuilt

# Targets of the issue "Fast on one machine, and on a cluster when one machine is not enough".
TARGETS = {
    "jieba_ratio": 3.0,       # our --jobs 1 notices/s ÷ a bare jieba.lcut pass, at least
    "speedup_2_jobs": 1.7,    # --jobs 2 ÷ --jobs 1, at least
    "help_s": 0.3,            # `directives --help`, at most
    "first_row_s": 1.5,       # one notice, cold start to first row, at most
    "rss_growth": 1.2,        # peak RSS at the largest size ÷ the smallest, at most
}

# A paragraph that opens a numbered series keeps its slot when paragraphs are shuffled:
# 一要 / 二是 / 第三, / (四) / 5. / ① …
_ORDINAL_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+[要是、:]|第[一二三四五六七八九十]+"
                            r"|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、]|[①-⑳]|首先|其次|再次|最后)")
_CJK = re.compile(r"[\u4e00-\u9fff]")


# -- corpus ---------------------------------------------------------------------------------------
def _fixtures():
    """The test suite's seed table and portal page layouts (``tests/fixtures.py``)."""
    sys.path.insert(0, str(ROOT / "tests"))
    import fixtures
    return fixtures


def _is_body(line: str) -> bool:
    return len(line) >= 60 and "。" in line


def _is_traditional(text: str, t2s) -> bool:
    return sum(a != b for a, b in zip(text, t2s.convert(text))) > 0.03 * (len(_CJK.findall(text)) or 1)


def _vary(lines: list[str], donors: list[str], rng: random.Random) -> list[str]:
    """Shuffle the body paragraphs that do not open a numbered item, borrow 0–2 from another
    notice, drop one now and then; header lines stay in place."""
    lines = list(lines)
    slots = [i for i, ln in enumerate(lines) if _is_body(ln) and not _ORDINAL_START.match(ln)]
    moved = [lines[i] for i in slots]
    rng.shuffle(moved)
    if moved and rng.random() < 0.3:
        moved.pop(rng.randrange(len(moved)))
        slots = slots[:len(moved)]
    for i, ln in zip(slots, moved):
        lines[i] = ln
    body = [i for i, ln in enumerate(lines) if _is_body(ln)] or [len(lines) - 1]
    for _ in range(rng.choice((0, 1, 1, 2))):
        if donors:
            at = rng.choice(body)
            lines.insert(at + 1, rng.choice(donors))
    return lines


def _encode(text: str, rng: random.Random, traditional: bool) -> tuple[bytes, str]:
    """Pick an encoding a Chinese page might use; Big5 only for traditional text it can hold."""
    r = rng.random()
    if traditional and r < 0.5:
        try:  # a Big5 page carries no-break spaces as plain spaces
            return text.replace("\xa0", " ").encode("big5"), "big5"
        except UnicodeEncodeError:
            return text.encode("utf-8"), "utf-8"
    if r < 0.45:
        return text.encode("utf-8"), "utf-8"
    if r < 0.55:
        return text.encode("utf-8-sig"), "utf-8-sig"
    if r < 0.8:
        return text.encode("gb18030"), "gb18030"
    return text.encode("utf-16"), "utf-16"


def build_corpus(n: int, seeds_dir: Path, out: Path, seed: int = 20200525) -> dict:
    """Write ``n`` notices under ``out/notices`` and their list to ``out/corpus.json`` (reused when
    already built with the same parameters)."""
    seed_files = sorted(seeds_dir.glob("*.txt"))
    if not seed_files:
        raise SystemExit(f"no seeds in {seeds_dir}")
    seed_texts = [f.read_text(encoding="utf-8") for f in seed_files]
    fingerprint = hashlib.sha1("".join(seed_texts).encode()).hexdigest()[:12]
    meta_path = out / "corpus.json"  # beside the notices, not among them
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if (meta.get("version"), meta.get("n"), meta.get("seeds"), meta.get("seed")) == (
                CORPUS_VERSION, n, fingerprint, seed):
            return meta
    if out.exists():
        shutil.rmtree(out)
    fx = _fixtures()
    import opencc

    t2s = opencc.OpenCC("t2s")
    s2tw = opencc.OpenCC("s2tw").convert  # as fixtures.to_traditional: Taiwan forms (為 群), which Big5 holds
    by_name = {seed.name: seed for seed in fx.SEEDS.values()}
    info = [by_name.get(f.name) for f in seed_files]
    base = [t.replace("\r\n", "\n").split("\n") for t in seed_texts]
    trad = [_is_traditional(t, t2s) for t in seed_texts]
    donors = {False: [ln for b, tr in zip(base, trad) if not tr for ln in b if _is_body(ln)],
              True: [ln for b, tr in zip(base, trad) if tr for ln in b if _is_body(ln)]}
    donors[True] += [s2tw(ln) for ln in donors[False][::3]]
    files, seen = [], set()
    counts: dict[str, dict[str, int]] = {"encoding": {}, "format": {}, "script": {}}
    total = 0
    for i in range(n):
        k = i % len(base)
        for attempt in range(20):
            rng = random.Random(f"{seed}:{i}:{attempt}")
            lines = _vary(base[k], donors[trad[k]], rng)
            text = "\n".join(lines)
            key = hashlib.sha1(text.encode()).digest()
            if key not in seen:
                break
        seen.add(key)
        traditional = trad[k]
        title = info[k].title if info[k] else lines[0]
        if not traditional and rng.random() < 0.2:
            text, title, traditional = s2tw(text), s2tw(title), True
        elif traditional and rng.random() < 0.3:
            text, title, traditional = t2s.convert(text), t2s.convert(title), False
        is_html = rng.random() < 0.4
        if is_html:
            layout = rng.choice(fx.LAYOUTS)
            # pick the encoding first, then declare it in the page
            _, enc = _encode(text, rng, traditional)
            site, published = (info[k].site, info[k].published) if info[k] else ("本站", "2020-01-01")
            page = fx.portal_html(text, title=title, site=site, published=published, layout=layout,
                                  charset={"utf-8-sig": "utf-8"}.get(enc, enc))
            try:
                data = (page.replace("\xa0", " ") if enc == "big5" else page).encode(enc)
            except UnicodeEncodeError:
                data, enc = page.encode("utf-8"), "utf-8"
        else:
            if rng.random() < 0.2:
                text = text.replace("\n", "\r\n")
            data, enc = _encode(text, rng, traditional)
        rel = f"{i // 1000:03d}/{i:06d}.{'html' if is_html else 'txt'}"
        path = out / NOTICES / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files.append([rel, enc])
        total += len(data)
        for key_, val in (("encoding", enc), ("format", "html" if is_html else "text"),
                          ("script", "traditional" if traditional else "simplified")):
            counts[key_][val] = counts[key_].get(val, 0) + 1
    meta = {"version": CORPUS_VERSION, "n": n, "seeds": fingerprint, "seed": seed, "bytes": total,
            "counts": counts, "files": files}
    meta_path.write_text(json.dumps(meta, ensure_ascii=False))
    return meta


# -- measuring a subprocess -------------------------------------------------------------------
class _TreeRss:
    """Peak resident memory of a process and all its descendants, summed, by polling."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        import psutil

        self._psutil = psutil
        self.peak = 0
        self._stop = threading.Event()
        self._proc = psutil.Process(pid)
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        self._thread.start()

    def _run(self, interval: float) -> None:
        ps = self._psutil
        while not self._stop.is_set():
            try:
                procs = [self._proc, *self._proc.children(recursive=True)]
            except ps.Error:
                return
            total = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                except ps.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _have_psutil() -> bool:
    try:
        import psutil  # noqa: F401
    except ImportError:
        return False
    return True


def run_measured(cmd: list[str], env: dict) -> dict:
    """Wall time, exit code and peak RSS (MB) of ``cmd``.

    Peak RSS is the sum over the process tree when psutil is installed; otherwise GNU time's
    maximum of the largest single process (workers are not added up), if /usr/bin/time exists."""
    time_bin = "/usr/bin/time"
    method = "psutil-tree-sum" if _have_psutil() else ("gnu-time-max-single" if os.path.exists(time_bin)
                                                      else "none")
    rss_file = None
    if method == "gnu-time-max-single":
        rss_file = tempfile.NamedTemporaryFile(suffix=".rss", delete=False).name
        cmd = [time_bin, "-f", "%M", "-o", rss_file, *cmd]
    stderr = tempfile.TemporaryFile()
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
    watcher = _TreeRss(proc.pid) if method == "psutil-tree-sum" else None
    # wait4: the child's CPU time including the workers it reaped
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    rc = proc.returncode = os.waitstatus_to_exitcode(status)
    peak = watcher.stop() / 2**20 if watcher else None
    if rss_file:
        try:
            peak = int(Path(rss_file).read_text().split()[-1]) / 1024
        finally:
            os.unlink(rss_file)
    stderr.seek(0)
    err = stderr.read().decode("utf-8", "replace")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "rc": rc, "peak_rss_mb": peak,
            "rss_method": method, "load_before": load, "stderr_tail": err[-400:]}


def wait_for_idle(max_load: float | None, limit_s: float = 600.0) -> float:
    """Seconds spent waiting for the 1-minute load average to fall to ``max_load`` (None: no wait)."""
    if max_load is None:
        return 0.0
    t0 = time.monotonic()
    while os.getloadavg()[0] > max_load and time.monotonic() - t0 < limit_s:
        time.sleep(5)
    return time.monotonic() - t0


def time_to_first_row(cmd: list[str], env: dict) -> float:
    """Seconds from spawning ``cmd`` to the first data row (second line) on its standard output."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    seen = 0
    elapsed = float("nan")
    for _ in proc.stdout:
        seen += 1
        if seen == 2:
            elapsed = time.perf_counter() - t0
            break
    proc.stdout.close()
    proc.wait()
    return elapsed


def time_command(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - t0


# -- the jieba baseline (runs in its own process) ----------------------------------------------------
def jieba_baseline(corpus: Path, repeats: int) -> dict:
    """A bare ``jieba.lcut`` over the decoded text of every file, after ``jieba.initialize()``."""
    import logging

    import jieba

    jieba.setLogLevel(logging.ERROR)
    meta = json.loads((corpus / "corpus.json").read_text())
    texts = [(corpus / NOTICES / rel).read_bytes().decode(enc) for rel, enc in meta["files"]]
    jieba.initialize()
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for t in texts:
            jieba.lcut(t)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {"times_s": times, "cpu_s": cpu, "n": len(texts), "chars": sum(map(len, texts))}


# -- driver -------------------------------------------------------------------------------------------
def _median(xs: list[float]) -> float:
    xs = [x for x in xs if x is not None and x == x]
    return statistics.median(xs) if xs else float("nan")


def _find_directives() -> str:
    here = Path(sys.executable).parent / "directives"
    found = str(here) if here.exists() else shutil.which("directives")
    if not found:
        raise SystemExit("the `directives` command is not installed (pip install -e .)")
    return found


def _git_head() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000], help="corpus sizes (notices)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per figure; the median is reported")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values to run")
    ap.add_argument("--jieba-size", type=int, default=None,
                    help="corpus size for the jieba baseline (default: the smallest size)")
    ap.add_argument("--format", default="csv", choices=("csv", "parquet", "jsonl", "xlsx"),
                    help="output format of the timed runs")
    ap.add_argument("--extra", nargs=argparse.REMAINDER, default=[],
                    help="further arguments for `directives extract` (e.g. --extra --engine dask)")
    ap.add_argument("--idle-load", type=float, default=None, metavar="L",
                    help="before each timed run, wait (up to 10 minutes) until the 1-minute load average "
                         "is at most L: for shared machines")
    ap.add_argument("--quick", action="store_true", help="sizes 100 and 500, one repeat")
    ap.add_argument("--out", type=Path, default=HERE / "results.json", help="where to write the JSON results")
    ap.add_argument("--_jieba", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args._jieba:  # child process: the baseline
        print(json.dumps(jieba_baseline(args._jieba, args.repeats)))
        return 0
    if args.quick:
        args.sizes, args.repeats = [100, 500], 1
    sizes = sorted(set(args.sizes))
    jieba_size = args.jieba_size or sizes[0]
    if jieba_size not in sizes:
        sizes = sorted({*sizes, jieba_size})
    exe = _find_directives()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    seeds = ROOT / "seeds"
    results: dict = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "git": _git_head(),
                     "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                 "platform": platform.platform()},
                     "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
                              if not k.startswith("_")},
                     "targets": TARGETS, "sizes": {}}

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    # start-up latency
    help_runs = [time_command([exe, "--help"], env) for _ in range(max(5, args.repeats))]
    results["help_s"] = _median(help_runs)
    say(f"directives --help: {results['help_s']:.3f} s")

    corpora = {}
    for n in sizes:
        say(f"corpus of {n} notices …")
        corpora[n] = build_corpus(n, seeds, HERE / f"corpus-{n}")

    first = corpora[sizes[0]]["files"]
    folder = HERE / f"corpus-{sizes[0]}" / NOTICES
    one_txt = next((folder / rel for rel, _ in first if rel.endswith(".txt")), None)
    one_html = next((folder / rel for rel, _ in first if rel.endswith(".html")), None)
    seed_one = sorted(seeds.glob("*.txt"))[0]
    results["first_row_s"] = {}
    for label, path in (("seed_txt", seed_one), ("corpus_txt", one_txt), ("corpus_html", one_html)):
        if path is not None:
            runs = [time_to_first_row([exe, "extract", str(path), "--jobs", "1"], env)
                    for _ in range(max(3, args.repeats))]
            results["first_row_s"][label] = _median(runs)
            say(f"first row, {label}: {results['first_row_s'][label]:.3f} s")

    # the jieba baseline, in a process of its own
    say(f"jieba.lcut baseline over corpus-{jieba_size} …")
    out = subprocess.run([sys.executable, __file__, "--_jieba", str(HERE / f"corpus-{jieba_size}"),
                          "--repeats", str(args.repeats)], capture_output=True, text=True, check=True)
    jb = json.loads(out.stdout.strip().splitlines()[-1])
    jb["median_s"] = _median(jb["times_s"])
    jb["median_cpu_s"] = _median(jb["cpu_s"])
    jb["notices_per_s"] = jb["n"] / jb["median_s"]
    results["jieba"] = {"size": jieba_size, **jb}

    with tempfile.TemporaryDirectory(prefix="directives-bench-") as tmp:
        for n in sizes:
            corpus = HERE / f"corpus-{n}" / NOTICES
            mb = corpora[n]["bytes"] / 1e6
            per_size: dict = {"bytes": corpora[n]["bytes"], "counts": corpora[n]["counts"], "jobs": {}}
            for jobs in args.jobs:
                runs = []
                for r in range(args.repeats):
                    target = Path(tmp) / f"out-{n}-{jobs}-{r}.{args.format}"
                    cmd = [exe, "extract", str(corpus), "-o", str(target), "--jobs", str(jobs), "-q",
                           *args.extra]
                    waited = wait_for_idle(args.idle_load)
                    run = run_measured(cmd, env)
                    run["waited_for_idle_s"] = waited
                    if run["rc"] not in (0, 1):
                        raise SystemExit(f"{' '.join(cmd)} failed ({run['rc']}):\n{run['stderr_tail']}")
                    runs.append(run)
                    for f in Path(tmp).glob(f"out-{n}-{jobs}-{r}*"):
                        f.unlink()
                wall = _median([r["wall_s"] for r in runs])
                per_size["jobs"][str(jobs)] = {
                    "wall_s": wall, "cpu_s": _median([r["cpu_s"] for r in runs]),
                    "notices_per_s": n / wall, "mb_per_s": mb / wall,
                    "peak_rss_mb": _median([r["peak_rss_mb"] for r in runs]),
                    "rss_method": runs[0]["rss_method"], "runs": [
                        {k: v for k, v in r.items() if k != "stderr_tail"} for r in runs],
                    "exit_code": runs[0]["rc"]}
                loads = ", ".join(f"{r['load_before']:.1f}" for r in runs)
                say(f"{n:>6} notices, --jobs {jobs}: {wall:.2f} s, {n / wall:.0f} notices/s "
                    f"(load average before: {loads})")
            results["sizes"][str(n)] = per_size

    _summarise(results, sizes, args.jobs, jieba_size)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    _print_table(results, sizes, args.jobs)
    print(f"\nresults: {args.out}")
    return 0


def _summarise(results: dict, sizes: list[int], jobs_list: list[int], jieba_size: int) -> None:
    s = results["sizes"]
    checks = {}
    one = s[str(jieba_size)]["jobs"].get("1")
    if one:
        checks["jieba_ratio"] = one["notices_per_s"] / results["jieba"]["notices_per_s"]
        # the same ratio in CPU seconds: less sensitive to other work on the machine
        results["jieba_ratio_cpu"] = results["jieba"]["median_cpu_s"] / one["cpu_s"]
    if "1" in s[str(sizes[-1])]["jobs"] and "2" in s[str(sizes[-1])]["jobs"]:
        big = s[str(sizes[-1])]["jobs"]
        checks["speedup_2_jobs"] = big["2"]["notices_per_s"] / big["1"]["notices_per_s"]
    checks["help_s"] = results["help_s"]
    checks["first_row_s"] = max(results["first_row_s"].values())
    if len(sizes) > 1:
        growth = []
        for j in map(str, jobs_list):
            lo, hi = s[str(sizes[0])]["jobs"].get(j), s[str(sizes[-1])]["jobs"].get(j)
            if lo and hi and lo["peak_rss_mb"] and hi["peak_rss_mb"]:
                growth.append(hi["peak_rss_mb"] / lo["peak_rss_mb"])
        if growth:
            checks["rss_growth"] = max(growth)
    at_least = ("jieba_ratio", "speedup_2_jobs")
    results["checks"] = {k: {"value": v, "target": TARGETS[k],
                             "ok": v >= TARGETS[k] if k in at_least else v <= TARGETS[k]}
                         for k, v in checks.items()}


def _print_table(results: dict, sizes: list[int], jobs_list: list[int]) -> None:
    print(f"\n{'notices':>8} {'jobs':>4} {'wall s':>8} {'CPU s':>8} {'notices/s':>10} {'MB/s':>7} "
          f"{'peak RSS MB':>12}")
    for n in sizes:
        for j in jobs_list:
            r = results["sizes"][str(n)]["jobs"].get(str(j))
            if r:
                rss = f"{r['peak_rss_mb']:.0f}" if r["peak_rss_mb"] else "-"
                print(f"{n:>8} {j:>4} {r['wall_s']:>8.2f} {r['cpu_s']:>8.2f} {r['notices_per_s']:>10.1f} "
                      f"{r['mb_per_s']:>7.2f} {rss:>12}")
    jb = results["jieba"]
    print(f"\njieba.lcut, one process, {jb['n']} notices: {jb['median_s']:.2f} s "
          f"({jb['median_cpu_s']:.2f} s CPU), "
          f"{jb['notices_per_s']:.1f} notices/s, {jb['chars'] / jb['median_s'] / 1e3:.0f} k chars/s")
    if "jieba_ratio_cpu" in results:
        print(f"jieba.lcut CPU ÷ our --jobs 1 CPU (same texts): {results['jieba_ratio_cpu']:.2f}")
    fr = ", ".join(f"{k} {v:.2f} s" for k, v in results["first_row_s"].items())
    print(f"first row (cold start, one notice): {fr}")
    print(f"directives --help: {results['help_s']:.3f} s\n")
    labels = {"jieba_ratio": "--jobs 1 ÷ jieba.lcut", "speedup_2_jobs": "--jobs 2 ÷ --jobs 1",
              "help_s": "--help (s)", "first_row_s": "first row (s, worst)",
              "rss_growth": f"peak RSS {sizes[-1]} ÷ {sizes[0]}"}
    for k, c in results["checks"].items():
        op = "≥" if k in ("jieba_ratio", "speedup_2_jobs") else "≤"
        verdict = "ok" if c["ok"] else "MISSED"
        print(f"{labels[k]:<28} {c['value']:>7.2f}  target {op} {c['target']:<5} {verdict}")


if __name__ == "__main__":
    sys.exit(main())
