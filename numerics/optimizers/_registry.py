"""The one registry of optimizers.

Each entry names an optimizer class, the defaults that distinguish the entry
(``"momentum"`` and ``"nag"`` are SGD with other defaults), its source in the
literature, and which frameworks implement which of its conventions.  The
shared tests iterate over :func:`names`, so registering is all it takes for a
new method to join every check.  What an optimizer supports (the recurrence the
engines use, lazy sparse catch-up, a loop-free scan, which second moment the
bounds read) is declared on its entry (:class:`~.capabilities.Capabilities`).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from . import capabilities as _caps
from ._core import Optimizer


@dataclass(frozen=True)
class Entry:
    """One registered optimizer."""

    name: str
    cls: type
    summary: str
    source: str
    defaults: dict[str, Any] = field(default_factory=dict)
    # framework -> how that framework's implementation maps to our options
    frameworks: dict[str, str] = field(default_factory=dict)
    caps: _caps.Capabilities = _caps.NONE

    def hparams(self):
        """The hyperparameter declarations (:class:`~._core.HParam`)."""
        return self.cls.hparams

    def make(self, **hyper: Any) -> Optimizer:
        return _build(self, hyper)


_REGISTRY: dict[str, Entry] = {}


def _build(entry: Entry, hyper: dict) -> Optimizer:
    sub = type(entry.cls.__name__, (entry.cls,), {
        "name": entry.name,
        "defaults": {**entry.cls.defaults, **entry.defaults},
        "__doc__": entry.cls.__doc__,
        "__module__": entry.cls.__module__,
        "registry_entry": entry,
    })
    return sub(**hyper)


def register(name: str, cls: type, *, summary: str, source: str,
             defaults: dict[str, Any] | None = None,
             frameworks: dict[str, str] | None = None,
             family: str | None = None, lazy_sparse: bool = False,
             oblivious_scan: bool = False, vhat: Any = None, beta1: str | None = None,
             wraps: bool = False, kernel: bool = False, replace: bool = False) -> Entry:
    r"""Add an optimizer to the registry under ``name``; return its :class:`Entry`.

    ``cls`` subclasses :class:`~._core.Optimizer` and defines ``hparams``,
    ``defaults``, ``State`` and the two hooks ``init_state(p)`` and
    ``step_rule(g, p, s, h)``; ``defaults`` here override the class's for this
    entry (``"amsgrad"`` is Adam with ``amsgrad=True``).  ``summary`` and
    ``source`` (paper, algorithm, equation) are shown by ``adamlab list``.
    The capabilities (``family``, ``lazy_sparse``, ``oblivious_scan``,
    ``vhat``, ``beta1``, ``wraps``, ``kernel``; see :mod:`.capabilities`) are declared
    here and checked against the class; nothing declared means the dense
    engine and the statistics every run has.  ``replace=True`` overwrites an
    existing entry of that name (else ValueError); :func:`unregister` removes
    one (e.g. at the end of a test).

    Once registered, the optimizer is built by ``make(name, **hyper)``, joins
    :func:`adamlab.numerics.simulate.run`, the regret experiment
    (``SeriesSpec(name)``, ``adamlab regret --plugin MODULE --optimizers
    name``) and the statistics its declarations allow.  Example -- a bare Yogi
    (Zaheer et al., NeurIPS 2018, Algorithm 2) in the user's own module, under its
    own name (the package's is ``"yogi"``, :mod:`.yogi`)::

        from typing import NamedTuple
        import numpy as np
        from adamlab.numerics import optimizers
        from adamlab.numerics.optimizers import HParam, Optimizer

        class YogiState(NamedTuple):
            step: int            # first field: the number of steps taken
            m: np.ndarray        # (R, d) first moment
            v: np.ndarray        # (R, d) second moment

        class Yogi(Optimizer):
            # m_t = b1 m + (1-b1) g;  v_t = v - (1-b2) sign(v - g^2) g^2;
            # theta_t = theta - lr m_t / (sqrt(v_t) + eps)
            hparams = (HParam("lr", "positive", "step size", schedulable=True),
                       HParam("betas", "betas", "(beta1, beta2)"),
                       HParam("eps", "nonneg", "added to sqrt(v)"))
            defaults = dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-3)
            State = YogiState

            def init_state(self, p):             # p: (R, d)
                return YogiState(0, np.zeros_like(p), np.zeros_like(p))

            def step_rule(self, g, p, s, h):     # h["lr"]: the value at step h.t
                b1, b2 = h["betas"]
                m = b1 * s.m + (1 - b1) * g
                g2 = g * g
                v = s.v - (1 - b2) * np.sign(s.v - g2) * g2
                new_p = p - h["lr"] * m / (np.sqrt(v) + h["eps"])
                return new_p, YogiState(s.step + 1, m, v)

        optimizers.register(
            "my-yogi", Yogi, summary="Yogi: additive second-moment update",
            source="Zaheer et al., NeurIPS 2018, Algorithm 2",
            family="yogi",                  # its own recurrence: the dense engine
            vhat=lambda opt, s, h: (s.v, h["lr"]),   # the bounds' vhat, alpha_t
            beta1="betas[0]")               # records sum_t beta1_t ... too

    after which ``optimizers.make("my-yogi", lr=0.1)`` and ``simulate.run(problem,
    "my-yogi", T)`` work, and ``run_experiment(problem, [SeriesSpec("my-yogi")], T)``
    plots it (no published bound is about it, so none is drawn).
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"register: name must be a non-empty str; got {name!r}")
    if not isinstance(cls, type) or not issubclass(cls, Optimizer):
        raise TypeError(f"{name}: cls must be a subclass of Optimizer; got {cls!r}")
    for arg, value in (("summary", summary), ("source", source)):
        if not isinstance(value, str):
            raise TypeError(f"{name}: {arg} must be a str; got {type(value).__name__}")
    if not isinstance(replace, bool):
        raise TypeError(f"{name}: replace must be True or False; got {replace!r}")
    if name in _REGISTRY and not replace:
        raise ValueError(f"optimizer {name!r} is registered twice (pass replace=True to "
                         f"overwrite it, or unregister({name!r}) first)")
    for arg, value in (("defaults", defaults), ("frameworks", frameworks)):
        if value is not None and not isinstance(value, dict):
            raise TypeError(f"{name}: {arg} must be a dict; got {type(value).__name__}")
    entry = _entry(name, cls, summary, source, defaults, frameworks, _caps.Capabilities(
        family=family, lazy_sparse=lazy_sparse, oblivious_scan=oblivious_scan, vhat=vhat,
        beta1=beta1, wraps=wraps, kernel=kernel))
    if name in _REGISTRY:
        unregister(name)
    _REGISTRY[name] = entry
    if "registry_entry" not in cls.__dict__:    # direct instances cls(...) read it
        cls.registry_entry = entry
    return entry


