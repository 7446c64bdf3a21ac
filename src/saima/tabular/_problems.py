"""Problems found in a user's file, and the exception that carries them.

Office users fix their spreadsheets by hand, so every problem names the exact place (file, sheet,
row, column) the way Excel shows it, and all problems are reported at once rather than one per run.
"""

from __future__ import annotations

from dataclasses import dataclass

from saima.engine.text import Text, _

MAX_SHOWN = 20
"""How many problems `str(InputError)` lists before summarising the rest."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as we know."""

    file: str
    message: Text | str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def place(self) -> list[Text | str]:
        """The parts of the place: the file, then sheet S, row R, column C where known."""
        parts: list[Text | str] = [self.file]
        if self.sheet is not None:
            parts.append(_("sheet %(sheet)s", sheet=self.sheet))
        if self.row is not None:
            parts.append(_("row %(row)s", row=self.row))
        if self.column is not None:
            parts.append(_("column %(column)s", column=self.column))
        return parts

    def text(self) -> Text:
        """ "file, sheet S, row R, column C: message", leaving out unknown parts."""
        return _("%(place)s: %(message)s", place=", ".join(self.place()), message=self.message)

    def __str__(self) -> str:
        return str.__str__(self.text())


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
        more = more_problems(len(self.problems) - MAX_SHOWN)
        if more is not None:
            lines.append(more)
        return "\n".join(lines)


def more_problems(hidden: int) -> Text | None:
    """The line that stands for `hidden` problems not shown; None for none."""
    if hidden == 1:
        return _("... and 1 more problem")
    if hidden > 1:
        return _("... and %(count)s more problems", count=hidden)
    return None
