r"""What an optimizer supports, declared on its registry entry (never detected by type).

The engines of :mod:`adamlab.numerics.simulate` and the statistics of
:mod:`adamlab.numerics.sim.stats` read an optimizer's :class:`Capabilities`
(``opt.entry.caps``) and nothing else: an optimizer that declares nothing runs
on the dense step loop with the statistics every run has (G, D, ...), and an
entry registered with a capability turned off is treated as such, whatever
its class.

``family``
    The recurrence the engines and recorders use for it: ``"adam"`` (Adam,
    AMSGrad, AdamW: :math:`m, v, v^{\max}`), ``"adagrad"`` (the sum
    :math:`G_t`), ``"rmsprop"`` (:math:`v`, :math:`\bar g`, the momentum
    buffer), ``"sgd"`` (the momentum buffer), ``"adopt"`` (:math:`m, v`; a scan, no
    lazy catch-up), or any other name (only descriptive; the regret experiment reads
    it for its defaults and bounds).
``lazy_sparse``
    The family has an exact lazy catch-up of untouched coordinates
    (:mod:`adamlab.numerics.sim.sparse`); the family must be one of
    :data:`LAZY_FAMILIES`.
``oblivious_scan``
    The family has a loop-free scan over time for oblivious linear losses
    (:mod:`adamlab.numerics.sim.oblivious`); one of :data:`SCAN_FAMILIES`.
``vhat``
    Which second moment :math:`\hat v_t` the regret bounds read, with the
    step size :math:`\alpha_t` it is divided into (one of :data:`VHAT_KINDS`,
    see :func:`adamlab.numerics.sim.stats.second_moment`), or a callable
    ``vhat(opt, state, h) -> (vhat, alpha)`` for a user's own definition
    (``h`` the hyperparameters resolved at step ``t = state.step``,
    ``h["lr"]``, ``h.t``; ``vhat`` an (R, d) array, ``alpha`` a float or an
    (R, 1) array); None: the vhat statistics are absent.
``beta1``
    Where the first-moment coefficient :math:`\beta_{1,t}` is:
    ``"betas[0]"`` (the first of the pair ``betas``) or the name of a
    hyperparameter; None: no first moment (no ``sum_b1t_vhat_over_alpha``).
``wraps``
    True for a wrapper (Lookahead) whose attribute ``inner`` is an optimizer
    and whose state has a field ``inner``: the statistics and constants are
    the inner optimizer's.
``kernel``
    The update rule is written in NumPy operators and the operations of
    :mod:`.arith` only (no other NumPy function, no branch on array values), so it can
    be recorded (:mod:`.trace`) and compiled into one fused loop (:mod:`.kernels`,
    with the optional ``[fast]`` extra).  The compiled step is checked against the
    NumPy step in the tests; a configuration that cannot be recorded after all (a
    per-run hyperparameter array, say) keeps the NumPy step.

:func:`check` validates a declaration against the optimizer class (the
hyperparameters and state fields the declared family needs), so a wrong
declaration fails at :func:`~adamlab.numerics.optimizers.register` time, not
in the middle of a run; and a fast engine that a declaration admits still plays a
probe game against the optimizer's own step before it runs
(:mod:`adamlab.numerics.sim.probe`), so a declaration the rule does not live up to
ends on the dense engine, not in wrong numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

# family -> (hyperparameters, state fields) that the engines read
FAMILY_NEEDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "adam": (("lr", "betas", "eps", "weight_decay", "amsgrad", "amsgrad_mode", "eps_mode",
              "beta1_correction"), ("m", "v", "vmax", "log_beta1_prod")),
    "adagrad": (("lr", "lr_decay", "eps", "eps_mode", "weight_decay"), ("sum",)),
    "rmsprop": (("lr", "alpha", "eps", "eps_mode", "momentum", "centered", "weight_decay"),
                ("square_avg", "grad_avg", "momentum_buffer")),
    "sgd": (("lr", "momentum", "dampening", "nesterov", "weight_decay"), ("buf",)),
    "adopt": (("lr", "betas", "eps", "weight_decay", "clip"), ("m", "v")),
}
LAZY_FAMILIES = ("adam", "adagrad", "rmsprop", "sgd")
SCAN_FAMILIES = ("adam", "adagrad", "rmsprop", "sgd", "adopt")

# vhat kind -> (hyperparameters, state fields) it reads; see stats.second_moment
VHAT_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "adam": (("lr", "betas", "amsgrad", "amsgrad_mode"), ("v", "vmax")),
    "v_corrected": (("lr", "betas"), ("v",)),
    "adagrad": (("lr", "lr_decay"), ("sum",)),
    "rmsprop": (("lr", "centered"), ("square_avg", "grad_avg")),
}


@dataclass(frozen=True)
class Capabilities:
    """The declared capabilities of one registry entry (see the module docs)."""

    family: str | None = None
    lazy_sparse: bool = False
    oblivious_scan: bool = False
    vhat: str | Callable[..., Any] | None = None
    beta1: str | None = None
    wraps: bool = False
    kernel: bool = False

    def to_json(self) -> dict:
        vhat = self.vhat if self.vhat is None or isinstance(self.vhat, str) else \
            f"callable {getattr(self.vhat, '__qualname__', repr(self.vhat))}"
        return {"family": self.family, "lazy_sparse": self.lazy_sparse,
                "oblivious_scan": self.oblivious_scan, "vhat": vhat, "beta1": self.beta1,
                "wraps": self.wraps, "kernel": self.kernel}


NONE = Capabilities()


def _needs(owner: str, what: str, cls: type, hparams, fields) -> None:
    have_h = {hp.name for hp in getattr(cls, "hparams", ())}
    have_f = set(getattr(getattr(cls, "State", None), "_fields", ()))
    miss_h = [h for h in hparams if h not in have_h]
    miss_f = [f for f in fields if f not in have_f]
    if miss_h or miss_f:
        raise ValueError(f"{owner}: {what} needs the hyperparameters {list(hparams)} and the "
                         f"state fields {list(fields)}; {cls.__name__} lacks "
                         f"{miss_h + miss_f}")


def check(name: str, cls: type, caps: Capabilities) -> Capabilities:
    """Validate ``caps`` for the optimizer class ``cls`` registered as ``name``."""
    if not isinstance(caps, Capabilities):
        raise TypeError(f"{name}: capabilities must be a Capabilities; got "
                        f"{type(caps).__name__}")
    fam = caps.family
    if fam is not None and (not isinstance(fam, str) or not fam):
        raise TypeError(f"{name}: family must be a non-empty str or None; got {fam!r}")
    for flag in ("lazy_sparse", "oblivious_scan", "wraps", "kernel"):
        if not isinstance(getattr(caps, flag), bool):
            raise TypeError(f"{name}: {flag} must be True or False; got "
                            f"{getattr(caps, flag)!r}")
    for flag, allowed in (("lazy_sparse", LAZY_FAMILIES), ("oblivious_scan", SCAN_FAMILIES)):
        if getattr(caps, flag):
            if fam not in allowed:
                raise ValueError(f"{name}: {flag}=True needs family in {allowed}; got "
                                 f"family={fam!r}")
            _needs(name, f"family={fam!r}", cls, *FAMILY_NEEDS[fam])
    vhat = caps.vhat
    if isinstance(vhat, str):
        if vhat not in VHAT_KINDS:
            raise ValueError(f"{name}: vhat must be one of {', '.join(VHAT_KINDS)}, a "
                             f"callable vhat(opt, state, h) -> (vhat, alpha), or None; "
                             f"got {vhat!r}")
        _needs(name, f"vhat={vhat!r}", cls, *VHAT_KINDS[vhat])
    elif vhat is not None and not callable(vhat):
        raise TypeError(f"{name}: vhat must be a str, a callable or None; got {vhat!r}")
    if caps.beta1 is not None:
        if not isinstance(caps.beta1, str):
            raise TypeError(f"{name}: beta1 must be a hyperparameter name (or 'betas[0]') "
                            f"or None; got {caps.beta1!r}")
        _needs(name, f"beta1={caps.beta1!r}", cls, (beta1_hparam(caps.beta1)[0],), ())
    if caps.wraps:
        _needs(name, "wraps=True", cls, (), ("inner",))
        if vhat is not None or caps.beta1 is not None:
            raise ValueError(f"{name}: a wrapper (wraps=True) takes vhat and beta1 from its "
                             f"inner optimizer; declare neither")
    return caps


def beta1_hparam(path: str) -> tuple[str, int | None]:
    """``"betas[0]"`` -> ("betas", 0); ``"beta1"`` -> ("beta1", None)."""
    if path.endswith("]") and "[" in path:
        base, _, idx = path[:-1].partition("[")
        if idx.isdigit():
            return base, int(idx)
    return path, None


__all__ = ["Capabilities", "FAMILY_NEEDS", "LAZY_FAMILIES", "NONE", "SCAN_FAMILIES",
           "VHAT_KINDS", "beta1_hparam", "check"]
