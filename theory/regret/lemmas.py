r"""What the pieces of the regret proofs become when stated correctly, each checked.

Each :class:`~adamlab.theory.results.Result` here is proved by steps that
SymPy decides -- an identity whose residual simplifies to 0, or a sign
decided after the hypotheses are written as parametrizations
(:math:`\beta = u/(1+u)`, :math:`\lambda = 1/(1+v)`, a power :math:`\le 1`
as :math:`1/(1+z)`, with u, z >= 0, v > 0) -- or by earlier Results
(Lagrange's identity, the EMA weight sum), and then checked at 50 digits on
grids that include the extremal sequences.  Sources of the printed versions:
Kingma & Ba, ICLR 2015, arXiv:1412.6980v9, Lemmas 10.3, 10.4 and the proof
of Theorem 10.5; Reddi, Kale & Kumar, ICLR 2018, Corollary 1.

``LAMBDA_SUM`` (KB proof of Thm 10.5, as printed, and sharper)
    :math:`\sum_{t=1}^T\frac{\beta_1\lambda^{t-1}}{1-\beta_1\lambda^{t-1}}\sqrt t
    \le\frac{\beta_1}{(1-\beta_1)(1-\lambda)^2}\le\frac{1}{(1-\beta_1)(1-\lambda)^2}`.
``VHAT_BOUND`` (corrects the vhat bound)
    :math:`\sqrt{t\hat v_{t,i}}\le G_\infty\sqrt t`, with equality when
    :math:`|g_{s,i}| = G_\infty` for all s: :math:`\hat v_t` is a convex combination
    of the :math:`g_s^2`.  (The printed factor :math:`\sqrt{1-\beta_2}` belongs to
    the crude bound of the *uncorrected* :math:`v_t \le (1-\beta_2)tG_\infty^2`.)
``HARMONIC_CS`` (corrects Lemma 10.3)
    :math:`\sum_{t=1}^T|g_{t,i}|/\sqrt t\le\sqrt{H_T}\lVert g_{1:T,i}\rVert_2\le
    \sqrt{1+\log T}\,\lVert g_{1:T,i}\rVert_2`, equality in the first at
    :math:`g_t\propto t^{-1/2}`; :math:`H_T\to\infty`, so no constant works.
``LEMMA104_CORRECTED`` (corrects Lemma 10.4)
    with :math:`\gamma' = \beta_1/\sqrt{\beta_2} < 1`:
    :math:`\sum_{t=1}^T\frac{\hat m_{t,i}^2}{\sqrt{t\hat v_{t,i}}}\le
    \frac{\sqrt{H_T}}{(1-\gamma')\sqrt{1-\beta_2}}\lVert g_{1:T,i}\rVert_2`
    (Jensen on the normalized EMA weights, one term of :math:`\hat v_t` at a time,
    a geometric tail, and ``HARMONIC_CS``).
``TELESCOPING_CORRECTED`` (corrects the telescoping step)
    with :math:`a_t = \sqrt{\hat v_{t,i}}/\alpha_t` and :math:`|x_t|\le D`:
    :math:`x_1^2a_1+\sum_{t\ge2}x_t^2(a_t-a_{t-1})\le D^2\bigl(a_1+\sum_{t\ge2}(a_t-a_{t-1})_+\bigr)`,
    which is :math:`D^2a_T = D^2\sqrt{T\hat v_{T,i}}/\alpha` when every
    :math:`\Gamma_t = a_t-a_{t-1}\ge0` (Reddi et al. §3) -- e.g. AMSGrad, AdaGrad.
``COR1_CORRECTED`` (corrects RKK Corollary 1)
    :math:`\frac{D_\infty^2}{2(1-\beta_1)}\sum_t\sum_i\frac{\beta_{1t}\hat v_{t,i}^{1/2}}{\alpha_t}
    \le\frac{d\,\beta_1D_\infty^2G_\infty}{2\alpha(1-\beta_1)(1-\lambda)^2}`.
"""
from __future__ import annotations

