"""The served folder across ``mkdocs serve`` rebuilds: pages that did not change are not written again.

``mkdocs serve`` empties the folder it serves before every rebuild and then
writes every file again.  Here the folder's files are moved into a hidden
folder inside it just before MkDocs empties it (MkDocs leaves hidden entries
alone); right after, the last rebuild's *pages* go back, each noted as it was
(inode, times), and everything else is deleted as MkDocs would have deleted
it (assets, feeds, search indexes: their writers write them again, some of
them, like Pagefind, only the files they find missing).  A page whose HTML is
exactly what its file holds is not written at all (:mod:`.serve_reuse`).  At
the end, every page file that was neither written again nor kept is one a
full rebuild would not have: it is deleted, and so is any folder left empty.
The folder then holds what a full rebuild writes, byte for byte.
"""

from __future__ import annotations

import contextlib
import os
import shutil

ASIDE = ".tipsheet-previous"  # inside the served folder: MkDocs' clean_directory keeps hidden entries
Stamp = tuple[int, int, int]  # inode, mtime_ns, ctime_ns: a file rewritten in place gets new times


class ServedFolder:
    def __init__(self) -> None:
        self.root = ""
        self.aside = ""
        self._before: dict[str, Stamp] = {}  # file (relative) -> its stamp when it was moved back

    def put_aside(self, root: str) -> bool:
        """Before MkDocs empties ``root``: move its files into the hidden folder (False: nothing to move)."""
        self.root, self.aside, self._before = root, os.path.join(root, ASIDE), {}
        shutil.rmtree(self.aside, ignore_errors=True)
        if not os.path.isdir(root):
            return False
        entries = [e for e in os.listdir(root) if not e.startswith(".")]
        if not entries:
            return False
        os.makedirs(self.aside)
        for entry in entries:
            os.replace(os.path.join(root, entry), os.path.join(self.aside, entry))
        return True

    def put_back(self, pages: set[str]) -> None:
        """After MkDocs emptied the folder: the last rebuild's ``pages`` are back where they were, each noted."""
        if not os.path.isdir(self.aside):
            return
        for entry in os.listdir(self.aside):
            target = os.path.join(self.root, entry)
            if not os.path.lexists(target):
                os.replace(os.path.join(self.aside, entry), target)
        shutil.rmtree(self.aside, ignore_errors=True)
        keep = {os.path.normpath(page) for page in pages}
        emptied: set[str] = set()
        for path, stamp in _files(self.root):
            if path in keep:
                self._before[path] = stamp
            else:  # not a page: MkDocs would have deleted it, and its writer writes it again
                os.unlink(os.path.join(self.root, path))
                emptied.add(os.path.dirname(path))
        self._remove_empty(emptied)

    def holds(self, dest: str) -> bool:
        """Whether the last build's file for ``dest`` is back in place."""
        return os.path.normpath(dest) in self._before

    def drop_stale(self, kept: set[str]) -> None:
        """Delete every page file from the last build that was neither written again nor ``kept``."""
        keep = {os.path.normpath(dest) for dest in kept}
        emptied: set[str] = set()
        for path, stamp in _files(self.root):
            if self._before.get(path) == stamp and path not in keep:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(self.root, path))
                emptied.add(os.path.dirname(path))
        self._remove_empty(emptied)
        self._before = {}

    def _remove_empty(self, folders: set[str]) -> None:
        for folder in sorted(folders, key=len, reverse=True):  # deepest first, then up while empty
            while folder and os.path.isdir(os.path.join(self.root, folder)) \
                    and not os.listdir(os.path.join(self.root, folder)):
                os.rmdir(os.path.join(self.root, folder))
                folder = os.path.dirname(folder)

    def abandon(self) -> None:
        """The build failed: whatever is still aside goes back (MkDocs had not emptied the folder yet)."""
        if self.aside and os.path.isdir(self.aside):
            for entry in os.listdir(self.aside):
                target = os.path.join(self.root, entry)
                if not os.path.lexists(target):
                    os.replace(os.path.join(self.aside, entry), target)
            shutil.rmtree(self.aside, ignore_errors=True)
        self._before = {}


def _files(root: str) -> list[tuple[str, Stamp]]:
    """Every file under ``root`` except hidden top-level entries, with its stamp."""
    found = []
    for folder, subfolders, names in os.walk(root):
        if folder == root:
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]
            names = [n for n in names if not n.startswith(".")]
        for name in names:
            path = os.path.join(folder, name)
            info = os.lstat(path)
            found.append((os.path.relpath(path, root), (info.st_ino, info.st_mtime_ns, info.st_ctime_ns)))
    return found
