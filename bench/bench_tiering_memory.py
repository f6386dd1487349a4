"""Run one tiering run on a built book and print the peak resident memory of each stage.

Usage:
  python bench/bench_tiering_memory.py DATABASE_URL

A thread samples the process's VmRSS every 10 ms and charges it to the innermost two of the
stages below that are running, so the table says where a run's peak is reached. Build the book
first (`bench_tiering_run.py --phase build`, then `--phase owners` and `--phase change` for a
re-tier): on an untiered book this measures the first run, every account's tiers new.
"""

import functools
import importlib
import resource
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_tiering_run as b  # noqa: E402 - the bench folder is not a package

STAGES = [
    ("cstier.services.tiering.run", "read_snapshot", None, "read_snapshot"),
    ("cstier.services.tiering.run", "propose", None, "propose"),
    ("cstier.services.tiering.run", "input_records", None, "input_records"),
    ("cstier.services.tiering.run", "_stage", None, "_stage"),
    ("cstier.services.tiering.run", "SchemeOutcome", "explanations", "explanations"),
    ("cstier.services.tiering.changes", "ChangeBatch", "add", "batch.add"),
    ("cstier.services.tiering.changes", "ChangeBatch", "flush", "flush"),
    ("cstier.services.tiering.changes", "store_tier_changes", None, "store_tier_changes"),
    ("cstier.store.bulk_writes", "BulkWriter", "insert", "writer.insert"),
    ("cstier.store.tier_blocks", "RowChanges", "write", "rowchanges.write"),
    ("cstier.services.tiering.run", "apply_coverage", None, "apply_coverage"),
    ("cstier.services.trends", "RunMix", "record", "mix.record"),
    ("cstier.services.trends", "RunMix", "add_scheme", "mix.add_scheme"),
    ("cstier.services.tiering.run", "_write_pending", None, "_write_pending"),
    ("cstier.services.tiering.retier", "store_after_run", None, "store_after_run"),
]

stack = ["setup"]
peaks: dict[str, float] = {}
spent: dict[str, float] = {}


def rss_mb() -> float:
    """Return this process's resident memory now, in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def sampler(stop: threading.Event) -> None:
    """Charge the resident memory to the running stages until stopped."""
    while not stop.is_set():
        r = rss_mb()
        label = " > ".join(stack[-2:])
        peaks[label] = max(peaks.get(label, 0), r)
        time.sleep(0.01)


def wrap(module_name: str, name: str, attr: str | None, label: str) -> None:
    """Wrap a function or method so it marks its stage while it runs and adds up its time."""
    module = importlib.import_module(module_name)
    if attr:
        owner = getattr(module, name)
        fn = getattr(owner, attr)
    else:
        owner, fn = module, getattr(module, name)
        attr = name

    @functools.wraps(fn)
    def wrapper(*a, **k):
        stack.append(label)
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            spent[label] = spent.get(label, 0) + time.perf_counter() - t
            stack.pop()

    setattr(owner, attr, wrapper)


def main(url: str) -> None:
    """Run the tiering run once with every stage wrapped; print peaks, then times."""
    from sqlalchemy.orm import configure_mappers

    from cstier.domain.permissions import SYSTEM_ACTOR
    from cstier.extensions import db
    from cstier.services.tiering.retier import retier_book
    from cstier.services.tiering.schemes import ensure_default_schemes

    for s in STAGES:
        wrap(*s)
    stop = threading.Event()
    threading.Thread(target=sampler, args=(stop,), daemon=True).start()
    app = b.make_app(url)
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))
        ensure_default_schemes(db.session)
        db.session.commit()
        configure_mappers()
        stack[:] = ["run"]
        t = time.perf_counter()
        summary = retier_book(db.session, SYSTEM_ACTOR, trigger="bench")
        elapsed = time.perf_counter() - t
    stop.set()
    print(f"run {elapsed:.1f} s changes {summary.changes}")
    print(f"ru_maxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    for label, mb in sorted(peaks.items(), key=lambda x: -x[1])[:25]:
        print(f"  {mb:7.0f} MB  {label}")
    for label, s in spent.items():
        print(f"  {s:7.1f} s  {label}")


if __name__ == "__main__":
    main(sys.argv[1])
