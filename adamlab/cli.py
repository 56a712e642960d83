"""The ``adamlab`` command line.

``adamlab check``   the main job: decide the claims ledger (claims without a
                    check yet are reported *pending*); ``--out DIR`` also writes
                    a report folder (Markdown, figures; :mod:`adamlab.proofs.report`).
``adamlab regret``  regret plots against sqrt(T) with the published bounds
                    overlaid (:mod:`adamlab.cli_regret`).
``adamlab sweep``   a grid of runs over hyperparameters, problems and seeds, chunk
                    by chunk on Dask, resumable (:mod:`adamlab.cli_sweep`).
``adamlab phase-map`` the (beta1, beta2) phase map of Adam against AMSGrad's average
                    regret (:mod:`adamlab.cli_phase`).
``adamlab list``    the registered optimizers, problems and claims, one line each, and the
                    names a user's claim may use.
``adamlab prove``   print a claim's proof, step by step (:mod:`adamlab.proofs.steps.render`).

Exit status: 0 when the command ran (verdicts are results, not failures),
2 for usage errors, 1 when the tool itself failed.  User mistakes print a
message, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

from adamlab import __version__

from .cli_args import UsageError, choose, integer, names_list, output_file, output_folder


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's default exits; we raise instead
        raise UsageError(f"{self.prog}: {message}")


def _write_json_atomic(path: str, payload: dict) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"--json: directory {directory!r} does not exist")
    from adamlab.numerics.atomic import atomic_write_text
    atomic_write_text(path, json.dumps(payload, indent=2) + "\n")


def _cmd_list(args, out) -> int:
    from adamlab.numerics import optimizers
    from adamlab.proofs import claims

    from .terminal import show, table
    what = args.what
    name_col = ("name", {"no_wrap": True, "style": "bold"})
    if what in ("all", "optimizers"):
        show(out, "Optimizers (adamlab.numerics.optimizers.make(NAME, ...)):",
             table([name_col, ("summary", {})],
                   [(n, optimizers.get(n).summary) for n in optimizers.names()]))
    if what in ("all", "problems"):
        from adamlab.numerics import problems
        rows = []
        for name in problems.names():
            entry = problems.get(name)
            params = ", ".join(f"{p.name}={p.default!r}" for p in entry.params())
            rows.append((name, entry.summary, params or "-"))
        show(out, "Problems (adamlab regret --problem NAME --problem-params K=V,...):",
             table([name_col, ("summary", {}), ("parameters", {})], rows))
    if what in ("all", "claims"):
        from adamlab.proofs.steps import render
        proved = set(render.proof_ids())
        show(out, "Claims (adamlab check ID; a step-checked proof where the last column "
                  "names one):",
             table([("ID", {"no_wrap": True, "style": "bold"}), ("source", {}),
                    ("proof", {"no_wrap": True})],
                   [(c.id, c.source, "adamlab prove " + c.id if c.id in proved else "")
                    for c in claims.CLAIMS]))
    if what in ("all", "names"):
        from adamlab.proofs import names
        show(out, "Names a claim's statement may use (adamlab check --claims FILE):",
             table([name_col, ("kind", {"no_wrap": True}), ("meaning", {})],
                   names.describe()))
    return 0


def _escape(text: str) -> str:
    """Text shown as it is in a rich table (no [markup] interpretation)."""
    from rich.markup import escape
    return escape(text)


#: below this many claims "auto" decides them in this process: a spawned process first
#: imports adamlab and SymPy (about 3-4 s), more than a few claims take
AUTO_MIN_CLAIMS = 8


def _workers(text: str, n_claims: int) -> int:
    """--workers of adamlab check: "auto" (the cores, at most 4, for
    :data:`AUTO_MIN_CLAIMS` claims or more; else 1) or an integer >= 1."""
    import os
    if text == "auto":
        if n_claims < AUTO_MIN_CLAIMS:
            return 1
        return max(1, min(os.cpu_count() or 1, 4, n_claims))
    return min(integer("--workers", text, 1, 64, "2"), max(1, n_claims))


def _cmd_check(args, out) -> int:
    from adamlab.proofs import claims
    from adamlab.proofs.verdict import VERDICTS

    from . import plugins
    for spec in args.plugin or ():
        plugins.load(spec)
    if args.claims is not None:
        if args.out:
            raise UsageError("adamlab check: --out writes the published ledger's report; "
                             "with --claims use --json FILE")
        from adamlab.proofs import user_claims
        try:
            mine = user_claims.load(args.claims)
        except ValueError as exc:
            raise UsageError(f"adamlab check --claims: {exc}") from None
        known = {c.id: c for c in mine}
        unknown = [i for i in args.ids if i not in known]
        if unknown:
            raise UsageError(f"adamlab check: {', '.join(unknown)} not in {args.claims} "
                             f"(it has {', '.join(known)})")
        chosen = [known[i] for i in args.ids] if args.ids else mine
    else:
        ids = [c.id for c in claims.CLAIMS]
        chosen = [claims.get(choose("adamlab check", i, ids, "claim ID")) for i in args.ids] \
            if args.ids else list(claims.CLAIMS)
    from adamlab.proofs import ledger

    # check the report's options before the ledger runs (also without --out: a bad
    # value is a usage error, never silently ignored)
    from adamlab.numerics import plots
    formats = names_list("--formats", args.formats, plots.FORMATS, "format")
    T = integer("--T", args.T, 10, 10**7, "100000 or 1e5")
    # every output path is checked before the ledger runs (30-40 s), not after it
    if args.json is not None:
        output_file("--json", args.json)
    if args.out is not None:
        output_folder("--out", args.out)
    workers = _workers(args.workers, len(chosen))
    from .terminal import VERDICT_STYLE, show, status, table
    show(out, f"adamlab {__version__}: claims ledger ({len(chosen)} "
              f"claim{'s' if len(chosen) != 1 else ''})")
    with status(f"deciding {len(chosen)} claims") as say:
        if args.claims is not None or workers == 1:     # (a user's claims: this process)
            rows = []
            for k, c in enumerate(chosen, start=1):
                say(f"deciding {c.id} ({k}/{len(chosen)})")
                rows.append(ledger.entry(c, thorough=args.thorough))
        else:
            say(f"deciding {len(chosen)} claims in {workers} processes")
            rows = ledger.entries(
                [c.id for c in chosen], thorough=args.thorough, workers=workers,
                initializer=plugins.load_all, initargs=(tuple(args.plugin or ()),),
                done=lambda cid, k: say(f"decided {cid} ({k}/{len(chosen)}, {workers} "
                                        f"processes)"))

    def verdict(v):
        return f"[{VERDICT_STYLE[v]}]{v}[/]" if v in VERDICT_STYLE else v

    tally = {v: sum(r["verdict"] == v for r in rows) for v in VERDICTS}
    noun = "claim" if len(rows) == 1 else "claims"
    id_width = max(len(r["id"]) for r in rows)     # IDs are never cut or wrapped
    show(out, table([("claim (source)", {"no_wrap": True, "min_width": id_width}),
                     ("verdict", {"no_wrap": True}), ("evidence", {"ratio": 1, "min_width": 24})],
                    [(f"[bold]{r['id']}[/]\n[dim]{_escape(r['source'])}[/]",
                      verdict(r["verdict"]), _escape(r["summary"])) for r in rows]),
         f"{len(rows)} {noun}: " + ", ".join(f"{n} {verdict(v)}" for v, n in tally.items()
                                             if n))
    show(out, "proved: a symbolic or step-checked proof; verified: checked on the stated "
              "inputs, see the evidence; refuted: a certified witness; refuted-as-stated: "
              "false as printed, with a corrected statement", style="dim")
    if args.json:
        _write_json_atomic(args.json, {"adamlab": __version__, "claims": rows})
        print(f"wrote {args.json}", file=out)
    if args.out:
        from adamlab.proofs import report
        done = report.write_report(args.out, rows, formats=formats, T=T)
        print(f"wrote {done['report']} and {len(done['files'])} files in {args.out}",
              file=out)
    return 0


def _cmd_prove(args, out) -> int:
    import importlib
    try:
        render = importlib.import_module("adamlab.proofs.steps.render")
    except ModuleNotFoundError as exc:
        if exc.name not in ("adamlab.proofs.steps.render",):
            raise
        print("adamlab prove: this version has no proof renderer (adamlab.proofs.steps.render)",
              file=sys.stderr)
        return 1
    from .terminal import markdown, show, table
    ids = list(render.proof_ids())
    if args.id is None:
        show(out, "Proofs (adamlab prove ID):", table([("ID", {"no_wrap": True})],
                                                       [(i,) for i in ids]))
        return 0
    claim_id = choose("adamlab prove", args.id, ids, "proof ID")
    markdown(out, render.render_proof(claim_id, thorough=args.thorough))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="adamlab", description="A verified theory and numerics toolkit "
                     "for Adam and its family.")
    parser.add_argument("--version", action="version", version=f"adamlab {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    check = sub.add_parser("check", help="decide the claims ledger (the main job)")
    check.add_argument("ids", nargs="*", metavar="ID", help="claim IDs (default: all)")
    check.add_argument("--json", metavar="FILE", help="write every verdict as JSON")
    check.add_argument("--thorough", action="store_true",
                       help="run the longer searches and simulations")
    check.add_argument("--out", metavar="DIR", help="also write a report folder: report.md "
                       "(ledger table, figures), ledger.json, step_size.*, regret_<problem>.*")
    check.add_argument("--formats", default="png,svg", metavar="F,...",
                       help="report figure formats among png, svg, pdf (default png,svg)")
    check.add_argument("--T", default="100000", metavar="N",
                       help="horizon of the report's regret figures (default 100000)")
    check.add_argument("--claims", metavar="FILE", help="decide your own claims from a TOML "
                       "file of [[claim]] tables instead of the published ledger (see "
                       "README; names: adamlab list names)")
    check.add_argument("--workers", default="auto", metavar="N",
                       help="decide the claims in N processes side by side (default auto: "
                            "the cores, at most 4, when 8 claims or more are asked; 1: in "
                            "this process); the verdicts are the same")
    check.add_argument("--plugin", action="append", metavar="MODULE", help="import a .py "
                       "file or module first (e.g. one that registers your optimizer); "
                       "repeatable")
    check.set_defaults(func=_cmd_check)
    from . import cli_phase, cli_regret, cli_sweep
    cli_regret.add_parser(sub)
    cli_sweep.add_parser(sub)
    cli_phase.add_parser(sub)
    lst = sub.add_parser("list", help="list optimizers, problems and claims")
    lst.add_argument("what", nargs="?", default="all",
                     choices=("all", "optimizers", "problems", "claims", "names"))
    lst.set_defaults(func=_cmd_list)
    prove = sub.add_parser("prove", help="print a claim's proof, each step checked")
    prove.add_argument("id", nargs="?", metavar="ID", help="claim ID (none: list the proofs)")
    prove.add_argument("--thorough", action="store_true", help="run the longer checks")
    prove.set_defaults(func=_cmd_prove)
    return parser


def main(argv: Sequence[str] | None = None, out=None) -> int:
    """Run the command line; return the exit status."""
    out = sys.stdout if out is None else out
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(out)
            return 2
        args.argv = argv
        return args.func(args, out)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("adamlab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``adamlab list | head -1``): stop quietly, and keep the
        # interpreter's final flush from raising again
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 141
    except (OSError, ValueError, TypeError, RuntimeError, ArithmeticError) as exc:
        if os.environ.get("ADAMLAB_DEBUG"):
            raise
        print(f"adamlab: failed: {type(exc).__name__}: {exc} (set ADAMLAB_DEBUG=1 for the "
              f"traceback)", file=sys.stderr)
        return 1