import mpmath as mp
import sympy as sp

from .. import recursions as rec
from . import pieces as rp
from ..lemmas import LAGRANGE
from ..moments import WEIGHT_SUM
from .quantities import D, D_inf, G_inf, T, alpha, beta1, beta2, d, lam
from ..results import GridCheck, Result, Step, induction, mpf
from ..sums import drop_unit_branch, peel_top, residual_is_zero
from ..symbols import g

KB, RKK = rp.KB, rp.rb.RKK
t, k = rp.t, rp.k
_u = sp.Symbol("u", nonnegative=True)      # beta = u/(1+u) in [0, 1)
_z = sp.Symbol("z", nonnegative=True)      # a power in (0, 1]: 1/(1+z)
_v = sp.Symbol("v", positive=True)         # lambda = 1/(1+v) in (0, 1)
_q = sp.Symbol("q", positive=True)
_P, _M = sp.symbols("P M", nonnegative=True)      # Gamma = P - M, P*M = 0
_X = sp.Symbol("X", real=True)
_a = sp.Function("a", real=True)
HARM = sp.harmonic(T)
NORM = rp.NORM


def nonneg(expr, subs: dict) -> tuple[bool, str]:
    """Decide expr >= 0 after the hypotheses' parametrizations ``subs`` (SymPy's sign
    assumptions on the factored result)."""
    e = sp.factor(sp.simplify(sp.sympify(expr).subs(subs)))
    return bool(e.is_nonnegative), f"{e} >= 0"


def _both(*parts):
    oks, texts = zip(*parts)
    return all(oks), "; ".join(texts)


def _identity(expr) -> tuple[bool, str]:
    e = sp.simplify(expr)
    return e == 0, f"residual {e}"


# ---- LAMBDA_SUM -----------------------------------------------------------------------------------
_W = sp.Symbol("w", positive=True)
_TSUM = (1 - (T + 1) * lam**T + T * lam ** (T + 1)) / (1 - lam) ** 2     # sum_{t<=T} t lam^(t-1)


def _lambda_sum_grid(pt):
    with mp.workdps(60):
        lhs, _ = rp.piece("kb.proof10.5.lambda-sum").evaluate(
            {"beta1": pt["beta1"], "lam": pt["lam"], "T": pt["t"]})
    b1, lm = mpf(pt["beta1"]), mpf(pt["lam"])
    return lhs, b1 / ((1 - b1) * (1 - lm) ** 2)


LAMBDA_SUM = Result(
    name="kb_lambda_sum",
    statement=(sp.Le(rp.piece("kb.proof10.5.lambda-sum").statement.lhs,
                     beta1 / ((1 - beta1) * (1 - lam) ** 2)),
               rp.piece("kb.proof10.5.lambda-sum").statement),
    hypotheses=(sp.Ge(beta1, 0), sp.Lt(beta1, 1), sp.Gt(lam, 0), sp.Lt(lam, 1)),
    source=f"{KB}, proof of Theorem 10.5 (the lambda sum)",
    steps=(Step("b1 w/(1-b1 w) <= b1 w/(1-b1) for w = lam^(t-1) in (0, 1]",
                lambda: nonneg(beta1 * _W / (1 - beta1) - beta1 * _W / (1 - beta1 * _W),
                               {beta1: _u / (1 + _u), _W: 1 / (1 + _z)})),
           Step("sqrt(t) <= t for t >= 1 (t = (1+z)^2)",
                lambda: nonneg(t - sp.sqrt(t), {t: (1 + _z) ** 2})))
    + induction("sum_{t=1}^T t lam^(t-1) = (1 - (T+1) lam^T + T lam^(T+1))/(1-lam)^2",
                base=lambda: sp.simplify(_TSUM.subs(T, 1) - 1),
                step=lambda: sp.simplify(_TSUM.subs(T, T + 1) - _TSUM - (T + 1) * lam**T))
    + (Step("the partial sums stay below sum_{t>=1} t lam^(t-1) = 1/(1-lam)^2",
            lambda: _both(_identity(sp.summation(t * lam ** (t - 1), (t, 1, sp.oo)).subs(
                lam, 1 / (1 + _v)) - (1 / (1 - lam) ** 2).subs(lam, 1 / (1 + _v))),
                nonneg(1 / (1 - lam) ** 2 - _TSUM, {lam: 1 / (1 + _v)}))),
       Step("b1/((1-b1)(1-lam)^2) <= 1/((1-b1)(1-lam)^2) (b1 <= 1)",
            lambda: nonneg((1 - beta1) / ((1 - beta1) * (1 - lam) ** 2),
                           {beta1: _u / (1 + _u), lam: 1 / (1 + _v)}))),
    grid=GridCheck("the exact sum (t <= T) vs b1/((1-b1)(1-lam)^2)", tuple(
        {"beta1": sp.Rational(b), "lam": sp.Rational(lm), "t": TT}
        for b in ("0", "1/2", "9/10", "999/1000") for lm in ("1/100", "1/2", "99/100")
        for TT in (1, 7, 400)), _lambda_sum_grid, "le"),
    note="The printed bound drops the factor b1 <= 1 of the sharper one (RKK's Corollary 1 "
         "keeps it).",
)


