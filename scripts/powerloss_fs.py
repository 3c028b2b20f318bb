#!/usr/bin/env python3
"""powerloss_fs: a FUSE file system that keeps every change pending until the
fsync that makes it durable, and on command throws away everything that is not
durable yet, as a power cut would.

    python3 scripts/powerloss_fs.py MOUNTPOINT [--model posix|ext4]

The whole file system lives in this process's memory, twice: the state every
process sees, and the durable state a power cut would leave. Commands come on
standard input, one per line; replies go to standard output:

    crash     the power goes: every operation from now on fails (EIO), the
              state is replaced by the durable state, the mount point is
              unmounted (detached lazily if a process still holds it after
              5 s) and mounted again over the durable state.
              Replies "dropped {json}" (what was thrown away), then
              "mounted N" once the new mount answers.
    pending   replies "pending {json}": what a crash would throw away now.
    quit      unmounts and exits (so does the end of standard input).

The first mount prints "mounted 1". Stop every process that uses the mount
(kill -9 the server) before "crash".

Durability model (docs/crash-safety.md has the reasoning):

posix (the default; the weakest guarantee POSIX and Linux give):
  - A file's data, size and attributes become durable when the file is
    fsync'ed or fdatasync'ed (through any descriptor or name of it), and
    only then. A file whose name is durable but whose data never was comes
    back empty; a file fsync'ed after a write comes back with exactly the
    bytes it had at that fsync.
  - A directory entry (create, mkdir, link, unlink, rename, rmdir, symlink)
    becomes durable when that directory is fsync'ed, and only then; fsync of
    a file does not make its name durable. A rename between two directories
    is two entries: each becomes durable with its own directory's fsync.
  - Nothing else is durable: close, flush, a rename over an old file, a
    newer write — none makes anything durable (no auto_da_alloc heuristics).
  - A file or directory no durable name reaches is gone after the crash.
ext4 (ext4 data=ordered with delayed allocation, a journal committed by any fsync):
  - as posix for file data (only the file's own fsync makes its data durable;
    another file's unsynced data is lost even if its name survives), but
  - every fsync or fdatasync of any file or directory commits the journal:
    every namespace change made so far, in every directory, becomes durable.

What is not modelled: a torn write (an unsynced write partly kept), writes
reaching the disk out of order before the fsync, and metadata such as
timestamps being kept without their data. Each is a state the kill -9 suite
or a plain reading of the write order covers instead.
"""

import argparse
import errno
import json
import os
import stat
import subprocess
import sys
import threading
import time

import mfusepy as fuse


def now_ns():
    return time.time_ns()


class Node:
    """An inode: a file, a directory or a symlink, with its current and its durable state."""

    counter = 1

    def __init__(self, kind, mode, uid=0, gid=0):
        Node.counter += 1
        self.ino = Node.counter
        self.kind = kind
        self.mode = mode
        self.uid, self.gid = uid, gid
        self.mtime = self.ctime = self.atime = now_ns()
        self.links = 0
        # files
        self.data = bytearray()
        self.durable_data = bytearray()
        self.dirty_from = None  # the lowest offset changed since the last sync
        # directories
        self.entries = {}
        self.durable_entries = {}
        self.entries_dirty = False
        # symlinks
        self.target = ""
        # attributes as of the last sync (creation counts: a name made durable shows the inode as created)
        self.durable_attrs = self.attrs()

    def attrs(self):
        return (self.mode, self.uid, self.gid, self.mtime, self.ctime, self.atime)

    def restore_attrs(self):
        self.mode, self.uid, self.gid, self.mtime, self.ctime, self.atime = self.durable_attrs

    def changed(self, offset):
        self.dirty_from = offset if self.dirty_from is None else min(self.dirty_from, offset)
        self.mtime = self.ctime = now_ns()

    def sync_data(self):
        """fsync/fdatasync of a file: its bytes and attributes as they are now become durable."""
        if self.dirty_from is not None:
            del self.durable_data[self.dirty_from:]
            self.durable_data += self.data[self.dirty_from:]
            self.dirty_from = None
        self.durable_attrs = self.attrs()

    def sync_entries(self):
        """fsync of a directory: its names as they are now become durable."""
        self.durable_entries = dict(self.entries)
        self.entries_dirty = False
        self.durable_attrs = self.attrs()


