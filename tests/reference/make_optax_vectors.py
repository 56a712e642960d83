"""Generate reference trajectories of optax (package data of adamlab.proofs.references).

Run from the repository root, with a Python that has optax 0.2.8 and jax (never
the project's environment: jax and optax are not runtime or test dependencies of
adamlab)::

    python3 -m venv /tmp/venv-optax
    /tmp/venv-optax/bin/pip install numpy jax jaxlib optax==0.2.8
    /tmp/venv-optax/bin/python tests/reference/make_optax_vectors.py

It writes, atomically,

* ``proofs/references/optax_vectors.npz`` -- for every config id ``<cid>``:
  ``<cid>__grads`` (T, 3, 4), the gradients optax was given (its ``updates``
  argument; optax adds any weight decay itself), and ``<cid>__params``
  (T+1, 3, 4), optax's iterates theta_0 .. theta_T; all float64
  (``jax_enable_x64``), no object arrays; for optax.contrib.schedule_free_adamw the
  iterates are optax's params y (where the gradients are taken), and
  ``<cid>__eval_params`` (T+1, 3, 4) holds its evaluation point x
  (``schedule_free_eval_params``), as the config's ``params_point`` and ``eval_params``
  state;
* ``proofs/references/optax_vectors.json`` -- the metadata: the optax and jax
  versions, and per config its id, the optax call and the keyword arguments
  exactly as passed (``kwargs``) and with optax's defaults filled in
  (``effective_kwargs``), our registry name and hyperparameters (``name``, ``hp``; both
  null, with ``no_name_because``, where no setting of ours computes optax's rule), the
  seed of its gradient problem, the torch config with the same keyword arguments (names
  translated) whose seed it shares (``torch_counterpart``, or null: both
  frameworks then start from the same theta_0 on the same problem; where the
  frameworks' *defaults* differ, e.g. adagrad and nadam, so do the rules), and
  ``documented_update``: the rule optax's source says the
  call computes, in one line, with the files it is read from (``documented_in``).

The gradient problem is the one of make_torch_vectors.py (``problem(seed)``):
``g_t = A * (theta_t - c) + noise_t`` elementwise on one (3, 4) array, T = 60.
optax runs eagerly (no ``jax.jit``) on the CPU.
"""
from __future__ import annotations

import inspect
import json
import sys
from importlib import metadata
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_torch_vectors import (SHAPE, T, configs as torch_configs, problem,  # noqa: E402
                                write_atomic)

REQUIRED_OPTAX = "0.2.8"   # the documented_update lines were read from this version
OPTAX_COMMIT = "107e9ad20ca62bcbee1a8c016daab71c690a678c"   # tag v0.2.8
BASE_SEED = 20_230         # configs without a torch counterpart: BASE_SEED + i
OUT_DIR = HERE.parents[1] / "proofs" / "references"
NPZ_PATH = OUT_DIR / "optax_vectors.npz"
JSON_PATH = OUT_DIR / "optax_vectors.json"

_ALIAS = "optax/_src/alias.py"
_TRANSFORM = "optax/_src/transform.py"
ADAM = ("m_t = b1*m_{t-1} + (1-b1)*g_t, v_t = b2*v_{t-1} + (1-b2)*g_t^2 (m_0 = v_0 = 0); "
        "theta_t = theta_{t-1} - learning_rate*%s")