# ---- VHAT_BOUND -----------------------------------------------------------------------------------
_C = (1 - beta2) * beta2 ** (t - k) / (1 - beta2**t)        # normalized EMA weight of g_k^2


def _vhat_identity():
    lhs = G_inf**2 * sp.Sum(_C, (k, 1, t)) - sp.Sum(_C * g(k) ** 2, (k, 1, t))
    return residual_is_zero(lhs - sp.Sum(_C * (G_inf**2 - g(k) ** 2), (k, 1, t)))


def _weight_sum_step():
    rep = WEIGHT_SUM.check()
    return rep.ok, rep.summary() + " (so the normalized weights sum to 1)"


def _vhat_grid(pt):
    gs = [mpf(x) for x in rec.random_rationals(pt["t"], seed=pt["t"] * 5 + 1)]
    if pt.get("constant"):
        gs = [mp.mpf(3) * (-1) ** n for n in range(pt["t"])]
    G = max(abs(x) for x in gs)
    vh = rp.adam_moment_sequence(mp.mpf(0), mpf(pt["beta2"]), gs)[-1][1]
    return mp.sqrt(pt["t"] * vh), G * mp.sqrt(pt["t"])


VHAT_BOUND = Result(
    name="kb_vhat_bound_corrected",
    statement=sp.Le(sp.sqrt(t * rp.vhat(t)), G_inf * sp.sqrt(t)),
    hypotheses=(sp.Le(sp.Abs(g(k)), G_inf), sp.Ge(beta2, 0), sp.Lt(beta2, 1)),
    source=f"{KB}, proof of Theorem 10.5 (the vhat bound, corrected)",
    steps=(Step("(1-b2) sum_k b2^(t-k) = 1-b2^t", _weight_sum_step),
           Step("G^2 sum_k c_k - vhat_t = sum_k c_k (G^2 - g_k^2), each term >= 0",
                _vhat_identity),
           Step("equality for |g_k| = G_inf: vhat_t = G_inf^2 sum_k c_k = G_inf^2",
                lambda: _identity(drop_unit_branch(sp.simplify(sp.Sum(_C, (k, 1, t)).doit()),
                                                   beta2) - 1))),
    grid=(GridCheck("sqrt(t vhat_t) <= max|g| sqrt(t) on random rational sequences", tuple(
              {"beta2": sp.Rational(b), "t": TT} for b in ("0", "1/2", "999/1000")
              for TT in (1, 4, 25)), _vhat_grid, "le"),
          GridCheck("equality at |g_k| = G_inf", tuple(
              {"beta2": sp.Rational(b), "t": TT, "constant": True} for b in ("1/2", "999/1000")
              for TT in (1, 9)), _vhat_grid, "eq")),
)