class PowerLossFS(fuse.Operations):
    use_ns = True
    flag_nopath = True
    flag_nullpath_ok = True

    def __init__(self, model):
        self.model = model
        self.mutex = threading.RLock()
        self.root = Node("dir", stat.S_IFDIR | 0o755)
        self.root.links = 2
        self.handles = {}
        self.next_handle = 1
        self.down = False
        self.generation = 0
        self.live_thread = None  # the thread serving the current mount
        self.dirty_directories = set()

    # ---- tree helpers -------------------------------------------------

    def node(self, path):
        node = self.root
        for part in path.strip("/").split("/"):
            if not part:
                continue
            if node.kind != "dir":
                raise fuse.FuseOSError(errno.ENOTDIR)
            node = node.entries.get(part)
            if node is None:
                raise fuse.FuseOSError(errno.ENOENT)
        return node

    def parent(self, path):
        head, name = os.path.split(path.rstrip("/"))
        parent = self.node(head or "/")
        if parent.kind != "dir":
            raise fuse.FuseOSError(errno.ENOTDIR)
        return parent, name

    def child(self, path):
        """The directory holding `path`, the name in it, and the node it names (ENOENT when none)."""
        parent, name = self.parent(path)
        node = parent.entries.get(name)
        if node is None:
            raise fuse.FuseOSError(errno.ENOENT)
        return parent, name, node

    def target(self, path, fh):
        if fh is not None and fh in self.handles:
            return self.handles[fh][0]
        if path is None:
            raise fuse.FuseOSError(errno.EBADF)
        return self.node(path)

    def set_entry(self, directory, name, node):
        old = directory.entries.get(name)
        if old is not None:
            old.links -= 1
        if node is None:
            directory.entries.pop(name, None)
        else:
            directory.entries[name] = node
            node.links += 1
        directory.entries_dirty = True
        directory.mtime = directory.ctime = now_ns()
        self.dirty_directories.add(directory)

    def open_handle(self, node, flags):
        handle = self.next_handle
        self.next_handle += 1
        self.handles[handle] = (node, flags)
        return handle

    def check_up(self):
        """Refuses every operation once the power is cut, and every operation of an
        earlier mount (one lazily detached because a process still held it)."""
        if self.down or threading.get_ident() != self.live_thread:
            raise fuse.FuseOSError(errno.EIO)

    def commit_journal(self):
        """ext4: a journal commit makes every namespace change durable."""
        for directory in list(self.dirty_directories):
            directory.sync_entries()
        self.dirty_directories.clear()

    # ---- power --------------------------------------------------------

    def reachable(self, durable):
        seen, stack = {}, [self.root]
        while stack:
            node = stack.pop()
            if node.ino in seen:
                continue
            seen[node.ino] = node
            if node.kind == "dir":
                stack.extend((node.durable_entries if durable else node.entries).values())
        return seen

    def pending(self):
        """What a crash would throw away now."""
        current = self.reachable(False)
        durable = self.reachable(True)
        unsynced_files = [n for n in current.values() if n.kind == "file" and n.dirty_from is not None]
        return {
            "files_with_unsynced_data": len(unsynced_files),
            "unsynced_bytes": sum(len(n.data) - n.dirty_from for n in unsynced_files),
            "directories_with_unsynced_entries": sum(1 for n in current.values() if n.kind == "dir" and n.entries_dirty),
            "names_lost": sum(1 for ino in current if ino not in durable),
            "model": self.model,
        }

    def crash(self):
        """Replaces the state with the durable state; returns what was thrown away."""
        with self.mutex:
            self.down = True
            dropped = self.pending()
            durable = self.reachable(True)
            for node in durable.values():
                node.links = 1 if node.kind == "dir" else 0  # a directory's "."
            self.root.links = 2
            for node in durable.values():
                node.restore_attrs()
                if node.kind == "dir":
                    node.entries = dict(node.durable_entries)
                    node.entries_dirty = False
                    for child in node.entries.values():
                        child.links += 1
                    node.links += sum(1 for child in node.entries.values() if child.kind == "dir")
                elif node.kind == "file":
                    node.data = bytearray(node.durable_data)
                    node.dirty_from = None
            self.handles.clear()
            self.dirty_directories.clear()
            return dropped

    # ---- operations ---------------------------------------------------

    def init(self, path):
        with self.mutex:
            self.generation += 1
            self.live_thread = threading.get_ident()
            self.down = False
        print(f"mounted {self.generation}", flush=True)

    def getattr(self, path, fh=None):
        with self.mutex:
            self.check_up()
            node = self.target(path, fh)
            size = len(node.data) if node.kind == "file" else (len(node.target) if node.kind == "symlink" else 4096)
            return {
                "st_mode": node.mode, "st_ino": node.ino, "st_nlink": max(node.links, 1), "st_size": size,
                "st_uid": node.uid, "st_gid": node.gid, "st_blksize": 4096, "st_blocks": (size + 511) // 512,
                "st_atime": node.atime, "st_mtime": node.mtime, "st_ctime": node.ctime,
            }

    def access(self, path, amode):
        with self.mutex:
            self.check_up()
            self.node(path)
            return 0

    def statfs(self, path):
        return {"f_bsize": 4096, "f_frsize": 4096, "f_blocks": 1 << 24, "f_bfree": 1 << 23, "f_bavail": 1 << 23,
                "f_files": 1 << 20, "f_ffree": 1 << 19, "f_namemax": 255}

    def readdir(self, path, fh):
        with self.mutex:
            self.check_up()
            node = self.target(path, fh)
            # Each entry carries its inode number: with use_ino, an entry without one (0) is skipped by readers.
            listed = [(".", {"st_ino": node.ino, "st_mode": node.mode}, 0), ("..", {"st_ino": 1, "st_mode": stat.S_IFDIR}, 0)]
            return listed + [(name, {"st_ino": child.ino, "st_mode": child.mode}, 0) for name, child in node.entries.items()]

    def opendir(self, path):
        with self.mutex:
            self.check_up()
            node = self.node(path)
            if node.kind != "dir":
                raise fuse.FuseOSError(errno.ENOTDIR)
            return self.open_handle(node, os.O_RDONLY)

    def releasedir(self, path, fh):
        with self.mutex:
            self.handles.pop(fh, None)
            return 0

    def mkdir(self, path, mode):
        with self.mutex:
            self.check_up()
            parent, name = self.parent(path)
            if name in parent.entries:
                raise fuse.FuseOSError(errno.EEXIST)
            uid, gid, _ = fuse.fuse_get_context()
            node = Node("dir", stat.S_IFDIR | (mode & 0o7777), uid, gid)
            node.links = 1  # "." (the parent's entry adds one)
            self.set_entry(parent, name, node)
            parent.links += 1
            return 0

    def rmdir(self, path):
        with self.mutex:
            self.check_up()
            parent, name, node = self.child(path)
            if node.kind != "dir":
                raise fuse.FuseOSError(errno.ENOTDIR)
            if node.entries:
                raise fuse.FuseOSError(errno.ENOTEMPTY)
            self.set_entry(parent, name, None)
            parent.links -= 1
            return 0

    def create(self, path, mode, flags):
        with self.mutex:
            self.check_up()
            parent, name = self.parent(path)
            node = parent.entries.get(name)
            if node is not None:
                if flags & os.O_EXCL:
                    raise fuse.FuseOSError(errno.EEXIST)
            else:
                uid, gid, _ = fuse.fuse_get_context()
                node = Node("file", stat.S_IFREG | (mode & 0o7777), uid, gid)
                self.set_entry(parent, name, node)
            if flags & os.O_TRUNC and node.data:
                node.data = bytearray()
                node.changed(0)
            return self.open_handle(node, flags)

    def open(self, path, flags):
        with self.mutex:
            self.check_up()
            node = self.node(path)
            if flags & os.O_TRUNC and node.kind == "file" and node.data:
                node.data = bytearray()
                node.changed(0)
            return self.open_handle(node, flags)

    def release(self, path, fh):
        with self.mutex:
            self.handles.pop(fh, None)
            return 0

    def flush(self, path, fh):
        return 0  # close(2) makes nothing durable

    def read(self, path, size, offset, fh):
        with self.mutex:
            self.check_up()
            node = self.target(path, fh)
            return bytes(node.data[offset:offset + size])

    def write(self, path, data, offset, fh):
        with self.mutex:
            self.check_up()
            node, flags = self.handles[fh]
            if flags & os.O_APPEND:
                offset = len(node.data)
            if offset > len(node.data):
                node.data.extend(bytes(offset - len(node.data)))
            node.data[offset:offset + len(data)] = data
            node.changed(offset)
            return len(data)

    def truncate(self, path, length, fh=None):
        with self.mutex:
            self.check_up()
            node = self.target(path, fh)
            if length < len(node.data):
                del node.data[length:]
            else:
                node.data.extend(bytes(length - len(node.data)))
            node.changed(min(length, len(node.durable_data)))
            return 0

    def fsync(self, path, datasync, fh):
        with self.mutex:
            self.check_up()
            node = self.target(path, fh)
            node.sync_data()
            if self.model == "ext4":
                self.commit_journal()
            return 0

    def fsyncdir(self, path, datasync, fh):
        with self.mutex:
            self.check_up()
            node = self.target(path, fh)
            node.sync_entries()
            self.dirty_directories.discard(node)
            if self.model == "ext4":
                self.commit_journal()
            return 0

    def unlink(self, path):
        with self.mutex:
            self.check_up()
            parent, name, node = self.child(path)
            if node.kind == "dir":
                raise fuse.FuseOSError(errno.EISDIR)
            self.set_entry(parent, name, None)
            node.ctime = now_ns()
            return 0

    def link(self, target, source):
        with self.mutex:
            self.check_up()
            node = self.node(source)
            if node.kind == "dir":
                raise fuse.FuseOSError(errno.EPERM)
            parent, name = self.parent(target)
            if name in parent.entries:
                raise fuse.FuseOSError(errno.EEXIST)
            self.set_entry(parent, name, node)
            node.ctime = now_ns()
            return 0

    def symlink(self, target, source):
        with self.mutex:
            self.check_up()
            parent, name = self.parent(target)
            if name in parent.entries:
                raise fuse.FuseOSError(errno.EEXIST)
            node = Node("symlink", stat.S_IFLNK | 0o777)
            node.target = source
            self.set_entry(parent, name, node)
            return 0

    def readlink(self, path):
        with self.mutex:
            self.check_up()
            return self.node(path).target

    def rename(self, old, new, flags=0):
        with self.mutex:
            self.check_up()
            old_parent, old_name, node = self.child(old)
            new_parent, new_name = self.parent(new)
            existing = new_parent.entries.get(new_name)
            if flags & 1 and existing is not None:  # RENAME_NOREPLACE
                raise fuse.FuseOSError(errno.EEXIST)
            if flags & ~1:
                raise fuse.FuseOSError(errno.EINVAL)
            if existing is node:
                return 0
            if existing is not None:
                if existing.kind == "dir" and node.kind != "dir":
                    raise fuse.FuseOSError(errno.EISDIR)
                if node.kind == "dir" and existing.kind != "dir":
                    raise fuse.FuseOSError(errno.ENOTDIR)
                if existing.kind == "dir" and existing.entries:
                    raise fuse.FuseOSError(errno.ENOTEMPTY)
            if node.kind == "dir":
                # Moving a directory below itself is refused.
                path = new.rstrip("/").split("/")
                probe = self.root
                for part in path[1:-1]:
                    probe = probe.entries.get(part)
                    if probe is node:
                        raise fuse.FuseOSError(errno.EINVAL)
            self.set_entry(old_parent, old_name, None)
            self.set_entry(new_parent, new_name, node)
            if node.kind == "dir" and old_parent is not new_parent:
                old_parent.links -= 1
                new_parent.links += 1
            if existing is not None and existing.kind == "dir":
                new_parent.links -= 1
            node.ctime = now_ns()
            return 0

    def chmod(self, path, mode, fh=None):
        with self.mutex:
            self.check_up()
            node = self.target(path, fh)
            node.mode = (node.mode & ~0o7777) | (mode & 0o7777)
            node.ctime = now_ns()
            return 0

    def chown(self, path, uid, gid, fh=None):
        with self.mutex:
            self.check_up()
            node = self.target(path, fh)
            if uid != -1:
                node.uid = uid
            if gid != -1:
                node.gid = gid
            node.ctime = now_ns()
            return 0

    def utimens(self, path, times=None, fh=None):
        with self.mutex:
            self.check_up()
            node = self.target(path, fh)
            atime, mtime = times if times else (now_ns(), now_ns())
            node.atime = node.atime if atime is None else atime
            node.mtime = node.mtime if mtime is None else mtime
            node.ctime = now_ns()
            return 0

    def fallocate(self, path, mode, offset, size, fh):
        raise fuse.FuseOSError(errno.EOPNOTSUPP)


