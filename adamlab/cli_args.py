"""Parsing the command line's values: names, numbers, ``--hp`` settings and grids.

Every function raises :class:`UsageError` with a message that names the flag
and says what is allowed; the command line turns it into exit status 2.

``--hp OPT:KEY=VALUE[,KEY=VALUE...]`` (repeatable) sets hyperparameters of
optimizer OPT.  VALUE is one of::

    0.01               a number (a constant step size for lr)
    0.1/sqrt(t)        the schedule alpha_t = alpha/sqrt(t)
    0.9/0.99           a pair (betas)
    true, false        a flag
    reddi              a word (a choice such as amsgrad_mode)
    1e-3:1e-1:5log     a grid: 5 log-spaced values from 1e-3 to 1e-1 ("lin": evenly
                       spaced); 1e-3:1e-1:5log/sqrt(t) is a grid of schedules

A grid makes one series per value (several grids: every combination).
``lam=0.999`` stands for beta1_t = beta1 * 0.999^(t-1); ``lam=1`` keeps beta1
constant.
"""
from __future__ import annotations

import difflib
import itertools
import math
import os
import re
from typing import Any, Iterable, Sequence


class UsageError(Exception):
    """A mistake in how the command was called (exit status 2)."""


_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_SQRT = re.compile(rf"^({_NUM})/sqrt\(t\)$")
_PAIR = re.compile(rf"^({_NUM})/({_NUM})$")
_GRID = re.compile(rf"^({_NUM}):({_NUM}):(\d+)(log|lin)?(/sqrt\(t\))?$")
_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_NUM_RE = re.compile(rf"^{_NUM}$")
MAX_GRID = 50
VALUE_HELP = ("a number (0.01), a schedule (0.1/sqrt(t)), a pair (0.9/0.99), true/false, a "
              "word (reddi) or a grid (1e-3:1e-1:5log)")