# ---- HARMONIC_CS (Lemma 10.3 corrected) -------------------------------------------------------------
def _lagrange_step():
    rep = LAGRANGE.check()
    return rep.ok, rep.summary() + " -- with x_t = |g_t|, y_t = t^(-1/2): sum y_t^2 = H_T"


def _log_step():
    f = sp.log(1 + _q) - _q / (1 + _q)
    return _both(_identity(sp.diff(f, _q) - _q / (1 + _q) ** 2), _identity(f.subs(_q, 0)),
                 _identity(sp.expand_log(f.subs(_q, 1 / T), force=True)
                           - (sp.log(T + 1) - sp.log(T) - 1 / (T + 1))))


def _harmonic_grid(pt):
    TT = pt["t"]
    if pt.get("extremal"):
        gs = [1 / mp.sqrt(n) for n in range(1, TT + 1)]
        bound = mp.sqrt(mp.harmonic(TT))
    else:
        gs = [mpf(x) for x in rec.random_rationals(TT, seed=TT + 3)]
        bound = mp.sqrt(1 + mp.log(TT))
    lhs, _ = rp.lemma103_sides({"gradients": gs, "G_inf": mp.mpf(1)}, mp.sqrt)
    return lhs, bound * mp.sqrt(mp.fsum(x * x for x in gs))


HARMONIC_CS = Result(
    name="kb_lemma10_3_corrected",
    statement=(sp.Le(rp.piece("kb.lemma10.3").statement.lhs, sp.sqrt(HARM) * NORM),
               sp.Le(HARM, 1 + sp.log(T))),
    hypotheses=(sp.Ge(T, 1),),
    source=f"{KB}, Lemma 10.3 (corrected: no G_inf, a sqrt(H_T) <= sqrt(1 + log T) factor)",
    steps=(Step("Cauchy-Schwarz: (sum x_t y_t)^2 <= sum x_t^2 sum y_t^2", _lagrange_step),)
    + induction("H_T <= 1 + log T",
                base=lambda: HARM.subs(T, 1) - 1 - sp.log(1),
                step=_log_step)
    + (Step("the constant is attained at g_t = t^(-1/2) and H_T -> oo (no constant works)",
            lambda: _both(_identity(sp.Sum(1 / t, (t, 1, T)) - sp.sqrt(sp.Sum(1 / t, (t, 1, T)))
                                    * sp.sqrt(sp.Sum(1 / t, (t, 1, T)))),
                          (sp.limit(HARM, T, sp.oo) == sp.oo, "lim H_T = oo"))),),
    grid=(GridCheck("sum |g_t|/sqrt(t) <= sqrt(1 + log T) ||g||_2, random rational g",
                    tuple({"t": TT} for TT in (1, 2, 5, 30, 200)), _harmonic_grid, "le"),
          GridCheck("equality sum |g_t|/sqrt(t) = sqrt(H_T) ||g||_2 at g_t = t^(-1/2)",
                    tuple({"t": TT, "extremal": True} for TT in (1, 5, 30)), _harmonic_grid)),
    note="The induction step: 1/(T+1) <= log(T+1) - log(T) because f(q) = log(1+q) - q/(1+q) "
         "has f(0) = 0 and f'(q) = q/(1+q)^2 >= 0, at q = 1/T.",
)


# ---- LEMMA104_CORRECTED -------------------------------------------------------------------------------
GAMMA_P = beta1 / sp.sqrt(beta2)
_Gk = sp.Symbol("Gk", positive=True)
_j = sp.Symbol("j", integer=True, nonnegative=True)
_b1p, _b2p = sp.symbols("b1 b2", positive=True)


