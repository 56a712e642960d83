r"""Render a step-checked proof as Markdown with LaTeX (``adamlab prove ID``, issue 6 §3).

:func:`render_proof` builds the proof (:mod:`adamlab.proofs.steps.kb`,
:mod:`adamlab.proofs.steps.rkk`), runs every step's check *now*
(:func:`adamlab.proofs.steps.proof.evaluate`: ledger verdicts from
:func:`adamlab.proofs.ledger.decide`, local SymPy / exact / 50-digit checks) and
writes, for each step: the statement (display math ``$$...$$`` on lines of its
own), why it should hold, what checked it and with which result, and -- where the
step fails -- where it breaks and the witness that shows it.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from .. import claims
from . import proof as pf
from . import kb as proof_kb, parts as proof_parts, rkk as proof_rkk

_BUILDERS = {"kb.thm4.1": lambda: proof_kb.build(), "rkk.thm4": lambda: proof_rkk.build(),
             **{i: (lambda i=i: proof_parts.build(i)) for i in proof_parts.ids()}}

MEANING = {
    "proved": "derived symbolically (SymPy) under the stated hypotheses",
    "verified": "checked numerically on the stated inputs, within the stated tolerance",
    "refuted": "false as printed: a concrete witness violates it (exact or >= 50 digits)",
    "refuted-as-stated": "false as printed (a witness violates it); a corrected statement holds",
    "unproved": "the local check neither proved it nor found a violation",
    "pending": "the ledger has not decided this claim (no check yet, or no decision)",
    "error": "the check itself failed to run (a bug, not a verdict)",
}
_ESC = str.maketrans({c: "\\" + c for c in "\\`*_$"})
_MAX_ITEMS = 8


def proof_ids() -> list[str]:
    """The claim IDs that have a step-checked proof."""
    return list(_BUILDERS)


def _text(s: Any) -> str:
    """Plain text (ledger summaries, check details) made inert for Markdown."""
    return re.sub(r"<(?=[A-Za-z/!?])", r"\\<", " ".join(str(s).split()).translate(_ESC))


def _cell(s: Any) -> str:
    return _text(s).replace("|", "\\|")


def _code(v: Any) -> str:
    s = v if isinstance(v, str) else json.dumps(v)
    return "`" + s.replace("`", "'") + "`"


def _value(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        if len(v) > _MAX_ITEMS:
            shown = ", ".join(_code(x) for x in v[:_MAX_ITEMS - 2])
            return f"[{shown}, …, {_code(v[-1])}] ({len(v)} values)"
        return "[" + ", ".join(_code(x) for x in v) + "]"
    return _code(v)


def _sides(w: dict, evidence: dict) -> tuple[Any, Any]:
    cert = w.get("certificate") if isinstance(w.get("certificate"), dict) else {}
    lhs = w.get("lhs", evidence.get("lhs", cert.get("lhs", cert.get("lhs_at_least"))))
    rhs = w.get("rhs", evidence.get("rhs", cert.get("rhs", cert.get("rhs_at_most"))))
    return lhs, rhs


def _witness(w: Any, evidence: dict) -> list[str]:
    out = ["**Witness** (re-run it from these values):", ""]
    if not isinstance(w, dict):
        return out + ["```json", json.dumps(w, indent=1, default=str)[:2000], "```", ""]
    inst = w.get("instance")
    shown = set()
    if isinstance(inst, dict):
        out += [f"- {_code(k)} = {_value(v)}" for k, v in inst.items()]
        shown.add("instance")
    for k, v in w.items():
        if k in shown or k in ("lhs", "rhs", "certificate", "note", "rerun", "claim"):
            continue
        if isinstance(v, (str, int, float, bool)) or (isinstance(v, list) and all(
                isinstance(x, (str, int, float)) for x in v)):
            out.append(f"- {_code(k)} = {_value(v)}")
        elif isinstance(v, dict) and all(isinstance(x, (str, int, float)) for x in v.values()):
            out.append(f"- {_code(k)}: " + ", ".join(f"{_code(a)} = {_value(b)}"
                                                     for a, b in v.items()))
    lhs, rhs = _sides(w, evidence)
    if lhs is not None and rhs is not None:
        out.append(f"- left side = {_code(lhs)}, right side = {_code(rhs)} (both sides of the "
                   "statement as the check evaluated them)")
    if isinstance(w.get("certificate"), dict) and "hypotheses" in w["certificate"]:
        hy = w["certificate"]["hypotheses"]
        if isinstance(hy, dict):
            out.append("- hypotheses checked on the witness: " + "; ".join(
                f"{_text(k)}: {'yes' if ok else 'NO'}" for k, ok in hy.items()))
    if w.get("note"):
        out.append(f"- why this input: {_text(w['note'])}")
    if w.get("rerun"):
        out.append(f"- re-run: {_code(w['rerun'])}")
    if len(out) == 2:
        out += ["```json", json.dumps(w, indent=1, default=str)[:2000], "```"]
    return out + [""]


def _link(r: pf.StepResult) -> str:
    if r.link == "local":
        return "local check"
    return f"ledger {_code(r.link)}"


def _step(n: int, r: pf.StepResult) -> list[str]:
    s = r.step
    out = [f"## Step {n}. {s.title} — {r.status}", ""]
    if s.source:
        out += [f"*Source:* {_text(s.source)}", ""]
    out += ["$$", s.latex, "$$", "", f"**Why it should hold.** {s.why}", ""]
    if r.link == "local":
        how = "a local check run now"
    else:
        how = (f"the ledger's verdict on claim {_code(r.link)} "
               f"({_text(claims.get(r.link).source)}), decided now")
    out += [f"**Status: {r.status}** ({MEANING[r.status]}). Checked by {how}: "
            f"{_text(r.detail)}", ""]
    if r.fails and s.on_failure:
        out += [f"**Where it breaks.** {s.on_failure}", ""]
    if r.witness is not None and r.status in ("refuted", "refuted-as-stated"):
        out += _witness(r.witness, r.evidence)
    if r.corrected:
        out += [f"**What holds instead.** {_text(r.corrected)}", ""]
    for c, (verdict, summary) in r.related.items():
        out += [f"*See also* {_code(c)} ({_text(claims.get(c).source)}): **{verdict}** — "
                f"{_text(summary)}", ""]
    return out


def render_proof(claim_id: str, *, thorough: bool = False) -> str:
    """The proof of ``claim_id`` as Markdown with LaTeX, every step checked now.

    ``claim_id`` must be one of :func:`proof_ids`; ``thorough`` runs the ledger's
    longer searches and the local checks' larger grids.
    """
    if not isinstance(claim_id, str):
        raise TypeError(f"claim_id must be a str, got {type(claim_id).__name__}")
    if claim_id not in _BUILDERS:
        raise ValueError(f"claim_id must be one of {', '.join(proof_ids())}; got {claim_id!r}")
    if not isinstance(thorough, bool):
        raise TypeError(f"thorough must be a bool, got {type(thorough).__name__}")
    proof = _BUILDERS[claim_id]()
    results = pf.evaluate(proof, thorough=thorough)
    spec = claims.get(proof.claim_id)
    out = [f"# {proof.title}: the proof, step by step", "",
           f"*Source:* {_text(proof.source)}. *Claim* {_code(spec.id)} ({_text(spec.source)}):",
           "", "$$", claims.latex(spec.id), "$$", "", proof.intro, "",
           "Each step below was checked when this page was generated: a step linked to a "
           "ledger claim shows that claim's verdict (`adamlab check ID`); a local step shows "
           "what its own check (SymPy, or exact / 50-digit arithmetic on stated inputs) found.",
           "", "## The steps at a glance", "", "| # | step | checked by | status |",
           "|---|---|---|---|"]
    for n, r in enumerate(results, 1):
        out.append(f"| {n} | {_cell(r.step.title)} | {_link(r)} | **{r.status}** |")
    out.append("")
    for n, r in enumerate(results, 1):
        out += _step(n, r)
    counts = Counter(r.status for r in results)
    failing = [n for n, r in enumerate(results, 1) if r.fails]
    out += ["## Summary", "",
            f"{len(results)} steps: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            + ".", ""]
    if failing:
        out += ["Steps that do not hold as printed: " + ", ".join(
            f"{n} ({_text(results[n - 1].step.title)})" for n in failing) + ".", ""]
    last = results[-1]
    if last.step.claim == proof.claim_id:
        if last.status in ("proved", "verified"):
            verdict = ("so the statement survives on what was checked even though the published "
                       "argument does not establish it" if failing else "and no step above fails")
        elif last.status in ("refuted", "refuted-as-stated"):
            verdict = "so the statement itself is false as printed"
        else:
            verdict = "so the statement itself is still undecided"
        out += [f"The theorem itself ({_code(proof.claim_id)}): **{last.status}**, decided by "
                f"the ledger independently of the steps, {verdict}.", ""]
    pending = [n for n, r in enumerate(results, 1) if r.status == "pending"]
    if pending:
        out += ["Steps still pending a ledger check: " + ", ".join(map(str, pending)) + ".", ""]
    if not failing and not pending:
        out += ["Every step holds as checked.", ""]
    out += ["Statuses: " + "; ".join(f"**{k}**: {v}" for k, v in MEANING.items()) + ".", ""]
    return "\n".join(out)


__all__ = ["MEANING", "proof_ids", "render_proof"]
