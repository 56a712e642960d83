r"""A claim is one object: what it says, what it is about, and how it is decided.

A :class:`Claim` holds, in one place,

* ``id`` and ``source`` (paper, section, equation);
* ``text`` -- the statement as printed (up to notation);
* ``math`` -- the statement as mathematics: a SymPy relation (or a zero-argument
  function building one).  Its LaTeX (:meth:`Claim.latex`) is *generated* from it,
  never typed a second time;
* ``hypotheses`` -- SymPy relations (or short texts where a hypothesis is not a
  formula, e.g. "g_t is any sequence") under which the statement is claimed;
* ``quantifies`` -- what the statement is about (:class:`Quantifier`): the
  registry optimizer with its hyperparameters or schedules, and the class of games
  or problems;
* ``method`` -- the :class:`Method` that decides it, returning a
  :class:`~adamlab.proofs.verdict.Verdict` computed by adamlab's own machinery.

The published claims are data in :mod:`adamlab.proofs.claims` (one module per
paper); a user's claims are built the same way, from Python or from a TOML file
(:mod:`adamlab.proofs.user_claims`), and decided by :func:`adamlab.proofs.ledger.decide`.

Methods (each returns a verdict with its evidence):

:class:`Check`
    a claim-specific check ``fn(thorough=False) -> Verdict`` (a SymPy derivation, an
    exact witness, a simulation), labelled with the kind of argument it makes;
:class:`Search`
    the generic adversarial search of :mod:`adamlab.proofs.methods.search` over the
    hyperparameters inside the hypotheses and the games of the class, the worst case
    replayed at 50 digits with the registry's optimizer;
:class:`Symbolic`
    SymPy: ``lhs - rhs`` simplified under the hypotheses (``proved``), or a certified
    counterexample point (``refuted``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import sympy as sp

from .verdict import Verdict

#: the kinds of argument a method makes (shown in the ledger's JSON as ``method``)
METHOD_KINDS = ("symbolic", "induction", "witness", "search", "asymptotic", "mixed")

#: what a claim ID looks like
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


@dataclass(frozen=True)
class Assumption:
    """A condition on the algorithm that a theorem takes for granted: hyperparameter
    ``key`` equals ``value`` (every per-run value; a missing key counts as ``value``),
    checked only when ``when_scheduled`` (e.g. ``"betas[0]"``) names a schedule, if given."""

    text: str
    key: str
    value: Any
    when_scheduled: str | None = None


@dataclass(frozen=True)
class Quantifier:
    """What a claim quantifies over.

    ``optimizer`` -- a registry name (:func:`adamlab.numerics.optimizers.names`) or
    None for a statement about formulas only; ``hyper`` -- its hyperparameters or
    schedules as the claim fixes them (strings such as ``"alpha/sqrt(t)"`` or
    numbers); ``games`` -- the class of games or problems, in words (e.g.
    ``"linear losses on [-1,1]^d, d <= 2"``).

    For a regret bound that the regret plots draw on a run: ``family`` -- the
    recurrence family (declared on the registry entry, ``caps.family``) of the
    algorithms it analyses; ``selects`` -- hyperparameter values that pick the analysed
    algorithm inside the family (``{"amsgrad": True}``); ``assumes`` -- the
    :class:`Assumption` s on the algorithm that the theorem takes for granted.
    """

    optimizer: str | None = None
    hyper: Mapping[str, Any] = field(default_factory=dict)
    games: str = ""
    family: str | None = None
    selects: Mapping[str, Any] = field(default_factory=dict)
    assumes: tuple[Assumption, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out = {"optimizer": self.optimizer,
               "hyper": {k: (v if isinstance(v, (int, float, str, bool)) or v is None
                             else str(v)) for k, v in self.hyper.items()},
               "games": self.games}
        if self.family is not None:
            out.update(family=self.family, selects=dict(self.selects),
                       assumes=[a.text for a in self.assumes])
        return out


class Method:
    """Decides a claim: :meth:`decide` returns a :class:`Verdict` for ``claim.id``."""

    kind: str = "mixed"

    def decide(self, claim: "Claim", thorough: bool = False) -> Verdict:  # pragma: no cover
        raise NotImplementedError

    def describe(self) -> str:
        return self.kind


@dataclass(frozen=True)
class Check(Method):
    """A claim-specific check ``fn(thorough=False) -> Verdict``; ``kind`` says how it argues."""

    fn: Callable[..., Verdict]
    kind: str = "mixed"

    def __post_init__(self):
        if not callable(self.fn):
            raise TypeError(f"fn must be callable; got {type(self.fn).__name__}")
        if self.kind not in METHOD_KINDS:
            raise ValueError(f"kind must be one of {METHOD_KINDS}; got {self.kind!r}")

    def decide(self, claim: "Claim", thorough: bool = False) -> Verdict:
        return self.fn(thorough=thorough)

    def describe(self) -> str:
        return f"{self.kind} ({self.fn.__module__.rsplit('.', 1)[-1]}.{self.fn.__name__})"


def _build(value):
    return value() if callable(value) and not isinstance(value, sp.Basic) else value


@dataclass(frozen=True, eq=False)
class Claim:
    """One claim (see the module docstring for the fields)."""

    id: str
    source: str
    text: str
    math: Any
    method: Method
    hypotheses: Any = ()
    quantifies: Quantifier = field(default_factory=Quantifier)
    note: str = ""

    def __post_init__(self):
        for name in ("id", "source", "text"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise TypeError(f"Claim.{name} must be a non-empty str; got {value!r}")
        if not ID_PATTERN.match(self.id):
            raise ValueError(f"Claim.id must be lower-case letters, digits and . _ - "
                             f"(e.g. 'my.bound-1'); got {self.id!r}")
        if not isinstance(self.method, Method):
            raise TypeError(f"Claim.method of {self.id} must be a Method (Check, Search, "
                            f"Symbolic, Asymptotic); got {type(self.method).__name__}")
        if not isinstance(self.quantifies, Quantifier):
            raise TypeError(f"Claim.quantifies of {self.id} must be a Quantifier; got "
                            f"{type(self.quantifies).__name__}")

    # ---- the statement ---------------------------------------------------------------------
    @property
    def statement(self) -> str:
        """The statement as printed (the same as :attr:`text`)."""
        return self.text

    def expr(self) -> sp.Basic:
        """The statement as a SymPy object."""
        out = _build(self.math)
        if not isinstance(out, sp.Basic):
            raise TypeError(f"the math of {self.id} must build a SymPy object; got "
                            f"{type(out).__name__}")
        return out

    def hypothesis_list(self) -> tuple:
        """The hypotheses: SymPy relations, or strings for conditions in words."""
        return tuple(_build(self.hypotheses))

    def latex(self) -> str:
        r"""The statement in LaTeX, generated from :meth:`expr`, followed by the hypotheses."""
        from adamlab.theory.regret.quantities import latex as tex
        body = tex(self.expr())
        hyps = [text_tex(h) if isinstance(h, str) else tex(h) for h in self.hypothesis_list()]
        return body + (r"\qquad\text{if } " + r",\ ".join(hyps) if hyps else "")

    # ---- the ledger row ---------------------------------------------------------------------
    def to_json(self, verdict: Verdict) -> dict[str, Any]:
        """The ledger's JSON row for ``verdict`` (this claim's)."""
        if not isinstance(verdict, Verdict) or verdict.claim_id != self.id:
            raise ValueError(f"verdict must be a Verdict for {self.id}; got {verdict!r}")
        return {"id": self.id, "source": self.source, "verdict": verdict.verdict,
                "statement": self.latex(), "statement_text": self.text,
                "summary": verdict.summary, "evidence": verdict.evidence,
                "corrected": verdict.corrected, "method": self.method.describe(),
                "quantifies": self.quantifies.to_json()}


_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "_": r"\_", "^": r"\^{}", "#": r"\#", "%": r"\%",
                 "&": r"\&", "$": r"\$", "{": r"\{", "}": r"\}", "~": r"\~{}"}


def text_tex(words: str) -> str:
    r"""``words`` as LaTeX ``\text{...}``, with the characters special to TeX escaped."""
    if not isinstance(words, str):
        raise TypeError(f"words must be a str; got {type(words).__name__}")
    return r"\text{" + "".join(_TEXT_ESCAPES.get(ch, ch) for ch in words) + "}"


__all__ = ["ID_PATTERN", "METHOD_KINDS", "Assumption", "Check", "Claim", "Method", "Quantifier", "text_tex"]