def _per_term():
    lhs = _b1p**_j * _Gk**2 / sp.sqrt((1 - _b2p) * _b2p**_j * _Gk**2 / (1 - _b2p**t))
    rhs = _Gk * (_b1p / sp.sqrt(_b2p)) ** _j * sp.sqrt((1 - _b2p**t) / (1 - _b2p))
    return _identity(sp.powsimp(lhs / rhs, force=True) - 1)


def _factors():
    # t = 1 + n, b1^n = w in (0, 1]: 1 - (1-b1)/(1-b1^t) = b1(1-w)/(1-b1 w) >= 0; 1-b2^t <= 1
    return _both(nonneg(1 - (1 - beta1) / (1 - beta1 * _W), {beta1: _u / (1 + _u), _W: 1 / (1 + _z)}),
                 nonneg(1 - (1 - _W), {_W: 1 / (1 + _z)}))


def _tail():
    N = sp.Symbol("N", integer=True, nonnegative=True)
    gm = 1 / (1 + _v)
    partial = sp.summation(gm**_j, (_j, 0, N))
    sk = sp.Symbol("sk", positive=True)          # sqrt(k); sqrt(t) = sk + z for t >= k
    return _both(_identity(sp.simplify(partial - (1 - gm ** (N + 1)) / (1 - gm))),
                 nonneg(1 / (1 - gm) - (1 - gm ** (N + 1)) / (1 - gm), {}),
                 nonneg(1 / sk - 1 / (sk + _z), {}))


def _harm_step():
    rep = HARMONIC_CS.check()
    return rep.ok, rep.summary()


def _lemma104_grid(pt):
    TT = pt["t"]
    if pt["seq"] == "extremal":
        gs = [1 / mp.sqrt(n) for n in range(1, TT + 1)]
    else:
        gs = [mpf(x) for x in rec.random_rationals(TT, seed=TT * 7 + pt["seed"])]
    b1, b2 = mpf(pt["beta1"]), mpf(pt["beta2"])
    lhs, _ = rp.lemma104_sides({"beta1": b1, "beta2": b2, "gradients": gs}, mp.sqrt)
    rhs = (mp.sqrt(mp.harmonic(TT)) / ((1 - b1 / mp.sqrt(b2)) * mp.sqrt(1 - b2))
           * mp.sqrt(mp.fsum(x * x for x in gs)))
    return lhs, rhs


_L104_PTS = tuple(
    {"beta1": sp.Rational(b1), "beta2": sp.Rational(b2), "t": TT, "seq": s, "seed": n}
    for b1, b2 in (("0", "1/1000000"), ("0", "1/2"), ("1/100", "1/100"), ("1/2", "1/2"),
                   ("9/10", "999/1000"), ("3/10", "1/10"))
    for TT in (1, 3, 40) for n, s in enumerate(("extremal", "random")))

LEMMA104_CORRECTED = Result(
    name="kb_lemma10_4_corrected",
    statement=sp.Le(rp.piece("kb.lemma10.4").statement.lhs,
                    sp.sqrt(HARM) / ((1 - GAMMA_P) * sp.sqrt(1 - beta2)) * NORM),
    hypotheses=(sp.Ge(beta1, 0), sp.Gt(beta2, 0), sp.Lt(beta2, 1), sp.Lt(GAMMA_P, 1)),
    source=f"{KB}, Lemma 10.4 (corrected: gamma' = b1/sqrt(b2), a sqrt(H_T) factor)",
    steps=(Step("Jensen: mhat_t^2 <= (1-b1)/(1-b1^t) sum_k b1^(t-k) g_k^2 (Cauchy-Schwarz with "
                "x_k = sqrt(w_k) g_k, y_k = sqrt(w_k); normalized EMA weights sum to 1)",
                lambda: _both(_lagrange_step(), _weight_sum_step())),
           Step("one term of vhat_t at a time: b1^j g_k^2/sqrt((1-b2) b2^j g_k^2/(1-b2^t)) = "
                "|g_k| gamma'^j sqrt((1-b2^t)/(1-b2)), j = t-k", _per_term),
           Step("(1-b1)/(1-b1^t) <= 1 and 1-b2^t <= 1", _factors),
           Step("exchange the sums; sum_{t>=k} gamma'^(t-k)/sqrt(t) <= 1/(sqrt(k)(1-gamma')): "
                "geometric partial sums and 1/sqrt(t) <= 1/sqrt(k)", _tail),
           Step("sum_k |g_k|/sqrt(k) <= sqrt(H_T) ||g_(1:T)||_2 (kb_lemma10_3_corrected)",
                _harm_step)),
    grid=GridCheck("both sides at 50 digits: t^(-1/2) (the extremal case) and random rational "
                   "sequences, over (b1, b2) with b1/sqrt(b2) < 1", _L104_PTS, _lemma104_grid,
                   "le"),
    note="Tight up to the factor (1-gamma')sqrt(1-b2): at b1 = 0, b2 -> 0, g_t = t^(-1/2) "
         "both sides tend to H_T.",
)