class PowerLossFUSE(fuse.FUSE):
    """mfusepy's FUSE, passing on what its libfuse 3 wrappers drop: rename's
    flags (RENAME_NOREPLACE), and the file handle of ftruncate, fchmod,
    fchown and futimens (with nullpath_ok the path of those is NULL)."""

    def path(self, path):
        return None if path is None else path.decode(self.encoding, self.errors)

    @staticmethod
    def handle(fip):
        return fip.contents.fh if fip else None

    def rename_fuse_3(self, old, new, flags):
        return self.operations.rename(self.path(old), self.path(new), flags)

    def truncate_fuse_3(self, path, length, fip):
        return self.operations.truncate(self.path(path), length, self.handle(fip))

    def chmod_fuse_3(self, path, mode, fip):
        return self.operations.chmod(self.path(path), mode, self.handle(fip))

    def chown_fuse_3(self, path, uid, gid, fip):
        uid = -1 if fuse.c_uid_t(uid + 1).value == 0 else uid
        gid = -1 if fuse.c_gid_t(gid + 1).value == 0 else gid
        return self.operations.chown(self.path(path), uid, gid, self.handle(fip))

    def utimens_fuse_3(self, path, buf, fip):
        def nanoseconds(spec):
            if spec.tv_nsec == (1 << 30) - 1:  # UTIME_NOW
                return now_ns()
            if spec.tv_nsec == (1 << 30) - 2:  # UTIME_OMIT
                return None
            return spec.tv_sec * 1_000_000_000 + spec.tv_nsec

        times = (nanoseconds(buf.contents.actime), nanoseconds(buf.contents.modtime)) if buf else None
        return self.operations.utimens(self.path(path), times, self.handle(fip))


