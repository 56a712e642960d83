"""The ``adamlab`` command line.

``adamlab check``   the main job: decide the claims ledger.  Until the ledger's
                    checks land (issue 6) it reports each claim as *pending*
                    and lists what the toolkit has registered.
``adamlab list``    the registered optimizers and the claims, one line each.

Exit status: 0 when the command ran (verdicts are results, not failures),
2 for usage errors, 1 when the tool itself failed.  User mistakes print a
message, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from typing import Sequence

from adamlab import __version__


class UsageError(Exception):
    """A mistake in how the command was called (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's default exits; we raise instead
        raise UsageError(f"{self.prog}: {message}")


def _write_json_atomic(path: str, payload: dict) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"--json: directory {directory!r} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=".adamlab-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, indent=2)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _cmd_list(args, out) -> int:
    from adamlab.numerics import optimizers
    from adamlab.proofs import claims

    what = args.what
    if what in ("all", "optimizers"):
        print("Optimizers (adamlab.numerics.optimizers.make(NAME, ...)):", file=out)
        for name in optimizers.names():
            entry = optimizers.get(name)
            print(f"  {name:<10} {entry.summary}", file=out)
    if what in ("all", "claims"):
        print("Claims (adamlab check ID):", file=out)
        for c in claims.CLAIMS:
            print(f"  {c.id:<28} {c.source}", file=out)
    return 0


def _cmd_check(args, out) -> int:
    from adamlab.numerics import optimizers
    from adamlab.proofs import claims

    try:
        chosen = [claims.get(i) for i in args.ids] if args.ids else list(claims.CLAIMS)
    except ValueError as exc:
        raise UsageError(f"adamlab check: {exc}") from None
    from adamlab.proofs import ledger

    width = max(len(c.id) for c in chosen)
    print(f"adamlab {__version__}: claims ledger ({len(chosen)} claims)", file=out)
    print(f"{'ID':<{width}}  {'source':<26} {'verdict':<18} evidence", file=out)
    rows = []
    for c in chosen:
        row = ledger.decide(c.id, thorough=args.thorough).to_json()
        rows.append(row)
        print(f"{row['id']:<{width}}  {row['source']:<26} {row['verdict']:<18} "
              f"{row['summary']}", file=out, flush=True)
    print(f"\n{len(optimizers.names())} optimizers registered: "
          f"{', '.join(optimizers.names())}", file=out)
    if args.json:
        _write_json_atomic(args.json, {"adamlab": __version__, "claims": rows})
        print(f"wrote {args.json}", file=out)
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
    check.set_defaults(func=_cmd_check)
    lst = sub.add_parser("list", help="list optimizers and claims")
    lst.add_argument("what", nargs="?", default="all", choices=("all", "optimizers", "claims"))
    lst.set_defaults(func=_cmd_list)
    return parser


def main(argv: Sequence[str] | None = None, out=None) -> int:
    """Run the command line; return the exit status."""
    out = sys.stdout if out is None else out
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        if args.command is None:
            parser.print_help(out)
            return 2
        return args.func(args, out)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("adamlab: interrupted", file=sys.stderr)
        return 130
