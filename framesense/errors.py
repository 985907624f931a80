"""Errors that carry a message meant for the user: what failed, where, and why."""

import errno
import sqlite3


class FrameSenseError(Exception):
    """Base for errors the CLI prints without a traceback."""


class MediaError(FrameSenseError):
    """A file could not be read as media; the message names the file and the reason."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ModelUnavailable(FrameSenseError):
    """A model is missing; the message says how to get it."""


class CatalogDamaged(FrameSenseError):
    """The catalog file itself is broken: never blamed on footage."""

    def __init__(self, path, detail: str):
        self.path = str(path)
        super().__init__(
            f"the catalog is damaged ({path}: {detail}). Restore the automatic backup beside it "
            f"(catalog.sqlite.bak, made before each schema upgrade) or move the file away and index the "
            f"footage again to rebuild it")


class LibraryBusy(FrameSenseError):
    """Another process is writing this library."""


class QueryError(FrameSenseError):
    """A search query that cannot be run as given."""


def not_the_footage(exc: BaseException) -> bool:
    """Errors of the machine or the catalog, which must never be recorded against a media file."""
    if isinstance(exc, sqlite3.DatabaseError):
        return True
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS)


def disk_full(exc: BaseException, where=None) -> bool:
    """The disk (or the user's quota) is full, as the OS or SQLite says it. SQLite growing its WAL
    index on a full disk says only "disk I/O error": with ``where`` (a folder), that counts as a
    full disk when the folder's filesystem has under 1 MiB free."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    if "disk is full" in str(exc):
        return True
    if where is not None and "disk I/O error" in str(exc):
        import shutil
        try:
            return shutil.disk_usage(where).free < (1 << 20)
        except OSError:
            return False
    return False


def full_disk_error(where) -> OSError:
    """What a full disk is reported as, naming the file being written (the CLI's "the disk is full")."""
    return OSError(errno.ENOSPC, "No space left on device", str(where))