def _entry(name, cls, summary, source, defaults, frameworks, caps) -> Entry:
    """The checked Entry of ``cls`` (what :func:`register` and :func:`declare` share)."""
    if cls.init_state is Optimizer.init_state and cls._init is Optimizer._init or \
            cls.step_rule is Optimizer.step_rule and cls._step is Optimizer._step:
        raise TypeError(f"{name}: {cls.__name__} must define init_state(p) and "
                        f"step_rule(g, p, s, h)")
    entry = Entry(name, cls, summary, source, dict(defaults or {}), dict(frameworks or {}),
                  _caps.check(name, cls, caps))
    declared = {hp.name for hp in cls.hparams}
    unknown = set(entry.defaults) - declared
    if unknown:
        raise ValueError(f"{name}: defaults for unknown hyperparameters {sorted(unknown)}")
    missing = declared - set(cls.defaults) - set(entry.defaults)
    if missing:
        raise ValueError(f"{name}: no default for {sorted(missing)}")
    return entry


def declare(name: str, cls: type, *, summary: str, source: str, wraps: bool = False
            ) -> Entry:
    """Declare the capabilities of an optimizer class that is *not* listed in the registry
    (not in :func:`names`, not built by :func:`make`, not in the shared registry tests):
    its instances then read them (``opt.entry.caps``) as a registered one's do.  Used by
    the low-precision wrapper, whose float16/bfloat16 arithmetic has no exact-arithmetic
    reference; only ``wraps`` (statistics read through ``inner``) can be declared."""
    if not isinstance(cls, type) or not issubclass(cls, Optimizer):
        raise TypeError(f"{name}: cls must be a subclass of Optimizer; got {cls!r}")
    entry = _entry(name, cls, summary, source, None, None, _caps.Capabilities(wraps=wraps))
    cls.registry_entry = entry
    return entry


def unregister(name: str) -> Entry:
    """Remove ``name`` from the registry (e.g. a test's own optimizer); return its entry."""
    entry = get(name)
    del _REGISTRY[name]
    if entry.cls.__dict__.get("registry_entry") is entry:
        others = [e for e in _REGISTRY.values() if e.cls is entry.cls]
        if others:
            entry.cls.registry_entry = others[0]
        else:
            del entry.cls.registry_entry
    return entry


def entry_of(opt: Optimizer) -> Entry | None:
    """The registry entry of the optimizer ``opt`` (``opt.entry``), None if unregistered."""
    if not isinstance(opt, Optimizer):
        raise TypeError(f"opt must be an Optimizer; got {type(opt).__name__}")
    return opt.entry


def caps_of(opt: Optimizer) -> _caps.Capabilities:
    """The capabilities declared for ``opt`` (its entry's ``caps``); an optimizer whose
    class is not registered declares none (:data:`~.capabilities.NONE`)."""
    entry = entry_of(opt)
    return _caps.NONE if entry is None else entry.caps


def names() -> list[str]:
    """Names of all registered optimizers, in registration order."""
    return list(_REGISTRY)


def get(name: str) -> Entry:
    """The registry entry for ``name``; unknown names suggest close ones."""
    if isinstance(name, Optimizer):
        raise TypeError(f"name must be a registered optimizer's name (a str), got an "
                        f"{type(name).__name__} instance; register its class with "
                        f"adamlab.numerics.optimizers.register(...) and pass the name")
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    try:
        return _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name.lower(), _REGISTRY, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"unknown optimizer {name!r}{hint} "
                         f"(known: {', '.join(_REGISTRY)})") from None


def make(name: str, **hyper: Any) -> Optimizer:
    """Build the optimizer registered as ``name`` with the given hyperparameters."""
    return get(name).make(**hyper)
