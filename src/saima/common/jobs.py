"""The kinds of background job: each app adds its own (in its `AppConfig.ready`), so the jobs app
runs work of apps above it without importing them.

    jobs.add(jobs.Kind("races.publish", _("Publishing a race"), handler=run_publish))

A handler is `handler(job, progress) -> Outcome`: `job.arguments` says what to do, `progress(
percent, step)` tells the page that started it how far it is, and it returns what to show when it
is done. A handler must leave its work complete or absent: it computes outside a transaction and
writes in one, marking the job done in the same transaction (`saima.jobs.services.job_finish`), so
a worker killed in the middle leaves nothing half-written and a second run finds the job done.

`retry` says which failures are worth another attempt (a busy database, a lost connection); a
refusal of the input (a `ValidationError`) never is.

`handler` may be a dotted path (`"saima.supervision.jobs.run_escalation"`), imported when the job
runs: a kind whose app may not be installed yet is declared this way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Outcome:
    """What a finished job shows: a sentence and, if there is one, where to look at the result."""

    message: str
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    """One kind of job."""

    key: str
    label: Promise | str
    handler: Callable[..., Outcome] | str
    #: How many times a job of this kind is tried before it is marked failed.
    attempts: int = 3
    #: Seconds to wait before the next attempt (times the attempt number).
    backoff: int = 5
    #: Whether the job is worth running again after a worker died in the middle of it.
    retry_after_crash: bool = True

    def resolve(self) -> Callable[..., Outcome]:
        return import_string(self.handler) if isinstance(self.handler, str) else self.handler


_KINDS: dict[str, Kind] = {}


def add(kind: Kind) -> None:
    """Declare a kind of job (again with the same key: replaced, so a reload is harmless)."""
    _KINDS[kind.key] = kind


def get(key: str) -> Kind | None:
    return _KINDS.get(key)


def kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.key)
