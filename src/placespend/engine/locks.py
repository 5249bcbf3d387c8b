"""Many readers or one writer on a server's shared workspace.

Why not one lock: a page computed for the first time (a second or two on a national ledger) would make every
other visitor wait, though DuckDB runs reads side by side. Why not no lock: a reader must not see a write
half done (the ledger committed, the tables derived from it not yet), or it could cache figures under the
wrong version. Both locks are reentrant within a thread, and a writer may read.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ReadWriteLock:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer: int | None = None   # the thread holding the write lock
        self._writes = 0                  # its reentrant depth
        self._waiting_writers = 0
        self._local = threading.local()

    def writer_is_me(self) -> bool:
        return self._writer == threading.get_ident()

    def _reads(self) -> int:
        return getattr(self._local, "reads", 0)

    @contextmanager
    def reading(self) -> Iterator[None]:
        me = threading.get_ident()
        if self._writer == me or self._reads():   # already inside: no wait (a waiting writer would deadlock)
            self._local.reads = self._reads() + 1
            try:
                yield
            finally:
                self._local.reads -= 1
            return
        with self._cond:
            while self._writer is not None or self._waiting_writers:   # writers first, so they never starve
                self._cond.wait()
            self._readers += 1
        self._local.reads = 1
        try:
            yield
        finally:
            self._local.reads = 0
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        me = threading.get_ident()
        with self._cond:
            if self._writer == me:
                self._writes += 1
            else:
                if self._reads():
                    raise RuntimeError("a thread reading the workspace cannot start writing it (deadlock)")
                self._waiting_writers += 1
                while self._writer is not None or self._readers:
                    self._cond.wait()
                self._waiting_writers -= 1
                self._writer, self._writes = me, 1
        try:
            yield
        finally:
            with self._cond:
                self._writes -= 1
                if not self._writes:
                    self._writer = None
                    self._cond.notify_all()
