r"""Run a :class:`~.grid.Sweep` chunk by chunk -- in this process or on Dask -- writing each
chunk as it arrives, and resume a sweep that was stopped.

The output folder holds

* ``sweep.json`` -- the sweep, its key (what determines the results, with the package
  version), the number of chunks, and, once finished, where the table is;
* ``chunks/chunk-NNNNNN.csv`` and ``.npz`` -- each chunk's tidy rows (one per cell and
  seed, :mod:`.task`) and its curves (``t``, ``R_over_t`` (n, runs), ``cells``), each
  written atomically when the chunk arrives, so an interruption loses at most the chunks
  in flight;
* ``table.csv`` -- every row, sorted by cell and seed, written when the last chunk is in.

``resume=True`` reads the chunks already there and runs only the others; a folder that
holds another sweep (another key) is refused, so an output folder never mixes two runs.

Executors: ``workers=0`` runs the chunks here, one after the other; otherwise a
``dask.distributed`` client -- ``scheduler`` (an address such as
``tcp://10.0.0.5:8786``, from ``dask scheduler`` / ``dask worker``) or, by default, a
LocalCluster of ``workers`` processes (one thread each; default: the machine's cores).
Each chunk is one task (:func:`.task.run_chunk`); its result is the same bit for bit
whatever the executor and the number of workers.
"""
from __future__ import annotations

import csv
import io
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from adamlab.numerics.atomic import atomic_write, atomic_write_text
from adamlab.numerics.progress import Progress

from ..cluster import local_cluster
from .grid import Sweep
from .task import run_chunk

_SUMMARY = ["R_T", "R_T_over_T", "fitted_limit", "loglog_slope", "theta_T[0]", "theta_T_norm"]


@dataclass
class SweepRun:
    """What :func:`run` did: the folder, the key, chunk counts, and whether it finished."""

    out: Path
    key: str
    n_chunks: int
    done_before: int = 0
    computed: list[int] = field(default_factory=list)
    complete: bool = False
    elapsed_s: float = 0.0
    dashboard: str | None = None
    workers: int = 0

    @property
    def table(self) -> Path:
        return self.out / "table.csv"


def _chunk_name(k: int) -> str:
    return f"chunk-{k:06d}"


def _csv_text(rows: list[dict]) -> str:
    cols = list(dict.fromkeys(c for r in rows for c in r))
    buf = io.StringIO()
    w = csv.DictWriter(buf, cols, lineterminator="\n", restval="")
    w.writeheader()
    for r in rows:
        w.writerow({k: (repr(v) if isinstance(v, float) else v) for k, v in r.items()})
    return buf.getvalue()


def _write_chunk(out: Path, k: int, result: dict) -> None:
    def npz(fh):
        np.savez_compressed(fh, t=np.asarray(result["t"]), R_over_t=np.asarray(
            result["curves"]), cells=np.asarray(result["cells"], dtype=np.int64))
    atomic_write(out / "chunks" / f"{_chunk_name(k)}.npz", npz)
    # the CSV last: its presence marks the chunk as done
    atomic_write_text(out / "chunks" / f"{_chunk_name(k)}.csv", _csv_text(result["rows"]))


def done_chunks(out: Path) -> set[int]:
    """The chunks of the folder that are complete (their CSV and curves both there)."""
    d = Path(out) / "chunks"
    if not d.is_dir():
        return set()
    return {int(p.stem.split("-")[1]) for p in d.glob("chunk-*.csv")
            if (d / f"{p.stem}.npz").exists()}


def read_table(out) -> list[dict[str, str]]:
    """The rows of every finished chunk, sorted by cell and seed (as text, like the CSV)."""
    rows = []
    for k in sorted(done_chunks(Path(out))):
        with open(Path(out) / "chunks" / f"{_chunk_name(k)}.csv", newline="") as fh:
            rows += list(csv.DictReader(fh))
    return sorted(rows, key=lambda r: (int(r["cell"]), int(r["seed"])))


def _check_folder(out: Path, key: str, resume: bool) -> set[int] | None:
    """The chunks already done (resume), None for a new folder; raises ValueError for a
    folder that holds another sweep, or this one without ``resume``."""
    meta_path = out / "sweep.json"
    if meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            raise ValueError(f"{meta_path} is not a sweep's record; choose another --out")
        if meta.get("key") != key:
            raise ValueError(f"{out} holds another sweep (key {meta.get('key')}, this one "
                             f"{key}); an output folder never mixes two sweeps: choose "
                             f"another --out")
        if not resume:
            raise ValueError(f"{out} already holds this sweep; add --resume to finish it, or "
                             f"choose another --out")
        return done_chunks(out)
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty and holds no sweep; choose another --out")
    return None


