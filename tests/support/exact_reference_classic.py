r"""Exact-arithmetic reference: shared helpers and the pre-Adam methods.

Written from the published algorithms and the documented torch.optim
semantics listed in ``tests/API_SPEC.md`` -- *not* from the implementation in
``numerics/optimizers``.  Everything is SymPy: hyperparameters, parameters and
gradients are :class:`sympy.Rational`, square roots stay symbolic
(``sympy.sqrt`` of exact numbers), maxima are ``sympy.Max``; numbers are only
produced at the very end (``sympy.N`` to 40 digits, in the test).

A reference is a *factory* ``method(hp) -> step`` where ``hp`` holds the
exact hyperparameter values (a schedulable one may be a callable of the
1-based step t returning an exact value) and ``step(theta, g, t)`` maps the
iterate :math:`\theta_{t-1}` and gradient :math:`g_t` of ONE run (a
:class:`Vec` of d coordinates) to :math:`\theta_t`, keeping the optimizer
state in its closure.  Factories, not whole trajectories, so that Lookahead
can reset the fast weights between inner steps.
"""
from __future__ import annotations

import operator

import sympy
from sympy import Abs, Max, Min, sqrt


class Vec:
    """An immutable vector of exact SymPy numbers with elementwise arithmetic."""

    __slots__ = ("x",)

    def __init__(self, items):
        self.x = tuple(sympy.sympify(v) for v in items)

    @classmethod
    def zeros(cls, d: int) -> "Vec":
        return cls([sympy.Integer(0)] * d)

    def __iter__(self):
        return iter(self.x)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i]

    def _op(self, other, f, swap=False):
        if isinstance(other, Vec):
            pairs = zip(self.x, other.x)
        else:
            pairs = ((a, other) for a in self.x)
        return Vec(f(b, a) if swap else f(a, b) for a, b in pairs)

    def __add__(self, o): return self._op(o, operator.add)
    def __radd__(self, o): return self._op(o, operator.add, swap=True)
    def __sub__(self, o): return self._op(o, operator.sub)
    def __rsub__(self, o): return self._op(o, operator.sub, swap=True)
    def __mul__(self, o): return self._op(o, operator.mul)
    def __rmul__(self, o): return self._op(o, operator.mul, swap=True)
    def __truediv__(self, o): return self._op(o, operator.truediv)
    def __rtruediv__(self, o): return self._op(o, operator.truediv, swap=True)
    def __neg__(self): return Vec(-a for a in self.x)

    def __repr__(self) -> str:
        return f"Vec({list(self.x)!r})"


def vsqrt(a: Vec) -> Vec:
    return Vec(sqrt(x) for x in a)


def vabs(a: Vec) -> Vec:
    return Vec(Abs(x) for x in a)


def vmax(a: Vec, b) -> Vec:
    return a._op(b, Max)


def vclip(a: Vec, lo, hi) -> Vec:
    """Elementwise :math:`\\min(\\max(a, lo), hi)` (torch.clamp)."""
    return Vec(Min(Max(x, lo), hi) for x in a)


def dot(a: Vec, b: Vec):
    return sympy.Add(*[x * y for x, y in zip(a, b)])


def norm(a: Vec):
    return sqrt(dot(a, a))


def at(value, t: int):
    """The value of a hyperparameter at the 1-based step t (schedules are callables)."""
    return value(t) if callable(value) else value


def l2_into_grad(g: Vec, theta: Vec, weight_decay) -> Vec:
    r"""Coupled weight decay (torch's L2 form): :math:`g_t + \lambda\theta_{t-1}`."""
    return g + weight_decay * theta


# --------------------------------------------------------------------------
def sgd(hp):
    r"""SGD, heavy ball and Nesterov momentum, in torch.optim.SGD's form.

    Robbins & Monro (1951) plain step; Polyak (1964) heavy ball and
    Sutskever, Martens, Dahl & Hinton, ICML 2013, §2 (Nesterov), written as in
    the torch.optim.SGD documentation (algorithm box):
    :math:`g_t \leftarrow g_t + \lambda\theta_{t-1}`;
    :math:`b_1 = g_1` (no dampening at the first step),
    :math:`b_t = \mu b_{t-1} + (1-\tau) g_t` for t > 1;
    direction :math:`g_t + \mu b_t` (nesterov) or :math:`b_t`;
    :math:`\theta_t = \theta_{t-1} - \gamma_t\,\mathrm{direction}`.
    """
    lr, mu, tau = hp["lr"], hp["momentum"], hp["dampening"]
    nesterov, wd = hp["nesterov"], hp["weight_decay"]
    st = {"b": None}

    def step(theta, g, t):
        g = l2_into_grad(g, theta, wd)
        d = g
        if mu != 0:
            b = g if st["b"] is None else mu * st["b"] + (1 - tau) * g
            st["b"] = b
            d = g + mu * b if nesterov else b
        return theta - at(lr, t) * d

    return step


