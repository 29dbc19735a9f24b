"""Files: the one confined layer through which every read, write, delete and listing in a
project goes, plus hashes and the scan that refuses files a project must not hold.

The project folder is untrusted (docs/security.md). Every path is taken relative to
the project root, resolved, and must stay inside it: a symbolic link that leads out —
a file or a folder on the way — is ``path-outside-project``. Only regular files are
read: a file is opened with ``O_NOFOLLOW | O_NONBLOCK``, then ``fstat``-ed, so a FIFO,
a device or a socket is refused at once, without waiting; every read is bounded by a
size limit for its kind. Writes go to a temporary file in the (confined) folder and are
renamed into place, so they never go through a link.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import stat
import tempfile
from pathlib import Path, PurePosixPath

from .errors import ContentError, Problem
from .i18n import _
from .plainwords import os_reason

LOCK_NAME = ".mobcontent.lock"

#: The largest file read, by suffix (YAML has its own, smaller limit in yamlio).
TEXT_LIMITS = {".md": 1_000_000, ".po": 20_000_000, ".pot": 20_000_000, ".yaml": 20_000_000,
               ".yml": 20_000_000, ".html": 5_000_000, ".css": 5_000_000, ".json": 200_000_000,
               ".svg": 5_000_000}
#: Anything else (images, fonts, PDFs in build/).
DEFAULT_LIMIT = 200_000_000


def outside_error(rel: str) -> ContentError:
    """``path-outside-project`` at ``rel`` (the link's target is never shown: it would tell
    what exists outside the project)."""
    return ContentError(_("this path leads outside the project (through a symbolic link)"), rel, 0,
                        _("copy the file into the project instead of linking to it"), code="path-outside-project")


def confine(root: Path, rel: str | Path) -> Path:
    """The real path of ``root/rel``; ``path-outside-project`` if ``rel`` is absolute, climbs
    with ``..``, or leads outside ``root`` through a link (of the file or of a folder on the way).

    >>> confine(Path("/"), "etc") == Path("/etc").resolve()
    True
    """
    text = str(rel).replace(os.sep, "/")
    parts = [part for part in text.split("/") if part and part != "."]
    if text.startswith("/") or ".." in parts or "\x00" in text:
        raise outside_error(("/" if text.startswith("/") else "") + "/".join(parts))
    top = _real_root(str(root))
    inside = top.rstrip(os.sep) + os.sep
    path = top
    for index, part in enumerate(parts):  # step by step, to name the link that leads out
        path = os.path.join(path, part)
        try:
            if not stat.S_ISLNK(os.lstat(path).st_mode):
                continue  # a real folder or file in a real folder: still the real path
        except OSError:  # not there (yet): nothing below it can be a link
            return Path(os.path.join(path, *parts[index + 1:]))
        path = os.path.realpath(path)
        if path != top and not path.startswith(inside):
            raise outside_error("/".join(parts[:index + 1]))
    return Path(path)


_ROOTS: dict[str, str] = {}


def _real_root(root: str) -> str:
    """The real path of a project root, resolved once per process (the root is the user's
    choice; what is inside it is not trusted, and is resolved every time)."""
    root = os.path.abspath(root)  # "." is wherever the process is now
    if root not in _ROOTS:
        if len(_ROOTS) > 64:
            _ROOTS.clear()
        _ROOTS[root] = os.path.realpath(root)
    return _ROOTS[root]


def _not_regular(rel: str) -> ContentError:
    return ContentError(_("the file is not a regular file (a device, a pipe or a socket)"), rel, 0,
                        _("replace it with an ordinary text file"), code="unsafe-file")


def read_regular(path: Path, rel: str, limit: int | None = None) -> bytes:
    """The bytes of the regular file at the real path ``path`` (already confined), at most
    ``limit`` of them: opened without following a link and without blocking, then checked."""
    limit = limit if limit is not None else TEXT_LIMITS.get(Path(rel).suffix.lower(), DEFAULT_LIMIT)
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == 40:  # ELOOP: the last part became a link after it was resolved
            raise outside_error(rel) from None
        raise ContentError(_("cannot read the file: {reason}").format(reason=os_reason(exc)), rel, 0,
                           _("check the file exists and you may read it"), code="file-unreadable") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(rel)
        if info.st_size > limit:
            raise _too_large(rel, info.st_size, limit)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise _too_large(rel, len(data), limit)
    return data


def _too_large(rel: str, size: int, limit: int) -> ContentError:
    return ContentError(_("the file is too large ({size} bytes, at most {limit})").format(size=size, limit=limit),
                        rel, 0, _("split it into smaller files"), code="file-too-large")


def read_bytes(root: Path, rel: str, limit: int | None = None) -> bytes:
    """The bytes of the project file ``rel``: confined, regular, bounded (inside
    :func:`reading_once`, read from the disk the first time only)."""
    return _read(os.path.join(str(root), rel), rel, limit, lambda: confine(root, rel))


#: The bytes read so far in the current :func:`reading_once` scope, by full path, name and
#: limit (None: no scope, every read goes to the disk).
_ONCE: dict | None = None


@contextlib.contextmanager
def reading_once():
    """A scope in which each project file is read once: the checks read each PO file up
    to nine times (their own parser, the catalogs, msgfmt's cache key, links, hygiene …).
    The first read is confined and checked like any other; later reads in the scope get
    the same bytes, so every check of one run sees the same file even if it changes on the
    disk meanwhile. A read that fails is not kept: it fails again, with its own error.
    Scopes nest (the outermost one keeps the bytes); the bytes are dropped when it ends."""
    global _ONCE
    if _ONCE is not None:
        yield
        return
    _ONCE = {}
    try:
        yield
    finally:
        _ONCE = None


def _read(full: str, rel: str, limit: int | None, locate) -> bytes:
    """The file ``rel`` (``full``: its path as given), at the confined path ``locate()``
    returns, through the :func:`reading_once` scope when there is one."""
    if _ONCE is None:
        return read_regular(locate(), rel, limit)
    key = (full, rel, limit)
    data = _ONCE.get(key)
    if data is None:
        data = _ONCE[key] = read_regular(locate(), rel, limit)
    return data


def project_root_of(path: Path, rel: str) -> Path:
    """The project root of ``path``, the file that the project calls ``rel``.

    >>> project_root_of(Path("/p/locales/rad/x.po"), "locales/rad/x.po")
    PosixPath('/p')
    """
    parts = PurePosixPath(rel).parts
    path = Path(path)
    if parts and path.parts[-len(parts):] == parts:
        return path.parents[len(parts) - 1]
    raise ValueError(f"{path} is not {rel}")


def read_at(path: Path, rel: str, limit: int | None = None) -> bytes:
    """:func:`read_bytes` for a caller that holds the project file's full path and its
    relative name (``root / rel``, ``rel``)."""
    return _read(str(path), rel, limit, lambda: confine(project_root_of(path, rel), rel))


def is_file(root: Path, rel: str) -> bool:
    """Whether ``rel`` is a regular file inside the project (a link out is an error, not False)."""
    try:
        return stat.S_ISREG(os.lstat(confine(root, rel)).st_mode)
    except OSError:
        return False


def is_dir(root: Path, rel: str) -> bool:
    """Whether ``rel`` is a folder inside the project (a link out is an error, not False)."""
    try:
        return stat.S_ISDIR(os.lstat(confine(root, rel)).st_mode)
    except OSError:
        return False


def list_dir(root: Path, rel: str) -> list[str]:
    """The sorted names in the project folder ``rel`` (none when it does not exist)."""
    folder = confine(root, rel)
    try:
        return sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []


def list_files(root: Path, rel: str, suffix: str) -> list[str]:
    """Relative paths of the files ending in ``suffix`` directly in the project folder ``rel``.
    A link among them that leads outside is ``path-outside-project``."""
    out = []
    for name in list_dir(root, rel):
        if name.endswith(suffix) and not name.startswith("."):
            child = f"{rel}/{name}"
            if is_file(root, child):
                out.append(child)
    return out


def write_file(root: Path, rel: str, data: bytes) -> Path:
    """Write the project file ``rel`` atomically, in a folder confined to the project
    (created if needed); never through a link."""
    parent = PurePosixPath(rel).parent.as_posix()
    folder = confine(root, parent) if parent != "." else Path(os.path.realpath(root))
    make_dirs(root, parent)
    target = folder / PurePosixPath(rel).name
    confine(root, rel)  # a link out in the file's own place is refused too (it would be replaced)
    write_atomic(target, data)
    return target


def make_dirs(root: Path, rel: str) -> Path:
    """Create the project folder ``rel`` and its parents, each checked to stay inside."""
    parts = PurePosixPath(rel).parts if rel not in ("", ".") else ()
    for index in range(1, len(parts) + 1):
        step = PurePosixPath(*parts[:index]).as_posix()
        path = confine(root, step)
        if not path.is_dir():
            path.mkdir(exist_ok=True)
    return confine(root, rel or ".")


def remove_file(root: Path, rel: str) -> bool:
    """Delete the project file ``rel`` (a regular file or a link itself, never a link's
    target, never a folder); ``False`` when there is nothing to delete."""
    parent = PurePosixPath(rel).parent.as_posix()
    folder = confine(root, parent) if parent != "." else Path(os.path.realpath(root))
    path = folder / PurePosixPath(rel).name
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if stat.S_ISDIR(info.st_mode):
        return False
    os.unlink(path)
    return True


def remove_empty_dir(root: Path, rel: str) -> None:
    """Remove the project folder ``rel`` if it is empty (and inside the project)."""
    try:
        os.rmdir(confine(root, rel))
    except OSError:
        pass


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a unique temporary file and ``os.replace``: the
    low level of :func:`write_file`, for paths that are not in a project (the user's cache,
    a bundle the command line names)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), 0o666 & ~current_umask())  # mkstemp makes 0600: readers need the umask's
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def user_cache_dir(kind: str) -> Path:
    """The user's cache folder for ``kind`` (``fonts``, ``msgfmt``): ``$MOBCONTENT_CACHE/<kind>``,
    else the platform's user cache (``$XDG_CACHE_HOME/mobcontent/<kind>``, by default
    ``~/.cache/mobcontent/<kind>`` on Linux). Never inside a project: a cache that came
    with a ``git pull`` could lie."""
    override = os.environ.get("MOBCONTENT_CACHE")
    if override:
        return Path(override).absolute() / kind
    import platformdirs
    return Path(platformdirs.user_cache_dir("mobcontent", appauthor=False)) / kind


def current_umask() -> int:
    """The process's umask, read without changing it (``/proc``), else by setting it back."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_text(root: Path, rel: str) -> str:
    """Read the project's UTF-8 text file ``rel`` (confined, regular, bounded): BOM
    stripped, CRLF/CR turned into LF."""
    return decode_text(read_bytes(root, rel), rel)


