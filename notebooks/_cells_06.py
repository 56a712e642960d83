"""Cells of notebook 6: what the lecture notes got right and wrong (the seed documents'
claims and Tran & Phong's, decided by the ledger)."""
STEM = "06_lecture_notes_right_and_wrong"
CELLS = [
("md", r"""
# 6 · What the lecture notes got right and wrong

adamlab was built from a handful of **seed documents**: lecture notes on the family of
first-order methods — heavy-ball momentum, AdaGrad, RMSProp, Adam, AdaDelta, AdamW (and
L2 regularization), Nesterov's accelerated gradient (NAG) and NAdam. Lecture notes are
written fast. Some of their equations are exactly what the papers and the frameworks
compute; some are close but not equal; and some remarks in words ("learning stops",
"a window of fixed size", "no learning rate needs to be set") are true only under a
reading the notes do not state.

This notebook takes every statement of the notes **as printed** — each one is a claim in
the ledger (`adamlab.proofs.claims.seed`, ids `seed001.*` … `seed004.*`), transcribed
with its source — and lets the toolkit's own machinery judge it:

* the printed update rules are data (`adamlab.proofs.claims.algorithms`: `Rule` objects
  with their assignments, start and output);
* they are compared with closed forms (induction), with the papers' algorithms (same
  iterates under a change of variables), with the frameworks' **stored trajectories**
  (torch and optax, never adamlab's own optimizers), or read as exact limits and bounds;
* a refutation comes with a witness that can be re-run, certified at 60 and 90 digits.

We add one claim from the literature that the ledger now decides the same way: Tran &
Phong's observation (IEEE Access 2019) about a step of Reddi, Kale & Kumar's AMSGrad proof
(`tp.rkk-proof4-step`). **No verdict below is typed in: each one is computed by
`ledger.decide` when the notebook runs.**
"""),
("code", r"""
%matplotlib inline
import json
import re
import time
from collections import Counter
from fractions import Fraction
from importlib.resources import files

import mpmath as mp
import numpy as np
import matplotlib.pyplot as plt
import sympy as sp
from IPython.display import Markdown, display

from adamlab.proofs import claims, ledger, references
from adamlab.proofs.claims import algorithms as al
from adamlab.proofs.methods.rules import TS


def md_escape(text):
    # plain text in Markdown: no emphasis, tables or math from the characters of formulas
    return re.sub(r"([\\`*_{}\[\]<>|$#])", r"\\\1", str(text))


def tag(verdict):
    # what a figure says about the claim it shows (computed from the verdict)
    return "refuted as printed" if verdict.startswith("refuted") else verdict
"""),
("md", r"""
## 6.1 Deciding every claim

The claims of the seed documents and Tran & Phong's claim are in the ledger in the order
below. Deciding all of them takes a few seconds (symbolic induction, exact limits, replays
of the printed rules on the frameworks' stored trajectories, certified witnesses):
"""),
("code", r"""
IDS = [i for i in claims.ids() if i.startswith(("seed", "tp."))]
t0 = time.perf_counter()
V = {i: ledger.decide(i) for i in IDS}
print(f"{len(IDS)} claims decided in {time.perf_counter() - t0:.1f} s:",
      dict(Counter(v.verdict for v in V.values())))
"""),
("md", r"""
## 6.2 The notes' equations next to the papers' and the frameworks'

For each method: the update **as printed in the seed document**, the rules it is compared
with (a paper's algorithm box, or a framework's documentation transcribed as a `Rule`),
and the update that optax's source documents for the stored trajectories
(`documented_update` in `adamlab/proofs/references/optax_vectors.json`). The torch
reference file records the trajectories but not the documented formula; where no rule
transcribes torch's documentation the table says so. The last column is the claim that
compares them (its verdict is in §6.3).

Things to look for: AdaGrad's $\epsilon$ *inside* the root (seed, optax) against *outside*
(torch); NAdam's momentum term corrected with $1-\rho_1^t$ in the notes but with
$1-\rho_1^{t+1}$ in Dozat's Algorithm 2 and optax, whose gradient term is bias-corrected
too; AdamW's decay $\eta\lambda\theta$ (notes, torch, optax alike).
"""),
("code", r"""
def rule_tex(rule):
    return "<br>".join(f"${sp.latex(s)} \\leftarrow {sp.latex(e)}$" for s, e in rule.steps)


def stored_configs(framework):
    stem = {"torch": "torch_vectors.json", "optax": "optax_vectors.json"}[framework]
    meta = json.loads((files(references.__name__) / stem).read_text(encoding="utf-8"))
    return meta["configs"]


OPTAX = {}
for cfg in stored_configs("optax"):
    OPTAX.setdefault(cfg["name"], cfg)
TORCH = {}
for cfg in stored_configs("torch"):
    TORCH.setdefault(cfg["name"], cfg)

# method, registry name of the stored configs, the printed rules compared, the deciding claim
METHODS = [
    ("momentum", "momentum", [al.MOMENTUM_SEED], "seed003.momentum-unroll"),
    ("AdaGrad", "adagrad", [al.ADAGRAD_SEED, al.ADAGRAD_EPS_OUTSIDE], "seed003.adagrad-update"),
    ("RMSProp", "rmsprop", [al.RMSPROP_SEED, al.RMSPROP_UNCORRECTED],
     "seed002.rmsprop-bias-correction"),
    ("Adam", "adam", [al.ADAM_SEED_EPS0], "seed003.adam-closed-form"),
    ("AdaDelta", "adadelta", [al.ADADELTA_SEED, al.ADADELTA_ZEILER], "seed004.adadelta-update"),
    ("AdamW", "adamw", [al.ADAMW_SEED], "seed004.adamw-update"),
    ("NAG", "nag", [al.NAG_SEED, al.NAG_SMDH, al.NAG_TORCH], "seed004.nag-update"),
    ("NAdam", "nadam", [al.NADAM_SEED, al.NADAM_DOZAT], "seed004.nadam-update"),
]

rows = ["| method | whose update | update | compared in |", "|---|---|---|---|"]
for method, name, rules, cid in METHODS:
    for rule in rules:
        rows.append(f"| {method} | {md_escape(rule.name)}<br>*{md_escape(rule.source)}* | "
                    f"{rule_tex(rule)} | `{cid}` |")
    o = OPTAX.get(name)
    if o is not None:
        rows.append(f"| {method} | `{o['call']}` (documented update) | "
                    f"{md_escape(o['documented_update'])} | `{cid}` |")
    if not any("torch" in r.source for r in rules):
        t = TORCH.get(name)
        call = f"torch.optim.{t['torch_class']}" if t else "torch.optim"
        text = md_escape(t["documented_update"]) if t and "documented_update" in t \
            else f"see torch docs (`{call}`)"
        rows.append(f"| {method} | `{call}` | {text} | `{cid}` |")
display(Markdown("\n".join(rows)))
"""),
("md", r"""
In the rules, $g_t$ is the gradient of the step (at the rule's query point: for NAG the
look-ahead point $\theta - \mu v$), $t$ the step number, and every state starts at 0.
"""),
("md", r"""
## 6.3 The verdicts

`proved` — symbolically, for every input; `verified` — on stated inputs with a stated
tolerance (the frameworks' trajectories, a finite range of $t$ plus the exact limit);
`refuted` — a certified witness; `refuted-as-stated` — the statement as printed is refuted,
and the ledger gives the corrected statement (§6.5).
"""),
("code", r"""
rows = ["| claim | source | verdict | summary |", "|---|---|---|---|"]
for i, v in V.items():
    verdict = f"**{v.verdict}**" if v.verdict.startswith("refuted") else v.verdict
    rows.append(f"| `{i}` | {md_escape(claims.get(i).source)} | {verdict} | "
                f"{md_escape(v.summary)} |")
display(Markdown("\n".join(rows)))
"""),
("md", r"""
## 6.4 The refutations, drawn

Each figure is computed from the claim's own objects: the printed rules replayed by
`Rule.replay`, the sequences and constants of the claim's method, and the numbers in the
verdict's evidence (limits, crossings, witnesses).

### (a) AdaDelta has no units (with one $\epsilon$)

The notes repeat Zeiler's units argument: rescaling the parameter $\theta\to c\,\theta$
rescales AdaDelta's update by $c$, so no learning rate is needed. Test it on
$f(\theta) = (\theta-3)^2/2$ from $\theta_0 = 0$: run the printed rule on $\theta$, and on
$\varphi = c\,\theta$, i.e. on $\tilde f(\varphi) = f(\varphi/c)$ with gradients
$f'(\varphi/c)/c$. If the argument held, $\varphi_t/c$ would be $\theta_t$ for every $c$.
The gradient depends on the iterate, so the rule is replayed with a gradient *oracle*
(evaluated at the rule's query point). Right: the two-$\epsilon$ rule with
$\epsilon_{num}\to c^2\epsilon_{num}$, $\epsilon_{den}\to\epsilon_{den}/c^2$, for which the
ledger proves the identity.
"""),
("code", r"""
v = V["seed004.adadelta-units"]
part = {"claim": next(p for p in v.evidence["parts"] if p["role"] == "claim"),
        "reading": next(p for p in v.evidence["parts"] if p["role"] == "reading")}
T_AD, RHO, EPS = 300, Fraction(9, 10), Fraction(1, 10**6)


def adadelta_path(rule, params, c):
    # the rule on phi = c theta: f~(phi) = f(phi/c), gradient f'(phi/c)/c, phi_0 = c theta_0
    cm = mp.mpf(c.numerator) / c.denominator
    run = rule.replay({**params, "theta_0": 0}, T_AD, oracle=lambda x: (x / cm - 3) / cm,
                      dps=30)
    return np.array([float(x / cm) for x in run["output"]])


fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), sharey=True)
for c in (Fraction(1, 10), Fraction(1), Fraction(10)):
    one = adadelta_path(al.ADADELTA_SEED, {"rho": RHO, "epsilon": EPS}, c)
    two = adadelta_path(al.ADADELTA_TWO_EPS, {"rho": RHO, "epsilon_num": c**2 * EPS,
                                              "epsilon_den": EPS / c**2}, c)
    lab = r"$\theta_t$ ($c = 1$)" if c == 1 else rf"$\varphi_t/c$, $c = {float(c):g}$"
    axes[0].plot(one, lw=1.5 if c == 1 else 1, ls="-" if c == 1 else "--", label=lab)
    axes[1].plot(two, lw=3 if c == 1 else 1.2, ls="-" if c == 1 else "--", label=lab)
axes[0].set_title(f"printed AdaDelta (one eps = {float(EPS):g}): {tag(part['claim']['verdict'])}",
                  fontsize=10)
axes[1].set_title(f"two eps, rescaled with c: {part['reading']['verdict']}", fontsize=10)
for ax in axes:
    ax.axhline(3, color="gray", lw=0.6, ls=":")
    ax.set_xlabel("step t"); ax.legend(fontsize=8, loc="lower right")
axes[0].set_ylabel(r"iterate in $\theta$ units")
fig.suptitle(f"{v.claim_id}: {tag(v.verdict)}  (f = (theta - 3)^2/2, rho = {float(RHO)})")
plt.tight_layout(); plt.show()
print("ledger witness:", v.evidence["witness"]["params"], "grads", v.evidence["witness"]["grads"])
print("  lhs", v.evidence["lhs"][:14], " rhs", v.evidence["rhs"][:14], " --", v.evidence["sides"])
"""),
("md", r"""
With one $\epsilon$ the rescaled runs move at different speeds in $\theta$ units: the
first step is $-\sqrt{\epsilon}\,g/\sqrt{(1-\rho)g^2+\epsilon}$ *whatever* $c$ is, so the
step in $\theta$ units is $1/c$ times larger or smaller. The units argument is exact only
when both $\epsilon$'s carry units too.

### (b) AdaGrad's learning rate need not vanish, and learning need not stop

The notes say AdaGrad's rate $\eta/\sqrt{\epsilon+\sum_{i\le t} g_i^2}$ "goes to 0 as
training goes on, so learning stops". The claim's method takes exact limits on four
gradient sequences; the limits (dashed, from the evidence) are positive when
$\sum g_i^2 < \infty$. Right: with $g_i = 1$ the rate does go to 0, but the total movement
$\sum_t \text{rate}_t |g_t|$ grows like $2\eta\sqrt t$ — learning does not stop.
"""),
("code", r"""
v = V["seed003.adagrad-lr-vanishes"]
method = claims.get(v.claim_id).method
rate_part = next(p for p in method.parts if p.role == "claim").method     # SequenceLimit
move_part = next(p for p in method.parts if "movement" in p.label)
rate_ev = next(p for p in v.evidence["parts"] if p["role"] == "claim")
rate_verdict, ev_rate = rate_ev["verdict"], rate_ev["evidence"]
ev_move = next(p for p in v.evidence["parts"] if p["label"] == move_part.label)
limits = {r["sequence"]: r for r in ev_rate["candidates"]}
eta_ = float(Fraction(rate_part.params["eta"]))
eps_ = float(Fraction(rate_part.params["epsilon"]))

t = np.arange(1, 10**5 + 1, dtype=float)
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for k, (label, gi) in enumerate(rate_part.candidates):
    g = np.broadcast_to(np.asarray(sp.lambdify(list(gi.free_symbols), gi, "numpy")(
        *([t] * len(gi.free_symbols))), dtype=float), t.shape)
    rate = eta_ / np.sqrt(eps_ + np.cumsum(g * g))
    lim = limits[label]
    axes[0].loglog(t, rate, color=f"C{k}",
                   label=f"g_i = {label}: exact limit {float(lim['limit_60_digits']):.6g}")
    if float(lim["limit_60_digits"]) > 0:
        axes[0].axhline(float(lim["limit_60_digits"]), color=f"C{k}", ls="--", lw=1)
axes[0].set_xlabel("t"); axes[0].set_ylabel(r"rate $\eta\,/\sqrt{\epsilon + \Sigma_{i\leq t}\, g_i^2}$")
axes[0].set_title(f"'the rate -> 0 for every sequence': {tag(rate_verdict)}\n"
                  "(dashed: the exact nonzero limits in the evidence)", fontsize=10)
axes[0].legend(fontsize=8)

move = np.cumsum(eta_ * 1.0 / np.sqrt(eps_ + t))            # g_t = 1: rate_t * |g_t|
axes[1].loglog(t, move, label=r"$\sum_{s\leq t} \mathrm{rate}_s |g_s|$, $g = 1$")
axes[1].loglog(t, 2 * eta_ * np.sqrt(t), "k--", lw=1, label=r"$2\eta\sqrt{t}$")
axes[1].set_xlabel("t"); axes[1].set_ylabel("total movement")
axes[1].set_title(f"'learning stops' (finite movement): {tag(ev_move['verdict'])}\n"
                  f"exact limit for g = 1: {ev_move['evidence']['candidates'][0]['limit'].replace('oo', 'infinity')}",
                  fontsize=10)
axes[1].legend(fontsize=8)
fig.suptitle(f"{v.claim_id}: {tag(v.verdict)}")
plt.tight_layout(); plt.show()
"""),
("md", r"""
### (c) NAG with a constant momentum is not $O(1/t^2)$

The notes credit NAG with the optimal rate $f(\theta_t)-f^* \le C L\lVert\theta_0-\theta^*
\rVert^2/t^2$ with a *constant* $\mu$. On $f(x) = \lambda x^2/2$ ($L = 1$, $\eta = 1$,
$\theta_0 = 1$) the quantity $t^2(f(\theta_t)-f^*)$ should stay below one constant $C$ for
every $\lambda \le L$. The ledger's construction picks $\lambda = (1-\mu)/(2t)$; here are the
printed rule's curves for the $\lambda$'s of its certified instances (stars: the certified
values, dotted: the constants $C$ they exceed). Right: the corrected statement's algorithm,
Nesterov's schedule $\mu_t = (t-1)/(t+2)$, written below as a short NumPy loop (it is not a
rule of the notes), stays below its bound 2.
"""),
("code", r"""
v = V["seed004.nag-optimal-rate"]
part = next(p for p in v.evidence["parts"] if p["role"] == "claim")
inst = part["evidence"]["instances"]
T_NAG = 3 * max(r["steps"] for r in inst)


def nag_printed(params, lam, steps):
    lm = mp.mpf(Fraction(lam).numerator) / Fraction(lam).denominator
    run = al.NAG_SEED.replay(params, steps, oracle=lambda x: lm * x, dps=30)
    x = np.array([float(y) for y in run["output"]])
    return x, float(lm)


def nag_nesterov_schedule(lam, steps, eta=1.0, theta0=1.0):
    # the corrected statement's algorithm: v_t = mu_t v_{t-1} + eta f'(theta_{t-1} - mu_t v_{t-1}),
    # theta_t = theta_{t-1} - v_t with mu_t = (t - 1)/(t + 2)   (Nesterov 1983; Beck & Teboulle 2009)
    theta, vel, out = theta0, 0.0, [theta0]
    for k in range(1, steps + 1):
        mu_t = (k - 1) / (k + 2)
        vel = mu_t * vel + eta * lam * (theta - mu_t * vel)
        theta = theta - vel
        out.append(theta)
    return np.array(out)


t = np.arange(T_NAG + 1)
worst = 0.0
fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
for k, r in enumerate(inst):
    x, lm = nag_printed(r["params"], r["lambda"], T_NAG)
    axes[0].loglog(t[1:], (t**2 * lm * x**2 / 2)[1:], color=f"C{k}", label=f"lambda = {r['lambda']}")
    axes[0].plot(r["steps"], float(r["quantity"]), "*", color=f"C{k}", ms=12, mec="k")
    axes[0].axhline(r["C"], color=f"C{k}", ls=":", lw=1)
    y = nag_nesterov_schedule(lm, T_NAG)
    axes[1].loglog(t[1:], (t**2 * lm * y**2 / 2)[1:], color=f"C{k}", label=f"lambda = {r['lambda']}")
    worst = max(worst, float(np.max(t**2 * lm * y**2 / 2)))
mu_ = float(Fraction(inst[0]["params"]["mu"]))
axes[0].loglog(t[1:], (1 - mu_) * t[1:] / (4 * np.e), "k--", lw=1,
               label=r"$(1-\mu)\,t/(4e)$ ~ the worst $\lambda$ at each t")
axes[1].axhline(2, color="k", ls="--", lw=1, label="bound 2 (Beck & Teboulle)")
axes[0].set_ylim(1e-2, 1e3)
mu_txt = part["evidence"]["instances"][0]["params"]["mu"]
axes[0].set_title(f"printed NAG, constant mu = {mu_txt}: {tag(part['verdict'])}", fontsize=10)
axes[1].set_title("corrected statement: mu_t = (t-1)/(t+2)", fontsize=10)
for ax in axes:
    ax.set_xlabel("t"); ax.legend(fontsize=8, loc="upper left")
axes[0].set_ylabel(r"$t^2\,(f(\theta_t) - f^*)$")
fig.suptitle(f"{v.claim_id}: {tag(v.verdict)}")
plt.tight_layout(); plt.show()
print(f"largest t^2 (f(theta_t) - f*) with Nesterov's schedule on these runs: {worst:.3f} (bound 2)")
"""),
("md", r"""
With a constant $\mu$, NAG on a flat quadratic behaves like gradient descent with step
$\eta/(1-\mu)$, so $\theta_t \approx e^{-\lambda t/(1-\mu)}$. At a given $t$ the worst
$\lambda$ is $(1-\mu)/(2t)$ (the stars), where $t^2 f(\theta_t)$ is about $(1-\mu)t/(4e)$ —
growing linearly, so no constant $C$ bounds it; each fixed-$\lambda$ curve peaks later, near
$t = (1-\mu)/\lambda$.

### (d) Adam's bias-correction factor (a claim the notes got right)

Not every figure shows a refutation. The notes say that at $(\rho_1, \rho_2) = (0.9, 0.999)$
the factor $\sqrt{1-\rho_2^t}/(1-\rho_1^t)$ stays below 1, tends to 1, and is $\ge 0.99$ from
"around $t = 4000$" on; the evidence gives the exact first $t$.
"""),
("code", r"""
v = V["seed003.bias-factor"]
a_t = claims.get(v.claim_id).method.expr
chk = v.evidence["checked"]["at_least"]
t = np.arange(1, 10**4 + 1, dtype=float)
a = sp.lambdify(TS, a_t, "numpy")(t)
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6))
zoom = (t >= 2500) & (t <= 6000)
for ax, sel in zip(axes, (slice(None), zoom)):
    ax.plot(t[sel], a[sel], label=r"$a_t = \sqrt{1-0.999^t}\,/\,(1-0.9^t)$")
    ax.axhline(float(Fraction(chk["c"])), color="gray", ls="--", lw=1, label=f"level {chk['c']}")
    ax.axvline(chk["first_t"], color="C3", lw=1,
               label=f"first t with a_t >= {chk['c']}: {chk['first_t']} (evidence)")
    ax.axvline(chk["claimed_from_about"], color="k", ls=":", lw=1,
               label=f"the notes: around {chk['claimed_from_about']}")
    ax.set_xlabel("t"); ax.set_ylabel("bias-correction factor")
axes[0].set_xscale("log"); axes[0].legend(fontsize=8, loc="center left")
axes[0].set_title("t = 1 .. 10000 (log scale)", fontsize=10)
axes[1].set_title("zoom on the crossing", fontsize=10)
fig.suptitle(f"{v.claim_id}: {tag(v.verdict)}")
plt.tight_layout(); plt.show()
"""),
("md", r"""
### (e) Tran & Phong: the weight in RKK's telescoping sum is not monotone

Reddi, Kale & Kumar's proof of their Theorem 4 (AMSGrad) telescopes a sum whose weights
$\sqrt{\hat v_{t,i}}/(\alpha_t(1-\beta_{1,t}))$ must be non-decreasing in $t$. Tran & Phong
point out that with $\beta_{1,t} = \beta_1\lambda^{t-1}$ they need not be: $1/(1-\beta_{1,t})$
*falls* as $\beta_{1,t}$ decays, and $\sqrt{t}\sqrt{\hat v_t}$ may not grow enough to make up
for it. The ledger's witness run, replayed by the claim's method (`Monotone.values`), then
continued for a few more steps with its last gradient (still inside the hypotheses, not part
of the witness):
"""),
("code", r"""
v = V["tp.rkk-proof4-step"]
mono = next(p.method for p in claims.get(v.claim_id).method.parts if p.role == "claim")
w = v.evidence["witness"]
params = {k: Fraction(x) for k, x in w["params"].items()}
grads = [Fraction(g) for g in w["grads"]]
more = grads + [grads[-1]] * 6
weight = np.array([float(x) for x in mono.values(params, more, 30)])
run = al.AMSGRAD_RKK.replay({k: str(x) for k, x in params.items()}, len(more),
                            grads=[str(g) for g in more], dps=30)
vhat_s = next(s for s in al.AMSGRAD_RKK.state if s.name == "vhat")
sqrt_vhat = np.array([float(mp.sqrt(st[vhat_s])) for st in run["states"]])
ts = np.arange(1, len(more) + 1)
b1t = float(params["beta_1"]) * float(params["lambda_1"]) ** (ts - 1)

n = len(grads)
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
axes[0].plot(ts[:n], weight[:n], "o-", color="C3", lw=2, zorder=3, label="the ledger's witness")
axes[0].plot(ts[n - 1:], weight[n - 1:], "o--", color="gray", lw=1,
             label=f"continued with g = {grads[-1]} (not the witness)")
axes[0].set_xlabel("t"); axes[0].set_ylabel(r"$\sqrt{\hat v_t}/(\alpha_t(1-\beta_{1,t}))$")
axes[0].set_title(f"{v.claim_id}: {tag(v.verdict)}\nweight falls from t = {n - 1} to t = {n}",
                  fontsize=10)
axes[0].legend(fontsize=8)
axes[1].plot(ts, sqrt_vhat, "o-", label=r"$\sqrt{\hat v_t}$")
axes[1].plot(ts, np.sqrt(ts) / float(params["alpha"]), "s-", label=r"$1/\alpha_t = \sqrt{t}/\alpha$")
axes[1].plot(ts, 1 / (1 - b1t), "^-", label=r"$1/(1-\beta_{1,t})$, $\beta_{1,t} = \beta_1\lambda^{t-1}$")
axes[1].axvspan(0.5, n + 0.5, color="C3", alpha=0.08, label="the witness's steps")
axes[1].set_xlabel("t"); axes[1].set_ylabel("factor"); axes[1].set_title("the three factors", fontsize=10)
axes[1].legend(fontsize=8)
plt.tight_layout(); plt.show()
print("witness params:", w["params"], " grads:", w["grads"])
print("  lhs", v.evidence["lhs"][:12], " rhs", v.evidence["rhs"][:12], " --", v.evidence["sides"])
"""),
("md", r"""
## 6.5 What the notes should have said

Every claim the ledger refutes, with the statement as printed (text and the LaTeX that
the ledger generates from its SymPy mathematics) and, where the ledger has one, the
corrected statement that its evidence supports:
"""),
("code", r"""
for i, v in V.items():
    if not v.verdict.startswith("refuted"):
        continue
    c = claims.get(i)
    out = [f"### `{i}` — {v.verdict}", f"*{md_escape(c.source)}*", "",
           f"**As printed.** {md_escape(c.text)}", "", f"$${claims.latex(i)}$$", ""]
    if v.corrected:
        out.append(f"**Corrected.** {md_escape(v.corrected)}")
    else:
        out.append(f"**No corrected statement in the ledger**: the claim is refuted by its "
                   f"witness ({md_escape(v.summary)}).")
    display(Markdown("\n".join(out)))
"""),
("md", r"""
## Exercises

1. In §6.4(a), change `EPS` to $10^{-2}$ and to $10^{-10}$. How far apart are $\theta_t$ and
   $\varphi_t/c$ after 300 steps? Relate the answer to the corrected statement ("only
   approximately when $\epsilon$ is small against both $E[\Delta\theta^2]$ and $E[g^2]$") —
   and note what a tiny $\epsilon$ does to the *first* steps.
2. The ledger also decides the $\mu = 9/10$ reading of `seed004.nag-optimal-rate` (its
   second part in `v.evidence["parts"]`). Redraw §6.4(c) for that part's instances and check
   that the peaks are near $(1-\mu)t/(4e)$. Then run the NumPy loop of the corrected
   statement with $\eta = 1/L$ on $f(x) = x^2/2$ ($\lambda = L$): what happens at $t = 1$?
3. `seed002.rmsprop-bias-correction`: replay `al.RMSPROP_UNCORRECTED` and
   `al.RMSPROP_CORRECTED` with `Rule.replay_float` on the constant gradient $g_t = 1$
   ($\eta = 10^{-3}$, $\rho = 0.999$, $\epsilon = 10^{-8}$) and plot the step sizes against
   $t$. Check the factor $1/\sqrt{1-\rho}\approx 31.6$ at $t = 1$ from the corrected statement.
4. Tran & Phong: with `claims.get("tp.rkk-proof4-step").method.values`, show that for
   $\lambda = 1$ (a constant $\beta_{1,t} = \beta_1$) the weight is non-decreasing on random
   runs, and prove it from the three factors of §6.4(e).
"""),
]