ADAM_DIR = "(m_t/(1-b1^t)) / (sqrt(v_t/(1-b2^t) + eps_root) + eps)"
RULES = {
    "optax.adamw": (
        ADAM % ("[" + ADAM_DIR + " + weight_decay*theta_{t-1}]; eps outside the sqrt, "
                "eps_root (default 0) inside; the decay term joins after Adam's scaling, "
                "so it bypasses m and v and is multiplied by learning_rate (decoupled); "
                "mask=None: every parameter decays"),
        f"{_ALIAS}:598 adamw = chain(scale_by_adam, add_decayed_weights, "
        f"scale_by_learning_rate); {_TRANSFORM}:246 scale_by_adam; "
        "optax/transforms/_adding.py:35 add_decayed_weights"),
    "optax.adam": (
        ADAM % (ADAM_DIR + "; eps outside the sqrt, eps_root (default 0) inside"),
        f"{_ALIAS}:414 adam = chain(scale_by_adam, scale_by_learning_rate); "
        f"{_TRANSFORM}:246 scale_by_adam"),
    "optax.nadam": (
        ADAM % ("[b1*m_t/(1-b1^(t+1)) + (1-b1)*g_t/(1-b1^t)] / (sqrt(v_t/(1-b2^t) + "
                "eps_root) + eps); constant b1 (no momentum-decay schedule mu_t, no extra "
                "b2 factor on v)"),
        f"{_ALIAS}:532 nadam = functools.partial(adam, nesterov=True); "
        f"{_TRANSFORM}:246 scale_by_adam (nesterov branch)"),
    "optax.adagrad": (
        "s_t = s_{t-1} + g_t^2 with s_0 = initial_accumulator_value; theta_t = theta_{t-1} "
        "- learning_rate*(g_t/sqrt(s_t + eps) where s_t > 0, else 0); eps inside the sqrt; "
        "no learning-rate decay, no weight decay",
        f"{_ALIAS}:329 adagrad = chain(scale_by_rss, scale_by_learning_rate); "
        f"{_TRANSFORM}:45 scale_by_rss"),
    "optax.sgd": (
        None,  # nesterov or heavy ball, below
        f"{_ALIAS}:2049 sgd = chain(trace(decay=momentum, nesterov), "
        "scale_by_learning_rate); optax/transforms/_accumulation.py:36 trace"),
    "optax.adadelta": (
        "a_t = rho*a_{t-1} + (1-rho)*g_t^2; u_t = sqrt(b_{t-1} + eps)/sqrt(a_t + eps)*g_t; "
        "b_t = rho*b_{t-1} + (1-rho)*u_t^2 (a_0 = b_0 = 0; b averages the step before "
        "learning_rate); theta_t = theta_{t-1} - learning_rate*u_t; weight_decay = 0 adds "
        "nothing",
        f"{_ALIAS}:143 adadelta = chain(add_decayed_weights, scale_by_adadelta, "
        f"scale_by_learning_rate); {_TRANSFORM}:574 scale_by_adadelta"),
    "optax.rmsprop": (
        "nu_t = decay*nu_{t-1} + (1-decay)*g_t^2 with nu_0 = initial_scale; theta_t = "
        "theta_{t-1} - learning_rate*g_t/sqrt(nu_t + eps) (eps_in_sqrt=True: eps inside "
        "the sqrt); not centered, no momentum trace, no bias correction",
        f"{_ALIAS}:1935 rmsprop = chain(scale_by_rms, scale_by_learning_rate); "
        f"{_TRANSFORM}:95 scale_by_rms"),
    "optax.yogi": (
        "m_t = b1*m_{t-1} + (1-b1)*g_t, v_t = v_{t-1} - (1-b2)*sign(v_{t-1} - g_t^2)*g_t^2 "
        "with m_0 = v_0 = initial_accumulator_value = 1e-6 (both!), sign(0) = 0; theta_t = "
        "theta_{t-1} - learning_rate*(m_t/(1-b1^t)) / (sqrt(v_t/(1-b2^t) + eps_root) + eps); "
        "eps_root = 0; no weight decay",
        f"{_ALIAS}:2249 yogi = chain(scale_by_yogi, scale_by_learning_rate); "
        f"{_TRANSFORM}:757 scale_by_yogi"),
    "optax.adabelief": (
        "m_t = b1*m_{t-1} + (1-b1)*g_t, s_t = b2*s_{t-1} + (1-b2)*(g_t - m_t)^2 + eps_root "
        "(the new m_t; eps_root is added to the stored state every step; m_0 = s_0 = 0); "
        "theta_t = theta_{t-1} - learning_rate*(m_t/(1-b1^t)) / (sqrt(s_t/(1-b2^t)) + eps); "
        "nesterov=False, no weight decay",
        f"{_ALIAS}:36 adabelief = chain(scale_by_belief, scale_by_learning_rate); "
        f"{_TRANSFORM}:699 scale_by_belief"),
    "optax.lion": (
        "c_t = (1-b1)*g_t + b1*m_{t-1}; theta_t = theta_{t-1} - learning_rate*(sign(c_t) + "
        "weight_decay*theta_{t-1}) (sign(0) = 0; mode='hard'); then m_t = b2*m_{t-1} + "
        "(1-b2)*g_t (m_0 = 0); mask=None: every parameter decays",
        f"{_ALIAS}:927 lion = chain(scale_by_lion, add_decayed_weights, "
        f"scale_by_learning_rate); {_TRANSFORM}:436 scale_by_lion; "
        "optax/transforms/_adding.py:35 add_decayed_weights"),
    "optax.contrib.adopt": (
        "k = t-1 (optax's 0-based count); k = 0: v = g_1^2, m stays 0, no move; k >= 1: "
        "m_k = b1*m_{k-1} + (1-b1)*u_k with u_k = g_t/max(sqrt(v_{k-1}), eps), clipped to "
        "[-k^(1/4), k^(1/4)] if use_clipping, then v_k = b2*v_{k-1} + (1-b2)*g_t^2; "
        "theta_t = theta_{t-1} - learning_rate*m_k (no bias correction; eps is a floor on "
        "sqrt(v), not added; nesterov=False)",
        "optax/contrib/_adopt.py:98 adopt = chain(scale_by_adopt, scale_by_learning_rate); "
        "optax/contrib/_adopt.py:28 scale_by_adopt"),
    "optax.contrib.ademamix": (
        "m1_t = b1*m1_{t-1} + (1-b1)*g_t, m2_t = b3*m2_{t-1} + (1-b3)*g_t, nu_t = "
        "b2*nu_{t-1} + (1-b2)*g_t^2 (all 0 at t = 0); theta_t = theta_{t-1} - "
        "learning_rate*[(m1_t/(1-b1^t) + alpha*m2_t) / (sqrt(nu_t/(1-b2^t) + eps_root) + eps) "
        "+ weight_decay*theta_{t-1}] (m2 is not bias-corrected; constant b3, alpha)",
        "optax/contrib/_ademamix.py:133 ademamix = chain(scale_by_ademamix, "
        "add_decayed_weights, scale_by_learning_rate); optax/contrib/_ademamix.py:54 "
        "scale_by_ademamix"),
    "optax.contrib.schedule_free_adamw": (
        "params are y (the gradient's point); z_1 = y_1 = x_1 = theta_0; lr_t = learning_rate "
        "(warmup_steps=None) or warmup_constant_schedule(0, learning_rate, warmup_steps) read "
        "at the 1-based count t for the weights but at the 0-based count t-1 by the inner "
        "scale_by_learning_rate (the schedule computes in float32 on the int32 count, even "
        "under jax_enable_x64: lr_t = f32(f32(-lr)*(1 - f32(t)/f32(W)) + f32(lr)) for t < W, "
        "f32(lr) after); v_t = b2*v_{t-1} + (1-b2)*g_t^2; z_{t+1} = z_t - "
        "lr_{t-1 or t}*(g_t/(sqrt(v_t/(1-b2^t)) + eps) + weight_decay*y_t); M_t = max(M_{t-1}, "
        "lr_t), c = M_t^weight_lr_power / sum_{i<=t} M_i^weight_lr_power; x_{t+1} = (1-c)*x_t "
        "+ c*z_{t+1} with x_t = (y_t - (1-b1)*z_t)/b1; y_{t+1} = b1*x_{t+1} + (1-b1)*z_{t+1}",
        "optax/contrib/_schedule_free.py:298 schedule_free_adamw = schedule_free(chain("
        f"scale_by_rms(eps_in_sqrt=False, bias_correction=True), add_decayed_weights, "
        f"scale_by_learning_rate)); optax/contrib/_schedule_free.py:55 schedule_free, :42 "
        f"schedule_free_eval_params; {_TRANSFORM}:95 scale_by_rms, :982 "
        "scale_by_learning_rate; optax/schedules/_schedule.py:594 warmup_constant_schedule"),
}
SCHEDULE_FREE = "optax.contrib.schedule_free_adamw"
SF_POINTS = dict(
    params_point="y: <id>__params are the params optax returns (optax.apply_updates), the "
                 "points where the gradients are evaluated (g_t = A*(y_{t-1} - c) + noise_t)",
    eval_params="<id>__eval_params (T+1, 3, 4): x_t = optax.contrib.schedule_free_eval_"
                "params(state, params) = (y_t - (1-b1)*z_t)/b1 after each step (x_0 = "
                "theta_0), the averaged iterate optax says to evaluate; ours: state.x",
)
HEAVY_BALL = ("b_t = g_t + momentum*b_{t-1} (b_0 = 0, no dampening); theta_t = theta_{t-1} "
              "- learning_rate*b_t")
