"""What the CLI prints, made with rich: tables that fit the terminal, Markdown, a status line.

Every command prints through :func:`console` (a :class:`rich.console.Console` on the
command's output stream).  On a terminal, tables take the terminal's width (long cells
wrap inside their column) and ``adamlab prove`` renders its Markdown; into a pipe or a
file the same tables are plain text (no colour codes) at ``$COLUMNS`` characters, or
:data:`PIPE_WIDTH`, and ``prove`` writes the Markdown source, ready for a ``.md`` file.
"""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import IO, Iterable, Sequence

from rich import box
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from adamlab.numerics.progress import is_terminal

PIPE_WIDTH = 120
#: colours of the ledger's verdicts on a terminal
VERDICT_STYLE = {"proved": "bold green", "verified": "green", "refuted": "bold red",
                 "refuted-as-stated": "red", "pending": "yellow"}


def console(out: IO[str] | None = None) -> Console:
    """A rich console writing to ``out`` (default stdout); see the module docs."""
    out = sys.stdout if out is None else out
    term = is_terminal(out)
    width = None
    if not term:
        try:
            width = int(os.environ.get("COLUMNS", "")) or PIPE_WIDTH
        except ValueError:
            width = PIPE_WIDTH
    return Console(file=out, force_terminal=term, no_color=not term, width=width,
                   highlight=False, soft_wrap=False, emoji=False)


def show(out: IO[str] | None, *items, style: str | None = None) -> None:
    """Print rich renderables (tables, text with [markup]) on ``out``; into a pipe or a
    file without the spaces rich pads lines with."""
    out = sys.stdout if out is None else out
    con = console(out)
    if is_terminal(out):
        con.print(*items, style=style)
        return
    with con.capture() as cap:
        con.print(*items, style=style)
    out.write("\n".join(line.rstrip() for line in cap.get().split("\n")))
    out.flush()


def table(columns: Sequence[tuple[str, dict]], rows: Iterable[Sequence[str]]) -> Table:
    """A table with a header rule and no frame: ``columns`` are ``(header, options)``
    with rich's column options (``no_wrap=True`` for identifiers, ``style``, ...)."""
    t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    for header, opts in columns:
        t.add_column(header, **({"overflow": "fold"} | dict(opts)))
    for row in rows:
        t.add_row(*row)
    return t


def markdown(out: IO[str] | None, text: str) -> None:
    """Markdown rendered on a terminal; the source itself into a pipe or file."""
    out = sys.stdout if out is None else out
    if is_terminal(out):
        console(out).print(Markdown(text))
    else:
        out.write(text if text.endswith("\n") else text + "\n")


@contextmanager
def status(message: str, stream: IO[str] | None = None):
    """A transient spinner line on ``stream`` (default stderr) while a block runs, only
    on a terminal; yields a function that replaces the message."""
    stream = sys.stderr if stream is None else stream
    if not is_terminal(stream):
        yield lambda text: None
        return
    with console(stream).status(message) as st:
        yield st.update


__all__ = ["PIPE_WIDTH", "VERDICT_STYLE", "console", "markdown", "show", "status", "table"]
