"""Time tradeoff.engine.pareto against paretoset, moocore and pymoo, side by side in one run.

Usage: python bench/pareto.py [--quick] [--max-n 1000000] [--limit 10]

Peers are installed into the running interpreter if missing (they are not project dependencies).
Each call runs in a worker process under a time limit; a call past it prints "> T s" and that
(function, data, d) is skipped at larger n. Each cell reports the median of 5 runs (calls under
0.2 s), 3 runs (under 2 s) or 1, taken in rounds that call every function once each.
Every finisher must agree with tradeoff on the mask (and on the layers for full sorting).
Ratios: time / fastest peer (tradeoff excluded) and time / floor (one np.lexsort of the array).

Two tradeoff rows: "tradeoff" is the default engine="auto", which with moocore installed (as here,
and with `pip install 'tradeoff[fast]'`) hands layers and wide fronts to moocore's C kernels;
"tradeoff-numpy" is engine="numpy", the NumPy kernels alone (what a plain install runs).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import multiprocessing as mp
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PEERS = {"paretoset": "paretoset", "moocore": "moocore", "pymoo": "pymoo"}
DISTS = ("uniform", "correlated", "anti")
DIMS = (2, 3, 4, 6)


def ensure_peers() -> None:
    missing = [pkg for mod, pkg in PEERS.items() if importlib.util.find_spec(mod) is None]
    if missing:
        print(f"installing {' '.join(missing)} ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)
        importlib.invalidate_caches()


def load_pareto() -> Any:
    sys.path.insert(0, str(ROOT / "src"))
    return importlib.import_module("tradeoff.engine.pareto")


def make(dist: str, n: int, d: int) -> np.ndarray:
    """Fixed-seed data, all columns minimized."""
    rng = np.random.default_rng(1000 * d + DISTS.index(dist))
    if dist == "uniform":
        return rng.random((n, d))
    if dist == "correlated":  # along the diagonal: small fronts, many layers
        return rng.random((n, 1)) + 0.1 * rng.standard_normal((n, d))
    # anti-correlated: near the simplex x1 + ... + xd = 1, small noise: large fronts
    return rng.dirichlet(np.ones(d), n) + 0.01 * rng.standard_normal((n, d))


def functions() -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """Name -> function of a (n, d) all-minimize array returning a mask or 1-based layers."""
    import moocore
    import paretoset
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    pareto = load_pareto()

    def pymoo_layers(x: np.ndarray) -> np.ndarray:
        return np.asarray(NonDominatedSorting().do(x, return_rank=True)[1]) + 1

    return {
        "mask:floor": lambda x: np.lexsort(x.T),
        "mask:tradeoff": lambda x: pareto.pareto_mask(x, np.zeros(x.shape[1], bool)),
        "mask:tradeoff-numpy": lambda x: pareto.pareto_mask(
            x, np.zeros(x.shape[1], bool), engine="numpy"
        ),
        "mask:moocore": lambda x: moocore.is_nondominated(x, keep_weakly=True),
        "mask:paretoset": lambda x: paretoset.paretoset(x, distinct=False),
        "layers:floor": lambda x: np.lexsort(x.T),
        "layers:tradeoff": lambda x: pareto.nondominated_layers(x, np.zeros(x.shape[1], bool)),
        "layers:tradeoff-numpy": lambda x: pareto.nondominated_layers(
            x, np.zeros(x.shape[1], bool), engine="numpy"
        ),
        "layers:moocore": lambda x: moocore.pareto_rank(x) + 1,
        "layers:pymoo": pymoo_layers,
        "layers:paretoset": lambda x: paretoset.paretorank(x, distinct=False),
    }


def worker(conn: Connection, limit: float) -> None:
    fns = functions()
    warm = make("uniform", 200, 3)
    for f in fns.values():  # numba compiles on first call; keep that out of the timings
        f(warm)
    cache: dict[tuple[str, int, int], np.ndarray] = {}
    while True:
        msg = conn.recv()
        if msg is None:
            return
        name, dist, n, d, mem, keep = msg
        key = (dist, n, d)
        if key not in cache:
            cache.clear()
            cache[key] = make(dist, n, d)
        x = cache[key]
        if mem:
            tracemalloc.start()
            fns[name](x)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            conn.send(("mem", peak, None))
            continue
        t0 = time.perf_counter()
        out = fns[name](x)
        t = time.perf_counter() - t0
        res = None if name.endswith("floor") or not keep else np.asarray(out)
        conn.send(("ok", t, res))


class Runner:
    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.proc: Any = None
        self.conn: Connection | None = None

    def start(self) -> None:
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=worker, args=(child, self.limit), daemon=True)
        self.proc.start()

    def call(
        self, name: str, dist: str, n: int, d: int, mem: bool = False, keep: bool = True
    ) -> Any:
        """(seconds, result or None unless keep), or None when the run went past the limit."""
        if self.proc is None:
            self.start()
        assert self.conn is not None
        self.conn.send((name, dist, n, d, mem, keep))
        # the first call may include start-up and data generation: allow some slack
        if self.conn.poll(self.limit * 1.1 + 30):
            kind, t, res = self.conn.recv()
            if kind == "mem":
                return t
            return None if t > self.limit else (t, res)
        self.proc.kill()
        self.proc.join()
        self.proc = None
        return None

    def close(self) -> None:
        if self.proc is not None and self.conn is not None:
            self.conn.send(None)
            self.proc.join(10)


def fmt_n(n: int) -> str:
    return f"1e{len(str(n)) - 1}" if str(n).strip("0") == "1" else str(n)


def run(args: argparse.Namespace) -> int:
    ensure_peers()
    sizes = [n for n in (1_000, 10_000, 100_000, 1_000_000) if n <= args.max_n]
    dims, dists = (DIMS, DISTS)
    if args.quick:
        sizes = [n for n in sizes if n <= 10_000]
    runner = Runner(args.limit)
    runner.start()
    names = list(functions())
    skipped: set[tuple[str, str, int]] = set()
    failures = 0
    t_start = time.perf_counter()
    for task in ("mask", "layers"):
        task_sizes = [n for n in sizes if n <= args.max_n_layers] if task == "layers" else sizes
        print(f"\n== {task}: seconds (ratio to fastest peer / ratio to floor) ==", flush=True)
        for dist in dists:
            for d in dims:
                for n in task_sizes:
                    times: dict[str, float | None] = {}
                    results: dict[str, np.ndarray] = {}
                    runs: dict[str, list[float]] = {}
                    for name in (m for m in names if m.startswith(task + ":")):
                        who = name.split(":")[1]
                        if (name, dist, d) in skipped:
                            times[who] = None
                            continue
                        r = runner.call(name, dist, n, d)
                        if r is None:
                            skipped.add((name, dist, d))
                            times[who] = float("inf")
                        else:
                            runs[name] = [r[0]]
                            if r[1] is not None:
                                results[who] = r[1]
                    # More runs in rounds, one call of each function per round, so that a change in
                    # the machine's load during the cell weighs on every function alike.
                    for rnd in range(1, 5):
                        for name, ts in runs.items():
                            if ts[0] < (0.2 if rnd > 2 else 2.0):
                                r = runner.call(name, dist, n, d, keep=False)
                                ts.append(float("inf") if r is None else r[0])
                    for name, ts in runs.items():
                        times[name.split(":")[1]] = statistics.median(ts)
                    order = [m.split(":")[1] for m in names if m.startswith(task + ":")]
                    times = {who: times[who] for who in order}  # print in one order every row
                    ref = results.get("tradeoff")
                    bad = [
                        w for w, v in results.items() if ref is not None and not (v == ref).all()
                    ]
                    failures += len(bad)
                    ours = ("tradeoff", "tradeoff-numpy", "floor")
                    peers = [t for w, t in times.items() if w not in ours and t]
                    best = min(peers) if peers else float("nan")
                    floor = times.get("floor") or float("nan")
                    cells = []
                    for who, t in times.items():
                        if t is None:
                            cells.append(f"{who} skip")
                        elif t == float("inf"):
                            cells.append(f"{who} > {args.limit:g} s")
                        elif who == "floor":
                            cells.append(f"floor {t:.4f}")
                        else:
                            cells.append(f"{who} {t:.4f} ({t / best:.2f}/{t / floor:.2f})")
                    size = "front" if task == "mask" else "layers"
                    extra = (
                        ""
                        if ref is None
                        else f"{size}={int(ref.sum() if task == 'mask' else ref.max())}"
                    )
                    agree = (
                        "unchecked"
                        if ref is None
                        else "DISAGREE:" + ",".join(bad)
                        if bad
                        else "agree"
                    )
                    print(
                        f"{task:6} {dist:10} d={d} n={fmt_n(n):4} | "
                        + " | ".join(cells)
                        + f" | {extra} {agree}",
                        flush=True,
                    )
    # tracemalloc sees NumPy's allocations, not those inside moocore's C code: the NumPy engine
    print("\n== peak memory of tradeoff.pareto_mask(engine='numpy') (tracemalloc) ==")
    n = sizes[-1]
    for dist, d in (("uniform", 6), ("anti", 3), ("correlated", 4)):
        peak = runner.call("mask:tradeoff-numpy", dist, n, d, mem=True)
        mb = "> limit" if peak is None else f"{peak / 2**20:.0f} MB"
        print(f"{dist:10} d={d} n={fmt_n(n)}: peak {mb} (input {n * d * 8 / 2**20:.0f} MB)")
    runner.close()
    print(f"\ntotal {time.perf_counter() - t_start:.0f} s; disagreements: {failures}")
    return 1 if failures else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="only n <= 1e4")
    p.add_argument("--max-n", type=int, default=1_000_000)
    p.add_argument("--max-n-layers", type=int, default=100_000, help="largest n for layers")
    p.add_argument("--limit", type=float, default=10.0, help="seconds per call")
    return run(p.parse_args())


if __name__ == "__main__":
    sys.exit(main())
