import CInotifyTools
import Foundation
import Synchronization

/// The limit of the file → event path: a bare inotify watch on one
/// directory, read by a thread of this process that timestamps each new
/// name (a create, a link, a rename into it) the moment `read` returns it.
final class InotifyProbe: Sendable {
    private let descriptor: Int32
    private let arrivals = Mutex<[String: UInt64]>([:])
    private let stopped = Mutex(false)

    init(directory: String) throws {
        descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard descriptor >= 0, inotify_add_watch(descriptor, directory, UInt32(IN_CREATE | IN_MOVED_TO)) >= 0 else {
            throw BenchFailure("inotify on \(directory): errno \(errno)")
        }
        let thread = Thread { [self] in readLoop() }
        thread.start()
    }

    /// When `name` appeared in the directory (monotonic nanoseconds), if it has.
    func arrival(_ name: String) -> UInt64? {
        arrivals.withLock { $0[name] }
    }

    func stop() {
        stopped.withLock { $0 = true }
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
        while !stopped.withLock({ $0 }) {
            guard poll(&fds, 1, 100) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            let now = Monotonic.now()
            guard count > 0 else { continue }
            var names: [String] = []
            buffer.withUnsafeBytes { raw in
                var offset = 0
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    if event.len > 0 {
                        let bytes = raw[nameStart..<(nameStart + Int(event.len))].prefix { $0 != 0 }
                        names.append(String(decoding: bytes, as: UTF8.self))
                    }
                    offset = nameStart + Int(event.len)
                }
            }
            arrivals.withLock { table in
                for name in names { table[name, default: now] = now }
            }
        }
        close(descriptor)
    }
}
