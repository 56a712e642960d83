"""Sweeps: grids of simulator runs over hyperparameters, problems and seeds, run chunk by
chunk in this process or on Dask (:mod:`.runner`), resumable, and the (beta1, beta2)
phase maps they make (:mod:`.phase`).  :mod:`.grid` is the grid, :mod:`.task` one chunk."""
