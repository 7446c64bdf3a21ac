"""Errors the engine raises: each carries a message a user can act on."""

from __future__ import annotations

from saima.engine.text import Text, _

#: How many details `str(EngineError)` lists before saying how many more there are.
MAX_SHOWN = 20


class EngineError(ValueError):
    """Input the engine cannot compute on; the message says what and where."""

    def __init__(self, message: Text | str, *, details: list[Text | str] | None = None) -> None:
        self.details = list(details or [])
        super().__init__(message)

    def __str__(self) -> str:
        head = super().__str__()
        if not self.details:
            return head
        shown = self.details[:MAX_SHOWN]
        more = len(self.details) - len(shown)
        lines = [head, *(f"  - {line}" for line in shown)]
        if more:
            lines.append(f"  {more_details(more)}")
        return "\n".join(lines)


def more_details(count: int) -> Text:
    """The line that stands for `count` details not shown."""
    return _("... and %(count)s more", count=count)


class DataError(EngineError):
    """Figures that contradict the rules or each other (a missing target, a negative target...)."""