def decode_text(data: bytes, rel: str) -> str:
    """UTF-8 bytes as text: BOM stripped, CRLF/CR turned into LF; invalid UTF-8 and NUL
    are errors at their line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ContentError(_("the file is not UTF-8 text"), rel, line,
                           _("save it as UTF-8 (in your editor: Save As… → Encoding: UTF-8)"),
                           code="encoding") from None
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise ContentError(_("the file contains a NUL character"), rel, line,
                           _("remove the invisible NUL byte (the file may be damaged)"), code="encoding")
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- files the tool reads as text ------------------------------------------------

#: What ``load``, ``update``, ``check`` and ``build`` read as text (``content/assets/`` is
#: only read by the renderer, through the link guard and the URL fetcher).
READ_PATHS = ("mobcontent.yaml", "content/audiences.yaml", "content/messages", "content/leaflets",
              "content/assets", "locales", "layouts", "build", LOCK_NAME)
#: Folders whose files are checked for kind and size (``build/`` and assets hold binaries).
TEXT_PATHS = ("mobcontent.yaml", "content/audiences.yaml", "content/messages", "content/leaflets",
              "locales", "layouts")


def unsafe_files(root: Path) -> list:
    """Errors for what must not be read at all: a link out of the project
    (``path-outside-project``), a device, pipe or socket (``/dev/zero``, a FIFO — reading
    them never ends), a text file too large to be a message or a catalog
    (``unsafe-file``). Found before anything is read."""

    top = Path(os.path.realpath(root))
    problems: list = []
    seen: set = set()

    def report(rel: str, message: str, hint: str):
        problems.append(Problem("unsafe-file", "error", rel, 0, message, hint))

    def visit(path: Path, rel: str, depth: int, text: bool):
        try:
            info = path.lstat()
        except OSError:
            return
        if stat.S_ISLNK(info.st_mode):
            real = Path(os.path.realpath(path))
            if real != top and top not in real.parents:
                return problems.append(outside_error(rel).problem())
            try:
                info = real.stat()
            except OSError:
                return  # a dangling link: reading it says the file cannot be read
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in seen or depth > 20:
                return
            seen.add(key)
            try:
                names = sorted(os.listdir(path))
            except OSError:
                return
            for name in names:
                visit(path / name, f"{rel}/{name}", depth + 1, text)
        elif text and not stat.S_ISREG(info.st_mode):
            report(rel, _("the file is not a regular file (a device, a pipe or a socket)"),
                   _("replace it with an ordinary text file"))
        elif text and info.st_size > TEXT_LIMITS.get(path.suffix.lower(), info.st_size):
            report(rel, _("the file is too large ({size} bytes, at most {limit})").format(
                size=info.st_size, limit=TEXT_LIMITS[path.suffix.lower()]),
                _("split it into smaller files"))

    for rel in READ_PATHS:
        visit(Path(root) / rel, rel, 0, rel in TEXT_PATHS)
    return problems


#: What in a project's top folder nothing reads as content: the build's own outputs,
#: version control, the lock a running command holds.
SKIPPED = frozenset({"build", ".git", ".hg", ".svn", LOCK_NAME})
#: Past this many files a listing costs more than the caches keyed on it save.
MOST_FILES = 50_000


def project_listing(root: Path) -> list[tuple[str, str]] | None:
    """``(relative path, what it is)`` of everything under ``root`` but :data:`SKIPPED`,
    sorted: a file's sha256, ``link:<target>``, ``folder`` or ``special:<type>``; links are
    never followed, a FIFO or a device never opened. None past :data:`MOST_FILES`. What the
    caches of a project's state (its loaded form, the checks' findings) are keyed on."""
    found: list[tuple[str, str]] = []
    pending = [""]
    top = os.fspath(root)
    while pending:
        folder = pending.pop()
        with os.scandir(f"{top}/{folder}" if folder else top) as listing:
            for entry in listing:
                if folder == "" and entry.name in SKIPPED:
                    continue
                rel = f"{folder}/{entry.name}" if folder else entry.name
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISLNK(info.st_mode):
                    found.append((rel, "link:" + os.readlink(entry.path)))
                elif stat.S_ISDIR(info.st_mode):
                    pending.append(rel)
                    found.append((rel, "folder"))
                elif stat.S_ISREG(info.st_mode):
                    found.append((rel, _file_sha256(entry.path, info.st_size, info.st_mtime_ns)))
                else:
                    found.append((rel, f"special:{stat.S_IFMT(info.st_mode)}"))
                if len(found) > MOST_FILES:
                    return None
    return sorted(found)


def state_key(root: Path, *parts: str) -> str | None:
    """The sha256 of ``parts`` and of :func:`project_listing` of ``root``: the key of a cache
    of the project's state (each part one input of what is kept). None when the project
    cannot be listed (too many files, a folder that cannot be read)."""
    try:
        entries = project_listing(Path(root))
    except OSError:
        return None
    if entries is None:
        return None
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    for rel, what in entries:
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0" + what.encode() + b"\0")
    return digest.hexdigest()


def keep_newest(folder: Path, pattern: str, count: int) -> None:
    """Delete all but the ``count`` most recently written files of ``folder`` matching
    ``pattern`` (a cache folder of the user's, never a project's)."""
    files = sorted(folder.glob(pattern), key=lambda f: f.stat().st_mtime_ns, reverse=True)
    for old in files[count:]:
        old.unlink(missing_ok=True)


def file_sha256(path: Path) -> str:
    """sha256 of a regular file's bytes ("" when absent, a link, or not a regular file: a
    FIFO or a device is never opened for reading), remembered while its size and mtime hold."""
    try:
        info = os.lstat(path)
    except OSError:
        return ""
    if not stat.S_ISREG(info.st_mode):
        return ""
    return _file_sha256(str(path), info.st_size, info.st_mtime_ns)


@functools.lru_cache(maxsize=65536)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return ""
        return hashlib.file_digest(handle, "sha256").hexdigest()
