"""Progress for long command-line jobs (SPEC §11): a rich bar on stderr, so stdout keeps only the job's own output.

Every `supportdesk` command that works through many rows (imports, exports, the invoice run, stored mail) shows
its progress through here; each also ends with a plain summary line, which is what scripts and logs read.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TypeVar

T = TypeVar("T")

LONG = 200  # fewer rows than this finish before a bar would be worth reading


@contextmanager
def progress_bar(total: int, label: str, *, stream: IO[str] | None = None,
                 shown_from: int = LONG) -> Iterator[Callable[[], None]]:
    """Yields `advance()`. The bar shows for jobs of `shown_from` steps or more (fewer for heavier steps, such as a
    client's invoices) at a terminal or on an explicit `stream`, never in pipes and logs, where its redraws would be
    noise."""
    stream = stream or sys.stderr
    if total < shown_from or not (stream is not sys.stderr or stream.isatty()):
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(file=stream), transient=stream.isatty()) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def counted(items: Iterable[T], total: int, label: str, *, shown_from: int = LONG) -> Iterator[T]:
    """`items` as they are, advancing a bar (of `total`) past each one the caller has finished with."""
    with progress_bar(total, label, shown_from=shown_from) as advance:
        for item in items:
            yield item
            advance()