def unmount(mountpoint):
    """Unmounts, waiting a little for processes that are letting go (a killed
    process's files are released asynchronously); if the mount stays busy it
    is detached lazily, and the operations still reaching it fail (EIO)."""
    for _ in range(50):
        result = subprocess.run(["fusermount3", "-u", mountpoint], capture_output=True, text=True)
        if result.returncode == 0:
            return None
        time.sleep(0.1)
    lazy = subprocess.run(["fusermount3", "-u", "-z", mountpoint], capture_output=True, text=True)
    return None if lazy.returncode == 0 else lazy.stderr.strip().replace("\n", " ")


def serve(fs, mountpoint):
    """One mount, served single-threaded by the calling thread until it is unmounted."""
    PowerLossFUSE(
        fs, mountpoint, foreground=True, nothreads=True, hard_remove=True, use_ino=True,
        attr_timeout=0, entry_timeout=0, negative_timeout=0, fsname="powerloss",
    )


def mount(fs, mountpoint):
    threading.Thread(target=serve, args=(fs, mountpoint), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mountpoint")
    parser.add_argument("--model", choices=["posix", "ext4"], default="posix")
    arguments = parser.parse_args()
    fs = PowerLossFS(arguments.model)
    mount(fs, arguments.mountpoint)
    for line in sys.stdin:
        command = line.strip()
        if command == "crash":
            dropped = fs.crash()
            print("dropped " + json.dumps(dropped, sort_keys=True), flush=True)
            error = unmount(arguments.mountpoint)
            if error:
                print("error unmount: " + error, flush=True)
            else:
                mount(fs, arguments.mountpoint)
        elif command == "pending":
            with fs.mutex:
                print("pending " + json.dumps(fs.pending(), sort_keys=True), flush=True)
        elif command == "quit":
            break
        else:
            print(f"error unknown command {command!r}", flush=True)
    with fs.mutex:
        fs.down = True
    unmount(arguments.mountpoint)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
