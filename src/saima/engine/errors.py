"""Errors the engine raises: each carries a message a user can act on."""

from __future__ import annotations


class EngineError(ValueError):
    """Input the engine cannot compute on; the message says what and where."""

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        self.details = list(details or [])
        super().__init__(message)

    def __str__(self) -> str:
        head = super().__str__()
        if not self.details:
            return head
        shown = self.details[:20]
        more = len(self.details) - len(shown)
        lines = [head, *(f"  - {line}" for line in shown)]
        if more:
            lines.append(f"  ... and {more} more")
        return "\n".join(lines)


class DataError(EngineError):
    """Figures that contradict the rules or each other (a missing target, a negative target...)."""