# ---- TELESCOPING_CORRECTED -----------------------------------------------------------------------
_TEL = _a(1) + sp.Sum(_a(t) - _a(t - 1), (t, 2, T)) - _a(T)


def _telescoping_grid(pt):
    gs = [mpf(x) for x in rec.random_rationals(pt["t"], seed=pt["seed"])]
    xs = [mpf(x) / 9 for x in rec.random_rationals(pt["t"], seed=pt["seed"] + 1)]   # |x| <= 1
    b1, b2, a = mpf(pt["beta1"]), mpf(pt["beta2"]), mp.mpf(1) / 10
    inst = {"beta1": b1, "beta2": b2, "alpha": a, "gradients": gs, "x": xs, "D": mp.mpf(1)}
    lhs, _ = rp.telescoping_sides(inst, mp.sqrt)
    vh = [v for _, v in rp.adam_moment_sequence(mp.mpf(0), b2, gs)]
    at = [mp.sqrt(n * vh[n - 1]) / a for n in range(1, pt["t"] + 1)]
    rhs = at[0] + mp.fsum(max(at[n] - at[n - 1], 0) for n in range(1, pt["t"]))
    return lhs, rhs / (2 * (1 - b1))


TELESCOPING_CORRECTED = Result(
    name="kb_telescoping_corrected",
    statement=sp.Le(rp.piece("kb.proof10.5.telescoping").statement.lhs,
                    D**2 / (2 * (1 - beta1)) * (_a(1) + sp.Sum(sp.Max(_a(t) - _a(t - 1), 0),
                                                               (t, 2, T)))),
    hypotheses=(sp.Le(sp.Abs(rp.x(t)), D), sp.Eq(_a(t), sp.sqrt(t * rp.vhat(t)) / alpha)),
    source=f"{KB}, proof of Theorem 10.5 (telescoping, corrected); Reddi et al. 2018 §3",
    steps=induction("a_1 + sum_{t=2}^T (a_t - a_(t-1)) = a_T",
                    base=lambda: _TEL.subs(T, 1).doit(),
                    step=lambda: residual_is_zero(peel_top(_TEL.subs(T, T + 1), T + 1) - _TEL))
    + (Step("x^2 Gamma <= D^2 max(Gamma, 0) for x^2 <= D^2: with Gamma = P - M (P, M >= 0), "
            "D^2 P - x^2 (P - M) = (D^2 - x^2) P + x^2 M",
            lambda: _identity(D**2 * _P - _X**2 * (_P - _M) - ((D**2 - _X**2) * _P + _X**2 * _M))),
       Step("when every Gamma_t >= 0 the right side telescopes to D^2 a_T",
            lambda: _identity(peel_top(_TEL.subs(T, 2), 2).doit()))),
    grid=GridCheck("random Adam runs (b1, b2 grid), |x_t| <= D = 1: printed left side vs "
                   "D^2 (a_1 + sum (a_t - a_(t-1))_+)/(2(1-b1))", tuple(
                       {"beta1": sp.Rational(b1), "beta2": sp.Rational(b2), "t": TT, "seed": TT}
                       for b1, b2 in (("0", "1/2"), ("9/10", "999/1000"), ("1/2", "9/10"))
                       for TT in (1, 2, 6, 30)), _telescoping_grid, "le"),
)


