"""Cells of notebook 5: the family side by side, and the conventions that differ."""
STEM = "05_the_family_side_by_side"
CELLS = [
("md", r"""
# 5 · The family side by side

SGD, heavy-ball momentum, Nesterov (NAG), AdaGrad, RMSProp, AdaDelta, Adam, AdaMax, AdamW,
NAdam and RAdam — on the same problems, with the same seeds. Then the part that bites in
practice: the **conventions on which frameworks disagree** (where $\epsilon$ goes, which
maximum AMSGrad takes, which NAdam, how AdamW's decay is scaled, RAdam's threshold).

Every method in `adamlab.numerics.optimizers` is a pure update rule over arrays of shape
(runs, d); the registry carries each method's source and the framework conventions.
"""),
("code", r"""
%matplotlib inline
import numpy as np
import matplotlib.pyplot as plt
import sympy as sp
from IPython.display import Markdown, display

from adamlab.numerics import optimizers, simulate, problems
from adamlab.numerics.optimizers.schedules import InverseSqrt
from adamlab.theory import schedules_rectification as sr
"""),
("code", r"""
FAMILY = ["sgd", "momentum", "nag", "adagrad", "rmsprop", "adadelta",
          "adam", "adamax", "adamw", "nadam", "radam"]
rows = ["| name | what it does | source |", "|---|---|---|"]
for n in FAMILY:
    e = optimizers.get(n)
    rows.append(f"| `{n}` | {e.summary} | {e.source} |")
display(Markdown("\n".join(rows)))
"""),
("md", r"""
## 5.1 Same problems, same seeds

Three online problems: a strongly convex quadratic with noisy targets, dense logistic
regression, and Reddi et al.'s online problem `rkk-online` (a rare large gradient $C=1010$
every 101 steps, $-10$ otherwise). Every method gets the schedule $\eta/\sqrt t$ with
the same $\eta$, except AdaDelta, which has no learning rate in Zeiler's paper
(`lr=1.0`). These are not tuned: the point is the behaviour, not a leaderboard.
"""),
("code", r"""
PROBLEMS = {"quadratic": {}, "logistic-dense": {}, "rkk-online": {}}
T, RUNS, ETA = 500, 2, 0.1

def make(name):
    if name == "adadelta":
        return optimizers.make(name, lr=1.0)
    return optimizers.make(name, lr=InverseSqrt(ETA))

final = {}
for p, pp in PROBLEMS.items():
    for n in FAMILY:
        r = simulate.run(p, make(n), T=T, runs=RUNS, seed=0, progress=False, problem_params=pp)
        final[p, n] = r.regret[-1] / T
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=False)
for ax, p in zip(axes, PROBLEMS):
    vals = np.array([final[p, n].mean() for n in FAMILY])
    ax.barh(FAMILY, vals, color=[f"C{k % 10}" for k in range(len(FAMILY))])
    ax.set_title(p); ax.set_xlabel("R(T)/T, mean of runs"); ax.invert_yaxis()
plt.tight_layout(); plt.show()
"""),
("md", r"""
Two things to look for. **Scale**: on `rkk-online` the gradients are of size 10 to 1010, so
the non-adaptive methods (SGD, momentum, NAG) with the same $\eta$ take steps hundreds of
times larger than on the other problems, while the adaptive ones divide the scale out
(notebook 2: $\Delta_t$ is scale invariant). **Memory**: among the adaptive methods, compare
those whose second moment is an EMA that can *shrink* (RMSProp, the Adam variants) with
AdaGrad's growing sum — notebook 4 explains why the difference matters on this problem.
The ranking on each problem:
"""),
("code", r"""
for p in PROBLEMS:
    order = sorted(FAMILY, key=lambda n: final[p, n].mean())
    print(f"{p:15s}", " < ".join(f"{n} ({final[p, n].mean():.3g})" for n in order))
"""),
("md", r"""
## 5.2 Where frameworks disagree

Each registry entry records what torch, optax, Keras and the paper do:
"""),
("code", r"""
for n in ["adam", "amsgrad", "adamw", "adamax", "nadam", "radam", "rmsprop", "adagrad"]:
    display(Markdown(f"**`{n}`**\n\n" + "\n".join(f"* *{k}*: {v}"
                                                 for k, v in optimizers.get(n).frameworks.items())))
"""),
("md", r"""
### (a) Where $\epsilon$ goes

`eps_mode="outside"`: $\hat m/(\sqrt{\hat v}+\epsilon)$ (torch, the paper);
`"inside"`: $\hat m/\sqrt{\hat v+\epsilon}$ (optax's `eps_root`);
`"efficient"`: the paper's reordered form with a constant $\hat\epsilon$. With tiny gradients
$\epsilon$ dominates and the three differ a lot. The first step $|\Delta_1|/\alpha$ for a single
gradient $g$, at $\epsilon = 10^{-8}$:
"""),
("code", r"""
gs = np.logspace(-12, 0, 7)[:, None]               # one run per gradient size
for mode in ("outside", "inside", "efficient"):
    opt = optimizers.make("adam", lr=1.0, eps=1e-8, eps_mode=mode)
    p = np.zeros_like(gs); q, _ = opt.update(gs, opt.init(p), p)
    print(f"{mode:10s}", "  ".join(f"{abs(x):.3g}" for x in q[:, 0]))
print("g =       ", "  ".join(f"{x:.0e}" for x in gs[:, 0]))
"""),
("md", r"""
### (b) AMSGrad's maximum: before or after bias correction?

torch takes the max of the raw $v_t$ and then corrects; optax takes the max of the corrected
$\hat v_t$; Reddi et al.'s Algorithm 2 does not correct at all. Same gradients, three
trajectories:
"""),
("code", r"""
fig, ax = plt.subplots(figsize=(7, 3.2))
for mode in ("torch", "optax", "reddi"):
    r = simulate.run("rkk-online", optimizers.make("amsgrad", lr=InverseSqrt(0.1), amsgrad_mode=mode),
                     T=T, runs=1, seed=0, progress=False, record_iterates=True)
    ax.plot(r.iterates.reshape(T, -1)[:, 0], lw=0.8, label=f"amsgrad_mode={mode!r}")
    print(f"{mode:6s} R(T)/T = {r.regret[-1, 0] / T:.4f}")
ax.set_xlabel("t"); ax.set_ylabel(r"$\theta_t$ on rkk-online"); ax.legend(fontsize=8); plt.show()
"""),
("md", r"""
### (c) AdamW: is the decay multiplied by the learning rate?

Loshchilov & Hutter's Algorithm 2 decays by $\eta_t\lambda\theta$ with a *schedule multiplier*
$\eta_t$; torch and optax use $\text{lr}\cdot\lambda\theta$. With `lr=1e-3`, `weight_decay=1e-2`
the two differ by a factor of 1000 in the decay. With a zero gradient only the decay acts:
"""),
("code", r"""
for scaled in (True, False):
    opt = optimizers.make("adamw", lr=1e-3, weight_decay=1e-2, decay_scaled_by_lr=scaled)
    p = np.ones((1, 1)); s = opt.init(p)
    for _ in range(100):
        p, s = opt.update(np.zeros((1, 1)), s, p)
    print(f"decay_scaled_by_lr={scaled}: theta after 100 steps of pure decay = {p.item():.6f}")
"""),
("md", r"""
### (d) NAdam: Dozat's schedule (torch) or optax's form

torch follows Dozat's momentum schedule $\mu_t = \beta_1(1 - \tfrac12 0.96^{t\psi})$;
optax applies Nesterov's look-ahead to Adam's constant $\beta_1$. The package derives the
weight of the current gradient in each form (`schedules_rectification.NADAM_WEIGHT`);
numerically, the trajectories separate:
"""),
("code", r"""
print(sr.NADAM_WEIGHT.check().summary())
rng = np.random.default_rng(0)
G = rng.standard_normal((200, 1, 3))
traj = {}
for variant in ("torch", "optax"):
    opt = optimizers.make("nadam", lr=1e-2, variant=variant)
    p = np.zeros((1, 3)); s = opt.init(p); out = []
    for g in G:
        p, s = opt.update(g, s, p); out.append(p.copy())
    traj[variant] = np.array(out)
print("max |theta_torch - theta_optax| over 200 steps:", np.abs(traj["torch"] - traj["optax"]).max())
"""),
("md", r"""
### (e) RAdam: when does rectification switch on?

RAdam uses the length $\rho_t$ of the approximated simple moving average and applies the
adaptive step only when $\rho_t$ exceeds a threshold: 4 in the paper's Algorithm 2, 5 in
torch and optax. The package derives $\rho_t$ and checks the published closed form:
"""),
("code", r"""
print(sr.RHO.check().summary())
rho = sp.lambdify((sp.Symbol("beta2"), sp.Symbol("t")), sr.RHO_T_PUBLISHED, "numpy")
t = np.arange(1, 11)
print("rho_t at beta2 = 0.999, t = 1..10:", np.round(rho(0.999, t), 3))
for thr in (4, 5):
    opt = optimizers.make("radam", lr=1.0, threshold=thr)
    p = np.zeros((1, 1)); s = opt.init(p); steps = []
    for k in range(8):
        q, s = opt.update(np.ones((1, 1)), s, p); steps.append(abs((q - p).item())); p = q
    print(f"threshold {thr}: |step| for t = 1..8 = {np.round(steps, 4)}")
"""),
("md", r"""
## Exercises

1. Tune $\eta$ for each method on `quadratic` over a log grid (`optimizers.make` accepts an
   array of learning rates, one per run). Which methods are most sensitive to $\eta$?
2. Add `adabound`, `adamp` and `lookahead` (inner Adam) to the comparison of §5.1.
3. In (a), find the gradient size at which `outside` and `inside` differ by a factor 2.
   Express it in terms of $\epsilon$.
4. In (b), which of the three AMSGrad conventions is covered by Reddi et al.'s Theorem 4 as
   printed? Use `adamlab.theory.regret.bounds.get("rkk.thm4").applies` on each run.
5. Show that with `betas=(0, beta2)` and $\beta_2\to 1$, Adam with $\alpha/\sqrt t$ matches
   AdaGrad on `logistic-dense` ever more closely (notebook 1, §1.5).
"""),
]