NESTEROV = ("b_t = g_t + momentum*b_{t-1} (b_0 = 0, no dampening); theta_t = theta_{t-1} "
            "- learning_rate*(g_t + momentum*b_t)")


def _c(cid, call, kwargs, name, hp, torch_counterpart=None):
    return dict(id=cid, call=call, kwargs=kwargs, name=name, hp=hp,
                torch_counterpart=torch_counterpart)


def new_method_configs():
    """Yogi, AdaBelief, Lion, ADOPT, AdEMAMix, Schedule-Free AdamW (no torch.optim twin).
    ``name``/``hp`` map a config to our registry; ``name = None`` with ``no_name_because``
    where no setting of ours computes optax's rule."""
    sf_hp = dict(eps=1e-8, weight_decay=0.0, warmup_steps=1, bias_correction="v")
    out = [
        _c("yogi_default", "optax.yogi", dict(learning_rate=1e-2),
           "yogi", dict(lr=1e-2, betas=[0.9, 0.999], eps=1e-3, weight_decay=0.0,
                        initial_accumulator_value=1e-6, variant="optax")),
        _c("yogi_lr0.1_b0.5", "optax.yogi", dict(learning_rate=0.1, b1=0.5, b2=0.9, eps=1e-4),
           "yogi", dict(lr=0.1, betas=[0.5, 0.9], eps=1e-4, weight_decay=0.0,
                        initial_accumulator_value=1e-6, variant="optax")),
        _c("adabelief_default", "optax.adabelief", dict(learning_rate=1e-3),
           "adabelief", dict(lr=1e-3, betas=[0.9, 0.999], eps=1e-16, eps_mode="code",
                             weight_decay=0.0)),
        _c("adabelief_eps_root0", "optax.adabelief",
           dict(learning_rate=0.05, b1=0.8, b2=0.99, eps=1e-8, eps_root=0.0),
           "adabelief", dict(lr=0.05, betas=[0.8, 0.99], eps=1e-8, eps_mode="outside",
                             weight_decay=0.0)),
        _c("lion_default", "optax.lion", dict(learning_rate=1e-4),
           "lion", dict(lr=1e-4, betas=[0.9, 0.99], weight_decay=1e-3,
                        decay_scaled_by_lr=True)),
        _c("lion_lr3e-3_wd0.1", "optax.lion",
           dict(learning_rate=3e-3, b1=0.95, b2=0.98, weight_decay=0.1),
           "lion", dict(lr=3e-3, betas=[0.95, 0.98], weight_decay=0.1,
                        decay_scaled_by_lr=True)),
        _c("adopt_default", "optax.contrib.adopt", dict(learning_rate=1e-3),
           "adopt", dict(lr=1e-3, betas=[0.9, 0.9999], eps=1e-6, weight_decay=0.0,
                         clip=True)),
        _c("adopt_noclip", "optax.contrib.adopt",
           dict(learning_rate=1e-2, b1=0.5, b2=0.99, eps=1e-3, use_clipping=False),
           "adopt", dict(lr=1e-2, betas=[0.5, 0.99], eps=1e-3, weight_decay=0.0,
                         clip=False)),
        _c("ademamix_default", "optax.contrib.ademamix", dict(learning_rate=1e-3),
           "ademamix", dict(lr=1e-3, betas=[0.9, 0.999], beta3=0.9999, alpha=5.0, eps=1e-8,
                            weight_decay=0.0, eps_mode="outside")),
        _c("ademamix_eps_root_wd", "optax.contrib.ademamix",
           dict(learning_rate=1e-2, b1=0.8, b2=0.99, b3=0.999, alpha=8.0, eps=0.0,
                eps_root=1e-8, weight_decay=0.01),
           "ademamix", dict(lr=1e-2, betas=[0.8, 0.99], beta3=0.999, alpha=8.0, eps=1e-8,
                            weight_decay=0.01, eps_mode="inside")),
        _c("schedule_free_adamw_lr1e-2", SCHEDULE_FREE, dict(learning_rate=1e-2),
           "schedule-free-adamw", dict(lr=1e-2, betas=[0.9, 0.999], **sf_hp)),
        _c("schedule_free_adamw_wd", SCHEDULE_FREE,
           dict(learning_rate=0.05, b1=0.95, b2=0.99, weight_decay=0.1),
           "schedule-free-adamw", dict(lr=0.05, betas=[0.95, 0.99],
                                       **{**sf_hp, "weight_decay": 0.1})),
        dict(_c("schedule_free_adamw_warmup", SCHEDULE_FREE,
                dict(learning_rate=0.05, warmup_steps=10), None, None),
             no_name_because="optax reads its warmup schedule at two different counts: the "
                             "averaging weights at the 1-based t (lr*t/10) but the z-step "
                             "(inner scale_by_learning_rate) at the 0-based t-1 (lr*(t-1)/10, "
                             "no move at t = 1); schedule-free-adamw's warmup_steps uses "
                             "min(1, t/T) for both (Algorithm 1 and the authors' code), so no "
                             "setting reproduces this config (7e-3 relative apart; also, "
                             "optax's warmup schedule values are float32-rounded, ~1e-9)"),
    ]
    for cfg in out:
        if cfg["call"] == SCHEDULE_FREE:
            cfg.update(SF_POINTS)
    return out


