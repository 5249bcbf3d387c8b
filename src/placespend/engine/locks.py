"""Many readers or one writer on a server's shared workspace.

Why not one lock: a page computed for the first time (a second or two on a national ledger) would make every
other visitor wait, though DuckDB runs reads side by side. Why not no lock: a reader must not see a write
half done (the ledger committed, the tables derived from it not yet), or it could cache figures under the
wrong version. Both locks are reentrant within a thread, and a writer may read.

Why readers need not wait for a writer all the same: as a writer takes the lock, before it changes anything,
the lock asks its owner for a snapshot (`snapshot_before_write`: a DuckDB transaction begun then, which sees
nothing the write commits later, MVCC); readers arriving while the write runs read that instead of waiting
(`reading_or_snapshot`). So a ten-second acceptance holds no reader: they see the figures from before it until
it has finished, whole.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol


class Snapshot(Protocol):
    generation: int

    def close(self) -> None: ...


class ReadWriteLock:
    def __init__(self, snapshot_before_write: Callable[[], Snapshot] | None = None,
                 on_write_end: Callable[[], None] | None = None) -> None:
        """`snapshot_before_write`: called as a writer takes the lock, before it writes; `on_write_end`: called
        as it lets go, with no reader able to start in between (a version counter bumped there is never seen
        by a reader of the snapshot, nor missed by one of the new state)."""
        self._snapshot_before_write, self._on_write_end = snapshot_before_write, on_write_end
        self._snapshot: Snapshot | None = None
        self._users: dict[int, int] = {}   # readers on each snapshot still open, by id
        self._cond = threading.Condition()
        self._readers = 0
        self._writer: int | None = None   # the thread holding the write lock
        self._writes = 0                  # its reentrant depth
        self._waiting_writers = 0
        self._local = threading.local()

    def writer_is_me(self) -> bool:
        return self._writer == threading.get_ident()

    def outermost_write_is_mine(self) -> bool:
        """This thread holds the write lock once, not inside another write of its own: where a write ends."""
        return self.writer_is_me() and self._writes == 1

    def on_snapshot(self) -> bool:
        """Whether this thread is reading the snapshot of a write under way (its readers take turns on it)."""
        return getattr(self._local, "snapshot", None) is not None

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
            self._end_read()

    def _end_read(self) -> None:
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
                if self._snapshot_before_write is not None:
                    self._snapshot = self._snapshot_before_write()
                self._cond.notify_all()   # readers waiting for this writer read its snapshot now
        try:
            yield
        finally:
            with self._cond:
                self._writes -= 1
                if not self._writes:
                    if self._on_write_end is not None:
                        self._on_write_end()
                    if self._snapshot is not None and id(self._snapshot) not in self._users:
                        self._snapshot.close()
                    self._snapshot = None   # a reader still on it closes it (`reading_or_snapshot`)
                    self._writer = None
                    self._cond.notify_all()

    @contextmanager
    def reading_or_snapshot(self) -> Iterator[Snapshot | None]:
        """Read: holding the read lock (yields None), or, while another thread writes, without waiting for it,
        from the snapshot taken before its write (yields that). Within one thread a read inside a read keeps
        the first one's view."""
        mine = getattr(self._local, "snapshot", None)
        if mine is not None:
            yield mine
            return
        if self._writer == threading.get_ident() or self._reads():
            with self.reading():
                yield None
            return
        with self._cond:
            while self._writer is None and self._waiting_writers:   # a writer about to start: wait for it
                self._cond.wait()
            snapshot = self._snapshot if self._writer is not None else None
            if snapshot is None:
                self._readers += 1
            else:
                self._users[id(snapshot)] = self._users.get(id(snapshot), 0) + 1
        if snapshot is None:
            self._local.reads = 1
            try:
                yield None
            finally:
                self._end_read()
            return
        self._local.snapshot = snapshot
        try:
            yield snapshot
        finally:
            self._local.snapshot = None
            with self._cond:
                self._users[id(snapshot)] -= 1
                if not self._users[id(snapshot)]:
                    del self._users[id(snapshot)]
                    if snapshot is not self._snapshot:
                        snapshot.close()
