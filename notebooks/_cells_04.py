"""Cells of notebook 4: where the proof of Kingma & Ba's Theorem 4.1 breaks."""
STEM = "04_where_the_proof_breaks"
CELLS = [
("md", r"""
# 4 · Where the proof of Theorem 4.1 breaks

*Kingma & Ba, ICLR 2015 (arXiv:1412.6980v9), Theorem 4.1 and its proof (Theorem 10.5,
Lemmas 10.3–10.4); Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018.*

Theorem 4.1 claims that Adam, with $\alpha_t = \alpha/\sqrt t$ and
$\beta_{1,t} = \beta_1\lambda^{t-1}$, has regret $O(\sqrt T)$ on every online convex problem
with bounded gradients and iterates. Three years later Reddi et al. showed a one-dimensional
convex problem on which Adam's average regret does **not** go to zero. So the proof has a
hole. In this lecture we find it, step by step, with the machine checking each step.
"""),
("code", r"""
%matplotlib inline
import numpy as np
import matplotlib.pyplot as plt
from IPython.display import Math, Markdown, display

from adamlab.theory.regret import bounds as regret_bounds
from adamlab.numerics import simulate, optimizers, problems
from adamlab.numerics.optimizers.schedules import InverseSqrt, Beta1Decay
from adamlab.proofs import ledger, claims
from adamlab.proofs.steps import render
"""),
("md", r"""
## 4.1 The statement
"""),
("code", r"""
thm = regret_bounds.get("kb.thm4.1")
display(Math(thm.latex()))                 # the statement, "R(T) \le ..." as printed
for h in thm.hypotheses:
    where = "in the statement" if h.printed else "used by the proof, NOT in the statement"
    print(f"- {h.text}   [{where}]")
"""),
("md", r"""
## 4.2 The proof, step by step

The proof (the paper's Theorem 10.5) starts from convexity,
$f_t(\theta_t) - f_t(\theta^*) \le g_t^\top(\theta_t - \theta^*)$, rewrites
$g_{t,i}$ through Adam's update, and bounds the resulting sum in pieces:

1. a **telescoping** sum of $(\theta_{t,i}-\theta^*_i)^2\bigl(\sqrt{\hat v_{t,i}}/\alpha_t - \sqrt{\hat v_{t-1,i}}/\alpha_{t-1}\bigr)$, bounded by $D^2\sqrt{T\hat v_{T,i}}/(2\alpha(1-\beta_1))$;
2. a sum of $\hat m_{t,i}^2/\sqrt{t\hat v_{t,i}}$, bounded by **Lemma 10.4** (which uses **Lemma 10.3**);
3. the momentum-decay sum $\sum_t \beta_{1,t}/(1-\beta_{1,t})\sqrt t$ (**lambda-sum**), with a bound on $\sqrt{t\hat v_{t,i}}$ (**vhat-bound**);
4. the final display, which should equal the statement.

The ledger decides each step by computation (the full rendered proof is in §4.6). Run it:
"""),
("code", r"""
steps = ["kb.proof10.5.telescoping", "kb.lemma10.3", "kb.lemma10.4",
         "kb.proof10.5.vhat-bound", "kb.proof10.5.lambda-sum", "kb.proof10.5.final-display"]
verdicts = {cid: ledger.decide(cid) for cid in steps}
rows = ["| step | verdict | what the computation found |", "|---|---|---|"]
for cid, v in verdicts.items():
    text = v.summary[:220].replace("|", "\\|")          # a literal | would split the table cell
    rows.append(f"| `{cid}` | **{v.verdict}** | {text}… |")
display(Markdown("\n".join(rows)))
"""),
("md", r"""
Several steps are wrong *as printed* but can be repaired (a missing factor, a wrong constant):
those are the `refuted-as-stated` verdicts whose evidence includes a corrected statement that
passes its own check. Look at the telescoping step's evidence: its witness is small enough to check by hand, and
its summary names the culprit.
"""),
("code", r"""
tel = verdicts["kb.proof10.5.telescoping"]
print(tel.summary)
print("witness:", tel.evidence.get("witness"))
"""),
("md", r"""
## 4.3 $\Gamma_t$: the quantity the proof assumes is non-negative

The telescoping step replaces $(\theta_{t,i}-\theta^*_i)^2$ by its upper bound $D^2$. That is
only allowed if the factor it multiplies is non-negative:

$$\Gamma_{t,i} = \frac{\sqrt{\hat v_{t,i}}}{\alpha_t} - \frac{\sqrt{\hat v_{t-1,i}}}{\alpha_{t-1}} \ge 0 .$$

For SGD ($\sqrt{\hat v} \equiv 1$) and AdaGrad ($\hat v$ is a growing sum) this always holds.
For Adam, $\hat v_t$ is an *average* that can shrink when a large gradient is followed by
small ones — faster than $\alpha_t$ shrinks. Reddi et al. (§3) make this precise. The
simulator records $\min_i \Gamma_{t,i}$ at every step (`stats["gamma_min_eig"]`, the smallest
eigenvalue of the diagonal matrix $\Gamma_t$); here it is on Reddi et al.'s first problem.
"""),
("code", r"""
print(problems.get("rkk-thm1").summary)
T = 2000
common = dict(lr=InverseSqrt(0.5), eps=0.0)
learners = {
    "SGD":     optimizers.make("sgd", lr=InverseSqrt(0.5)),
    "AdaGrad": optimizers.make("adagrad", lr=0.5),
    # beta1 = 0 (and so trivially beta1_t = 0 * lambda^(t-1)), beta2 = 1/(1 + C^2) = 0.1
    "Adam":    optimizers.make("adam", betas=(Beta1Decay(0.0, 0.5), 0.1), **common),
    "AMSGrad": optimizers.make("amsgrad", betas=(Beta1Decay(0.0, 0.5), 0.1), amsgrad_mode="reddi", **common),
}
runs = {n: simulate.run("rkk-thm1", o, T=T, runs=1, seed=0, progress=False, record_iterates=True)
        for n, o in learners.items()}
fig, ax = plt.subplots(figsize=(7, 3.2))
for k, (n, r) in enumerate(runs.items()):
    if "gamma_min_eig" not in r.stats:       # SGD: sqrt(vhat) = 1, Gamma_t = 1/alpha_t - 1/alpha_(t-1) > 0
        print(f"{n:8s} Gamma_t not recorded (no second moment)"); continue
    gam = r.stats["gamma_min_eig"][:60, 0]
    ax.plot(np.arange(1, gam.size + 1), gam, marker=".", lw=0.8, color=f"C{k}", label=n)
    print(f"{n:8s} min_t Gamma_t = {np.nanmin(r.stats['gamma_min_eig']):+.4f}; "
          f"steps with Gamma_t < 0: {int(np.sum(r.stats['gamma_min_eig'] < 0))} of {T}")
ax.axhline(0, color="k", lw=0.6); ax.set_xlabel("t"); ax.set_ylabel(r"$\min_i \Gamma_{t,i}$")
ax.legend(fontsize=8); plt.show()
"""),
("md", r"""
Reddi et al. state this as a claim (their §3, eq. 2): $\Gamma_t$ is positive semidefinite for
SGD, AdaGrad and AMSGrad, but can be indefinite for Adam and RMSProp. The ledger decides it
with its own check (symbolic for the three methods, an exact witness for Adam):
"""),
("code", r"""
spec = claims.get("rkk.gamma-psd")
print(f"{spec.source}: {spec.statement}\n")
v = ledger.decide("rkk.gamma-psd")
print(f"verdict: {v.verdict}\n{v.summary}")
"""),
("md", r"""
## 4.4 Reddi et al.'s counterexample

The problem: on $F = [-1, 1]$, $f_t(x) = Cx$ when $t \equiv 1 \pmod 3$ and $f_t(x) = -x$
otherwise, with $C > 2$. Over a period the total slope is $C - 2 > 0$, so the best point is
$x^* = -1$. Adam with $\beta_1 = 0$, $\beta_2 = 1/(1+C^2)$ (here $C = 3$, $\beta_2 = 0.1$) sees
the large gradient $C$ once, normalizes it away quickly, and the two small gradients
$-1$ then push it back *up* by about as much: it drifts to $x = +1$, the worst point.

If the regret is $O(\sqrt T)$ then $R(T)/T \to 0$. Let us look.
"""),
("code", r"""
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
for k, (n, r) in enumerate(runs.items()):
    reg = r.stats.get("regret_prefix", r.regret)[:, 0]
    t = np.arange(1, reg.size + 1)
    axes[0].semilogx(t, reg / t, color=f"C{k}", label=n)
    axes[1].plot(t[:300], r.iterates[:300, 0, 0] if r.iterates.ndim == 3 else r.iterates[:300, 0],
                 color=f"C{k}", lw=0.8, label=n)
    print(f"{n:8s} R(T)/T at T = {T}: {reg[-1] / T:.4f}")
axes[0].set_xlabel("T"); axes[0].set_ylabel("R(T)/T"); axes[0].legend(fontsize=8)
axes[1].set_xlabel("t"); axes[1].set_ylabel(r"$\theta_t$"); axes[1].set_title("the iterates (first 300 steps)")
plt.tight_layout(); plt.show()
"""),
("md", r"""
Adam's average regret levels off at a positive value: it never learns. SGD, AdaGrad and
AMSGrad drive it to zero. Which hypotheses of Theorem 4.1 fail on this run? `applies` checks
each one on the run (the printed ones, and the one the proof silently used):
"""),
("code", r"""
r = runs["Adam"]
# the run used lr=InverseSqrt(0.5); we say so, since the run's constants do not record the form
print(thm.applies(r.stats, dict(r.constants, alpha_schedule="inverse_sqrt")).summary())
"""),
("md", r"""
## 4.5 AMSGrad's fix

AMSGrad keeps $\hat v_t = \max(\hat v_{t-1}, v_t)$, so $\sqrt{\hat v_t}$ never decreases and
$\Gamma_t \ge 0$ by construction: the telescoping step goes through. Reddi et al.'s
Theorem 4 bounds its regret; here it is evaluated on the AMSGrad run, and `applies` checks
its hypotheses on the same run:
"""),
("code", r"""
rkk = regret_bounds.get("rkk.thm4")
display(Math(rkk.latex()))
r = runs["AMSGrad"]
bound = rkk.evaluate(r.stats, r.constants)
reg = r.stats.get("regret_prefix", r.regret)
print(f"AMSGrad: R(T) = {reg[-1, 0]:.3f},  Theorem 4 bound = {bound[-1, 0]:.3f}")
print(rkk.applies(r.stats, r.constants).summary())
"""),
("md", r"""
## 4.6 The step-checked proof, rendered

`adamlab.proofs.steps.render` writes the whole proof of Theorem 4.1 as a page: every step with its
statement and the status its check computed just now (the same page as `adamlab prove kb.thm4.1`).
Read it with the counterexample of §4.4 in mind.
"""),
("code", r"""
print("proofs that can be rendered:", render.proof_ids())
display(Markdown(render.render_proof("kb.thm4.1")))
"""),
("md", r"""
## Exercises

1. Find the smallest $C$ for which Adam fails on `rkk-thm1` (pass `problem_params={"C": ...}`
   to `simulate.run`). Compare with Reddi et al.'s condition $C > 2$.
2. Give Adam a larger $\beta_2$ (0.9, 0.99, 0.999). Does it still fail on `rkk-thm1`? On
   `rkk-online` (period 101, $C = 1010$)?
3. Construct by hand a two-step gradient sequence with $\Gamma_2 < 0$ for Adam at the default
   betas, and check it against the witness of `kb.proof10.5.telescoping`.
4. Run AMSGrad with `amsgrad_mode="torch"` (max of the raw $v_t$, then bias correction).
   Is $\Gamma_t$ still non-negative at every step? Why or why not?
5. Read the evidence of `kb.lemma10.4`. Why can no constant independent of $T$ make the
   printed lemma true?
"""),
]