def configs():
    """The list of configs (id, optax call/kwargs, our name/hp, torch counterpart)."""
    adam_hp = dict(eps_mode="outside")
    out = [
        _c("adamw_default", "optax.adamw", dict(learning_rate=1e-3, weight_decay=1e-2),
           "adamw", dict(lr=1e-3, betas=[0.9, 0.999], eps=1e-8, weight_decay=1e-2,
                         decoupled_weight_decay=True, decay_scaled_by_lr=True, **adam_hp),
           "adamw_default"),
        _c("adamw_lr1e-1_wd", "optax.adamw",
           dict(learning_rate=0.1, b1=0.95, b2=0.99, weight_decay=0.1),
           "adamw", dict(lr=0.1, betas=[0.95, 0.99], eps=1e-8, weight_decay=0.1,
                         decoupled_weight_decay=True, decay_scaled_by_lr=True, **adam_hp),
           "adamw_lr1e-1_wd"),
        _c("adamw_eps1e-6_wd", "optax.adamw",
           dict(learning_rate=1e-2, eps=1e-6, weight_decay=0.05),
           "adamw", dict(lr=1e-2, betas=[0.9, 0.999], eps=1e-6, weight_decay=0.05,
                         decoupled_weight_decay=True, decay_scaled_by_lr=True, **adam_hp)),
        _c("adagrad_init0", "optax.adagrad",
           dict(learning_rate=1e-2, initial_accumulator_value=0.0, eps=1e-7),
           "adagrad", dict(lr=1e-2, initial_accumulator_value=0.0, eps=1e-7,
                           eps_mode="inside")),
        _c("adagrad_init0_eps1e-3", "optax.adagrad",
           dict(learning_rate=0.1, initial_accumulator_value=0.0, eps=1e-3),
           "adagrad", dict(lr=0.1, initial_accumulator_value=0.0, eps=1e-3,
                           eps_mode="inside")),
        _c("adagrad_default", "optax.adagrad", dict(learning_rate=1e-2),
           "adagrad", dict(lr=1e-2, initial_accumulator_value=0.1, eps=1e-7,
                           eps_mode="inside"), "adagrad_default"),
        _c("nag_0.9", "optax.sgd", dict(learning_rate=0.01, momentum=0.9, nesterov=True),
           "nag", dict(lr=0.01, momentum=0.9, nesterov=True), "nag_0.9"),
        _c("nag_0.5", "optax.sgd", dict(learning_rate=0.1, momentum=0.5, nesterov=True),
           "nag", dict(lr=0.1, momentum=0.5, nesterov=True)),
        _c("momentum_0.9", "optax.sgd",
           dict(learning_rate=0.01, momentum=0.9, nesterov=False),
           "momentum", dict(lr=0.01, momentum=0.9), "momentum_0.9"),
        _c("nadam_default", "optax.nadam", dict(learning_rate=2e-3),
           "nadam", dict(lr=2e-3, betas=[0.9, 0.999], eps=1e-8, variant="optax"),
           "nadam_default"),
        _c("nadam_betas_small", "optax.nadam", dict(learning_rate=0.1, b1=0.5, b2=0.9),
           "nadam", dict(lr=0.1, betas=[0.5, 0.9], eps=1e-8, variant="optax")),
        _c("adadelta_default", "optax.adadelta", dict(learning_rate=1.0, rho=0.9, eps=1e-6),
           "adadelta", dict(lr=1.0, rho=0.9, eps=1e-6), "adadelta_default"),
        _c("adadelta_lr0.5_rho0.5", "optax.adadelta",
           dict(learning_rate=0.5, rho=0.5, eps=1e-4),
           "adadelta", dict(lr=0.5, rho=0.5, eps=1e-4)),
        _c("adam_default", "optax.adam", dict(learning_rate=1e-3),
           "adam", dict(lr=1e-3, betas=[0.9, 0.999], eps=1e-8, **adam_hp), "adam_default"),
        _c("rmsprop_decay0.9", "optax.rmsprop",
           dict(learning_rate=1e-2, decay=0.9, eps=1e-8),
           "rmsprop", dict(lr=1e-2, alpha=0.9, eps=1e-8, eps_mode="inside")),
        *new_method_configs(),
    ]
    torch_seeds = {c["id"]: c["seed"] for c in torch_configs()}
    for i, cfg in enumerate(out):
        tc = cfg["torch_counterpart"]
        cfg["seed"] = torch_seeds[tc] if tc else BASE_SEED + i
        cfg["steps"] = T
        rule, where = RULES[cfg["call"]]
        if cfg["call"] == "optax.sgd":
            rule = NESTEROV if cfg["kwargs"].get("nesterov") else HEAVY_BALL
        cfg["documented_update"] = rule
        cfg["documented_in"] = f"optax v{REQUIRED_OPTAX} ({OPTAX_COMMIT[:12]}): {where}"
    ids = [c["id"] for c in out]
    assert len(set(ids)) == len(ids), "duplicate config ids"
    return out


