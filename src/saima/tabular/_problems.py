"""Problems found in a user's file, and the exception that carries them.

Office users fix their spreadsheets by hand, so every problem names the exact place (file, sheet,
row, column) the way Excel shows it, and all problems are reported at once rather than one per run.
"""

from __future__ import annotations

from dataclasses import dataclass

# User-facing text (kept together so it can be wrapped for translation later).
_SHEET = "sheet {}"
_ROW = "row {}"
_COLUMN = "column {}"
_MORE = "... and {} more problems"
_MORE_ONE = "... and 1 more problem"

MAX_SHOWN = 20
"""How many problems `str(InputError)` lists before summarising the rest."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as we know."""

    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        """Render "file, sheet S, row R, column C: message", leaving out unknown parts."""
        parts = [self.file]
        if self.sheet is not None:
            parts.append(_SHEET.format(self.sheet))
        if self.row is not None:
            parts.append(_ROW.format(self.row))
        if self.column is not None:
            parts.append(_COLUMN.format(self.column))
        return f"{', '.join(parts)}: {self.message}"


class InputError(Exception):
    """Bad input: one or more problems, each naming the place."""

    def __init__(self, problems: Problem | list[Problem]) -> None:
        self.problems: list[Problem] = (
            [problems] if isinstance(problems, Problem) else list(problems)
        )
        # A single picklable argument, so the exception survives multiprocessing.
        super().__init__(self.problems)

    def __str__(self) -> str:
        """One problem per line, capped so a broken file does not flood the terminal."""
        lines = [str(p) for p in self.problems[:MAX_SHOWN]]
        hidden = len(self.problems) - MAX_SHOWN
        if hidden == 1:
            lines.append(_MORE_ONE)
        elif hidden > 1:
            lines.append(_MORE.format(hidden))
        return "\n".join(lines)
