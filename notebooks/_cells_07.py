"""Cells of notebook 7: precision -- the same Adam run in float64, float32, bfloat16 and
float16, where the runs part, and why (issue 20)."""
STEM = "07_precision"
CELLS = [
("md", r"""
# 7 · Precision

Every run in notebooks 1–6 was computed in float64. Models are trained in float32,
bfloat16 and float16, and Adam behaves differently there: updates that are too small for
the parameter they are added to vanish, a moving average that should decay stays put, a
large squared gradient overflows, and the famous $\epsilon = 10^{-8}$ does not exist in
float16.

The toolkit has the machinery to watch this happen:

* `adamlab.numerics.optimizers.precision.low_precision(opt, storage=..., accumulate=...,
  rounding=..., kahan=...)` wraps any optimizer: its parameters and state are **stored** in
  float16, bfloat16 or float32, each update is **computed** by the optimizer's own rule in
  float32 or float64 and rounded back (round to nearest, or stochastic rounding; optional
  Kahan compensation of the parameters). Its state counts the updates that were rounded
  away (`flushed`) and the first non-finite step (`nonfinite`).
* `adamlab.numerics.precision_report.compare(problem, optimizer, T, ...)` plays a problem
  twice, in float64 and wrapped, and reports how far the wrapped run drifts;
  `drift_report(ref, low)` makes the same report from two runs already played.
* the claims ledger decides the float16 $\epsilon$ question (`prec.adam-eps-fp16`) with
  every operation rounded to float16.

**Every number below is computed when the notebook runs.**
"""),
("code", r"""
%matplotlib inline
import re
from fractions import Fraction

import ml_dtypes
import numpy as np
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from adamlab.numerics import optimizers, problems, simulate
from adamlab.numerics.optimizers.precision import (low_precision, round_to, storage_dtype,
                                                   unit_roundoff)
from adamlab.numerics.precision_report import compare, drift_report
from adamlab.proofs import claims, ledger

DTYPES = ["float64", "float32", "bfloat16", "float16"]
LOW = DTYPES[1:]                                  # the storage dtypes of low_precision
COLOR = {"float64": "k", "float32": "C0", "bfloat16": "C1", "float16": "C3"}


def dtype_of(name):
    return np.dtype(np.float64) if name == "float64" else storage_dtype(name)


def stored(x, name):
    # x rounded to the dtype `name` (round to nearest even), returned as float64
    return round_to(np.asarray(x, dtype=np.float64), dtype_of(name))


def md_escape(text):
    return re.sub(r"([\\`*_{}\[\]<>|$#])", r"\\\1", str(text))
"""),
("md", r"""
## 7.1 Four number formats

A binary floating-point format with a $p$-bit significand (the leading bit included)
rounds a real number $x$ in its range to $\mathrm{fl}(x) = x(1+\delta)$ with
$|\delta| \le u = 2^{-p}$, the **unit roundoff**. Near $x$ the representable numbers are
between $u|x|$ and $2u|x|$ apart, so a change to $x$ smaller than $u|x|/2$ is always lost
and one larger than $u|x|$ always survives. Below the smallest *normal* number the spacing
stops shrinking (subnormals), and below half the smallest *subnormal* everything rounds
to 0.

bfloat16 keeps float32's exponent range with a much shorter significand; float16 has a
longer significand than bfloat16 but a far smaller range.
"""),
("code", r"""
def exponent(x):
    return f"2^{int(np.log2(x))}"


rows = ["| dtype | significand bits p | unit roundoff u | smallest subnormal | smallest normal "
        "| largest | fl(1e-8) |", "|---|---|---|---|---|---|---|"]
U = {}
for name in DTYPES:
    fi = ml_dtypes.finfo(dtype_of(name))
    U[name] = unit_roundoff(name) if name in LOW else float(fi.eps) / 2   # eps = 2^(1-p)
    p = fi.nmant + 1
    eps8 = float(stored(1e-8, name)[()])
    rows.append(f"| {name} | {p} | {exponent(U[name])} = {U[name]:.3g} | "
                f"{float(fi.smallest_subnormal):.3g} | {float(fi.smallest_normal):.3g} | "
                f"{float(fi.max):.4g} | {eps8:.6g} |")
display(Markdown("\n".join(rows)))
half_sub = float(ml_dtypes.finfo(np.float16).smallest_subnormal) / 2
print(f"float16: 1e-8 < {half_sub:.3g} (half the smallest subnormal), so fl16(1e-8) = "
      f"{float(np.float16(1e-8))};  bfloat16 has float32's range: fl(1e-8) = "
      f"{float(stored(1e-8, 'bfloat16')[()]):.6g}")
"""),
("md", r"""
So in float16, Adam's default $\epsilon$ **is zero** — §7.4 shows what the ledger makes of
that. In bfloat16 it survives, rounded to bfloat16's short significand.

What does $u$ mean for an optimizer? A parameter $\theta$ moves by an update $\Delta$ only
if $|\Delta|$ is at least half the spacing of the numbers at $\theta$ (between
$u|\theta|/2$ and $u|\theta|$). Adam's update has magnitude about $\alpha$ (notebook 2), so
with its default $\alpha$ a parameter stops moving in a low precision once $|\theta|$ is
between $\alpha/u$ and $2\alpha/u$. The table asks the format directly: is
$\mathrm{fl}(\theta - \alpha) \neq \theta$?
"""),
("code", r"""
ALPHA = optimizers.make("adam").hyper["lr"]
THETAS = [0.01, 0.1, 0.3, 0.7, 1.5, 3.0, 10.0, 100.0]
rows = ["| dtype | alpha/u | " + " | ".join(f"theta = {x:g}" for x in THETAS) + " |",
        "|---|---|" + "---|" * len(THETAS)]
for name in DTYPES:
    th = stored(THETAS, name)
    moves = stored(th - ALPHA, name) != th
    rows.append(f"| {name} | {ALPHA / U[name]:.3g} | "
                + " | ".join("moves" if m else "**stuck**" for m in moves) + " |")
display(Markdown(f"Does one step of size alpha = {ALPHA:g} change a stored theta?\n\n"
                 + "\n".join(rows)))
"""),
("md", r"""
## 7.2 The same Adam run in four precisions

Reddi, Kale & Kumar's online problem `rkk-online` (notebooks 4 and 5), Adam with its
defaults, played in float64 and with parameters and state stored in float32, bfloat16 and
float16 (`low_precision(..., accumulate="float32")`: each update is computed in float32,
as mixed-precision training does). Left: the iterates. Right: the drift that
`drift_report` (the report of `compare`) computes from these runs, the running maximum
of $|\theta^{low}_t - \theta^{64}_t| / \max(|\theta^{64}_t|, 1)$, with a dashed guide per
dtype: $u\,t\,\max_s|\theta^{64}_s|$, what the parameter's own rounding errors (at most
$u|\theta|$ a step) would add up to if they all went the same way — a guide, not a bound:
errors in the state are not counted in it.
"""),
("code", r"""
PROBLEM, T = "rkk-online", 300
KW = dict(engine="dense", record_iterates=True, stats=False, progress=False)
RUN = {"float64": simulate.run(PROBLEM, "adam", T, 1, 0, **KW)}
for name in LOW:
    lowp = low_precision("adam", storage=name, nonfinite="freeze")   # as compare() plays it
    RUN[name] = simulate.run(PROBLEM, lowp, T, 1, 0, **KW)
REP = {name: drift_report(RUN["float64"], RUN[name]) for name in LOW}
scale = float(np.max(np.abs(RUN["float64"].iterates)))

t = np.arange(1, T + 1)
fig, axes = plt.subplots(1, 2, figsize=(13, 4.2))
for name in DTYPES:
    axes[0].plot(t, RUN[name].iterates[:, 0, 0], color=COLOR[name], label=name,
                 lw=2.2 if name == "float64" else 1, ls="--" if name == "float32" else "-")
axes[0].set_xlabel("step t"); axes[0].set_ylabel(r"$\theta_t$")
axes[0].set_title(f"Adam on {PROBLEM} (defaults), stored in each dtype", fontsize=10)
axes[0].legend(fontsize=8, loc="upper left")


def positive(y):
    # a log axis cannot show the zero drift of the first step
    return np.where(y > 0, y, np.nan)


for name in LOW:
    r = REP[name]
    axes[1].loglog(r["drift_t"], positive(r["drift_series"]), color=COLOR[name], lw=1.6,
                   label=f"{name}: drift")
    axes[1].loglog(r["drift_t"], U[name] * r["drift_t"] * scale, color=COLOR[name], ls="--",
                   lw=0.9, label=rf"{name}: $u\,t\,\max|\theta|$")
axes[1].set_xlabel("step t"); axes[1].set_ylabel("running max of the relative error")
axes[1].set_title("drift from the float64 run (drift_report)", fontsize=10)
axes[1].legend(fontsize=8, loc="lower right", ncol=2)
plt.tight_layout(); plt.show()
"""),
("md", r"""
float32 follows float64 far below the width of a line, and float16 stays close. **bfloat16
parts**: it climbs more slowly between the spikes, and the gap grows period by period. The
table: `first_nonfinite`, `flushed` (parameter updates rounded away) and the drift from
the report, the drift at $T$ against the guide, and the moments $m_T$, $v_T$ that each run
ends with (read from the run's final state) with their relative errors.
"""),
("code", r"""
rows = ["| storage | first non-finite step | flushed updates | drift (max) | drift at T "
        "| drift at T / guide | m_T (rel. error) | v_T (rel. error) |",
        "|---|---|---|---|---|---|---|---|"]
fs = RUN["float64"].final_state
m64, v64 = fs.m[0, 0], fs.v[0, 0]
rows.append(f"| float64 (reference) | – | – | – | – | – | {m64:.6g} | {v64:.6g} |")
for name in LOW:
    r, st = REP[name], RUN[name].final_state
    m, v = st.inner.m[0, 0], st.inner.v[0, 0]
    rows.append(f"| {name} | {r['first_nonfinite']} | {r['flushed']} | {r['drift']:.3g} | "
                f"{r['final_drift']:.3g} | {r['final_drift'] / (U[name] * T * scale):.2g} | "
                f"{m:.6g} ({abs(m - m64) / abs(m64):.1e}) | {v:.6g} ({abs(v - v64) / v64:.1e}) |")
display(Markdown(f"T = {T} steps\n\n" + "\n".join(rows)))
"""),
("md", r"""
Few parameter updates are rounded away (`flushed`), and the drifts stay below the guides.
The largest error is elsewhere: bfloat16's second moment $v_T$ is much further from
float64's than its $m_T$ — the trouble is in the state, not in the parameter. §7.3
explains it.

**Range.** float16's largest number is small (§7.1). `rkk-online`'s rare gradient is $C$,
once a period; the second moment takes $(1-\beta_2)C^2$ at once and keeps most of it until
the next spike. With a larger $C$ the float16 run stops being finite (`compare` freezes the
run and reports the step), and bfloat16, with float32's range, does not:
"""),
("code", r"""
BETA1, BETA2 = optimizers.make("adam").hyper["betas"]
PERIOD = problems.make(PROBLEM).period
fmax = float(ml_dtypes.finfo(np.float16).max)
print(f"spikes of {PROBLEM} at t = 1, {1 + PERIOD}, ...;  float16 max = {fmax:g}")
for C in (7000.0, 10000.0):
    rep = {name: compare(PROBLEM, "adam", PERIOD + 2, 1, 0, storage=name,
                         problem_params={"C": C}) for name in ("float16", "bfloat16")}
    print(f"C = {C:g}: (1 - beta2) C^2 = {(1 - BETA2) * C * C:.4g};  "
          + ", ".join(f"{n}: first non-finite step {r['first_nonfinite']}"
                      for n, r in rep.items()))
"""),
("md", r"""
## 7.3 Where they part: updates that round away

A stored value $x$ keeps a change only when it is at least about $u|x|/2$ to $u|x|$
(§7.1). The wrapper counts the parameter updates that were lost (`flushed`), but the same
rounding hits the **state**. Adam's second moment is updated by

$$v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 .$$

Between two of `rkk-online`'s spikes $g_t^2$ is small against $v$, so $v$ should decay by a
factor $\beta_2$ a step, a change of $(1-\beta_2)v$. If that is below half the spacing at
$v$ — always when $1-\beta_2 < u/2$ — the product $\beta_2 v$ **rounds back to $v$**: the
average never decays, it only grows at the spikes. Then $\hat v$ is too large, Adam's steps
too short, and the iterates climb too slowly — the bfloat16 curve of §7.2. Asked of each
format with the float64 run's $v_T$:
"""),
("code", r"""
v64 = RUN["float64"].final_state.v[0, 0]
rows = ["| dtype | u | 1 - beta2 | v stored | fl(beta2 * v) | the EMA decays? |",
        "|---|---|---|---|---|---|"]
for name in DTYPES:
    v = stored(v64, name)[()]
    w = stored(BETA2 * v, name)[()]
    rows.append(f"| {name} | {U[name]:.3g} | {1 - BETA2:.3g} | {v:.8g} | {w:.8g} | "
                f"{'yes' if w != v else '**no**'} |")
display(Markdown("\n".join(rows)))
print(f"first moment: 1 - beta1 = {1 - BETA1:.3g} is above every u, so m decays in every format")
"""),
("md", r"""
**Remedies.** Two standard ones are in the wrapper:

* **Kahan compensation** (`kahan=True`) keeps, in the accumulator dtype, the part $c$ of
  each parameter update that rounding threw away, and adds it back on the next step:
  $s = \theta + (\Delta + c)$, $\theta' = \mathrm{fl}(s)$, $c' = s - \theta'$. The stored
  parameter is then always within half a spacing of the exact sum.
* **Stochastic rounding** (`rounding="stochastic"`) rounds up or down at random with the
  probabilities that make $E[\mathrm{fl}(x)] = x$: small updates are kept *on average*. It
  applies to every stored array, the state included.

Left: SGD with a constant gradient $g = 1$ from $\theta_0 = 1$ with a step $\alpha$ below
half the spacing of bfloat16 at 1 — round to nearest never moves. Right: Adam on
`rkk-online` in bfloat16 again, with the two remedies (`drift_report` against the float64
run of §7.2), and the second moment $v_T$ each run ends with.
"""),
("code", r"""
ETA, STEPS, R = 1e-3, 200, 8
sgd = optimizers.make("sgd", lr=ETA)
variants = {
    "float64 (reference)": sgd,
    "bfloat16, nearest": low_precision(sgd, storage="bfloat16"),
    "bfloat16, stochastic": low_precision(sgd, storage="bfloat16", rounding="stochastic", seed=7),
    "bfloat16, Kahan": low_precision(sgd, storage="bfloat16", kahan=True),
}
paths, flushed = {}, {}
g = np.ones((R, 1))
for label, opt in variants.items():
    p = np.ones((R, 1)); s = opt.init(p); out = [p[:, 0]]
    for _ in range(STEPS):
        p, s = opt.update(g, s, p)
        out.append(p[:, 0])
    paths[label] = np.array(out)
    flushed[label] = getattr(s, "flushed", None)

gap = 1.0 - float(np.nextafter(ml_dtypes.bfloat16(1), ml_dtypes.bfloat16(0)))
fig, axes = plt.subplots(1, 2, figsize=(13, 4.2))
ks = np.arange(STEPS + 1)
styles = {"float64 (reference)": ("k", 2.5, "-"), "bfloat16, nearest": ("C1", 2, "-"),
          "bfloat16, stochastic": ("C2", 0.7, "-"), "bfloat16, Kahan": ("C4", 1.5, "--")}
for label, path in paths.items():
    color, lw, ls = styles[label]
    runs = range(R) if "stochastic" in label else [0]
    for r in runs:
        axes[0].plot(ks, path[:, r], color=color, lw=lw, ls=ls,
                     label=label + (f" ({R} runs)" if "stochastic" in label else "")
                     if r == 0 else None)
axes[0].set_xlabel("step"); axes[0].set_ylabel(r"$\theta$")
axes[0].set_title(f"SGD, g = 1, alpha = {ETA:g} < half the bfloat16 spacing below 1 "
                  f"({gap / 2:.3g})", fontsize=10)
axes[0].legend(fontsize=8)

REMEDY_RUN = {"nearest": RUN["bfloat16"]}
for label, kw in (("Kahan", dict(kahan=True)), ("stochastic", dict(rounding="stochastic"))):
    lowp = low_precision("adam", storage="bfloat16", seed=7, nonfinite="freeze", **kw)
    REMEDY_RUN[label] = simulate.run(PROBLEM, lowp, T, 1, 0, **KW)
for (label, run), color in zip(REMEDY_RUN.items(), ("C1", "C4", "C2")):
    r = drift_report(RUN["float64"], run)
    axes[1].loglog(r["drift_t"], positive(r["drift_series"]), color=color, lw=1.6,
                   label=f"bfloat16, {label}: error at T {r['final_drift']:.2g}, "
                         f"v_T = {run.final_state.inner.v[0, 0]:.6g}")
axes[1].loglog(REP["float16"]["drift_t"], positive(REP["float16"]["drift_series"]),
               color="C3", lw=1, ls=":", label="float16, nearest (for scale)")
axes[1].set_xlabel("step t"); axes[1].set_ylabel("running max of the relative error")
axes[1].set_title(f"Adam on {PROBLEM}: drift from float64 (v_T in float64: {v64:.6g})",
                  fontsize=10)
axes[1].legend(fontsize=8, loc="lower right")
plt.tight_layout(); plt.show()
for label, f in flushed.items():
    if f is not None:
        print(f"{label:22s} steps whose stored update was 0, per run: {f[:, 0].tolist()}")
"""),
("md", r"""
On the constant gradient, round to nearest loses every update (the `flushed` counter
equals the number of steps); Kahan's compensation follows the float64 line within a
spacing; stochastic rounding follows it on average, with an error that grows like a random
walk. Under both remedies most steps still store a zero update (the counters above): the
update is not lost but *deferred*, in the compensation or in the odds of the next rounding.

On Adam the two remedies part ways: Kahan compensation repairs only the **parameter**
update, and bfloat16's trouble here is the second moment, which Kahan does not touch — its
$v_T$ and its drift stay with round to nearest. Stochastic rounding rounds $\beta_2 v$ down
often enough that $v$ decays on average ($v_T$ in the legend), and the bfloat16 run ends
much closer to float64 — noisier at first, but without the systematic drift.

## 7.4 The ledger: is $\epsilon = 10^{-8}$ a zero divisor in float16?

The question comes from optax issue #1754 and pytorch issue #147437. The ledger's claim
`prec.adam-eps-fp16` reads it as torch.optim.Adam's update (the printed rule, transcribed
in `adamlab.proofs.claims.algorithms`, not adamlab's own optimizer) with **every operation
rounded to float16**, and "divides by zero" as any floating-point exception in a step.
Its method replays the rule on a run whose first gradient is 0 and on one with nonzero
gradients, with exceptions raised:
"""),
("code", r"""
CID = "prec.adam-eps-fp16"
claim = claims.get(CID)
verdict = ledger.decide(CID)
display(Markdown(f"**{CID}** — *{md_escape(claim.source)}*\n\n"
                 f"**Claim.** {md_escape(claim.text)}\n\n**Reading.** "
                 f"{md_escape(verdict.evidence['reading'])}\n\n**Verdict: {verdict.verdict}**"))
rows = ["| part | role | verdict | summary |", "|---|---|---|---|"]
for part in verdict.evidence["parts"]:
    rows.append(f"| {md_escape(part['label'])} | {part['role']} | {part['verdict']} | "
                f"{md_escape(part['summary'])} |")
display(Markdown("\n".join(rows)))
"""),
("md", r"""
The witness is one step with the gradient 0. Its certificate is the exact value of each
parameter after rounding to float16 — $\epsilon$ among them. Re-running it with the claim's
own method (`LowPrecision.replay`), and the same run with the representable $\epsilon$
of the claim's second part:
"""),
("code", r"""
w = verdict.evidence["witness"]
print("witness params:", w["params"], " grads:", w["grads"], " dtype:", w["dtype"])
refuted = next(p for p in verdict.evidence["parts"]
               if p["label"] == verdict.evidence["refuted_part"])
cert = refuted["evidence"]["certificate"]
print(f"the claim's inequality at the witness: fl16(eps) = {cert['epsilon']} > 0 is "
      f"{Fraction(cert['epsilon']) > 0}   (ledger sides: lhs {verdict.evidence['lhs'][:8]}, "
      f"rhs {verdict.evidence['rhs'][:8]})")
method = {p.label: p.method for p in claim.method.parts}
first = method[verdict.evidence["refuted_part"]]
print("\nreplay of the witness:", first.replay(w["params"], w["grads"]))
other = next(m for m in method.values() if m is not first and m.dtype == "float16")
eps_ok = other.runs[0][1]["epsilon"]
print(f"with eps = {eps_ok}:", other.replay({**w["params"], "epsilon": eps_ok}, w["grads"]))
print("\ncorrected statement:", verdict.corrected)
"""),
("md", r"""
The claim holds only under a reading the question did not state. Compare the
mixed-precision setting of §7.2: `low_precision` *stores* in float16 but *computes* each
update in float32, where $\epsilon = 10^{-8}$ is not zero, so the same zero-gradient first
step is finite. adamlab's own Adam goes further: a coordinate that has seen only zero
gradients takes a zero step by definition ($0/0 := 0$), even with $\epsilon = 0$ —
a convention that torch's rule, as the ledger transcribes it, does not have:
"""),
("code", r"""
opt16 = low_precision("adam", storage="float16", accumulate="float32")
p0 = np.ones((1, 1)); s0 = opt16.init(p0)
p1, s1 = opt16.update(np.zeros((1, 1)), s0, p0)
print(f"stored float16, computed float32, g_1 = 0: theta_1 = {p1[0, 0]}, "
      f"finite: {bool(np.isfinite(p1).all())}, non-finite step counter: {s1.nonfinite[0, 0]}")
adam0 = optimizers.make("adam", eps=0.0)
q1, _ = adam0.update(np.zeros((1, 1)), adam0.init(p0), p0)
print(f"adamlab's Adam with eps = 0, g_1 = 0 (float64): theta_1 = {q1[0, 0]}")
"""),
("md", r"""
## Summary

* The unit roundoff $u$ sets what a format can *add*: an update, or a decay, smaller than
  about $u$ times the value it changes is lost. For Adam's default $\beta_2$, bfloat16's
  $u/2$ is larger than $1-\beta_2$, so its second moment cannot decay.
* The range sets what a format can *hold*: float16 cannot hold $\epsilon = 10^{-8}$, nor a
  large squared gradient.
* Kahan compensation rescues parameter updates; stochastic rounding rescues every stored
  value on average, at the price of noise.

## Exercises

1. Rerun §7.2 and the table of §7.3 with $\beta_2 = 0.99$: build
   `opt = optimizers.make("adam", betas=(0.9, 0.99))` and pass it to `low_precision(opt,
   ...)`, `simulate.run` and `drift_report`. Does bfloat16 still part from float64? Relate the
   answer to $u$ and $1-\beta_2$.
2. With `compare(..., storage="bfloat16", accumulate="float64")`, does computing the
   update in float64 change the drift? Explain from where the rounding happens.
3. In the SGD figure of §7.3, find the largest $\theta_0$ at which round to nearest in
   bfloat16 still moves with $\alpha = 10^{-3}$, and check it against
   $\alpha/u$ from §7.1. What happens to the nearest-rounding run if it is started there?
4. Estimate the spread of the stochastic-rounding runs after $k$ steps (their standard
   deviation across runs) and compare it with $\sqrt{k}$ times half the bfloat16 spacing
   at $\theta$. Use more runs ($R$) for a better estimate.
5. In §7.2, find (by bisection on `problem_params={"C": ...}`, with a longer horizon) the
   smallest $C$ at which float16 Adam becomes non-finite within 2000 steps. Why is it
   smaller than $\sqrt{\max_{16}/(1-\beta_2)}$?
"""),
]