# ---- COR1_CORRECTED --------------------------------------------------------------------------------
_S = sp.Sum(lam ** (t - 1) * sp.sqrt(t), (t, 1, T))


def _cor1_grid(pt):
    TT, dd = pt["t"], 3
    flat = rec.random_rationals(TT * dd, seed=pt["seed"])
    grads = [[mpf(x) for x in flat[r * dd:(r + 1) * dd]] for r in range(TT)]
    inst = {"beta1": mpf(pt["beta1"]), "beta2": mpf(pt["beta2"]), "lam": mpf(pt["lam"]),
            "alpha": mp.mpf(1) / 10, "D_inf": mp.mpf(2), "gradients": grads}
    mid = rp.rkk_middle_term(inst, mp.sqrt)
    G = max(abs(x) for row in grads for x in row)
    b1, lm = inst["beta1"], inst["lam"]
    return mid, dd * b1 * 4 * G / (2 * inst["alpha"] * (1 - b1) * (1 - lm) ** 2)


def _lambda_step():
    rep = LAMBDA_SUM.check()
    return rep.ok, rep.summary() + " (its steps: sum lam^(t-1) sqrt(t) <= 1/(1-lam)^2)"


COR1_CORRECTED = Result(
    name="rkk_cor1_corrected",
    statement=sp.Le(rp.piece("rkk.cor1").statement.lhs,
                    d * beta1 * D_inf**2 * G_inf / (2 * alpha * (1 - beta1) * (1 - lam) ** 2)),
    hypotheses=(sp.Lt(GAMMA_P, 1), sp.Gt(lam, 0), sp.Lt(lam, 1)),
    source=f"{RKK}, Corollary 1 (corrected: the factor d/alpha)",
    steps=(Step("v_t <= (1-b2^t) G_inf^2 <= G_inf^2, so vhat_t = max_s v_s <= G_inf^2",
                _weight_sum_step),
           Step("sum_t lam^(t-1) sqrt(t) <= 1/(1-lam)^2", _lambda_step),
           Step("D^2/(2(1-b1)) sum_t b1 lam^(t-1) (d G_inf) sqrt(t)/alpha = "
                "d b1 D^2 G_inf/(2 alpha (1-b1)) sum_t lam^(t-1) sqrt(t)",
                lambda: _identity(D_inf**2 / (2 * (1 - beta1)) * sp.Sum(
                    beta1 * lam ** (t - 1) * d * G_inf * sp.sqrt(t) / alpha, (t, 1, T)).doit()
                    - d * beta1 * D_inf**2 * G_inf / (2 * alpha * (1 - beta1)) * _S.doit()))),
    grid=GridCheck("random AMSGrad runs (RKK Algorithm 2), d = 3, D_inf = 2, alpha = 1/10", tuple(
        {"beta1": sp.Rational(b1), "beta2": sp.Rational(b2), "lam": sp.Rational(lm), "t": TT,
         "seed": TT + 5} for b1, b2 in (("1/2", "1/2"), ("9/10", "999/1000"))
        for lm in ("1/2", "99/100") for TT in (1, 5, 40)), _cor1_grid, "le"),
)

RESULTS = (LAMBDA_SUM, VHAT_BOUND, HARMONIC_CS, LEMMA104_CORRECTED, TELESCOPING_CORRECTED,
           COR1_CORRECTED)

__all__ = ["COR1_CORRECTED", "GAMMA_P", "HARMONIC_CS", "LAMBDA_SUM", "LEMMA104_CORRECTED",
           "RESULTS", "TELESCOPING_CORRECTED", "VHAT_BOUND", "nonneg"]
