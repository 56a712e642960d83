r"""Online convex optimization problems: named, documented, seeded generators.

>>> from adamlab.numerics import problems
>>> prob = problems.make("rkk-thm1", C=3.0)
>>> inst = prob.sample(T=6, runs=2, seed=0)
>>> inst.linear_coefficients(0, 6)[:, 0, 0]
array([ 3., -1., -1.,  3., -1., -1.])
>>> inst.comparator().theta
array([[-1.],
       [-1.]])

:func:`names` lists the registered problems, :func:`get` returns a registry
entry (summary, source, parameters), :func:`make` builds one.  A
:class:`Problem` samples an :class:`Instance` (``sample(T, runs, seed)``),
which evaluates the losses and gradients and computes the certified
comparator (:mod:`adamlab.numerics.comparator`).  Feasible sets and their
projections are in :mod:`adamlab.numerics.domains`.
"""
from ._base import Param, Problem
from ._instance import BlockStore, Instance, LinearInstance
from ._registry import Entry, get, make, names, register

# Importing a module registers its problems; the order here is the order of names().
from . import reddi, logistic_sparse, logistic, piecewise, quadratic, linear  # noqa: E402,F401  isort:skip

__all__ = ["BlockStore", "Entry", "Instance", "LinearInstance", "Param", "Problem", "get", "make", "names",
           "register"]
