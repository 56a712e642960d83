"""Generic methods that decide claims (each returns a Verdict with its evidence).

:mod:`.symbolic` -- SymPy proves a relation under its hypotheses, or a rational
point certified at 60/90 digits refutes it.
"""
