"""Cells of notebook 3: regret against sqrt(T) on sparse logistic regression."""
STEM = "03_regret_sparse_logistic"
CELLS = [
("md", r"""
# 3 · Regret against $\sqrt T$ on sparse, high-dimensional logistic regression

*Kingma & Ba (ICLR 2015) §4 and Corollary 4.2; Duchi, Hazan & Singer (JMLR 2011);
Reddi, Kale & Kumar (ICLR 2018); Zinkevich (ICML 2003).*

**Online convex optimization.** At each step $t$ a learner picks $\theta_t$ in a convex set $F$,
then a convex loss $f_t$ is revealed and the learner pays $f_t(\theta_t)$. The **regret**
compares with the best fixed point chosen in hindsight:

$$R(T) = \sum_{t=1}^T f_t(\theta_t) - \min_{\theta\in F}\sum_{t=1}^T f_t(\theta).$$

A method "learns" if $R(T)/T \to 0$. The theorems of this lecture bound $R(T)$ by
$O(\sqrt T)$ times **data-dependent** sums such as $\sum_i \lVert g_{1:T,i}\rVert_2$, where
$g_{1:T,i}$ is the history of coordinate $i$ of the gradient. On sparse data most of
these histories are almost empty — and that is the whole point of adaptive methods.

Our problem: online logistic regression on bag-of-words features with Zipf-distributed word
frequencies (`logistic-sparse`), on the box $F = [-1, 1]^d$.
"""),
("code", r"""
%matplotlib inline
import numpy as np
import sympy as sp
import matplotlib.pyplot as plt
from IPython.display import Math, Markdown, display

from adamlab.numerics import problems, simulate, optimizers
from adamlab.numerics.prefix_regret import horizons, prefix_best_totals, regret_at
from adamlab.numerics.optimizers.schedules import InverseSqrt, Beta1Decay
from adamlab.theory.regret import bounds as regret_bounds, asymptotics as regret_asymptotics
"""),
("code", r"""
print(problems.get("logistic-sparse").summary)
P = dict(d=200, density=0.02)     # 200 words, 4 words per document (small: this runs in seconds)
T, RUNS = 1000, 2
prob = problems.make("logistic-sparse", **P)
print(prob)
"""),
("md", r"""
## 3.1 Four learners

All with the step sizes their theorems ask for:

* **SGD** (online gradient descent, Zinkevich): $\theta_{t+1} = \Pi_F(\theta_t - \eta_t g_t)$, $\eta_t = \eta/\sqrt t$;
* **AdaGrad** (Duchi et al.): per-coordinate $\eta/\sqrt{\sum_{s\le t} g_{s,i}^2}$, with
  $\eta = D_\infty/\sqrt 2$ as in their corollary ($D_\infty = 2$ on $[-1,1]^d$);
* **Adam** with Kingma & Ba's Theorem 4.1 schedule $\alpha_t = \alpha/\sqrt t$, $\beta_{1,t} = \beta_1\lambda^{t-1}$;
* **AMSGrad** (Reddi et al., Algorithm 2 as printed: no bias correction, $\hat v_t = \max(\hat v_{t-1}, v_t)$).
"""),
("code", r"""
learners = {
    "SGD":     optimizers.make("sgd", lr=InverseSqrt(0.1)),
    "AdaGrad": optimizers.make("adagrad", lr=2 / np.sqrt(2)),
    "Adam":    optimizers.make("adam", lr=InverseSqrt(0.1), betas=(Beta1Decay(0.9, 0.999), 0.999)),
    "AMSGrad": optimizers.make("amsgrad", lr=InverseSqrt(0.1), betas=(Beta1Decay(0.9, 0.999), 0.999),
                               amsgrad_mode="reddi"),
}
runs = {name: simulate.run("logistic-sparse", opt, T=T, runs=RUNS, seed=0, progress=False,
                           problem_params=P)
        for name, opt in learners.items()}
for name, r in runs.items():
    print(f"{name:8s} R(T) = {np.round(r.regret[-1], 1)}   R(T)/T = {np.round(r.regret[-1] / T, 4)}")
"""),
("md", r"""
## 3.2 Regret against $\sqrt T$

`r.regret[t-1]` compares the first $t$ losses with the comparator of the *whole* game, so it
can be negative early on. The regret of the game of horizon $h$ needs the best point for the
first $h$ losses: `prefix_regret` computes it, exactly, on log-spaced horizons (the learners
never know $T$, so one run contains every shorter game).
On log–log axes, $R(T) \propto T^p$ is a straight line of slope $p$; learning means $p<1$,
and the theorems promise $p \le 1/2$ eventually. We also plot $R(T)/\sqrt T$, which flattens
out when the $\sqrt T$ rate is reached. (Both runs of each learner are drawn.)
"""),
("code", r"""
hs = horizons(T, per_decade=3, start=100)
best = prefix_best_totals(prob, hs, RUNS, seed=0,          # min over F of the first h losses
                          known={T: runs["SGD"].comparator["total_loss"]})   # h = T: already known
Rh = {name: regret_at(r.losses, hs, best) for name, r in runs.items()}
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for k, (name, R) in enumerate(Rh.items()):
    axes[0].loglog(hs, np.maximum(R, 1e-9), color=f"C{k}", lw=1, marker=".", label=[name, None])
    axes[1].semilogx(hs, R / np.sqrt(hs)[:, None], color=f"C{k}", lw=1, marker=".", label=[name, None])
tt = np.array([hs[0], T])
axes[0].loglog(tt, 5 * np.sqrt(tt), "k:", label=r"slope 1/2 guide")
axes[0].loglog(tt, 0.4 * tt, "k--", lw=0.8, label=r"slope 1 guide")
axes[0].set_xlabel("T"); axes[0].set_ylabel("R(T)"); axes[0].legend(fontsize=8)
axes[1].set_xlabel("T"); axes[1].set_ylabel(r"$R(T)/\sqrt{T}$"); axes[1].legend(fontsize=8)
plt.tight_layout(); plt.show()
late = hs >= T // 10
for name, R in Rh.items():
    slopes = [np.polyfit(np.log(hs[late]), np.log(R[late, j]), 1)[0] for j in range(RUNS)]
    print(f"{name:8s} fitted log-log slope of R(h) for h in [T/10, T]: {np.round(slopes, 3)}")
"""),
("md", r"""
## 3.3 The bounds, and their data-dependent terms

Each theorem is available as a SymPy expression (`regret_bounds.get(id)`), printed as in the
paper. Kingma & Ba's Theorem 4.1:
"""),
("code", r"""
kb = regret_bounds.get("kb.thm4.1")
for term in kb.terms:
    display(Markdown(f"*{term.name}*")); display(Math(term.latex()))
"""),
("md", r"""
The bound is *evaluated on the run itself*: the simulator records the statistics the theorem
needs (observed $G_\infty$, $D$, $D_\infty$, $\sum_i\lVert g_{1:T,i}\rVert_2$,
$\sum_i\sqrt{T\hat v_{T,i}}$, …) step by step, and `evaluate` lambdifies the same expression.
`applies` says which hypotheses hold on the run — including one the statement forgot
(see notebook 4).
"""),
("code", r"""
pairs = {"SGD": "z.ogd-regret", "AdaGrad": "dhs.adagrad-regret", "Adam": "kb.thm4.1",
         "AMSGrad": "rkk.cor1"}
fig, ax = plt.subplots(figsize=(7, 3.8))
for k, (name, cid) in enumerate(pairs.items()):
    r, b = runs[name], regret_bounds.get(cid)
    bound = b.evaluate(r.stats, r.constants)[hs - 1]     # row t-1: the bound for horizon t
    ax.loglog(hs, bound[:, 0], color=f"C{k}", ls="--", lw=1, label=f"{cid} bound")
    ax.loglog(hs, np.maximum(Rh[name][:, 0], 1e-9), color=f"C{k}", lw=1, label=f"{name} R(T)")
    print(f"{name:8s} bound/R(T) at T: {bound[-1, 0] / Rh[name][-1, 0]:10.1f}   "
          f"{b.applies(r.stats, r.constants).summary()}")
ax.set_xlabel("T"); ax.set_ylabel("R(T) (solid) and its bound (dashed)")
ax.legend(fontsize=7, ncol=2); plt.show()
"""),
("md", r"""
The bounds hold where their hypotheses do, but they are loose — often by orders of magnitude
(the constants are worst-case). What matters for the *rate* are the data-dependent sums.
Here are Theorem 4.1's three terms on the Adam run:
"""),
("code", r"""
r = runs["Adam"]
terms = kb.evaluate_terms(r.stats, r.constants)
fig, ax = plt.subplots(figsize=(7, 3.4))
for name, val in terms.items():
    ax.loglog(r.stats["t"], val[:, 0], label=name)
ax.set_xlabel("T"); ax.set_ylabel("term of the KB 4.1 bound"); ax.legend(fontsize=8); plt.show()
"""),
("md", r"""
## 3.4 Why sparsity helps

For every coordinate $\lVert g_{1:T,i}\rVert_2 \le G_\infty\sqrt T$, so in the **dense** worst
case the sums are $d\,G_\infty\sqrt T$ (the paper's §4). If coordinate $i$ is active in only a
fraction $p_i$ of the steps, $\lVert g_{1:T,i}\rVert_2 \le G_\infty\sqrt{p_iT}$ and the sum is
$G_\infty\sqrt T\sum_i\sqrt{p_i}$, which can be far smaller than $d\,G_\infty\sqrt T$.
`regret_asymptotics` computes each term's growth in both cases. The power of $T$ is the same
($\sqrt T$ for the distance and gradient terms); what changes is the constant in front: $d$
in the dense case, $P = \sum_i\sqrt{p_i}$ in the sparse one (the momentum-decay term keeps its
$d$, but it does not grow with $T$):
"""),
("code", r"""
for case in ("dense", "sparse"):
    c = regret_asymptotics.cor42(case)
    display(Markdown(f"**{case}**: " + ", ".join(f"`{k}` $\\le {sp.latex(v)}$"
                                                for k, v in c.substitutions.items())))
    for term in c.terms:       # same power of T in both cases; the constant is what differs
        p, q, coef = term.order
        display(Math(rf"\text{{{term.name}}}:\ \sim {sp.latex(coef)}\cdot T^{{{sp.latex(p)}}}"
                     + (rf"(\log T)^{{{sp.latex(q)}}}" if q else "")
                     + rf",\quad \text{{share of }} R(T)/T \to {sp.latex(term.average_limit)}"))
display(Math(regret_asymptotics.S_SPARSE.latex()))
"""),
("md", r"""
Now measure it. We run AdaGrad on the same problem with sparse documents (1% of the words)
and with ten times denser ones (10%), and compare the measured $\sum_i\lVert g_{1:T,i}\rVert_2$ with its
dense worst case $d\,G_\infty\sqrt T$:
"""),
("code", r"""
fig, ax = plt.subplots(figsize=(7, 3.4))
for k, density in enumerate((0.01, 0.1)):
    r = simulate.run("logistic-sparse", optimizers.make("adagrad", lr=2 / np.sqrt(2)), T=T // 2,
                     runs=1, seed=1, progress=False, problem_params=dict(P, density=density))
    worst = P["d"] * r.stats["G_inf"] * np.sqrt(r.stats["t"])[:, None]
    share = r.stats["sum_g_norm"] / worst
    ax.semilogx(r.stats["t"], share[:, 0], color=f"C{k}", label=f"density {density}")
    print(f"density {density}: sum_i ||g_1:T,i|| / (d G_inf sqrt T) at T = {r.T}: {np.round(share[-1], 4)}; "
          f"R(T)/T = {np.round(r.regret[-1] / r.T, 4)}")
ax.set_xlabel("T"); ax.set_ylabel(r"$\sum_i\|g_{1:T,i}\|_2\,/\,(d\,G_\infty\sqrt{T})$")
ax.legend(); plt.show()
"""),
("md", r"""
On sparse data the data-dependent term is a small fraction of its dense worst case, so the
adaptive bounds (AdaGrad, Adam, AMSGrad) are correspondingly smaller. SGD's bound instead
involves $D\,G\sqrt T$ with Euclidean quantities, which do not benefit in the same way.

## Exercises

1. Increase `T` to 20000 (and `runs` to 5). Does the fitted slope approach $1/2$? Which
   learner gets there first?
2. Change the Zipf exponent (`zipf=0` is uniform word frequencies). How does
   $\sum_i\lVert g_{1:T,i}\rVert_2$ change, and why?
3. Run Adam with constant $\beta_1$ (no `Beta1Decay`): which hypothesis of `kb.thm4.1`
   does `applies` now report as failing?
4. `regret_asymptotics.power_law_P(2)` gives $\sum_i\sqrt{p_i}$ for $p_i = i^{-2}$. Evaluate
   it for $d = 10^3, 10^6$ and compare with $d$.
5. Evaluate `regret_bounds.get("kb.cor4.2")` on the Adam run. Is the average-regret bound
   informative at this $T$?
"""),
]
