"""Numba-compiled pieces of the engines (the ``[fast]`` extra); imported only when numba
is available.

* the lazy sparse engine's step body (:mod:`.step`, :mod:`.drift`, :mod:`.recorder`);
* the loop-free engine's chunk loop: the optimizer's recorded rule fused with the walk,
  the losses and the statistics (:mod:`.fused`), or, where the rule cannot be recorded,
  the walk, the losses and the statistics alone (:mod:`.walk`).

NumPy (:mod:`..sparse_engine`, :mod:`..oblivious`) stays the reference.
"""
