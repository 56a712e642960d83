r"""The published claims that the ledger must decide, as printed.

Each claim has a stable ID, its source and its statement as printed (up to
notation).  The statements are transcribed from the papers; the ledger
(:mod:`adamlab.proofs`, issue 6) decides each one with its own checks and
never from this table.

Sources: [KB] Kingma & Ba, "Adam: A Method for Stochastic Optimization",
ICLR 2015, arXiv:1412.6980v9.  [RKK] Reddi, Kale & Kumar, "On the
Convergence of Adam and Beyond", ICLR 2018.  [DHS] Duchi, Hazan & Singer,
JMLR 2011.  [Z] Zinkevich, ICML 2003.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClaimSpec:
    """A published claim: ``id``, ``source`` and ``statement`` as printed."""

    id: str
    source: str
    statement: str


CLAIMS: tuple[ClaimSpec, ...] = (
    ClaimSpec('kb.alg1.efficient-order', 'KB §2',
              'Replacing the last three lines of Algorithm 1 by alpha_t = '
              'alpha*sqrt(1-b2^t)/(1-b1^t), theta_t = theta_{t-1} - '
              'alpha_t*m_t/(sqrt(v_t)+epshat) gives the same algorithm (epshat is not '
              'defined further).'),
    ClaimSpec('kb.sec2.1.step-bound-a', 'KB §2.1',
              'abs(Delta_t) <= alpha*(1-b1)/sqrt(1-b2) in the case (1-b1) > sqrt(1-b2).'),
    ClaimSpec('kb.sec2.1.step-bound-b', 'KB §2.1',
              'abs(Delta_t) <= alpha otherwise, i.e. when (1-b1) <= sqrt(1-b2).'),
    ClaimSpec('kb.sec2.1.step-bound-equal', 'KB §2.1',
              'When (1-b1) = sqrt(1-b2): abs(mhat_t/sqrt(vhat_t)) < 1, hence abs(Delta_t) < '
              'alpha.'),
    ClaimSpec('kb.sec2.1.scale-invariance', 'KB §2.1',
              'Delta_t is invariant to rescaling all gradients by a factor c > 0 (epsilon = '
              '0).'),
    ClaimSpec('kb.sec3.ema-unroll', 'KB §3 eq. 1',
              'v_t = (1-b2) * sum_{i=1}^t b2^(t-i) g_i^2 (and the same form for m_t with '
              'b1).'),
    ClaimSpec('kb.sec3.bias-correction', 'KB §3 eqs. 2-4',
              'E[v_t] = E[g_t^2](1-b2^t) + zeta, with zeta = 0 when E[g_i^2] is stationary; '
              'likewise E[m_t] = E[g_t](1-b1^t) + zeta.'),
    ClaimSpec('kb.sec5.adagrad-limit', 'KB §5',
              'With b1 = 0 and b2 -> 1, vhat_t -> (1/t) * sum_{i=1}^t g_i^2, so Adam with '
              'alpha_t = alpha/sqrt(t) becomes AdaGrad.'),
    ClaimSpec('kb.thm4.1', 'KB Thm 4.1',
              'If abs-gradients are bounded (norm2 <= G, norm_inf <= G_inf), iterates '
              'satisfy norm2(theta_n-theta_m) <= D and norm_inf(theta_m-theta_n) <= D_inf, '
              'b1,b2 in [0,1) with gamma = b1^2/sqrt(b2) < 1, alpha_t = alpha/sqrt(t), b1_t '
              '= b1*lambda^(t-1), lambda in (0,1), then for all T >= 1: R(T) <= D^2/(2 '
              'alpha (1-b1)) * sum_i sqrt(T vhat_{T,i}) + alpha(1+b1) G_inf / ((1-b1) '
              'sqrt(1-b2) (1-gamma)^2) * sum_i norm2(g_{1:T,i}) + sum_i D_inf^2 G_inf '
              'sqrt(1-b2) / (2 alpha (1-b1) (1-lambda)^2).'),
    ClaimSpec('kb.cor4.2', 'KB Cor 4.2',
              'Under bounded gradients and bounded distances, R(T)/T = O(1/sqrt(T)), so lim '
              'R(T)/T = 0.'),
    ClaimSpec('kb.lemma10.3', 'KB Lemma 10.3',
              'If norm2(g_t) <= G and norm_inf(g_t) <= G_inf then sum_{t=1}^T '
              'sqrt(g_{t,i}^2 / t) <= 2 G_inf norm2(g_{1:T,i}).'),
    ClaimSpec('kb.lemma10.4', 'KB Lemma 10.4',
              'With gamma = b1^2/sqrt(b2) < 1 and bounded gradients: sum_{t=1}^T '
              'mhat_{t,i}^2 / sqrt(t vhat_{t,i}) <= 2/(1-gamma) * 1/sqrt(1-b2) * '
              'norm2(g_{1:T,i}).'),
    ClaimSpec('kb.proof10.5.telescoping', 'KB proof of Thm 10.5',
              'The sum over t >= 2 of (theta_{t,i}-theta*_i)^2/(2(1-b1)) * '
              '(sqrt(vhat_{t,i})/alpha_t - sqrt(vhat_{t-1,i})/alpha_{t-1}), plus the t = 1 '
              'term, is at most D^2/(2 alpha (1-b1)) * sqrt(T vhat_{T,i}).'),
    ClaimSpec('kb.proof10.5.vhat-bound', 'KB proof of Thm 10.5',
              'sqrt(t vhat_{t,i}) <= G_inf * sqrt(1-b2) * sqrt(t).'),
    ClaimSpec('kb.proof10.5.lambda-sum', 'KB proof of Thm 10.5',
              'sum_{t=1}^T b1_t/(1-b1_t) * sqrt(t) <= 1/((1-b1)(1-lambda)^2) for b1_t = '
              'b1*lambda^(t-1).'),
    ClaimSpec('kb.proof10.5.final-display', 'KB proof of Thm 10.5, last display',
              "The proof's final inequality equals the statement of Thm 4.1 (compare the "
              "third term's denominator)."),
    ClaimSpec('kb.sec7.1.adamax-limit', 'KB §7.1 eqs. 6-12',
              'u_t = lim_{p->inf} (v_t)^(1/p) with the p-norm recursion equals '
              'max(b2*u_{t-1}, abs(g_t)).'),
    ClaimSpec('kb.sec7.1.adamax-step-bound', 'KB §7.1',
              'For AdaMax, theta_t = theta_{t-1} - (alpha/(1-b1^t)) m_t/u_t, abs(Delta_t) '
              '<= alpha.'),
    ClaimSpec('kb.sec7.2.averaging-bias', 'KB §7.2',
              'The EMA of iterates with initialisation 0, divided by (1-b2^t), is an '
              'unbiased average (the same correction as §3).'),
    ClaimSpec('rkk.gamma-psd', 'RKK §3 eq. 2',
              'Gamma_{t+1} = sqrt(V_{t+1})/alpha_{t+1} - sqrt(V_t)/alpha_t is positive '
              'semidefinite for SGD and AdaGrad (and for AMSGrad), but can be indefinite '
              'for Adam and RMSProp.'),
    ClaimSpec('rkk.thm1', 'RKK Thm 1',
              'On F = [-1,1] with f_t(x) = C x for t mod 3 = 1 and -x otherwise (C > 2), '
              'Adam with b1 = 0, b2 = 1/(1+C^2), alpha_t = alpha/sqrt(t) (alpha < '
              'sqrt(1-b2)) has R(T)/T not tending to 0.'),
    ClaimSpec('rkk.sec5.online', 'RKK §5',
              'On F = [-1,1] with f_t(x) = 1010 x for t mod 101 = 1 and -10 x otherwise, b1 '
              "= 0.9, b2 = 0.99: Adam's average regret does not go to 0 (it converges to x "
              "= +1); AMSGrad's does."),
    ClaimSpec('rkk.sec5.stochastic', 'RKK §5 / Thm 3',
              'With f_t(x) = 1010 x with probability 0.01 and -10 x otherwise, Adam does '
              'not converge to the optimum x = -1; AMSGrad does.'),
    ClaimSpec('rkk.thm4', 'RKK Thm 4 (camera-ready)',
              'AMSGrad with alpha_t = alpha/sqrt(t), b1_t <= b1, gamma = b1/sqrt(b2) < 1, '
              'diameter D_inf, norm_inf(grad) <= G_inf: R_T <= D_inf^2 '
              'sqrt(T)/(alpha(1-b1)) * sum_i vhat_{T,i}^(1/2) + D_inf^2/(2(1-b1)) * sum_t '
              'sum_i b1_t vhat_{t,i}^(1/2)/alpha_t + alpha sqrt(1+log T)/((1-b1)^2 '
              '(1-gamma) sqrt(1-b2)) * sum_i norm2(g_{1:T,i}).'),
    ClaimSpec('rkk.cor1', 'RKK Cor 1',
              'With b1_t = b1*lambda^(t-1), the middle term of Thm 4 is at most b1 D_inf^2 '
              'G_inf / (2(1-b1)(1-lambda)^2).'),
    ClaimSpec('dhs.adagrad-regret', 'DHS (diagonal AdaGrad)',
              'On a set of norm_inf-diameter D_inf, with eta = D_inf/sqrt(2): R(T) <= '
              'sqrt(2) D_inf * sum_i norm2(g_{1:T,i}).'),
    ClaimSpec('z.ogd-regret', 'Z Thm 1',
              'Projected online gradient descent with eta_t = eta/sqrt(t): R(T) <= D^2 '
              'sqrt(T)/(2 eta) + (sqrt(T) - 1/2) eta G^2.'),
)



def ids() -> list[str]:
    """The claim IDs in ledger order."""
    return [c.id for c in CLAIMS]


def get(claim_id: str) -> ClaimSpec:
    """The claim with this ID; unknown IDs suggest close ones."""
    import difflib
    if not isinstance(claim_id, str):
        raise TypeError(f"claim_id must be a str, got {type(claim_id).__name__}")
    for c in CLAIMS:
        if c.id == claim_id:
            return c
    close = difflib.get_close_matches(claim_id, ids(), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ValueError(f"unknown claim id {claim_id!r}{hint}")


# ---- the statements in LaTeX (issue 6 §4: the JSON's "statement"), transcribed from the same
# printed text as CLAIMS above; notation as in CLAIMS.md.
_D = r"\Delta_t"
LATEX: dict[str, str] = {
    'kb.alg1.efficient-order':
        r"\alpha_t = \alpha\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t},\ \theta_t = \theta_{t-1}"
        r" - \alpha_t\frac{m_t}{\sqrt{v_t}+\hat\epsilon}\ \text{ gives the same iterates as "
        r"Algorithm 1}",
    'kb.sec2.1.step-bound-a':
        r"(1-\beta_1) > \sqrt{1-\beta_2} \implies |" + _D + r"| \le \alpha\frac{1-\beta_1}"
        r"{\sqrt{1-\beta_2}}",
    'kb.sec2.1.step-bound-b':
        r"(1-\beta_1) \le \sqrt{1-\beta_2} \implies |" + _D + r"| \le \alpha",
    'kb.sec2.1.step-bound-equal':
        r"(1-\beta_1) = \sqrt{1-\beta_2} \implies \Bigl|\frac{\hat m_t}{\sqrt{\hat v_t}}\Bigr|"
        r" < 1,\ |" + _D + r"| < \alpha",
    'kb.sec2.1.scale-invariance':
        r"\Delta_t(c\,g_{1:t}) = \Delta_t(g_{1:t})\quad (c > 0,\ \epsilon = 0)",
    'kb.sec3.ema-unroll':
        r"v_t = (1-\beta_2)\sum_{i=1}^t \beta_2^{t-i} g_i^2,\quad m_t = (1-\beta_1)"
        r"\sum_{i=1}^t \beta_1^{t-i} g_i",
    'kb.sec3.bias-correction':
        r"\mathbb E[v_t] = \mathbb E[g_t^2](1-\beta_2^t) + \zeta,\ \zeta = 0 \text{ if } "
        r"\mathbb E[g_i^2] \text{ is stationary};\ \mathbb E[m_t] = \mathbb E[g_t](1-\beta_1^t)"
        r" + \zeta",
    'kb.sec5.adagrad-limit':
        r"\beta_1 = 0,\ \beta_2 \to 1:\ \hat v_t \to \frac1t\sum_{i=1}^t g_i^2,\ \text{so "
        r"Adam with } \alpha_t = \alpha/\sqrt t \text{ is AdaGrad}",
    'kb.thm4.1':
        r"R(T) \le \frac{D^2}{2\alpha(1-\beta_1)}\sum_{i=1}^d\sqrt{T\hat v_{T,i}} + "
        r"\frac{\alpha(1+\beta_1)G_\infty}{(1-\beta_1)\sqrt{1-\beta_2}(1-\gamma)^2}\sum_{i=1}^d"
        r"\lVert g_{1:T,i}\rVert_2 + \sum_{i=1}^d\frac{D_\infty^2G_\infty\sqrt{1-\beta_2}}"
        r"{2\alpha(1-\beta_1)(1-\lambda)^2},\quad \gamma = \frac{\beta_1^2}{\sqrt{\beta_2}} < 1,"
        r"\ \alpha_t = \frac{\alpha}{\sqrt t},\ \beta_{1,t} = \beta_1\lambda^{t-1},\ "
        r"\lVert g_t\rVert_2 \le G,\ \lVert g_t\rVert_\infty \le G_\infty,\ \lVert\theta_n-"
        r"\theta_m\rVert_2 \le D,\ \lVert\theta_n-\theta_m\rVert_\infty \le D_\infty",
    'kb.cor4.2':
        r"\frac{R(T)}{T} = O\Bigl(\frac{1}{\sqrt T}\Bigr),\quad \lim_{T\to\infty}"
        r"\frac{R(T)}{T} = 0",
    'kb.lemma10.3':
        r"\sum_{t=1}^T\sqrt{\frac{g_{t,i}^2}{t}} \le 2G_\infty\lVert g_{1:T,i}\rVert_2",
    'kb.lemma10.4':
        r"\sum_{t=1}^T\frac{\hat m_{t,i}^2}{\sqrt{t\hat v_{t,i}}} \le \frac{2}{1-\gamma}"
        r"\frac{1}{\sqrt{1-\beta_2}}\lVert g_{1:T,i}\rVert_2,\quad \gamma = "
        r"\frac{\beta_1^2}{\sqrt{\beta_2}} < 1",
    'kb.proof10.5.telescoping':
        r"\frac{(\theta_{1,i}-\theta^*_i)^2\sqrt{\hat v_{1,i}}}{2\alpha_1(1-\beta_1)} + "
        r"\sum_{t=2}^T\frac{(\theta_{t,i}-\theta^*_i)^2}{2(1-\beta_1)}\Bigl(\frac{\sqrt{"
        r"\hat v_{t,i}}}{\alpha_t}-\frac{\sqrt{\hat v_{t-1,i}}}{\alpha_{t-1}}\Bigr) \le "
        r"\frac{D^2}{2\alpha(1-\beta_1)}\sqrt{T\hat v_{T,i}}",
    'kb.proof10.5.vhat-bound':
        r"\sqrt{t\hat v_{t,i}} \le G_\infty\sqrt{1-\beta_2}\sqrt t",
    'kb.proof10.5.lambda-sum':
        r"\sum_{t=1}^T\frac{\beta_{1,t}}{1-\beta_{1,t}}\sqrt t \le \frac{1}{(1-\beta_1)"
        r"(1-\lambda)^2},\quad \beta_{1,t} = \beta_1\lambda^{t-1}",
    'kb.proof10.5.final-display':
        r"\text{the proof's last display} = \text{Theorem 4.1's bound; third term } "
        r"\sum_{i=1}^d\frac{D_\infty^2G_\infty\sqrt{1-\beta_2}}{2\alpha(1-\beta_1)"
        r"(1-\lambda)^2}",
    'kb.sec7.1.adamax-limit':
        r"u_t = \lim_{p\to\infty}(v_t)^{1/p} = \max(\beta_2u_{t-1}, |g_t|)",
    'kb.sec7.1.adamax-step-bound':
        r"\theta_t = \theta_{t-1} - \frac{\alpha}{1-\beta_1^t}\frac{m_t}{u_t}:\ "
        r"|\Delta_t| \le \alpha",
    'kb.sec7.2.averaging-bias':
        r"\hat{\bar\theta}_t = \frac{\bar\theta_t}{1-\beta_2^t},\ \bar\theta_t = \beta_2"
        r"\bar\theta_{t-1} + (1-\beta_2)\theta_t,\ \bar\theta_0 = 0 \text{ is unbiased}",
    'rkk.gamma-psd':
        r"\Gamma_{t+1} = \frac{\sqrt{V_{t+1}}}{\alpha_{t+1}} - \frac{\sqrt{V_t}}{\alpha_t}"
        r"\succeq 0 \text{ for SGD, AdaGrad, AMSGrad; indefinite for some inputs for Adam, "
        r"RMSProp}",
    'rkk.thm1':
        r"F = [-1,1],\ f_t(x) = \begin{cases}Cx & t \bmod 3 = 1\\ -x & \text{else}\end{cases}"
        r",\ C > 2,\ \beta_1 = 0,\ \beta_2 = \frac{1}{1+C^2},\ \alpha_t = \frac{\alpha}"
        r"{\sqrt t},\ \alpha < \sqrt{1-\beta_2}:\ \frac{R_T}{T} \not\to 0",
    'rkk.sec5.online':
        r"f_t(x) = \begin{cases}1010x & t \bmod 101 = 1\\ -10x & \text{else}\end{cases},\ "
        r"F = [-1,1],\ (\beta_1,\beta_2) = (0.9, 0.99):\ \frac{R_T}{T}\not\to 0 \text{ for "
        r"Adam } (\theta_t \to 1),\ \frac{R_T}{T}\to 0 \text{ for AMSGrad}",
    'rkk.sec5.stochastic':
        r"f_t(x) = 1010x \text{ w.p. } 0.01,\ -10x \text{ otherwise}:\ \text{Adam's } "
        r"\theta_t \not\to -1 = \arg\min \mathbb E f_t,\ \text{AMSGrad's } \theta_t \to -1",
    'rkk.thm4':
        r"R_T \le \frac{D_\infty^2\sqrt T}{\alpha(1-\beta_1)}\sum_{i=1}^d\hat v_{T,i}^{1/2}"
        r" + \frac{D_\infty^2}{2(1-\beta_1)}\sum_{t=1}^T\sum_{i=1}^d\frac{\beta_{1t}\hat v_"
        r"{t,i}^{1/2}}{\alpha_t} + \frac{\alpha\sqrt{1+\log T}}{(1-\beta_1)^2(1-\gamma)\sqrt"
        r"{1-\beta_2}}\sum_{i=1}^d\lVert g_{1:T,i}\rVert_2,\quad \gamma = \frac{\beta_1}"
        r"{\sqrt{\beta_2}} < 1,\ \beta_{1t} \le \beta_1,\ \alpha_t = \frac{\alpha}{\sqrt t}",
    'rkk.cor1':
        r"\frac{D_\infty^2}{2(1-\beta_1)}\sum_{t=1}^T\sum_{i=1}^d\frac{\beta_{1t}\hat v_{t,i}"
        r"^{1/2}}{\alpha_t} \le \frac{\beta_1D_\infty^2G_\infty}{2(1-\beta_1)(1-\lambda)^2},"
        r"\quad \beta_{1t} = \beta_1\lambda^{t-1}",
    'dhs.adagrad-regret':
        r"\eta = \frac{D_\infty}{\sqrt2}:\ R(T) \le \sqrt2\,D_\infty\sum_{i=1}^d\lVert "
        r"g_{1:T,i}\rVert_2",
    'z.ogd-regret':
        r"\eta_t = \frac{\eta}{\sqrt t}:\ R(T) \le \frac{D^2\sqrt T}{2\eta} + \Bigl(\sqrt T"
        r" - \frac12\Bigr)\eta G^2",
}


def latex(claim_id: str) -> str:
    """The claim's statement in LaTeX (the printed text is ``get(claim_id).statement``)."""
    return LATEX[get(claim_id).id]
