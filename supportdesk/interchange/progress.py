"""Progress for long jobs (SPEC §11): a rich bar on stderr, so stdout keeps only the job's own output."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

LONG = 200  # fewer rows than this finish before a bar would be worth reading


@contextmanager
def progress_bar(total: int, label: str, *, stream: IO[str] | None = None) -> Iterator[Callable[[], None]]:
    """Yields `advance()`. The bar shows for long jobs at a terminal (or on an explicit `stream`), never in pipes
    and logs, where its redraws would be noise."""
    stream = stream or sys.stderr
    if total < LONG or not (stream is not sys.stderr or stream.isatty()):
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(file=stream), transient=stream.isatty()) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)
