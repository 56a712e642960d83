"""Generate reference trajectories of torch.optim (package data of adamlab.proofs.references).

Run from the repository root::

    python tests/reference/make_torch_vectors.py

This is a *developer* script: it needs torch 2.13.* (never a runtime or test
dependency of adamlab).  Its output is installed with the package, because the
claims ledger decides framework claims against it at run time
(:mod:`adamlab.proofs.references` loads it); tests/numerics/test_optimizers_torch.py
replays our optimizers against it.  It writes, atomically,

* ``proofs/references/torch_vectors.npz`` -- for every config id ``<cid>``:
  ``<cid>__grads`` (T, 3, 4), the gradients torch was given (``p.grad``, before
  torch applies any weight decay), and ``<cid>__params`` (T+1, 3, 4), torch's
  iterates theta_0 .. theta_T; all float64, no object arrays;
* ``proofs/references/torch_vectors.json`` -- the metadata: per config its id,
  our registry name and hyperparameters, the torch class and keyword arguments,
  the torch version and the seed of its gradient problem.

Gradients depend on the trajectory: ``g_t = A * (theta_t - c) + noise_t``
(elementwise), with A log-uniform in [1e-3, 1e1] and some exact zeros, noise of
scales 1e-3 .. 1e2 with ~15% exact zeros, one coordinate whose gradient is
exactly zero throughout (A = 0, no noise) and one that starts at c and sees no
noise for its first 8 steps (so its gradient is exactly zero there).  torch
optimizes one (3, 4) tensor; every method here is elementwise, so this is the
same as our R = 3 runs of d = 4 coordinates.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

REQUIRED_TORCH = "2.13."
T = 60
SHAPE = (3, 4)
BASE_SEED = 20_130  # config i uses BASE_SEED + i

HERE = Path(__file__).resolve().parent
# package data: proofs/ installs as adamlab.proofs (see pyproject.toml)
OUT_DIR = HERE.parents[1] / "proofs" / "references"
NPZ_PATH = OUT_DIR / "torch_vectors.npz"
JSON_PATH = OUT_DIR / "torch_vectors.json"

# Conventions our modules must be told explicitly to reproduce torch (see
# tests/API_SPEC.md); they are part of each config's hyperparameters.
ADAM_TORCH = dict(eps_mode="outside", amsgrad_mode="torch", decay_scaled_by_lr=True)
ADAGRAD_TORCH = dict(eps_mode="outside")
RMSPROP_TORCH = dict(eps_mode="outside")
ADAMAX_TORCH = dict(eps_mode="torch")
NADAM_TORCH = dict(variant="torch")
RADAM_TORCH = dict(eps_mode="efficient", threshold=5.0)


def _c(cid, name, torch_class, torch_kwargs, conventions=None, hp_extra=None):
    """One config: our hp = torch's kwargs (same names) + conventions."""
    hp = {k: (list(v) if isinstance(v, tuple) else v) for k, v in torch_kwargs.items()}
    hp.update(hp_extra or {})
    hp.update(conventions or {})
    tk = {k: (list(v) if isinstance(v, tuple) else v) for k, v in torch_kwargs.items()}
    tk["foreach"] = False
    return dict(id=cid, name=name, hp=hp, torch_class=torch_class, torch_kwargs=tk)