def optax_fn(optax, call):
    """The optax function named by ``call``, e.g. "optax.adam", "optax.contrib.adopt"."""
    fn = optax
    for part in call.split(".")[1:]:
        fn = getattr(fn, part)
    return fn


def effective_kwargs(optax, cfg):
    """The call's keyword arguments with optax's defaults filled in (JSON-able ones)."""
    fn = optax_fn(optax, cfg["call"])
    bound = inspect.signature(fn).bind_partial(**cfg["kwargs"])
    bound.apply_defaults()
    return {k: v for k, v in bound.arguments.items()
            if v is None or isinstance(v, (bool, int, float, str))}


def run_optax(jnp, optax, cfg):
    """optax's trajectory for one config; returns (grads (T,3,4), params (T+1,3,4), and
    for schedule-free the evaluation points x (T+1,3,4), else None)."""
    a, c, p0, noise = problem(cfg["seed"])
    opt = optax_fn(optax, cfg["call"])(**cfg["kwargs"])
    sf = cfg["call"] == SCHEDULE_FREE
    evals = np.empty((T + 1, *SHAPE)) if sf else None
    if sf:
        evals[0] = p0
    param = jnp.asarray(p0, dtype=jnp.float64)
    state = opt.init(param)
    grads = np.empty((T, *SHAPE))
    params = np.empty((T + 1, *SHAPE))
    params[0] = np.asarray(param)
    for t in range(T):
        g = a * (params[t] - c) + noise[t]
        grads[t] = g
        updates, state = opt.update(jnp.asarray(g, dtype=jnp.float64), state, param)
        param = optax.apply_updates(param, updates)
        if param.dtype != jnp.float64:
            raise RuntimeError(f"{cfg['id']}: optax returned {param.dtype} at step {t + 1}")
        params[t + 1] = np.asarray(param)
        if sf:
            evals[t + 1] = np.asarray(optax.contrib.schedule_free_eval_params(state, param))
    if not np.all(np.isfinite(params)) or np.abs(params).max() > 1e4:
        raise RuntimeError(f"{cfg['id']}: trajectory diverged; pick other settings")
    return grads, params, evals