def _probe_write(folder: str, flag: str, what: str) -> None:
    """Create and remove a file in ``folder``: the only sure test that it is writable."""
    try:
        fd = os.open(os.path.join(folder, f".adamlab-write-test-{os.getpid()}"),
                     os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        os.unlink(os.path.join(folder, f".adamlab-write-test-{os.getpid()}"))
    except OSError as exc:
        raise UsageError(f"{flag}: cannot write {what} {folder!r} ({exc.strerror})") from None


def output_folder(flag: str, path: str) -> str:
    """Check ``path`` as an output folder *before* any computation: not empty, not a file,
    creatable and writable (it is created).  Returns it."""
    if not isinstance(path, str) or not path.strip():
        raise UsageError(f"{flag}: give a folder name (an empty one would write into the "
                         f"current folder)")
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(f"{flag}: {path!r} exists and is not a folder")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{flag}: cannot create the folder {path!r} ({exc.strerror})") \
            from None
    _probe_write(path, flag, "into the folder")
    return path


def output_file(flag: str, path: str) -> str:
    """Check ``path`` as an output file before any computation: a name in an existing,
    writable folder, not a folder itself.  Returns it."""
    if not isinstance(path, str) or not path.strip():
        raise UsageError(f"{flag}: give a file name")
    if os.path.isdir(path):
        raise UsageError(f"{flag}: {path!r} is a folder; give a file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UsageError(f"{flag}: folder {folder!r} does not exist")
    _probe_write(folder, flag, "into the folder")
    return path


def choose(flag: str, value: str, allowed: Sequence[str], what: str) -> str:
    """``value`` if it is in ``allowed``; else a UsageError suggesting close names."""
    if value in allowed:
        return value
    close = difflib.get_close_matches(value.lower(), list(allowed), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UsageError(f"{flag}: unknown {what} {value!r}{hint} (known: {', '.join(allowed)})")


def names_list(flag: str, text: str, allowed: Sequence[str], what: str) -> list[str]:
    """A comma-separated list of names, each checked by :func:`choose`; no duplicates."""
    items = [x.strip() for x in text.split(",") if x.strip()]
    if not items:
        raise UsageError(f"{flag}: give at least one {what} (comma-separated)")
    out = [choose(flag, x, allowed, what) for x in items]
    dup = sorted({x for x in out if out.count(x) > 1})
    if dup:
        raise UsageError(f"{flag}: {', '.join(dup)} listed twice")
    return out


def integer(flag: str, text: str, low: int, high: int, example: str = "") -> int:
    """An integer in [low, high]; "1e5" is accepted when it is a whole number."""
    msg = f"{flag} must be an integer in [{low:,}, {high:,}]" + \
        (f" (e.g. {example})" if example else "")
    try:
        value = float(text) if re.fullmatch(_NUM, text.strip()) else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value != int(value):
        raise UsageError(f"{msg}; got {text!r}")
    value = int(value)
    if not low <= value <= high:
        raise UsageError(f"{msg}; got {value:,}")
    return value


def scalar(flag: str, text: str) -> Any:
    """A number (int when written as one), true/false or a word."""
    t = text.strip()
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    if re.fullmatch(_NUM, t):
        return float(t)
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    if _WORD.match(t):
        return t
    raise UsageError(f"{flag}: {text!r} is not {VALUE_HELP}")


def _grid_values(flag: str, m) -> list[float]:
    lo, hi, n, kind = float(m.group(1)), float(m.group(2)), int(m.group(3)), m.group(4)
    if not 1 <= n <= MAX_GRID:
        raise UsageError(f"{flag}: a grid needs between 1 and {MAX_GRID} points; got {n}")
    if kind in (None, "lin"):
        return [float(x) for x in _linspace(lo, hi, n)]
    if lo <= 0 or hi <= 0:
        raise UsageError(f"{flag}: a log grid needs both ends > 0; got {lo:g}:{hi:g}")
    return [float(x) for x in _geomspace(lo, hi, n)]


def _linspace(lo, hi, n):
    return [lo] if n == 1 else [lo + (hi - lo) * i / (n - 1) for i in range(n)]


def _geomspace(lo, hi, n):
    if n == 1:
        return [lo]
    a, b = math.log(lo), math.log(hi)
    return [float(f"{math.exp(a + (b - a) * i / (n - 1)):.12g}") for i in range(n)]


def value(flag: str, text: str) -> list[tuple[str, Any]]:
    """The values of one ``--hp`` setting: [(text for labels, value)], >1 for a grid.

    Schedules come back as ``("isqrt", alpha)`` and pairs as tuples; the caller turns
    them into objects."""
    t = text.strip()
    if "|" in t:                         # alternatives: one series each (eps_mode=inside|outside)
        parts = [x.strip() for x in t.split("|")]
        if not all(parts):
            raise UsageError(f"{flag}: an empty alternative in {t!r} (use A|B|C)")
        out = [v for part in parts for v in value(flag, part)]
        if len(out) > MAX_GRID:
            raise UsageError(f"{flag}: at most {MAX_GRID} values; got {len(out)}")
        return out
    m = _GRID.match(t)
    if m:
        sched = m.group(5) is not None
        return [(f"{v:g}" + ("/sqrt(t)" if sched else ""), ("isqrt", v) if sched else v)
                for v in _grid_values(flag, m)]
    m = _SQRT.match(t)
    if m:
        return [(t, ("isqrt", float(m.group(1))))]
    m = _PAIR.match(t)
    if m:
        return [(t, (scalar(flag, m.group(1)), scalar(flag, m.group(2))))]
    if t.count("/") == 1:                # a pair with a grid on either side: 0.5:0.9:3lin/0.99
        sides = []
        for side in t.split("/"):
            g = _GRID.match(side.strip())
            if g and g.group(5) is None:
                sides.append([(f"{v:g}", v) for v in _grid_values(flag, g)])
            elif _NUM_RE.match(side.strip()):
                sides.append([(side.strip(), scalar(flag, side.strip()))])
            else:
                sides = []
                break
        if sides:
            return [(f"{a}/{b}", (x, y)) for (a, x), (b, y) in itertools.product(*sides)]
    return [(t, scalar(flag, t))]


def hp_settings(items: Iterable[str], optimizers: Sequence[str]) -> dict[str, list[dict]]:
    """Parse every ``--hp`` item; returns {optimizer: [{key: (text, value)}, ...]} with one
    dict per grid combination (a single dict without grids)."""
    per: dict[str, dict[str, list]] = {}
    for item in items:
        if ":" not in item.split("=", 1)[0]:
            raise UsageError(f"--hp: expected OPT:KEY=VALUE[,KEY=VALUE...] (e.g. "
                             f"adam:lr=0.01/sqrt(t),betas=0.9/0.99); got {item!r}")
        opt, body = item.split(":", 1)
        opt = opt.strip()
        if opt not in optimizers:
            close = difflib.get_close_matches(opt, list(optimizers), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UsageError(f"--hp: {opt!r} is not among --optimizers{hint} "
                             f"({', '.join(optimizers)})")
        for part in body.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise UsageError(f"--hp {opt}: expected KEY=VALUE; got {part!r}")
            key, text = (x.strip() for x in part.split("=", 1))
            if not _WORD.match(key):
                raise UsageError(f"--hp {opt}: {key!r} is not a hyperparameter name")
            if key in per.get(opt, {}):
                raise UsageError(f"--hp {opt}: {key} is given twice; for several values use "
                                 f"a grid (e.g. {key}=0.01:0.1:2lin makes one series per "
                                 f"value)")
            per.setdefault(opt, {})[key] = value(f"--hp {opt}:{key}", text)
    out = {}
    for opt, keys in per.items():
        names = list(keys)
        out[opt] = [dict(zip(names, combo)) for combo in itertools.product(*keys.values())]
    return out


def progress_flags(parser) -> None:
    """``--progress`` / ``--no-progress`` (dest ``progress``: True, False, or None for "only
    on a terminal"), the same on every command that draws progress bars."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--progress", dest="progress", action="store_true", default=None,
                       help="draw progress bars (default: only on a terminal)")
    group.add_argument("--no-progress", dest="progress", action="store_false")


def key_values(flag: str, text: str | None) -> dict[str, Any]:
    """``KEY=VALUE,KEY=VALUE`` with scalar values (for --problem-params)."""
    out: dict[str, Any] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise UsageError(f"{flag}: expected KEY=VALUE[,KEY=VALUE...]; got {part!r}")
        key, val = (x.strip() for x in part.split("=", 1))
        out[key] = scalar(f"{flag} {key}", val)
    return out


__all__ = ["MAX_GRID", "UsageError", "VALUE_HELP", "choose", "hp_settings", "integer",
           "key_values", "names_list", "progress_flags", "scalar", "value"]
