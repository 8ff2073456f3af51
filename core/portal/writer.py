"""Portal writer: the ``Writer``, the one owner of the output folder.

Every file is written to a temporary file and moved into place with ``os.replace``, so a reader
never sees half a page and a build that fails leaves every file complete (old or new); the same
output path may not be written twice in one build; a file whose bytes are already on disk is left
untouched. Text loses the characters XML 1.0 forbids there (``legal_text``), whatever the database
held. ``remove_leftovers`` clears what writers of dead processes left (kill -9).

Imports from: the standard library only.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Iterable

# top-level entries of the output folder that the portal owns (pruned after a full build)
OWNED_DIRS = ("art", "col", "files", "static", "hudong", "xxgk")
OWNED_FILES = ("index.html", "404.html", "feed.xml", "sitemap.xml", "sitemap.html", "robots.txt",
               "accessibility.html", "contact.html", "statement.html")
SITEMAP_CHUNK_NAME = re.compile(r"sitemap-\d+\.xml")
COLUMN_PAGE_NAME = re.compile(r"index(_\d+)?\.html")
# temporary names of writers (ours and the search index's) and of the search index's segment folders
# (core/search.py): they carry the pid
_LEFTOVER = re.compile(r"\..+\.(\d+)-[0-9a-f]{8}\.tmp|\.tmp-(?:\d{4}q[1-4]|[bs][0-9a-f]{12})-(\d+)-[0-9a-f]{8}")


# Characters XML 1.0 forbids (its Char production: C0 controls but tab/LF/CR, lone surrogates,
# U+FFFE/U+FFFF) and the C1 controls and DEL, parse errors in HTML: one of them in a title made
# the Atom feeds not well-formed (issue 12, M3), and a character reference (&#1;) is no better.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def legal_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids or HTML reads as controls."""
    return _NOT_TEXT.sub("", text) if _NOT_TEXT.search(text) else text


# In UTF-8 those characters are exactly: one of these bytes (below 0x80 a byte is its own character),
# C2 80..9F (U+0080..U+009F), EF BF BE/BF (U+FFFE/U+FFFF); a lone surrogate does not encode at all.
_BAD_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_BAD_SEQUENCE = re.compile(b"\xc2[\x80-\x9f]|\xef\xbf[\xbe\xbf]")