def main() -> int:
    try:
        import jax
        import jax.numpy as jnp
        import optax
    except ImportError as exc:
        sys.exit(f"make_optax_vectors.py needs jax and optax {REQUIRED_OPTAX} in a "
                 f"separate venv (see the module docstring): {exc}")
    if optax.__version__ != REQUIRED_OPTAX:
        sys.exit(f"make_optax_vectors.py needs optax {REQUIRED_OPTAX}: its "
                 f"documented_update lines were read from that source; found optax "
                 f"{optax.__version__}. Re-read optax's source and bump REQUIRED_OPTAX "
                 f"deliberately (and review the diffs).")
    jax.config.update("jax_enable_x64", True)
    jax.config.update("jax_platforms", "cpu")

    arrays, metas = {}, []
    for cfg in configs():
        grads, params, evals = run_optax(jnp, optax, cfg)
        arrays[f"{cfg['id']}__grads"] = grads
        arrays[f"{cfg['id']}__params"] = params
        if evals is not None:
            arrays[f"{cfg['id']}__eval_params"] = evals
        metas.append(dict(cfg, effective_kwargs=effective_kwargs(optax, cfg),
                          optax_version=optax.__version__, jax_version=jax.__version__))
    meta = dict(
        description="optax reference trajectories (float64), loaded by "
                    "adamlab.proofs.references; regenerate with "
                    "python tests/reference/make_optax_vectors.py (in a venv with optax)",
        optax_version=optax.__version__,
        jax_version=jax.__version__,
        jaxlib_version=metadata.version("jaxlib"),
        numpy_version=np.__version__,
        execution="eager (no jax.jit), CPU, jax_enable_x64",
        steps=T,
        shape=list(SHAPE),
        dtype="float64",
        gradient="g_t = A * (theta_t - c) + noise_t, elementwise; see problem() in "
                 "make_torch_vectors.py",
        arrays="<id>__grads (T, 3, 4): the updates argument given to optax; "
               "<id>__params (T+1, 3, 4): theta_0 .. theta_T; schedule-free configs also "
               "<id>__eval_params (T+1, 3, 4): see their params_point and eval_params",
        notation="t = 1..T; g_t is the gradient at theta_{t-1}; all operations "
                 "elementwise; lr decay, weight decay, masks only as stated",
        configs=metas,
    )
    write_atomic(NPZ_PATH, lambda fh: np.savez_compressed(fh, **arrays))
    write_atomic(JSON_PATH, lambda fh: fh.write((json.dumps(meta, indent=1) + "\n").encode()))
    print(f"wrote {len(metas)} configs: {NPZ_PATH.name} ({NPZ_PATH.stat().st_size} bytes), "
          f"{JSON_PATH.name} ({JSON_PATH.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
