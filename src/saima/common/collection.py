"""Python's cyclic garbage collector paused while a large document is drawn.

Drawing a bulletin makes hundreds of thousands of short-lived objects (WeasyPrint's boxes,
Matplotlib's artists), and each of their generations triggers the collector, which then walks
every object the process holds — all of Django, the apps, the loaded fonts. Measured on a
province bulletin's PDF: about a quarter of its time. With the collector paused for the drawing
and run once after it, the same objects are freed at the end instead.
"""

from __future__ import annotations

import contextlib
import gc


class collection_paused(contextlib.ContextDecorator):
    """Pause the cyclic collector inside the block (or the decorated call), then run one
    collection of the youngest generations. Nested uses are safe: only the outermost resumes."""

    def __enter__(self) -> collection_paused:
        self._was_enabled = gc.isenabled()
        gc.disable()
        return self

    def __exit__(self, *exc) -> None:
        if self._was_enabled:
            gc.enable()
            gc.collect(1)
