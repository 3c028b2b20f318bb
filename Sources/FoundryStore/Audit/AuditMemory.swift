import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What one process remembers about an audit file between requests, so
/// that neither an append nor a page of entries has to read the whole file:
/// its last entry (the chain continues from it) and where its lines start.
///
/// Everything here is checked against the file before it is used: a file
/// that another process appended to, replaced or cut is read again, never
/// trusted from memory.
final class AuditMemory: Sendable {
    /// The file an audit log last saw: device and inode (a replaced file is another one).
    struct FileKey: Equatable, Sendable {
        let device: UInt64
        let inode: UInt64

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// The last complete entry this process wrote or read, and the file's size just after it.
    struct Tail: Sendable {
        var file: FileKey
        var size: Int
        var entry: AuditEntry
        /// SHA-256 of the entry's line with its newline: the next entry's `prev`.
        var hash: String
    }

    let tail = Mutex<Tail?>(nil)
    let index = Mutex<AuditLineIndex?>(nil)
}
