"""adamlab.theory: exact statements (SymPy, mpmath) about Adam and its family.

theory never imports :mod:`adamlab.numerics`; :mod:`adamlab.proofs` is where
the two meet.
"""
