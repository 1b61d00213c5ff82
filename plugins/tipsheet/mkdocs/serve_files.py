"""The served folder across ``mkdocs serve`` rebuilds: files that did not change are not written again.

``mkdocs serve`` empties the folder it serves before every rebuild and then
writes every file again.  Here the folder's files are moved into a hidden
folder inside it just before MkDocs empties it (MkDocs leaves hidden entries
alone) and moved back right after, with a note of each file as it was (inode,
times).  Then the build writes what it writes; a page whose HTML is exactly
what its file holds is not written at all (:mod:`.serve_reuse`).  At the end,
every file that nobody wrote and that no page kept is one a full rebuild
would not have: it is deleted, and so is any folder left empty.  The folder
then holds what a full rebuild writes, byte for byte.
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

    def put_back(self) -> None:
        """After MkDocs emptied the folder: the files are back where they were, each noted."""
        if not os.path.isdir(self.aside):
            return
        for entry in os.listdir(self.aside):
            target = os.path.join(self.root, entry)
            if not os.path.lexists(target):
                os.replace(os.path.join(self.aside, entry), target)
        shutil.rmtree(self.aside, ignore_errors=True)
        for path, stamp in _files(self.root):
            self._before[path] = stamp

    def holds(self, dest: str) -> bool:
        """Whether the last build's file for ``dest`` is back in place."""
        return os.path.normpath(dest) in self._before

    def drop_stale(self, kept: set[str]) -> None:
        """Delete every file from the last build that was neither written again nor ``kept``, and empty folders."""
        keep = {os.path.normpath(dest) for dest in kept}
        emptied: set[str] = set()
        for path, stamp in _files(self.root):
            if self._before.get(path) == stamp and path not in keep:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(self.root, path))
                emptied.add(os.path.dirname(path))
        for folder in sorted(emptied, key=len, reverse=True):  # deepest first, then up while empty
            while folder and os.path.isdir(os.path.join(self.root, folder)) \
                    and not os.listdir(os.path.join(self.root, folder)):
                os.rmdir(os.path.join(self.root, folder))
                folder = os.path.dirname(folder)
        self._before = {}

    def abandon(self) -> None:
        """The build failed: whatever is still aside goes back (MkDocs had not emptied the folder yet)."""
        if self.aside and os.path.isdir(self.aside):
            self.put_back()
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
