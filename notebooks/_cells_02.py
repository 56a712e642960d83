"""Cells of notebook 2: the effective step and the "trust region"."""
STEM = "02_effective_step_trust_region"
CELLS = [
("md", r"""
# 2 · The effective step and the "trust region"

*Kingma & Ba (ICLR 2015, arXiv:1412.6980v9) §2.1 and §7.1.*

With $\epsilon = 0$ Adam moves each coordinate by the **effective step**
$\Delta_t = \alpha\,\hat m_t/\sqrt{\hat v_t}$. The paper argues that $|\Delta_t|$ is
bounded by a multiple of $\alpha$, which makes $\alpha$ act like a "trust region":

* $|\Delta_t| \le \alpha(1-\beta_1)/\sqrt{1-\beta_2}$ when $(1-\beta_1) > \sqrt{1-\beta_2}$,
* $|\Delta_t| \le \alpha$ otherwise.

Are these bounds true? The ratio $|\Delta_t|/\alpha = |\hat m_t|/\sqrt{\hat v_t}$ is
scale invariant, so the question is a clean optimization problem: what is
$\sup_{g_1,\dots,g_t} |\hat m_t|/\sqrt{\hat v_t}$?
"""),
("code", r"""
%matplotlib inline
import numpy as np
import sympy as sp
import matplotlib.pyplot as plt
from IPython.display import Math, Markdown, display

from adamlab.theory import step_bounds, recursions
from adamlab.theory.adam_step import ADAM_SUP, ADAM_SUP_INF, ADAM_MAXIMIZER
from adamlab.theory.scale_invariance import SCALE_INVARIANCE
from adamlab.numerics import optimizers
from adamlab.proofs import ledger
"""),
("md", r"""
## 2.1 The exact supremum (Cauchy–Schwarz)

Unrolling the EMAs (notebook 1), $\hat m_t = \sum_i A_i g_i$ and $\hat v_t = \sum_i C_i g_i^2$
with $A_i = (1-\beta_1)\beta_1^{t-i}/(1-\beta_1^t)$ and $C_i = (1-\beta_2)\beta_2^{t-i}/(1-\beta_2^t)$.
Cauchy–Schwarz with $x_i = \sqrt{C_i}g_i$, $y_i = A_i/\sqrt{C_i}$ gives
$\hat m_t^2 \le \hat v_t \sum_i A_i^2/C_i$, with equality iff $g_i \propto A_i/C_i$. The
package sums the geometric series symbolically; with $\gamma = \beta_1^2/\beta_2$:
"""),
("code", r"""
b1, b2, t = sp.symbols("beta1 beta2 t")
display(Math(r"\sup_g \frac{|\hat m_t|}{\sqrt{\hat v_t}} = " + sp.latex(ADAM_SUP)))
display(Math(r"\lim_{t\to\infty} = " + sp.latex(ADAM_SUP_INF)))
display(Math(r"\text{attained at } g_i = " + sp.latex(ADAM_MAXIMIZER)))
for R in step_bounds.RESULTS[:2]:
    print(R.check().summary())
"""),
("md", r"""
## 2.2 Claimed bounds against the exact supremum

At the defaults $(\beta_1, \beta_2) = (0.9, 0.999)$ we are in the first case:
$(1-\beta_1) = 0.1 > \sqrt{0.001}$. Let us compute the exact supremum for every $t$ up to
2000 (the NumPy form is `sympy.lambdify` of the same expression) and draw the claimed bound.
"""),
("code", r"""
ts = np.arange(1, 2001)
B1, B2 = 0.9, 0.999
sup_t = step_bounds.adam_sup_ratio_np(B1, B2, ts)
claim = (1 - B1) / np.sqrt(1 - B2)
first = int(ts[np.argmax(sup_t > claim)])
fig, ax = plt.subplots(figsize=(7, 3.4))
ax.plot(ts, sup_t, label=r"exact $\sup_g |\Delta_t|/\alpha$")
ax.axhline(claim, color="C3", ls="--", label=r"claimed $(1-\beta_1)/\sqrt{1-\beta_2}$")
ax.axhline(float(step_bounds.adam_sup_ratio(B1, B2, sp.oo)), color="k", lw=0.8, ls=":",
           label=r"limit $t\to\infty$")
ax.axvline(first, color="C3", lw=0.6)
ax.set_xscale("log"); ax.set_xlabel("t"); ax.set_ylabel(r"$|\Delta_t|/\alpha$")
ax.set_title(r"Adam at $(\beta_1,\beta_2) = (0.9, 0.999)$"); ax.legend(fontsize=8); plt.show()
print(f"claimed bound {claim:.6f}; exact sup first exceeds it at t = {first}; "
      f"limit = {step_bounds.adam_sup_ratio(B1, B2, sp.oo):.6f}")
"""),
("md", r"""
Exact arithmetic confirms the crossing (no rounding involved): `adam_sup_ratio` with
`Fraction`/`Rational` inputs returns an exact algebraic number.
"""),
("code", r"""
from fractions import Fraction as F
b1q, b2q = F(9, 10), F(999, 1000)
claim_sq = (1 - b1q) ** 2 / (1 - b2q)
for T in (first - 1, first):
    s2 = step_bounds.adam_sup_squared(b1q, b2q, T)
    print(f"t = {T}: sup^2 = {float(s2):.10f}  vs  claim^2 = {float(claim_sq):.10f};  "
          f"sup^2 > claim^2 exactly: {s2 > sp.Rational(claim_sq.numerator, claim_sq.denominator)}")
"""),
("md", r"""
The second case, $|\Delta_t| \le \alpha$, fails too. Here is a map over
$(\beta_1, \beta_2)$ of the supremum over *all* $t$ (the $t\to\infty$ limit), divided by the
claimed bound for each region: everything above 1 is a counterexample region.
"""),
("code", r"""
g1 = np.linspace(0.0, 0.99, 200)
g2 = np.linspace(0.5, 0.9999, 200)
BB1, BB2 = np.meshgrid(g1, g2)
claimed = np.where(1 - BB1 > np.sqrt(1 - BB2), (1 - BB1) / np.sqrt(1 - BB2), 1.0)
ratio = step_bounds.adam_sup_ratio_inf_np(BB1, BB2) / claimed
fig, ax = plt.subplots(figsize=(6.5, 4))
im = ax.pcolormesh(BB1, BB2, np.log10(np.minimum(ratio, 1e3)), shading="auto", cmap="viridis")
ax.contour(BB1, BB2, ratio, levels=[1.0], colors="w")
ax.plot(g1, 1 - (1 - g1) ** 2, "r--", lw=1, label=r"$(1-\beta_1) = \sqrt{1-\beta_2}$")
fig.colorbar(im, label=r"$\log_{10}$(sup over t / claimed bound)")
ax.set_ylim(g2[0], 1); ax.set_xlabel(r"$\beta_1$"); ax.set_ylabel(r"$\beta_2$")
ax.legend(loc="lower left", fontsize=8)
plt.show()
print(f"share of this grid where the claim fails: {np.mean(ratio > 1):.1%}")
"""),
("md", r"""
## 2.3 The sequence that attains the supremum

The worst case is $g_i = (\beta_1/\beta_2)^{t-i}$: gradients that *shrink* towards the
present at rate $\beta_1/\beta_2$, so the old, large gradients still dominate $m_t$ (short
memory is lost slowly) while $v_t$ has already forgotten them. Feed it to the package's own
Adam (`numerics`, float64, $\epsilon = 0$) and measure the last step:
"""),
("code", r"""
T = 400
gstar = step_bounds.adam_maximizer(0.9, 0.999, T)
opt = optimizers.make("adam", lr=1.0, betas=(0.9, 0.999), eps=0.0)
p = np.zeros((1, 1)); s = opt.init(p)
for gi in gstar:
    q, s = opt.update(np.full((1, 1), gi), s, p)
    last, p = abs((q - p).item()), q
print(f"t = {T}: measured |Delta_t|/alpha = {last:.12f}")
print(f"        exact supremum          = {step_bounds.adam_sup_ratio(0.9, 0.999, T):.12f}")
print(f"        claimed bound           = {claim:.12f}")
fig, ax = plt.subplots(figsize=(7, 2.8))
ax.semilogy(np.arange(1, T + 1), gstar); ax.set_xlabel("i"); ax.set_ylabel(r"$g_i$")
ax.set_title("the maximizing gradient sequence (normalized to $g_t = 1$)"); plt.show()
"""),
("md", r"""
## 2.4 What a search finds

Would we have found this by searching? We try two searches, both with the package's batched
optimizer (one run per candidate sequence, all in one array):

1. **random i.i.d. gradients** (Gaussian, heavy-tailed, random signs): what a test with
   "typical" data sees;
2. **a structured family** $g_i = r^{t-i}$ over a grid of $r$: the kind of candidate a
   property search built from the theory tries.
"""),
("code", r"""
def last_step(G, b1=0.9, b2=0.999):
    # G: (runs, T) candidate gradient sequences -> |Delta_T|/alpha for each run
    opt = optimizers.make("adam", lr=1.0, betas=(b1, b2), eps=0.0)
    p = np.zeros((G.shape[0], 1)); s = opt.init(p)
    for k in range(G.shape[1]):
        q, s = opt.update(G[:, k:k + 1], s, p)
        step, p = np.abs(q - p)[:, 0], q
    return step

rng = np.random.default_rng(0)
T, R = 400, 600
random_G = np.concatenate([rng.standard_normal((R // 3, T)),
                           rng.standard_cauchy((R // 3, T)),
                           np.abs(rng.standard_normal((R // 3, T)))])
r = np.linspace(0.5, 1.0, R)
family_G = r[:, None] ** (T - np.arange(1, T + 1))[None, :]
best_random = last_step(random_G).max()
fam = last_step(family_G)
print(f"exact supremum at t = {T}: {step_bounds.adam_sup_ratio(0.9, 0.999, T):.6f}; claim {claim:.6f}")
print(f"best of {R} random i.i.d. sequences: {best_random:.6f}")
print(f"best of the family r^(t-i):        {fam.max():.6f} at r = {r[fam.argmax()]:.4f} "
      f"(theory: beta1/beta2 = {0.9 / 0.999:.4f})")
fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(r, fam, label=r"family $g_i = r^{t-i}$")
ax.axhline(best_random, color="C2", ls="-.", label="best random i.i.d.")
ax.axhline(claim, color="C3", ls="--", label="claimed bound")
ax.axvline(0.9 / 0.999, color="k", lw=0.6)
ax.set_xlabel("r"); ax.set_ylabel(r"$|\Delta_t|/\alpha$ at t = 400"); ax.legend(fontsize=8); plt.show()
"""),
("md", r"""
Random data stays far below the claimed bound — that is why the claim looks fine in practice.
The structured search finds the worst case, and it matches the exact supremum: no searched
sequence is ever *above* it (Cauchy–Schwarz), and the maximizer sits at $r = \beta_1/\beta_2$.

### A property-based search

A property-based test states the claim as an assertion and lets a search engine
([Hypothesis](https://hypothesis.readthedocs.io), installed with the `test` extra) try to
break it: it generates gradient sequences (integers: the step is scale invariant, and integers are exact in
floating point), steers towards large steps (`target`), and, once
the assertion fails, *shrinks* the failing sequence to a simple one. We run it on both cases
of the claim, with short sequences (at most 30 steps), and re-check whatever it finds in exact
rational arithmetic (`recursions.adam_ratio_squared` with `Fraction`s), so float rounding
cannot be the reason.
"""),
("code", r"""
from hypothesis import given, settings, strategies as st, target

def property_search(b1, b2, bound, max_len=30):
    failing = []
    @settings(max_examples=200, derandomize=True, database=None, deadline=None)
    @given(st.lists(st.integers(-1000, 1000), min_size=1, max_size=max_len))   # exact in float64
    def step_within_bound(gs):
        ratio = last_step(np.array([gs], dtype=float), b1, b2)[0]
        target(float(ratio))
        if ratio > bound:
            failing.append(list(gs))
        assert ratio <= bound
    try:
        step_within_bound()
    except AssertionError:
        return failing[-1]                    # the shrunk counterexample
    return None

cases = {"case a, defaults (0.9, 0.999)": (0.9, 0.999), "case b, (0.99, 0.1)": (0.99, 0.1)}
for label, (b1, b2) in cases.items():
    bound = (1 - b1) / np.sqrt(1 - b2) if 1 - b1 > np.sqrt(1 - b2) else 1.0
    gs = property_search(b1, b2, bound)
    if gs is None:
        print(f"{label}: claimed bound {bound:.4f}; no counterexample among sequences of <= 30 steps "
              f"(exact sup at t = 30: {step_bounds.adam_sup_ratio(b1, b2, 30):.4f})")
        continue
    exact = recursions.adam_ratio_squared(F(b1), F(b2), [F(x) for x in gs])
    print(f"{label}: claimed bound {bound:.4f}; shrunk counterexample g = {gs}; exact "
          f"|Delta_t|/alpha = {float(exact) ** 0.5:.6f} (exceeds the bound: {exact > F(bound) ** 2})")
"""),
("md", r"""
At the defaults the violation needs long, carefully shaped sequences ($t$ in the hundreds, see
§2.2), so a short search reports nothing — which is not a proof of the claim. In the second
case the claim fails already at $t = 2$, and the search shrinks its counterexample to
something you can check by hand.

## 2.5 AdaMax and scale invariance

For AdaMax (§7.1) the paper claims $|\Delta_t| \le \alpha$. Hölder's inequality gives the
exact supremum in the same way:
"""),
("code", r"""
for T in (1, 2, 10, 100, sp.oo):
    x = step_bounds.adamax_sup_ratio(sp.Rational(9, 10), sp.Rational(999, 1000), T)
    exact = str(x) if len(str(x)) < 30 else "(a long exact rational)"
    print(f"t = {T}: AdaMax sup |Delta_t|/alpha = {float(x):.9f}  exact: {exact}")
display(Math(SCALE_INVARIANCE.latex()))
print(SCALE_INVARIANCE.check().summary())
"""),
("md", r"""
## 2.6 The ledger's verdicts

The ledger turns all of the above into verdicts, each with a witness certified in exact
rational arithmetic:
"""),
("code", r"""
ids = ["kb.sec2.1.step-bound-a", "kb.sec2.1.step-bound-b", "kb.sec2.1.step-bound-equal",
       "kb.sec7.1.adamax-step-bound", "kb.sec2.1.scale-invariance"]
rows = ["| claim | verdict | summary |", "|---|---|---|"]
verdicts = {cid: ledger.decide(cid) for cid in ids}
for cid, v in verdicts.items():
    text = v.summary[:170].replace("|", "\\|")          # a literal | would split the table cell
    rows.append(f"| `{cid}` | **{v.verdict}** | {text}… |")
display(Markdown("\n".join(rows)))
w = verdicts["kb.sec2.1.step-bound-b"].evidence.get("witness")
print("a witness, re-runnable from its JSON:", {k: w[k] for k in list(w)[:4]} if isinstance(w, dict) else w)
"""),
("md", r"""
**Take-away.** $\alpha$ is a *typical* step size, not a trust region: the step can exceed
the claimed bounds (compare the limit printed in §2.2 with the claim), and the exact
worst case is $(1-\beta_1)/\sqrt{(1-\beta_2)(1-\beta_1^2/\beta_2)}$ when $\beta_1^2<\beta_2$.

## Exercises

1. For which $(\beta_1,\beta_2)$ does the corrected bound (the $t\to\infty$ limit) stay
   below $2\alpha$? Use `step_bounds.adam_sup_ratio_inf_np` on a grid.
2. Show with SymPy that the supremum at $t=2$ exceeds 1 whenever $\beta_1 \neq \beta_2$
   (hint: `adamlab.theory.adam_step.ADAM_T2_GAP`).
3. Add $\epsilon = 10^{-8}$ to the optimizer in §2.3. Scale the maximizing sequence by $c =
   10^{-6}, 1, 10^6$ and explain what you see (scale invariance breaks; why?).
4. In §2.4, replace the structured family by a hill-climbing search that perturbs the best
   random sequence. How close does it get to the supremum after 50 rounds?
5. Repeat §2.3 for AdaMax with `step_bounds.adamax_maximizer` and the `adamax` optimizer.
"""),
]
