"""A workspace is one DuckDB file plus a folder of submitted files stored unchanged under their hash."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import duckdb
import ibis
from ibis.backends.duckdb import Backend

from placespend.domain.problems import PlacespendError, WorkspaceBusy, WorkspaceClosed
from placespend.engine.locks import ReadWriteLock, Snapshot
from placespend.engine.migrations import check_not_newer, latest_version, migrate, schema_version_of
from placespend.engine.plain_read import MEMORY_LIMIT, workspace_path

PARTIAL = ".partial"  # a stored file still being copied
CLOSE_WAIT = 30.0  # the longest `close` waits for threads at work to stop using the workspace, in seconds

log = logging.getLogger(__name__)


def _connect(path: Path, read_only: bool = False) -> Backend:
    """A connection with DuckDB's memory capped. Set after connecting, not as connection configuration: DuckDB
    refuses a second connection to a file with a different configuration from one already open in the process
    (an analyst's own `ibis.duckdb.connect` in the same notebook, say)."""
    try:
        con = ibis.duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "Conflicting lock" not in str(exc):
            raise
        raise WorkspaceBusy(path, str(exc)) from None
    con.raw_sql(f"SET memory_limit = '{MEMORY_LIMIT}'")
    return con


class _OpenBetweenReads:
    """Workspace files this process keeps open, read-only, between its reads (`Workspace.held`).

    Why: opening a DuckDB file is most of what a small read costs: DuckDB starts a database instance for it
    (about 25 ms for the demo workspace, 10 ms even for an empty database), and a command reads many times
    (building the demo, 184 reads). While one connection to a file stays open, DuckDB hands every other
    connection to it the same instance, in under a millisecond. The connection kept open here (an anchor) is
    never queried: it only keeps the instance alive. A write or a server drops it first, since a process cannot
    mix read-only and read-write connections to one file."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders: dict[Path, int] = {}
        self._anchors: dict[Path, duckdb.DuckDBPyConnection] = {}

    def hold(self, path: Path) -> None:
        with self._lock:
            self._holders[path] = self._holders.get(path, 0) + 1

    def release(self, path: Path) -> None:
        with self._lock:
            self._holders[path] -= 1
            if not self._holders[path]:
                del self._holders[path]
                self._close(path)

    def anchor(self, path: Path) -> None:
        """Open the anchor of a held file if it is not open (a busy file is left to the read to report)."""
        with self._lock:
            if path in self._holders and path not in self._anchors:
                with contextlib.suppress(duckdb.Error):
                    self._anchors[path] = duckdb.connect(str(path), read_only=True)

    def drop(self, path: Path) -> None:
        """Close the anchor before the file is opened for writing (it is opened again by the next read)."""
        with self._lock:
            self._close(path)

    def _close(self, path: Path) -> None:
        anchor = self._anchors.pop(path, None)
        if anchor is not None:
            anchor.close()


_open_between_reads = _OpenBetweenReads()


class DerivedTable(Protocol):
    """A table derived from the ledger (a cache, never a source of truth) that a store keeps: the workspace
    brings it up to date as each write that may change results closes, so every writer (CLI, web, importers)
    keeps it right without knowing of it, and tells it after every write that its answers may be stale."""

    def refresh(self, con: Backend) -> object: ...

    def forget(self) -> None: ...


class _Snapshot:
    """The workspace as it was before a write began: a DuckDB transaction opened then on a cursor of its own,
    which sees nothing that write commits (MVCC). Readers that arrive while the write runs read this."""

    def __init__(self, shared: Backend, generation: int) -> None:
        self.generation = generation  # the version of the workspace it shows, to key what is computed from it
        raw = shared.con.cursor()
        raw.execute("BEGIN TRANSACTION")
        raw.execute("SELECT count(*) FROM schema_version").fetchone()  # DuckDB fixes the view at the first read
        self.con = ibis.duckdb.from_connection(raw)
        self.turn = threading.RLock()

    def close(self) -> None:
        with self.turn:
            with contextlib.suppress(duckdb.Error):
                self.con.con.execute("ROLLBACK")
            self.con.disconnect()


class Workspace:
    def __init__(self, path: str | os.PathLike[str] | None = None, derived: Sequence[DerivedTable] = ()) -> None:
        """`derived`: the tables stores derive from the ledger, refreshed by every write (the app layer opens
        the workspace with them: `app.workspace.open_workspace`)."""
        self.path = workspace_path(path)
        self.derived = tuple(derived)
        self.submissions_dir = self.path.with_name(self.path.stem + ".submissions")
        # Where a running `placespend serve` says how the CLI reaches it (cli.beside_server).
        self.server_file = self.path.with_name(self.path.name + ".server.json")
        self._shared: Backend | None = None
        self._lock = ReadWriteLock(self._snapshot_before_write, self._write_ended)
        self._changed = False  # a write of the figures under way: `generation` moves as it ends
        self._local = threading.local()
        self._readers: dict[threading.Thread, Backend] = {}  # each reading thread's cursor (`_reader`)
        self._readers_lock = threading.Lock()
        self._bookkeeping = threading.Lock()  # accounts' writes, one at a time among themselves (`bookkeeping`)
        self.generation = 0  # bumped by every write through a shared connection: caches key on it
        self._result_refreshers: list[Callable[[], object]] = []
        self._refreshing = False  # the writer recomputes results for the version its write makes (`version`)
        # `close` has begun: no thread starts using a connection (`_using`), nor opens the file again once the
        # shared connection is gone (`_check_open`)
        self._closing = False
        self._users = 0  # threads using a connection of the shared workspace now (`_using`)
        self._users_changed = threading.Condition()

    def share(self) -> None:
        """Keep one read-write connection for a long-running server: DuckDB allows one writer per file, and
        a process cannot mix read-only and read-write connections to it. Each thread reads through its own
        cursor of it, side by side; writes take turns (`ReadWriteLock`)."""
        if self._shared is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _open_between_reads.drop(self._file)
            con = _connect(self.path)
            try:
                migrate(con)
                self._recover(con)
            except BaseException:
                con.disconnect()
                raise
            self._shared = con

    def close(self) -> None:
        """Disconnect, folding the write-ahead log into the file first so that the file alone is the whole
        workspace (a `.wal` left behind is replayed on the next open, and lost if the file is copied alone).

        Threads still at work (the first pages prepared in the background, an import) are stopped first: no
        thread starts using a connection from here on (`_using` refuses with `WorkspaceClosed`), the queries
        under way are interrupted, and the connections are closed only once no thread uses one. Why: a DuckDB
        connection closed while another thread ran a query on it crashed the server as it stopped (SIGSEGV,
        leaving a `.wal`; the intermittent failure of tests/cli/test_beside_the_server.py under load)."""
        if self._shared is None:
            return
        deadline = time.monotonic() + CLOSE_WAIT
        with self._users_changed:
            self._closing = True
            while self._users:
                self._interrupt_queries()
                if time.monotonic() >= deadline:  # closing a connection in use would crash the process
                    log.warning("%s was not checkpointed as it closed: %d threads still used it after %.0f s; "
                                "its .wal is replayed when next opened", self.path, self._users, CLOSE_WAIT)
                    return
                self._users_changed.wait(0.05)
        for reader in self._readers.values():
            reader.disconnect()
        self._readers.clear()
        try:
            self._shared.raw_sql("CHECKPOINT")
        except duckdb.Error as exc:
            log.warning("%s was not checkpointed as it closed (%s); its .wal is replayed when next opened",
                        self.path, exc)
        self._shared.disconnect()
        self._shared = None

    def _interrupt_queries(self) -> None:
        """Stop the query each connection runs now, if any (DuckDB's interrupt is safe from another thread)."""
        with self._readers_lock:
            connections = [*self._readers.values(), self._shared]
        for con in connections:
            with contextlib.suppress(duckdb.Error):
                con.con.interrupt()  # type: ignore[union-attr]

    @contextmanager
    def _using(self) -> Iterator[None]:
        """Count this thread as using a connection of the shared workspace until it leaves (`close` waits for
        none to), or refuse once the workspace is closing. A query `close` interrupted says so plainly."""
        with self._users_changed:
            if self._closing:
                raise WorkspaceClosed(f"{self.path} was closed: the server is stopping.")
            self._users += 1
        try:
            yield
        except duckdb.InterruptException:
            if self._closing:
                raise WorkspaceClosed(f"{self.path} was closed: the server is stopping.") from None
            raise
        finally:
            with self._users_changed:
                self._users -= 1
                self._users_changed.notify_all()

    def _check_open(self) -> None:
        if self._closing:
            raise WorkspaceClosed(f"{self.path} was closed: the server is stopping.")

    @contextmanager
    def _shared_connection(self) -> Iterator[Backend]:
        with self._lock.writing():
            yield self._shared  # type: ignore[misc]

    def _snapshot_before_write(self) -> _Snapshot:
        return _Snapshot(self._shared, self.generation)  # type: ignore[arg-type]

    def _write_ended(self) -> None:
        """Called by the lock as the outermost write lets go, before any reader can start: a reader that sees
        the new `generation` reads the new state, never the snapshot from before it."""
        if self._changed:
            self.generation += 1
            self._changed = False

    def _reader(self) -> Backend:
        """This thread's cursor on the shared connection (DuckDB connections are not for several threads).
        Called only inside `_using`, so `close` never closes a cursor while its thread uses it."""
        mine = getattr(self._local, "reader", None)
        if mine is None or mine[0] is not self._shared:
            cursor = ibis.duckdb.from_connection(self._shared.con.cursor())  # type: ignore[union-attr]
            with self._readers_lock:
                self._drop_readers_of_ended_threads()
                self._readers[threading.current_thread()] = cursor
            self._local.reader = mine = (self._shared, cursor)
        return mine[1]

    def _drop_readers_of_ended_threads(self) -> None:
        """Close the cursors of threads that have ended. Why: a thread started for one job (the pages warmed
        after an acceptance, an import read in the background) reads through a cursor of its own and ends with
        the job; kept until `close`, its cursor made a server hold one more DuckDB connection per acceptance."""
        for thread in [thread for thread in self._readers if not thread.is_alive()]:
            self._readers.pop(thread).disconnect()

    def check_not_in_use(self) -> None:
        """Raise `WorkspaceBusy` if another process holds the file (e.g. `placespend serve`): for what must
        not happen under a running server, such as replacing the file."""
        if self.exists and self._shared is None:
            _open_between_reads.drop(self._file)
            _connect(self.path).disconnect()

    def refresh_results_with(self, refresh: Callable[[], object]) -> None:
        """Run `refresh` at the end of every write that changes results on a server's shared workspace: by the
        writer, after its changes are committed and before `generation` moves, while readers still read the
        snapshot from before the write. So results a server keeps (its cached pages) can be recomputed for the
        new version before anyone is shown it: no reader waits for the write, nor for a recomputation after it.
        A failed refresh is logged and leaves the write as done (the results are then computed when asked)."""
        self._result_refreshers.append(refresh)

    @property
    def version(self) -> int | None:
        """The version of the workspace this thread reads, to key what it computes from it; None: do not keep
        what it computes (a writer reading its own write half done).

        Within a read, the version it began with: a reader of the snapshot from before a write reads that
        snapshot's version even after the write has ended, so one read (a whole page) is of one version.
        A writer refreshing results after its write (`refresh_results_with`) reads the version it makes."""
        pinned = getattr(self._local, "version", None)
        if pinned is not None:
            return pinned
        if self._lock.writer_is_me():
            return self.generation + 1 if self._refreshing else None
        return self.generation

    @property
    def reading_snapshot(self) -> bool:
        """This thread reads, inside `read()`, the snapshot from before a write under way: it must not wait for
        another reader (one waiting for its turn on that snapshot would wait for it in return)."""
        return self._lock.on_snapshot()

    @property
    def is_shared(self) -> bool:
        return self._shared is not None

    @property
    def exists(self) -> bool:
        return self.path.exists()

    @contextmanager
    def read(self) -> Iterator[Backend]:
        """A read-only connection: validation and queries must never change the file's bytes. The one
        exception is a workspace made by an older placespend, whose schema is brought forward first."""
        if self._shared is not None:
            with self._using():
                if self._lock.writer_is_me():   # a writer reads its own uncommitted work on its own connection
                    yield self._shared
                    return
                with self._lock.reading_or_snapshot() as snapshot, self._pinned(snapshot):  # never waits for a write
                    if snapshot is None:
                        yield self._reader()
                    else:
                        with snapshot.turn:   # one DuckDB connection: its readers take turns
                            yield snapshot.con
            return
        self._check_open()
        if not self.exists:
            raise PlacespendError(f"No workspace at {self.path}; ingest or import something first, or pass --db.")
        _open_between_reads.anchor(self._file)
        con = _connect(self.path, read_only=True)
        try:
            version = schema_version_of(con)
            check_not_newer(version)
            if version < latest_version():  # made by an older placespend: brought forward first
                con.disconnect()
                with self.write(changes_results=False):
                    pass
                con = _connect(self.path, read_only=True)
            yield con
        finally:
            con.disconnect()

    @property
    def _file(self) -> Path:
        return self.path.absolute()  # as DuckDB keys its open databases (Ibis connects by the absolute path)

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep the file open between the reads made inside, so that each does not start DuckDB afresh (see
        `_OpenBetweenReads`). For short work on small data only: while held, the file cannot be written by
        other processes, and the blocks DuckDB cached for the reads stay in memory (up to its memory limit,
        beside whatever else the process does: a large return's validation, say). A server's shared workspace
        needs none."""
        _open_between_reads.hold(self._file)
        try:
            yield
        finally:
            _open_between_reads.release(self._file)

    @contextmanager
    def one_version(self) -> Iterator[None]:
        """Everything read inside, and `version`, of one version of the workspace, without holding a connection:
        the reads inside are of the snapshot from before a write under way if there is one as this begins (each
        taking its turn on it only while it reads, so readers of cached pages never queue behind a computation),
        else of the workspace, which no write changes meanwhile (the read lock is held)."""
        if self._shared is None or self._lock.writer_is_me():
            yield
            return
        with self._lock.reading_or_snapshot() as snapshot, self._pinned(snapshot):
            yield

    @contextmanager
    def _pinned(self, snapshot: Snapshot | None) -> Iterator[None]:
        """`version` for this thread until the outermost read ends: no write can end while it holds the read
        lock, and a snapshot's version never moves."""
        outermost = getattr(self._local, "version", None) is None
        if outermost:
            self._local.version = self.generation if snapshot is None else snapshot.generation
        try:
            yield
        finally:
            if outermost:
                self._local.version = None

    @contextmanager
    def lookup(self) -> Iterator[Backend]:
        """A read of accounts (users, sessions, tokens, the audit log) that never waits for a write.

        Why: every request looks its caller's session up. Through `read()` that waited for the figures' lock,
        so a ten-second acceptance held every visitor, even of a page already cached, for its whole length.
        These rows are never derived from the ledger, so a write of the figures half done cannot mislead them;
        each statement is its own DuckDB transaction, which sees only committed rows (MVCC)."""
        if self._shared is None or self._lock.writer_is_me():
            with self.read() as con:
                yield con
            return
        with self._using():
            yield self._reader()

    @contextmanager
    def bookkeeping(self) -> Iterator[Backend]:
        """A write of accounts (a session started, an audit row) beside any write of the figures.

        Why: a sign-in writes its session and audit row; through `write()` it queued behind an acceptance and,
        writers going first, made every later reader queue behind it. These writes take turns among themselves
        only, on this thread's own cursor; they touch no table an acceptance changes (it only appends audit
        rows, and DuckDB appends never conflict)."""
        if self._shared is None or self._lock.writer_is_me():
            with self.write(changes_results=False) as con:
                yield con
            return
        with self._using(), self._bookkeeping:
            yield self._reader()

    @contextmanager
    def write(self, changes_results: bool = True) -> Iterator[Backend]:
        """A read-write connection with the schema brought up to date.

        `changes_results=False` marks bookkeeping writes (sessions, audit) that leave every figure as it was,
        so cached results survive them.
        """
        if self._shared is not None:
            with self._using(), self._shared_connection() as con:
                try:
                    yield con
                    if changes_results:
                        self._refresh_derived(con)
                finally:
                    self._forget_derived()
                    if changes_results:
                        self._changed = True
                if self._changed and self._lock.outermost_write_is_mine():
                    self._refresh_results()
            return
        self._check_open()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _open_between_reads.drop(self._file)
        con = _connect(self.path)
        try:
            migrate(con)
            self._recover(con)
            yield con
            if changes_results:
                self._refresh_derived(con)
        finally:
            con.disconnect()

    def _refresh_results(self) -> None:
        self._refreshing = True
        try:
            for refresh in self._result_refreshers:
                try:
                    refresh()
                except Exception:  # an optimisation: the write stands, and readers compute what they ask for
                    log.warning("recomputing results after a write stopped; they are computed when asked for",
                                exc_info=True)
        finally:
            self._refreshing = False

    def _refresh_derived(self, con: Backend) -> None:
        for table in self.derived:
            table.refresh(con)

    def _forget_derived(self) -> None:
        for table in self.derived:
            table.forget()

    def stored_file(self, name: str) -> Path:
        return self.submissions_dir / name

    @contextmanager
    def keeping(self, source: Path, stored_name: str) -> Iterator[Path]:
        """Keep a submitted file unchanged under `stored_name` while it is loaded: if the load fails, a copy
        made for it is removed again, so a rejected load leaves no file behind (nothing half-done).

        Call it inside `write()`, so that no other process can be sweeping the folder (`_recover`). The copy
        is written under a temporary name and renamed whole, so a process killed mid-copy never leaves a
        truncated file under a stored name (a later load of the same file would take it as already kept)."""
        target = self.stored_file(stored_name)
        created = not target.exists()
        if created:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f"{target.name}.{os.getpid()}{PARTIAL}")
            with source.open("rb") as read, partial.open("wb") as written:
                shutil.copyfileobj(read, written, 1 << 20)
                written.flush()
                os.fsync(written.fileno())
            os.replace(partial, target)
        try:
            yield target
        except BaseException:
            if created:
                target.unlink(missing_ok=True)
            raise

    def _recover(self, con: Backend) -> None:
        """Tidy what a process killed while loading left in the submissions folder: partial copies, and
        files kept for a load whose transaction never committed (no row names them). Runs holding the
        write connection, so no load of another process is under way."""
        if not self.submissions_dir.is_dir():
            return
        kept = stored_names(con.con)
        for entry in self.submissions_dir.iterdir():
            if entry.is_file() and (entry.name.endswith(PARTIAL) or entry.name not in kept):
                entry.unlink()


def stored_names(raw: duckdb.DuckDBPyConnection) -> set[str]:
    """The files of the submissions folder that the database names: every table that keeps a file names it
    in a column called `stored_name` (submissions, asset registers)."""
    tables = raw.execute("""SELECT table_name FROM duckdb_columns() WHERE column_name = 'stored_name'
                            AND database_name = current_database() AND schema_name = 'main'""").fetchall()
    return {row[0] for (table,) in tables
            for row in raw.execute(f'SELECT DISTINCT stored_name FROM "{table}"').fetchall()}

