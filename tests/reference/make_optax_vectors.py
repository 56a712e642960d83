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
  (``jax_enable_x64``), no object arrays;
* ``proofs/references/optax_vectors.json`` -- the metadata: the optax and jax
  versions, and per config its id, the optax call and the keyword arguments
  exactly as passed (``kwargs``) and with optax's defaults filled in
  (``effective_kwargs``), our registry name and hyperparameters, the seed of its
  gradient problem, the torch config with the same keyword arguments (names
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
}
HEAVY_BALL = ("b_t = g_t + momentum*b_{t-1} (b_0 = 0, no dampening); theta_t = theta_{t-1} "
              "- learning_rate*b_t")
NESTEROV = ("b_t = g_t + momentum*b_{t-1} (b_0 = 0, no dampening); theta_t = theta_{t-1} "
            "- learning_rate*(g_t + momentum*b_t)")


def _c(cid, call, kwargs, name, hp, torch_counterpart=None):
    return dict(id=cid, call=call, kwargs=kwargs, name=name, hp=hp,
                torch_counterpart=torch_counterpart)


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


def effective_kwargs(optax, cfg):
    """The call's keyword arguments with optax's defaults filled in (JSON-able ones)."""
    fn = getattr(optax, cfg["call"].split(".", 1)[1])
    bound = inspect.signature(fn).bind_partial(**cfg["kwargs"])
    bound.apply_defaults()
    return {k: v for k, v in bound.arguments.items()
            if v is None or isinstance(v, (bool, int, float, str))}


def run_optax(jnp, optax, cfg):
    """optax's trajectory for one config; returns (grads (T,3,4), params (T+1,3,4))."""
    a, c, p0, noise = problem(cfg["seed"])
    opt = getattr(optax, cfg["call"].split(".", 1)[1])(**cfg["kwargs"])
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
    if not np.all(np.isfinite(params)) or np.abs(params).max() > 1e4:
        raise RuntimeError(f"{cfg['id']}: trajectory diverged; pick other settings")
    return grads, params


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
        grads, params = run_optax(jnp, optax, cfg)
        arrays[f"{cfg['id']}__grads"] = grads
        arrays[f"{cfg['id']}__params"] = params
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
               "<id>__params (T+1, 3, 4): theta_0 .. theta_T",
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