def configs():
    """The list of configs (id, our name/hp, torch class/kwargs)."""
    out = []
    # --- SGD: registry names sgd (plain), momentum (heavy ball), nag (nesterov)
    out += [
        _c("sgd_plain_lr1e-1", "sgd", "SGD", dict(lr=0.1)),
        _c("sgd_plain_lr1e-3", "sgd", "SGD", dict(lr=1e-3)),
        _c("sgd_wd", "sgd", "SGD", dict(lr=0.05, weight_decay=0.1)),
        _c("momentum_0.9", "momentum", "SGD", dict(lr=0.01, momentum=0.9)),
        _c("momentum_dampening", "momentum", "SGD",
           dict(lr=0.1, momentum=0.5, dampening=0.5)),
        _c("momentum_0.99_damp_wd", "momentum", "SGD",
           dict(lr=1e-3, momentum=0.99, dampening=0.1, weight_decay=1e-2)),
        _c("momentum_0.1", "momentum", "SGD", dict(lr=0.1, momentum=0.1)),
        _c("nag_0.9", "nag", "SGD", dict(lr=0.01, momentum=0.9, nesterov=True)),
        _c("nag_0.5_wd", "nag", "SGD",
           dict(lr=0.1, momentum=0.5, nesterov=True, weight_decay=0.05)),
        _c("nag_0.99", "nag", "SGD", dict(lr=1e-3, momentum=0.99, nesterov=True)),
    ]
    # --- Adagrad
    out += [
        _c("adagrad_default", "adagrad", "Adagrad", dict(lr=1e-2), ADAGRAD_TORCH),
        _c("adagrad_lrdecay_init_wd", "adagrad", "Adagrad",
           dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=1e-2),
           ADAGRAD_TORCH),
        _c("adagrad_lr1e-3_fastdecay", "adagrad", "Adagrad",
           dict(lr=1e-3, lr_decay=0.5, eps=1e-6), ADAGRAD_TORCH),
    ]
    # --- RMSprop
    out += [
        _c("rmsprop_default", "rmsprop", "RMSprop", dict(lr=1e-2, alpha=0.99),
           RMSPROP_TORCH),
        _c("rmsprop_centered", "rmsprop", "RMSprop",
           dict(lr=1e-3, alpha=0.9, centered=True), RMSPROP_TORCH),
        _c("rmsprop_momentum", "rmsprop", "RMSprop",
           dict(lr=1e-3, alpha=0.999, momentum=0.9), RMSPROP_TORCH),
        _c("rmsprop_centered_momentum", "rmsprop", "RMSprop",
           dict(lr=1e-2, alpha=0.5, momentum=0.5, centered=True, eps=1e-6),
           RMSPROP_TORCH),
        _c("rmsprop_wd_lr1e-1", "rmsprop", "RMSprop",
           dict(lr=0.1, alpha=0.99, weight_decay=0.1), RMSPROP_TORCH),
        _c("rmsprop_alpha0.1", "rmsprop", "RMSprop", dict(lr=1e-2, alpha=0.1),
           RMSPROP_TORCH),
    ]
    # --- Adadelta
    out += [
        _c("adadelta_default", "adadelta", "Adadelta", dict(lr=1.0, rho=0.9, eps=1e-6)),
        _c("adadelta_rho0.99_wd", "adadelta", "Adadelta",
           dict(lr=0.1, rho=0.99, eps=1e-8, weight_decay=1e-2)),
        _c("adadelta_rho0.5", "adadelta", "Adadelta", dict(lr=1e-3, rho=0.5, eps=1e-4)),
    ]
    # --- Adam / AMSGrad / AdamW
    out += [
        _c("adam_default", "adam", "Adam", dict(lr=1e-3, betas=(0.9, 0.999)), ADAM_TORCH),
        _c("adam_betas_near1_lr1e-1", "adam", "Adam",
           dict(lr=0.1, betas=(0.99, 0.9999)), ADAM_TORCH),
        _c("adam_betas_small", "adam", "Adam",
           dict(lr=0.1, betas=(0.0, 0.5), eps=1e-6), ADAM_TORCH),
        _c("adam_wd_coupled", "adam", "Adam",
           dict(lr=1e-2, betas=(0.9, 0.99), weight_decay=0.1), ADAM_TORCH),
        _c("adam_decoupled_flag", "adam", "Adam",
           dict(lr=1e-2, weight_decay=0.05, decoupled_weight_decay=True), ADAM_TORCH),
        _c("amsgrad_default", "amsgrad", "Adam",
           dict(lr=1e-3, amsgrad=True), ADAM_TORCH),
        _c("amsgrad_betas_small_wd", "amsgrad", "Adam",
           dict(lr=0.1, betas=(0.5, 0.9), weight_decay=1e-2, amsgrad=True), ADAM_TORCH),
        _c("amsgrad_betas_near1", "amsgrad", "Adam",
           dict(lr=1e-2, betas=(0.99, 0.9999), amsgrad=True), ADAM_TORCH),
        _c("adamw_default", "adamw", "AdamW",
           dict(lr=1e-3, weight_decay=1e-2), ADAM_TORCH),
        _c("adamw_lr1e-1_wd", "adamw", "AdamW",
           dict(lr=0.1, betas=(0.95, 0.99), weight_decay=0.1), ADAM_TORCH),
        _c("adamw_amsgrad", "adamw", "AdamW",
           dict(lr=1e-2, weight_decay=1e-2, eps=1e-6, amsgrad=True), ADAM_TORCH),
        _c("adamw_amsgrad_betas_near1", "adamw", "AdamW",
           dict(lr=0.1, betas=(0.99, 0.9999), weight_decay=0.05, amsgrad=True),
           ADAM_TORCH),
    ]
    # --- Adamax
    out += [
        _c("adamax_default", "adamax", "Adamax", dict(lr=2e-3), ADAMAX_TORCH),
        _c("adamax_betas_small_lr1e-1", "adamax", "Adamax",
           dict(lr=0.1, betas=(0.5, 0.9)), ADAMAX_TORCH),
        _c("adamax_betas_near1_wd", "adamax", "Adamax",
           dict(lr=1e-2, betas=(0.99, 0.9999), weight_decay=1e-2, eps=1e-6),
           ADAMAX_TORCH),
    ]
    # --- NAdam
    out += [
        _c("nadam_default", "nadam", "NAdam", dict(lr=2e-3), NADAM_TORCH),
        _c("nadam_betas_small_fastdecay", "nadam", "NAdam",
           dict(lr=0.1, betas=(0.5, 0.9), momentum_decay=0.1), NADAM_TORCH),
        _c("nadam_betas_near1_nodecay", "nadam", "NAdam",
           dict(lr=1e-2, betas=(0.99, 0.9999), momentum_decay=0.0), NADAM_TORCH),
        _c("nadam_wd_coupled", "nadam", "NAdam",
           dict(lr=1e-2, weight_decay=0.1), NADAM_TORCH),
        _c("nadam_wd_decoupled", "nadam", "NAdam",
           dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True), NADAM_TORCH),
    ]
    # --- RAdam
    out += [
        _c("radam_default", "radam", "RAdam", dict(lr=1e-3), RADAM_TORCH),
        _c("radam_lr1e-1_b2_0.99", "radam", "RAdam",
           dict(lr=0.1, betas=(0.9, 0.99)), RADAM_TORCH),
        _c("radam_betas_small", "radam", "RAdam",
           dict(lr=0.1, betas=(0.5, 0.8)), RADAM_TORCH),
        _c("radam_betas_near1", "radam", "RAdam",
           dict(lr=1e-2, betas=(0.99, 0.9999)), RADAM_TORCH),
        _c("radam_wd_coupled", "radam", "RAdam",
           dict(lr=1e-2, weight_decay=0.1), RADAM_TORCH),
        _c("radam_wd_decoupled", "radam", "RAdam",
           dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True), RADAM_TORCH),
    ]
    for i, cfg in enumerate(out):
        cfg["seed"] = BASE_SEED + i
        cfg["steps"] = T
    ids = [c["id"] for c in out]
    assert len(set(ids)) == len(ids), "duplicate config ids"
    return out


