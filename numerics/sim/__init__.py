"""The simulator's engines: the engine protocol (:mod:`.engine`), the dense
engine (:mod:`.dense`), the loop-free oblivious engine (:mod:`.oblivious`, its scans
:mod:`.oblivious_steps`, :mod:`.oblivious_scan`), the lazy sparse engine
(:mod:`.sparse`, :mod:`.sparse_engine`, :mod:`.sparse_tables`, :mod:`.sparse_stats`),
the statistics recorders (:mod:`.stats`), the setup of a run (:mod:`.setup`) and its
result (:mod:`.result`).  The front door is :func:`adamlab.numerics.simulate.run`.
"""
