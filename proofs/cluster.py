"""The Dask LocalCluster that adamlab starts when it runs work side by side on this
machine: sweeps and phase maps (:mod:`.sweep`) and the series of a regret experiment
(:mod:`.regret.experiment`, ``workers > 1``).  One definition, so both get the same
settings."""
from __future__ import annotations


def local_cluster(workers: int):
    """A Dask LocalCluster of ``workers`` processes, one thread each, its dashboard on a
    free port, quiet logs."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"local_cluster: workers must be an int >= 1; got {workers!r}")
    try:
        from dask.distributed import LocalCluster
    except ImportError:              # pragma: no cover - a dependency
        raise RuntimeError("dask.distributed is not installed (pip install distributed)")
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                        dashboard_address=":0", silence_logs=50)


__all__ = ["local_cluster"]