def problem(seed):
    """The gradient problem of one config: A, c, theta_0 and the noise sequence."""
    rng = np.random.default_rng(seed)
    a = 10.0 ** rng.uniform(-3.0, 1.0, size=SHAPE)
    c = rng.normal(size=SHAPE) * 10.0 ** rng.uniform(-1.0, 1.0, size=SHAPE)
    p0 = rng.normal(size=SHAPE) * 10.0 ** rng.uniform(-1.0, 0.7, size=SHAPE)
    scale = 10.0 ** rng.uniform(-3.0, 2.0, size=SHAPE)
    per_step = 10.0 ** rng.uniform(-1.0, 1.0, size=(T, 1, 1))
    noise = rng.normal(size=(T, *SHAPE)) * scale * per_step
    noise[rng.random(size=noise.shape) < 0.15] = 0.0
    a[0, 0] = 0.0                       # pure noise coordinate
    a[2, 3] = 0.0                       # gradient exactly zero throughout
    noise[:, 2, 3] = 0.0
    p0[1, 1] = c[1, 1]                  # starts at its optimum ...
    noise[:8, 1, 1] = 0.0               # ... and sees no noise for 8 steps
    return a, c, p0, noise


def run_torch(torch, cfg):
    """Torch's trajectory for one config; returns (grads (T,3,4), params (T+1,3,4))."""
    a, c, p0, noise = problem(cfg["seed"])
    kwargs = {k: (tuple(v) if isinstance(v, list) else v)
              for k, v in cfg["torch_kwargs"].items()}
    param = torch.nn.Parameter(torch.tensor(p0, dtype=torch.float64))
    opt = getattr(torch.optim, cfg["torch_class"])([param], **kwargs)
    grads = np.empty((T, *SHAPE))
    params = np.empty((T + 1, *SHAPE))
    params[0] = param.detach().numpy()
    for t in range(T):
        g = a * (params[t] - c) + noise[t]
        grads[t] = g
        param.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        params[t + 1] = param.detach().numpy()
    if not np.all(np.isfinite(params)) or np.abs(params).max() > 1e4:
        raise RuntimeError(f"{cfg['id']}: trajectory diverged; pick other settings")
    return grads, params