def legal_utf8(text: str) -> bytes:
    """``legal_text(text)`` encoded in UTF-8. The encoded page is checked in two passes in C: one
    ``bytes.translate`` deleting the forbidden single bytes (a page without them keeps its length: 6 µs a
    page, where a ``memchr`` per byte value cost 8 µs and the regex over its characters 15 µs), and the
    two- and three-byte sequences looked for only where their first bytes are (C2 also starts common
    characters such as ·, EF BF such as ￥); the regex over the characters runs only when one is there."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return legal_text(text).encode("utf-8")
    return legal_bytes(data)


def legal_bytes(data: bytes) -> bytes:
    """UTF-8 ``data`` without the characters ``legal_text`` removes (the same check as ``legal_utf8``'s)."""
    if (len(data.translate(None, _BAD_BYTES)) != len(data)
            or ((b"\xc2" in data or b"\xef\xbf" in data) and _BAD_SEQUENCE.search(data))):
        return legal_text(data.decode("utf-8")).encode("utf-8")
    return data


def _write_all(fd: int, data: bytes) -> None:
    """``data`` to ``fd`` with ``os.write``, not a file object: one object less per page."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


# A new file written whole before it has a name (Linux): made unnamed in its folder (``O_TMPFILE``), then
# named (``linkat`` of /proc/<pid>/fd/<fd>), so that a reader sees no file or the whole file, as with a
# temporary file moved into place, at two fewer metadata operations (a name made, a rename): ≈24 µs a
# file instead of ≈38 on tmpfs and on ext4 (10,000 files of 20 KB; issue 16). ``linkat`` never replaces a
# file: a name that exists (another process wrote it meanwhile) is written the other way (``_replace``);
# so is every file where the kernel, the file system or /proc does not allow it (and any other system).
_O_TMPFILE = getattr(os, "O_TMPFILE", 0)
_named_by: list[int] = [-2]  # the descriptor of this process's /proc/<pid>/fd; -1: not here; -2: not yet opened


def _fd_folder() -> int:
    """This process's /proc/<pid>/fd, opened at its first new file, or -1."""
    if _named_by[0] == -2:
        try:
            _named_by[0] = os.open(f"/proc/{os.getpid()}/fd", os.O_RDONLY | os.O_DIRECTORY) if _O_TMPFILE else -1
        except OSError:
            _named_by[0] = -1
    return _named_by[0]


if hasattr(os, "register_at_fork"):  # a forked worker opens its own (the parent's would name the parent's files)
    os.register_at_fork(after_in_child=lambda: _named_by.__setitem__(0, -2))


def _write_new(folder: str, target: str, data: bytes) -> bool:
    """Write ``data`` as the new file ``target`` in ``folder`` (see above); False where it cannot (nothing
    written: the caller writes it the other way)."""
    fds = _fd_folder()
    if fds < 0:
        return False
    try:
        fd = os.open(folder, os.O_WRONLY | _O_TMPFILE, 0o644)
    except OSError:  # a file system without unnamed files (EOPNOTSUPP), a kernel before 3.11 (EISDIR)
        return False
    try:
        _write_all(fd, data)  # a failed write fails the page, as before; the unnamed file goes with fd
        try:
            os.link(str(fd), target, src_dir_fd=fds)  # linkat(..., AT_SYMLINK_FOLLOW)
        except FileExistsError:
            return False
        except OSError:  # /proc's links not followed here, or the like: the other way from now on
            _named_by[0] = -1
            os.close(fds)
            return False
    finally:
        os.close(fd)
    return True


class DuplicateOutput(RuntimeError):
    """Two pages of one build claimed the same output path."""


class Writer:
    """Owns the output folder: atomic writes, one write per path per build, counted.

    A file whose bytes are already on disk is left alone (``unchanged``), so a rebuild
    touches only what changed and mirrors (rsync) see true modification times.
    """

    def __init__(self, out_dir: str | os.PathLike) -> None:
        self.root = os.path.realpath(out_dir)
        self._prefix = os.path.join(self.root, "")
        os.makedirs(self.root, exist_ok=True)
        self.claimed: set[str] = set()  # absolute file paths of this build
        self._dirs: set[str] = set()  # folders known to exist
        # folders this writer created: a file in one is there only if this build wrote it, and a path is
        # written once a build (or DuplicateOutput), so no "same bytes already there?" look is needed
        self._fresh: set[str] = set()
        self.made: list[str] = []  # the folders of _fresh, as a worker reports them (portal.pool)
        self._made_elsewhere: set[str] = set()  # folders the worker processes of this build made (``merge``)
        self._tag = f"{os.getpid()}-{secrets.token_hex(4)}"  # temp names unique to this writer
        self.writes = 0  # files created or replaced
        self.unchanged = 0  # files whose content was already there
        self.bytes = 0
        self.removed = 0  # stale files deleted
        self.gone: list[str] = []  # URL paths of the files deleted (portal.redirects leaves redirects there)

    def target(self, path: str) -> str:
        """The file for a URL path such as ``/col/gzdt/index.html``; never outside root."""
        relative = path.lstrip("/")
        # no empty, "." or ".." part, no NUL: the checks of the parts, on the whole path at once
        marked = f"/{relative}/"
        if not path or "//" in marked or "/./" in marked or "/../" in marked or "\x00" in path:
            raise ValueError(f"bad output path {path!r}")
        return self._prefix + (relative if os.sep == "/" else relative.replace("/", os.sep))

    def write(self, path: str, content: str | bytes) -> str:
        target = self.target(path)
        if target in self.claimed:
            raise DuplicateOutput(f"{path} written twice in one build")
        self.claimed.add(target)
        # every page, feed and sitemap passes here as text, whatever the database held (attachments
        # come as bytes and are written as uploaded; and pages from ``write_page``, checked there)
        data = legal_utf8(content) if isinstance(content, str) else bytes(content)
        folder, _, name = target.rpartition(os.sep)
        if folder not in self._dirs:
            self._make_folder(folder)
        if folder in self._fresh:
            found = None  # no file there but what this build wrote, and this path it did not
        else:
            found = self._same(target, data)
            if found:
                self.unchanged += 1
                return target
        if found is not None or not _write_new(folder, target, data):
            self._replace(folder, name, target, data)
        self.writes += 1
        self.bytes += len(data)
        return target

    def _replace(self, folder: str, name: str, target: str, data: bytes) -> None:
        """Write ``data`` to a temporary file beside ``target`` and move it into place (``os.replace``)."""
        tmp = f"{folder}/.{name}.{self._tag}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o644)
        try:
            try:
                _write_all(fd, data)
            finally:
                os.close(fd)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    def write_page(self, path: str, head: str, body: bytes, tail: str) -> str:
        """A page made of its text around an article body already encoded in UTF-8 (portal.render.render_to):
        the same file as ``write(path, head + body.decode() + tail)``, the body checked as bytes."""
        return self.write(path, b"".join((legal_utf8(head), legal_bytes(body), legal_utf8(tail))))

    def _make_folder(self, folder: str) -> None:
        """Make ``folder`` and the parents it lacks; remember those this writer created (``_fresh``)."""
        try:
            os.mkdir(folder)
        except FileExistsError:
            pass  # made before this build, or by another process of it (a worker): not fresh
        except FileNotFoundError:
            self._make_folder(os.path.dirname(folder))
            self._make_folder(folder)
            return
        else:
            self._fresh.add(folder)
            self.made.append(folder)
        self._dirs.add(folder)

    def url_path(self, target: str) -> str:
        """The URL path of a file in the output folder (the inverse of ``target``)."""
        if target.startswith(self._prefix):  # what target() made: no relpath (a sixth of a build's record)
            return "/" + target[len(self._prefix):].replace(os.sep, "/")
        return "/" + os.path.relpath(target, self.root).replace(os.sep, "/")

    def _unlink(self, target: str) -> None:
        os.unlink(target)
        self.removed += 1
        self.gone.append(self.url_path(target))

    def merge(self, claimed: Iterable[str], writes: int, unchanged: int, size: int, made: Iterable[str] = ()) -> None:
        """Take over what a worker process wrote into the same folder (and the folders it made)."""
        for target in claimed:
            if target in self.claimed:
                raise DuplicateOutput(f"{target} written twice in one build")
            self.claimed.add(target)
        self.writes += writes
        self.unchanged += unchanged
        self.bytes += size
        self._made_elsewhere.update(made)

    @staticmethod
    def _same(target: str, data: bytes) -> bool | None:
        """Whether ``target`` holds ``data`` already; None when there is no file (``os.stat`` says so)."""
        try:
            if os.stat(target).st_size != len(data):
                return False
            with open(target, "rb") as fh:
                return fh.read() == data
        except FileNotFoundError:
            return None
        except OSError:
            return False

    def keep(self, path: str) -> None:
        """A file this build leaves as the last build wrote it (it would be the same): not removed as unclaimed."""
        self.claimed.add(self.target(path))

    def remove(self, path: str) -> None:
        """Delete a file or folder of the portal that this build does not serve any more."""
        target = self.target(path)
        if target in self.claimed:
            return
        if os.path.isdir(target) and not os.path.islink(target):
            for folder, _, files in os.walk(target):
                self.gone += [self.url_path(os.path.join(folder, name)) for name in files]
                self.removed += len(files)
            shutil.rmtree(target)
        elif os.path.lexists(target):
            self._unlink(target)

    def remove_unclaimed(self, folder: str, pattern: re.Pattern) -> None:
        """Delete the files of one folder whose names match ``pattern`` and were not written."""
        directory = self.target(folder) if folder != "/" else self.root
        try:
            names = os.listdir(directory)
        except FileNotFoundError:
            return
        for name in names:
            path = os.path.join(directory, name)
            if pattern.fullmatch(name) and path not in self.claimed and os.path.isfile(path):
                self._unlink(path)

    def prune(self, dirs: Iterable[str] = OWNED_DIRS, files: Iterable[str] = OWNED_FILES) -> int:
        """Remove what this build did not write from the entries the portal owns
        (stale pages, attachments of items no longer public, leftover temp files).

        A folder this build made (``_make_folder``, here or in a worker) is not looked into: it did not exist
        when the build started, so nothing stale can be in it. What another process wrote there while the
        build ran stays, as it would have had it been written just after the prune (a full build into a new
        folder walked 11,000 files for nothing: ≈25 ms at 10,000 articles, issue 16)."""
        before = self.removed
        for name in files:
            path = os.path.join(self.root, name)
            if os.path.isfile(path) and path not in self.claimed:
                self._unlink(path)
        self.remove_unclaimed("/", SITEMAP_CHUNK_NAME)
        made = self._fresh | self._made_elsewhere
        for name in dirs:
            top = os.path.join(self.root, name)
            if os.path.isdir(top) and not os.path.islink(top) and top not in made:
                self._prune_folder(top, made)
        return self.removed - before

    def _prune_folder(self, folder: str, made: set[str]) -> None:
        """``prune`` below ``folder``, deepest first (as ``os.walk(topdown=False)``: a link to a folder is not
        followed, an empty folder is removed, one that cannot be listed is left)."""
        try:
            with os.scandir(folder) as found:
                entries = list(found)
        except OSError:
            return
        for entry in entries:
            if entry.is_dir():
                if entry.path in made:
                    continue
                if not entry.is_symlink():
                    self._prune_folder(entry.path, made)
                try:
                    os.rmdir(entry.path)  # only when empty
                except OSError:
                    pass
            elif entry.path not in self.claimed:
                self._unlink(entry.path)

def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_leftovers(out_dir: str | os.PathLike) -> int:
    """Delete the temporary files and search-index folders that processes which died (kill -9) left in
    the output folder; those of a running process are kept. Returns how many were deleted."""
    removed = 0
    for folder, subdirs, files in os.walk(os.path.realpath(out_dir)):
        for name in [*files, *subdirs]:
            found = _LEFTOVER.fullmatch(name)
            if not found or _alive(int(found.group(1) or found.group(2))):
                continue
            path = os.path.join(folder, name)
            if name in subdirs:
                subdirs.remove(name)
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)
            removed += 1
    return removed

