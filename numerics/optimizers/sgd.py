r"""SGD, heavy-ball momentum and Nesterov momentum, in torch.optim.SGD's form.

With ``lr`` :math:`=\alpha_t`, ``momentum`` :math:`=\mu`, ``dampening``
:math:`=\tau`, ``weight_decay`` :math:`=\lambda` and the buffer :math:`b`:

.. math::

    \tilde g_t &= g_t + \lambda\theta_{t-1}, \\
    b_1 &= \tilde g_1, \qquad
    b_t = \mu b_{t-1} + (1-\tau)\,\tilde g_t \quad (t \ge 2), \\
    d_t &= \begin{cases} \tilde g_t & \mu = 0 \\
                         \tilde g_t + \mu b_t & \text{nesterov} \\
                         b_t & \text{otherwise,} \end{cases} \\
    \theta_t &= \theta_{t-1} - \alpha_t d_t .

This is torch.optim.SGD (``maximize=False``) term by term; with ``momentum=0``
no buffer is used and the step is plain SGD (Robbins & Monro, Ann. Math.
Statist. 22(3), 1951).  Per-run ``momentum`` arrays may mix 0 and non-zero
values; a run with :math:`\mu = 0` takes the plain step.

Sources of the three registered entries:

``"sgd"``
    plain stochastic gradient descent (defaults ``momentum=0``).
``"momentum"``
    Polyak's heavy ball (B. T. Polyak, "Some methods of speeding up the
    convergence of iteration methods", USSR Comput. Math. Math. Phys. 4(5),
    1964): :math:`\theta_{t} = \theta_{t-1} - \alpha g_t +
    \mu(\theta_{t-1}-\theta_{t-2})`.  For constant :math:`\alpha` and
    :math:`\tau = 0` the recursion above is exactly this one, since
    :math:`\theta_{t-1}-\theta_{t-2} = -\alpha b_{t-1}`.
``"nag"``
    Nesterov's accelerated gradient in the form of Sutskever, Martens, Dahl &
    Hinton, "On the importance of initialization and momentum in deep
    learning", ICML 2013, §2:
    :math:`v_{t} = \mu v_{t-1} - \alpha\nabla f(\theta_{t-1} + \mu v_{t-1})`,
    :math:`\theta_t = \theta_{t-1} + v_t`.  torch (and we) store the
    look-ahead point :math:`\phi = \theta + \mu v` instead of :math:`\theta`;
    with :math:`v = -\alpha b` the update of :math:`\phi` is
    :math:`\phi_t = \phi_{t-1} - \alpha(g_t + \mu b_t)`, the nesterov line
    above (constant :math:`\alpha`).  The gradient is evaluated at the stored
    iterate, so ``params`` are Sutskever et al.'s :math:`\phi`, not :math:`\theta`.

Conventions (where frameworks disagree):

torch.optim.SGD
    Exactly the equations above: ``lr`` multiplies the buffer *after* it is
    formed, the first buffer is the raw gradient (no dampening at t = 1), and
    ``nesterov=True`` requires ``momentum > 0`` and ``dampening == 0``
    (enforced here too, per run when they are arrays).
optax.sgd(learning_rate, momentum, nesterov)
    ``optax.trace`` then ``scale_by_learning_rate``: the same iterates with
    ``dampening=0`` (optax has no dampening, and no weight decay inside sgd;
    chaining ``optax.add_decayed_weights`` first gives our coupled
    ``weight_decay``).  optax's ``momentum=None`` is ``momentum=0``.
Keras (``keras.optimizers.SGD``)
    :math:`v \leftarrow \mu v - \alpha_t g`, :math:`\theta \leftarrow \theta + v`
    (nesterov: :math:`\theta \leftarrow \theta + \mu v - \alpha_t g`): the
    learning rate goes *into* the buffer.  Same iterates for a constant
    learning rate; with a schedule, Keras's buffer keeps old rates while ours
    (and torch's, optax's) applies the current one to the whole buffer.
    Keras's ``weight_decay`` is decoupled (:math:`\theta(1-\alpha\lambda)`),
    not an L2 term.

.. warning:: ``dampening`` :math:`\tau > 0` does *not* give an exponential
   moving average from the start: torch's first buffer is :math:`g_1`, not
   :math:`(1-\tau) g_1`.  We follow torch.  Nor is ``dampening`` the same as
   the EMA momentum of Adam: :math:`b_t` is a sum with weights
   :math:`(1-\tau)\mu^{t-s}` that need not add to 1.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._core import Optimizer, coupled_decay
from .hparams import LR, WEIGHT_DECAY, HParam
from ._registry import register
from .arith import arith_of, is_scalar_zero


class SGDState(NamedTuple):
    step: int
    buf: np.ndarray   # momentum buffer b_t (zeros until the first step with momentum)


def _runs_where(mask) -> str:
    """Human-readable list of the runs (rows) where ``mask`` holds."""
    rows = np.flatnonzero(np.asarray(mask).reshape(-1))
    return "run(s) " + ", ".join(str(i) for i in rows[:10]) + (" ..." if rows.size > 10 else "")


class SGD(Optimizer):
    __doc__ = __doc__
    hparams = (
        LR,
        HParam("momentum", "unit", r"momentum factor :math:`\mu` in [0, 1)"),
        HParam("dampening", "closed_unit", r"dampening :math:`\tau` of the buffer update "
               r"(not applied at t = 1, as in torch)"),
        HParam("nesterov", "bool", "Nesterov momentum (torch's form; needs momentum > 0 "
               "and dampening == 0)"),
        WEIGHT_DECAY,
    )
    defaults = dict(lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0)
    State = SGDState
    arithmetics = ("float", "mpmath", "fraction", "sympy")

    def _check_hyper(self) -> None:
        if not self.hyper["nesterov"]:
            return
        mu, damp = self.hyper["momentum"], self.hyper["dampening"]
        rule = (f"{self.name}: nesterov=True requires momentum > 0 and dampening == 0 "
                f"(torch.optim.SGD's rule)")
        for name, value, bad in (("momentum", mu, np.asarray(mu) <= 0),
                                 ("dampening", damp, np.asarray(damp) != 0)):
            if np.any(bad):
                runs = f" (offending {_runs_where(bad)})" if np.ndim(value) else ""
                shown = np.ravel(value).tolist() if np.ndim(value) else value
                raise ValueError(f"{rule}; got {name}={shown!r}{runs}")

    def _init(self, p):
        return SGDState(0, arith_of(p).zeros_like(p))

    def _step(self, g, p, s, h):
        lr, mu, damp = h["lr"], h["momentum"], h["dampening"]
        g = coupled_decay(g, p, h["weight_decay"])
        if is_scalar_zero(mu):
            return p - lr * g, SGDState(s.step + 1, s.buf)
        if s.step == 0:
            buf = np.array(g, copy=True)   # torch: first buffer = gradient, undampened
        else:
            buf = mu * s.buf + (1 - damp) * g
        if self.hyper["nesterov"]:
            d = g + mu * buf
        else:
            d = buf
            if isinstance(mu, np.ndarray):
                d = np.where(mu == 0, g, d)   # runs without momentum take plain steps
        return p - lr * d, SGDState(s.step + 1, buf)


_TORCH = "torch.optim.SGD(lr, momentum, dampening, weight_decay, nesterov): identical"
_KERAS = ("keras.optimizers.SGD: same iterates for constant lr and dampening=0 "
          "(Keras puts lr inside the buffer, so schedules differ; its weight_decay is "
          "decoupled)")

register("sgd", SGD,
         family="sgd", oblivious_scan=True, lazy_sparse=True, kernel=True,
         summary="SGD: theta <- theta - lr * g, with torch's optional momentum, dampening "
                 "and Nesterov",
         source="Robbins & Monro, Ann. Math. Statist. 22(3), 1951; update rule of "
                "torch.optim.SGD",
         frameworks={
             "torch": _TORCH,
             "optax": "optax.sgd(learning_rate, momentum=None): momentum=0; "
                      "with momentum: dampening=0",
             "keras": _KERAS,
         })
register("momentum", SGD, defaults=dict(momentum=0.9),
         family="sgd", oblivious_scan=True, lazy_sparse=True, kernel=True,
         summary="Heavy-ball momentum (Polyak 1964) in torch's buffer form",
         source="Polyak, USSR Comput. Math. Math. Phys. 4(5), 1964 (heavy-ball method); "
                "torch.optim.SGD(momentum=0.9)",
         frameworks={
             "torch": _TORCH + " with momentum=0.9",
             "optax": "optax.sgd(learning_rate, momentum=0.9): dampening=0",
             "keras": _KERAS,
         })
register("nag", SGD, defaults=dict(momentum=0.9, nesterov=True),
         family="sgd", oblivious_scan=True, lazy_sparse=True, kernel=True,
         summary="Nesterov momentum, Sutskever et al. (2013) form as in torch "
                 "(params are the look-ahead point)",
         source="Sutskever, Martens, Dahl & Hinton, ICML 2013, §2 (NAG); "
                "torch.optim.SGD(momentum=0.9, nesterov=True)",
         frameworks={
             "torch": _TORCH + " with momentum=0.9, nesterov=True",
             "optax": "optax.sgd(learning_rate, momentum=0.9, nesterov=True): identical",
             "keras": _KERAS + "; nesterov=True",
         })