def _start_folder(sweep: Sweep, out: Path, key: str, n: int) -> None:
    atomic_write_text(out / "sweep.json", json.dumps(
        {"key": key, "sweep": sweep.to_json(), "n_chunks": n, "complete": False}, indent=1))


def _client(scheduler: str | None, workers: int, timeout: float):
    from dask.distributed import Client
    if scheduler:
        try:
            return Client(scheduler, timeout=timeout), None
        except (OSError, TimeoutError) as exc:
            raise ConnectionError(f"cannot reach the Dask scheduler at {scheduler} within "
                                  f"{timeout:g} s ({type(exc).__name__}: {exc})") from None
    cluster = local_cluster(workers)
    return Client(cluster), cluster


def run(sweep: Sweep, out, *, workers: int | None = None, scheduler: str | None = None,
        resume: bool = False, max_runs: int = 512, progress: bool | None = None,
        log: Callable[[str], None] | None = None, timeout: float = 5.0,
        stop_after: int | None = None) -> SweepRun:
    """Run ``sweep`` into the folder ``out`` (module docstring).  ``workers``: 0 for this
    process, N for a LocalCluster of N processes (default: the machine's cores; ignored
    with ``scheduler``); ``max_runs``: runs (cells x seeds) per chunk; ``timeout``:
    seconds to reach a scheduler; ``stop_after``: stop after that many chunks (a test's
    stand-in for an interruption).  Ctrl-C stops after the chunks in flight are
    dropped; what was written stays."""
    if not isinstance(sweep, Sweep):
        raise TypeError(f"sweep must be a Sweep; got {type(sweep).__name__}")
    if workers is None:
        workers = os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise ValueError(f"workers must be an int >= 0; got {workers!r}")
    started = time.perf_counter()
    sweep.check()
    out = Path(out)
    key = sweep.key(max_runs)
    chunks = sweep.chunks(max_runs)
    found = _check_folder(out, key, resume)
    done = found or set()
    todo = [k for k in range(len(chunks)) if k not in done]
    state = SweepRun(out, key, len(chunks), len(done), workers=workers if not scheduler else 0)
    payload = sweep.to_json()
    if log:
        log(f"sweep {key}: {sweep.n_cells:,} cells x {len(sweep.seeds)} seed(s) in "
            f"{len(chunks):,} chunks" + (f"; {len(done):,} already done" if done else ""))
    bar = Progress(len(chunks), desc="sweep chunks", enabled=progress)
    bar.update(len(done))
    client = cluster = None
    try:
        if todo and (workers or scheduler):       # reach the workers before writing anything
            client, cluster = _client(scheduler, workers, timeout)
        if found is None:
            _start_folder(sweep, out, key, len(chunks))
        if workers == 0 and not scheduler:
            for k in todo:
                _write_chunk(out, k, run_chunk(payload, [c.index for c in chunks[k]]))
                state.computed.append(k)
                bar.update(1)
                if stop_after is not None and len(state.computed) >= stop_after:
                    break
        elif todo:
            from dask.distributed import as_completed
            state.dashboard = client.dashboard_link
            if log:
                log(f"dask: {len(client.scheduler_info()['workers'])} worker(s); dashboard "
                    f"{client.dashboard_link}")
            futures = {client.submit(run_chunk, payload, [c.index for c in chunks[k]],
                                     key=f"adamlab-sweep-{key}-{k}", pure=False): k
                       for k in todo}
            for fut in as_completed(futures):
                k = futures[fut]
                _write_chunk(out, k, fut.result())
                state.computed.append(k)
                bar.update(1)
                if stop_after is not None and len(state.computed) >= stop_after:
                    for f in futures:
                        f.cancel()
                    break
    except KeyboardInterrupt:
        pass
    finally:
        bar.close()
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    state.complete = len(done_chunks(out)) == len(chunks)
    if state.complete:
        rows = read_table(out)
        atomic_write_text(out / "table.csv", _csv_text(rows))
        atomic_write_text(out / "sweep.json", json.dumps(
            {"key": key, "sweep": sweep.to_json(), "n_chunks": len(chunks), "complete": True,
             "table": "table.csv", "rows": len(rows), "summary_columns": _SUMMARY},
            indent=1))
    state.elapsed_s = time.perf_counter() - started
    return state


__all__ = ["SweepRun", "done_chunks", "read_table", "run"]
