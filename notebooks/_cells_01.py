"""Cells of notebook 1: moments and bias correction."""
STEM = "01_moments_and_bias_correction"
CELLS = [
("md", r"""
# 1 · Moments and bias correction

*Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015 (arXiv:1412.6980v9), §2–§3.*

Adam keeps two running averages of the gradient $g_t$: a first moment $m_t$ (the mean)
and a second raw moment $v_t$ (the uncentred variance). Both are **exponential moving
averages** (EMAs) started at zero:

$$m_t = \beta_1 m_{t-1} + (1-\beta_1)\,g_t,\qquad v_t = \beta_2 v_{t-1} + (1-\beta_2)\,g_t^2,\qquad m_0 = v_0 = 0.$$

Because they start at zero they are biased towards zero at the beginning. The paper divides
by $1-\beta^t$ to remove the bias:
$\hat m_t = m_t/(1-\beta_1^t)$, $\hat v_t = v_t/(1-\beta_2^t)$, and steps
$\theta_t = \theta_{t-1} - \alpha\,\hat m_t/(\sqrt{\hat v_t}+\epsilon)$.

In this lecture we let `adamlab.theory` *derive* these facts with SymPy and check them, and
we look at what goes wrong when the correction is dropped.
"""),
("code", r"""
%matplotlib inline
import numpy as np
import sympy as sp
import matplotlib.pyplot as plt
from IPython.display import Math, Markdown, display

from adamlab.theory import moments, recursions, limits
from adamlab.theory.symbols import beta, i, t
from adamlab.numerics import optimizers
from adamlab.proofs import ledger
"""),
("md", r"""
## 1.1 Unrolling the recursion

Write $e_t = \beta e_{t-1} + (1-\beta)x_t$ for a generic sequence $x_t$ ($x = g$ gives
$m_t$, $x = g^2$ gives $v_t$). If $e_t = \sum_{i\le t} w_{t,i}x_i$, the recursion says
$w_{t,i} = \beta\,w_{t-1,i}$ for $i<t$ and $w_{t,t} = 1-\beta$: a first-order recurrence
that `sympy.rsolve` solves. The package does exactly that; here is the weight it found:
"""),
("code", r"""
display(Math(r"w_{t,i} = " + sp.latex(moments.EMA_WEIGHT)))
display(Math(moments.EMA_UNROLL.latex()))
print(moments.EMA_UNROLL.check().summary())
"""),
("md", r"""
The check above is an induction in $t$ done by SymPy (base case and step), plus a grid of
exact rational points evaluated at 50 digits. The weights decay geometrically into the past:
the EMA "remembers" roughly the last $1/(1-\beta)$ steps.
"""),
("code", r"""
w = sp.lambdify((beta, t, i), moments.EMA_WEIGHT, "numpy")
T = 60
fig, ax = plt.subplots(figsize=(7, 3.2))
for b in (0.5, 0.9, 0.99):
    ii = np.arange(1, T + 1)
    ax.plot(ii, w(b, T, ii), marker=".", label=rf"$\beta={b}$")
ax.set_xlabel("i (the step whose value is weighted)")
ax.set_ylabel(r"$w_{60,i}$")
ax.set_title("Weights of an EMA at t = 60")
ax.legend(); plt.show()
"""),
("md", r"""
## 1.2 The weights do not sum to one

Summing the geometric weights gives $\sum_{i=1}^t w_{t,i} = 1-\beta^t$, again derived and
checked by the package:
"""),
("code", r"""
display(Math(moments.WEIGHT_SUM.latex()))
print(moments.WEIGHT_SUM.check().summary())
"""),
("md", r"""
So if every $x_i$ has the same mean $\mathbb E[x]$, then $\mathbb E[e_t] = (1-\beta^t)\,\mathbb E[x]$:
the EMA underestimates by the factor $1-\beta^t$. This is the paper's eqs. (2)–(4). In
general the means drift, and the package states the exact identity with a remainder
$\zeta_t$ that vanishes for stationary means:
"""),
("code", r"""
display(Math(moments.BIAS_CORRECTION.latex()))
print(moments.BIAS_CORRECTION.check().summary())
display(Math(moments.ZETA_DRIFT_BOUND.latex()))
print(moments.ZETA_DRIFT_BOUND.check().summary())
"""),
("md", r"""
## 1.3 How big is the bias at small $t$?

Feed a constant gradient $g_t = 1$ (so $\mathbb E[g^2] = 1$) through the exact recursion
`recursions.ema` and compare $v_t$ with the corrected $\hat v_t$ from `recursions.adam_moments`.
With Adam's default $\beta_2 = 0.999$ the raw $v_t$ is far below 1 for hundreds of steps.
"""),
("code", r"""
ts = np.arange(1, 3001)
g = [1.0] * len(ts)
fig, ax = plt.subplots(figsize=(7, 3.2))
for b2 in (0.9, 0.99, 0.999):
    ax.plot(ts, recursions.ema(b2, [x * x for x in g]), label=rf"raw $v_t$, $\beta_2={b2}$")
vhat = [recursions.adam_moments(0.9, 0.999, g[:k])[3] for k in (1, 10, 100, 1000)]
ax.axhline(1.0, color="k", lw=0.8, ls="--", label=r"$\mathbb{E}[g^2] = 1$")
ax.set_xscale("log"); ax.set_xlabel("t"); ax.set_ylabel("estimate of E[g^2]")
ax.legend(fontsize=8); plt.show()
print("bias-corrected vhat_t at t = 1, 10, 100, 1000 (beta2 = 0.999):", vhat)
"""),
("md", r"""
## 1.4 What happens without the correction

The step is proportional to $m_t/\sqrt{v_t}$. Without correction, at $t=1$:
$m_1/\sqrt{v_1} = (1-\beta_1)g_1/(\sqrt{1-\beta_2}\,|g_1|)$, which for
$(\beta_1, \beta_2) = (0.9, 0.999)$ is $0.1/\sqrt{0.001}$, and on a constant gradient the
factor $(1-\beta_1^t)/\sqrt{1-\beta_2^t}$ keeps growing for a while after $t = 1$; as
$\beta_2 \to 1$ it grows without bound.

We can see this with the package's optimizer: Reddi et al.'s AMSGrad as printed
(`amsgrad_mode="reddi"`) uses **no** bias correction, while the torch convention corrects.
On a constant gradient the maximum never changes anything ($v_t$ is increasing), so the two
differ only by the correction. We measure the step $|\theta_t - \theta_{t-1}|/\alpha$:
"""),
("code", r"""
def steps(opt, T=400):
    p = np.zeros((1, 1)); s = opt.init(p); out = []
    for _ in range(T):
        q, s = opt.update(np.ones((1, 1)), s, p)
        out.append(abs(q - p).item()); p = q
    return np.array(out)

fig, ax = plt.subplots(figsize=(7, 3.2))
for b2 in (0.99, 0.999, 0.9999):
    kw = dict(lr=1.0, betas=(0.9, b2), eps=0.0)
    corr = steps(optimizers.make("amsgrad", amsgrad_mode="torch", **kw))
    raw = steps(optimizers.make("amsgrad", amsgrad_mode="reddi", **kw))
    tt = np.arange(1, raw.size + 1)
    line, = ax.plot(tt, raw, label=rf"no correction, $\beta_2={b2}$")
    ax.plot(tt, corr, color=line.get_color(), ls=":", label=rf"corrected, $\beta_2={b2}$")
    print(f"beta2={b2}: largest uncorrected step {raw.max():.3f} alpha, "
          f"largest corrected step {corr.max():.3f} alpha")
ax.set_xscale("log"); ax.set_xlabel("t"); ax.set_ylabel(r"$|\Delta_t|/\alpha$")
ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1)); plt.show()
"""),
("md", r"""
With the correction every step is exactly $\alpha$ on a constant gradient (as it should be:
$\hat m_t = 1 = \sqrt{\hat v_t}$). Without it the early steps are inflated, and the
inflation grows as $\beta_2 \to 1$ — precisely the regime (sparse gradients, small
$1-\beta_2$) where the paper recommends $\beta_2$ close to 1.

## 1.5 Two limits: AdaGrad and AdaMax

With $\beta_1 = 0$, $\beta_2 \to 1$ and $\alpha_t = \alpha/\sqrt t$, Adam's $\hat v_t$
becomes the plain average of the squared gradients, and Adam becomes AdaGrad (§5). And the
$L^p$ version of $v_t$ tends, as $p\to\infty$, to AdaMax's $u_t = \max(\beta_2u_{t-1}, |g_t|)$ (§7.1).
"""),
("code", r"""
for R in limits.RESULTS:
    display(Math(R.latex()))
    print(R.check().summary())
"""),
("md", r"""
## 1.6 What the claims ledger says

The ledger decides each published claim by computation. Here are the verdicts for the claims
of this lecture (run them, and read the evidence: a refutation carries a witness you can
re-run).
"""),
("code", r"""
ids = ["kb.sec3.ema-unroll", "kb.sec3.bias-correction", "kb.sec5.adagrad-limit",
       "kb.sec7.1.adamax-limit", "kb.sec7.2.averaging-bias", "kb.alg1.efficient-order"]
rows = ["| claim | verdict | summary |", "|---|---|---|"]
for cid in ids:
    v = ledger.decide(cid)
    text = v.summary[:160].replace("|", "\\|")          # a literal | would split the table cell
    rows.append(f"| `{cid}` | **{v.verdict}** | {text}… |")
display(Markdown("\n".join(rows)))
"""),
("md", r"""
The last claim is about the paper's "efficient" ordering of Algorithm 1
($\alpha_t = \alpha\sqrt{1-\beta_2^t}/(1-\beta_1^t)$ with a constant $\hat\epsilon$). The
package derives which $\hat\epsilon$ would make the two orderings agree:
"""),
("code", r"""
display(Math(moments.EFFICIENT_ORDER.latex()))
print(moments.EFFICIENT_ORDER.check().summary())
"""),
("md", r"""
## Exercises

1. Using `moments.EMA_WEIGHT`, compute the *centre of mass* $\sum_i (t-i)\,w_{t,i}/(1-\beta^t)$
   of the weights symbolically, and its limit as $t\to\infty$. Compare with `moments.Z_INF`.
2. Feed `recursions.ema` a linearly drifting sequence $x_i = \delta i$ and check numerically
   that the remainder $\zeta_t$ stays within the bound of `moments.ZETA_DRIFT_BOUND`.
3. In §1.4, replace the constant gradient by $g_t = \pm 1$ with random signs. Does the
   uncorrected method still take larger steps at the start? Why?
4. Show with SymPy that at $t=1$ the uncorrected ratio $m_1/\sqrt{v_1}$ equals
   $(1-\beta_1)/\sqrt{1-\beta_2}$ for every $g_1 \ne 0$. For which $(\beta_1,\beta_2)$ is it below 1?
5. Read the evidence of `ledger.decide("kb.alg1.efficient-order")`: by how much do the two
   orderings differ at the paper's default $\epsilon = 10^{-8}$, and when does it matter?
"""),
]
