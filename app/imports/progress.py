"""How far a running import has got, for the page that waits for it.

The page names the run with a random key when it sends the file; the run writes its stage
and row count to instance/imports/<key>.progress (a file, so any worker of the server can
answer), and the page asks /<view>/import/progress?key=... until its answer comes. The file
names its user: a key that is not the asker's answers like one that does not exist.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

KEY = re.compile(r"[A-Za-z0-9_-]{16,64}\Z")
EVERY_SECONDS = 0.25  # the page asks twice a second: writing more often only costs the run
READING, CHECKING, SAVING = "reading", "checking", "saving"


def _path(key: str) -> Path:
    from .views import _folder

    return _folder() / f"{key}.progress"


class Progress:
    """Called by the run (app/imports/run.py) as it goes: progress(stage, done, total)."""

    def __init__(self, key: str, user_id):
        self.path, self.user_id, self.last = _path(key), user_id, 0.0
        self.stage = None

    def __call__(self, stage: str, done: int = 0, total: int = 0) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.last < EVERY_SECONDS and done < total:
            return
        self.stage, self.last = stage, now
        part = self.path.with_suffix(".part")
        part.write_text(json.dumps({"user": self.user_id, "stage": stage, "done": done, "total": total}))
        os.replace(part, self.path)  # a reader never sees half a file

    def close(self) -> None:
        self.path.unlink(missing_ok=True)


def started(key: str | None, user_id) -> Progress | None:
    """The progress of the run the page named `key`, if it named one."""
    if not key or not KEY.match(key):
        return None
    progress = Progress(key, user_id)
    progress(READING)
    return progress


def reported(key: str | None, user_id) -> dict | None:
    """What the run named `key` has reported, if it is the user's and still running."""
    if not key or not KEY.match(key):
        return None
    try:
        found = json.loads(_path(key).read_text())
    except (OSError, ValueError):
        return None
    if found.get("user") != user_id:
        return None
    return {k: found.get(k) for k in ("stage", "done", "total")}