def write_atomic(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then os.replace (the scripts
    run in environments without adamlab, so not adamlab.numerics.atomic)."""
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main() -> int:
    try:
        import torch
    except ImportError:
        sys.exit("make_torch_vectors.py needs torch 2.13.* (pip install torch==2.13.*); "
                 "torch is not installed")
    if not torch.__version__.startswith(REQUIRED_TORCH):
        sys.exit(f"make_torch_vectors.py needs torch {REQUIRED_TORCH}* to regenerate the "
                 f"reference vectors; found torch {torch.__version__}. Install torch "
                 f"2.13.* or bump REQUIRED_TORCH deliberately (and review the diffs).")
    # float64 everywhere, including torch's scalar state (step, NAdam's mu_product),
    # which follows the default dtype.
    torch.set_default_dtype(torch.float64)
    torch.use_deterministic_algorithms(True)

    arrays, metas = {}, []
    for cfg in configs():
        grads, params = run_torch(torch, cfg)
        arrays[f"{cfg['id']}__grads"] = grads
        arrays[f"{cfg['id']}__params"] = params
        metas.append(dict(cfg, torch_version=torch.__version__))
    meta = dict(
        description="torch.optim reference trajectories (float64), loaded by "
                    "adamlab.proofs.references and replayed by "
                    "tests/numerics/test_optimizers_torch.py; regenerate with "
                    "python tests/reference/make_torch_vectors.py",
        torch_version=torch.__version__,
        numpy_version=np.__version__,
        steps=T,
        shape=list(SHAPE),
        dtype="float64",
        gradient="g_t = A * (theta_t - c) + noise_t, elementwise; see problem() in "
                 "make_torch_vectors.py",
        arrays="<id>__grads (T, 3, 4): p.grad given to torch; <id>__params "
               "(T+1, 3, 4): theta_0 .. theta_T",
        configs=metas,
    )
    write_atomic(NPZ_PATH, lambda fh: np.savez_compressed(fh, **arrays))
    write_atomic(JSON_PATH, lambda fh: fh.write(
        (json.dumps(meta, indent=1) + "\n").encode()))
    print(f"wrote {len(metas)} configs: {NPZ_PATH.name} "
          f"({NPZ_PATH.stat().st_size} bytes), {JSON_PATH.name} "
          f"({JSON_PATH.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
