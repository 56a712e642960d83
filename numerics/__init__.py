"""adamlab.numerics: fast NumPy numerics for Adam and its family.

* :mod:`adamlab.numerics.optimizers` -- the optimizers as pure, batched update
  rules over arrays of shape ``(runs, d)``, and their registry.

numerics never imports :mod:`adamlab.theory`.
"""
