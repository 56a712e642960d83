r"""The Adam family as pure, batched, convention-exact update rules.

>>> import numpy as np
>>> from adamlab.numerics import optimizers
>>> opt = optimizers.make("adam", lr=[1e-3, 1e-2])   # two runs, two learning rates
>>> params = np.zeros((2, 3))
>>> state = opt.init(params)
>>> params, state = opt.update(np.ones((2, 3)), state, params)
>>> params[:, 0]
array([-0.001, -0.01 ])

:func:`names` lists the registered optimizers, :func:`get` returns one
registry entry (source, defaults, framework conventions, declared
capabilities), :func:`make` builds one, :func:`register` adds a user's own
optimizer (see its docs for a complete example) and :func:`unregister` removes
one; ``opt.entry`` (or :func:`entry_of`) is the entry an optimizer was built
from.  See :mod:`._core` for the array conventions, :mod:`.hparams` for the
hyperparameter ones, and :mod:`.schedules` for :math:`\alpha_t = \alpha/\sqrt t` and
:math:`\beta_{1,t} = \beta_1\lambda^{t-1}`.
"""
from . import schedules
from ._core import Optimizer, Resolved, bias_correction, safe_div
from .hparams import HParam, Scheduled, schedule_of
from ._registry import Entry, caps_of, entry_of, get, make, names, register, unregister
from .capabilities import Capabilities

# Importing a module registers its optimizers; the order here is the order
# of names().
from . import sgd, adagrad, rmsprop, adadelta  # noqa: E402,F401  isort:skip
from . import adam, adamax, nadam, radam  # noqa: E402,F401  isort:skip
from . import adabound, adamp, lookahead  # noqa: E402,F401  isort:skip
from . import yogi, adabelief, laprop, lion  # noqa: E402,F401  isort:skip
from . import adopt, ademamix, schedule_free  # noqa: E402,F401  isort:skip

__all__ = ["Capabilities", "Entry", "HParam", "Optimizer", "Resolved", "Scheduled",
           "bias_correction", "caps_of", "entry_of", "get", "make", "names", "register",
           "safe_div", "schedule_of", "schedules", "unregister"]