def adagrad(hp):
    r"""AdaGrad (Duchi, Hazan & Singer, JMLR 2011, diagonal form, eq. (1)/Fig. 1).

    As documented for torch.optim.Adagrad:
    :math:`\tilde\gamma_t = \gamma_t / (1 + (t-1)\eta)` (``lr_decay`` :math:`\eta`),
    :math:`g_t \leftarrow g_t + \lambda\theta_{t-1}`,
    :math:`G_t = G_{t-1} + g_t^2` with :math:`G_0` = ``initial_accumulator_value``,
    :math:`\theta_t = \theta_{t-1} - \tilde\gamma_t\, g_t/(\sqrt{G_t}+\epsilon)`
    (``eps_mode="outside"``, torch) or :math:`g_t/\sqrt{G_t+\epsilon}`
    (``"inside"``, optax.adagrad).
    """
    lr, eta, wd, eps = hp["lr"], hp["lr_decay"], hp["weight_decay"], hp["eps"]
    mode = hp["eps_mode"]
    st = {"G": None}

    def step(theta, g, t):
        if st["G"] is None:
            st["G"] = Vec([hp["initial_accumulator_value"]] * len(theta))
        g = l2_into_grad(g, theta, wd)
        G = st["G"] = st["G"] + g * g
        clr = at(lr, t) / (1 + (t - 1) * eta)
        denom = vsqrt(G) + eps if mode == "outside" else vsqrt(G + eps)
        return theta - clr * g / denom

    return step


def rmsprop(hp):
    r"""RMSProp (Tieleman & Hinton 2012, Lecture 6.5), centered form of Graves
    (2013, arXiv:1308.0850, eqs. (38)-(41)), as documented for torch.optim.RMSprop.

    :math:`g_t \leftarrow g_t + \lambda\theta_{t-1}`;
    :math:`v_t = \alpha v_{t-1} + (1-\alpha) g_t^2`; centered:
    :math:`\bar g_t = \alpha\bar g_{t-1} + (1-\alpha) g_t`,
    :math:`\tilde v_t = v_t - \bar g_t^2` (else :math:`\tilde v_t = v_t`);
    denominator :math:`\sqrt{\tilde v_t}+\epsilon` (``"outside"``, torch) or
    :math:`\sqrt{\tilde v_t+\epsilon}` (``"inside"``, optax);
    :math:`b_t = \mu b_{t-1} + g_t/\mathrm{denom}` (:math:`b_0 = 0`),
    :math:`\theta_t = \theta_{t-1} - \gamma_t b_t`  (with :math:`\mu = 0` this
    is the plain step :math:`\gamma_t g_t/\mathrm{denom}`).
    """
    lr, alpha, eps, wd = hp["lr"], hp["alpha"], hp["eps"], hp["weight_decay"]
    mu, centered, mode = hp["momentum"], hp["centered"], hp["eps_mode"]
    st = {}

    def step(theta, g, t):
        if not st:
            st.update(v=Vec.zeros(len(theta)), gbar=Vec.zeros(len(theta)),
                      b=Vec.zeros(len(theta)))
        g = l2_into_grad(g, theta, wd)
        v = st["v"] = alpha * st["v"] + (1 - alpha) * g * g
        var = v
        if centered:
            gbar = st["gbar"] = alpha * st["gbar"] + (1 - alpha) * g
            var = v - gbar * gbar
        denom = vsqrt(var) + eps if mode == "outside" else vsqrt(var + eps)
        b = st["b"] = mu * st["b"] + g / denom
        return theta - at(lr, t) * b

    return step


def adadelta(hp):
    r"""AdaDelta (Zeiler 2012, arXiv:1212.5701, Algorithm 1), with torch's
    learning-rate multiplier and L2 weight decay (torch.optim.Adadelta docs).

    :math:`g_t \leftarrow g_t + \lambda\theta_{t-1}`;
    :math:`E[g^2]_t = \rho E[g^2]_{t-1} + (1-\rho) g_t^2`;
    :math:`\Delta_t = \sqrt{E[\Delta^2]_{t-1}+\epsilon}\,/\sqrt{E[g^2]_t+\epsilon}\; g_t`;
    :math:`E[\Delta^2]_t = \rho E[\Delta^2]_{t-1} + (1-\rho)\Delta_t^2`;
    :math:`\theta_t = \theta_{t-1} - \gamma_t\Delta_t`.
    """
    lr, rho, eps, wd = hp["lr"], hp["rho"], hp["eps"], hp["weight_decay"]
    st = {}

    def step(theta, g, t):
        if not st:
            st.update(eg2=Vec.zeros(len(theta)), ed2=Vec.zeros(len(theta)))
        g = l2_into_grad(g, theta, wd)
        eg2 = st["eg2"] = rho * st["eg2"] + (1 - rho) * g * g
        delta = vsqrt(st["ed2"] + eps) / vsqrt(eg2 + eps) * g
        st["ed2"] = rho * st["ed2"] + (1 - rho) * delta * delta
        return theta - at(lr, t) * delta

    return step
