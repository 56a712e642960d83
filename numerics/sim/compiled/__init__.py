"""Numba-compiled pieces of the lazy sparse engine (the ``[fast]`` extra); imported only when numba is available. NumPy (:mod:`..sparse_engine`) stays the reference."""
