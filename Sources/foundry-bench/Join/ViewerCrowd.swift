import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Many WebSocket viewers read by one thread through `poll(2)`: each text
/// frame is searched for a marker (no JSON is parsed), and the first time a
/// viewer's frame holds both an event type and the marker is kept with the
/// monotonic clock read right after the `recv` that brought it.
final class ViewerCrowd: Sendable {
    private let sockets: [Int32]
    /// `arrivals[key][viewer]`: when viewer `viewer` first saw the frame named by `key`.
    private let arrivals = Mutex<[String: [Int: UInt64]]>([:])
    private let watched = Mutex<[(key: String, type: [UInt8], marker: [UInt8])]>([])
    private let stopped = Atomic(false)

    /// Adopts connected sockets, each with the bytes already read from it
    /// (what followed the upgrade response), and starts reading them; every
    /// viewer's `SNAPSHOT` is recorded under the key `"SNAPSHOT"`.
    init(sockets: [(fd: Int32, leftover: [UInt8])]) throws {
        self.sockets = sockets.map(\.fd)
        var scanners = [FrameScanner](repeating: FrameScanner(), count: sockets.count)
        var snapshots: [Int: UInt64] = [:]
        for (index, socket) in sockets.enumerated() {
            socket.leftover.withUnsafeBytes {
                scanners[index].feed($0) { payload in
                    if payload.firstRange(of: Array("SNAPSHOT".utf8)) != nil { snapshots[index] = Monotonic.now() }
                }
            }
        }
        arrivals.withLock { $0["SNAPSHOT"] = snapshots }
        watched.withLock { $0 = [("SNAPSHOT", Array("SNAPSHOT".utf8), Array("\"epoch\"".utf8))] }
        for fd in self.sockets { RawSocket.setNonBlocking(fd) }
        let thread = Thread { [self, scanners] in readLoop(scanners) }
        thread.name = "viewer-crowd"
        thread.start()
    }

    var count: Int { sockets.count }

    /// From now on, records when each viewer sees a text frame holding `type` and `marker`, under `key`.
    func watch(_ key: String, type: String, marker: String) {
        watched.withLock { $0.append((key, Array(type.utf8), Array(marker.utf8))) }
    }

    /// Each viewer's arrival time for `key`, once every viewer has one.
    func arrivals(_ key: String) -> [UInt64]? {
        arrivals.withLock { all in
            guard let seen = all[key], seen.count == sockets.count else { return nil }
            return Array(seen.values)
        }
    }

    func forget(_ key: String) {
        arrivals.withLock { _ = $0.removeValue(forKey: key) }
        watched.withLock { $0.removeAll { $0.key == key } }
    }

    func close() {
        stopped.store(true, ordering: .relaxed)
        for fd in sockets { Glibc.close(fd) }
    }

    private func readLoop(_ initial: [FrameScanner]) {
        var scanners = initial
        var descriptors = sockets.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while !stopped.load(ordering: .relaxed) {
            let ready = poll(&descriptors, nfds_t(descriptors.count), 100)
            guard ready > 0 else { continue }
            for viewer in descriptors.indices where descriptors[viewer].revents != 0 {
                while true {
                    let count = chunk.withUnsafeMutableBytes { recv(sockets[viewer], $0.baseAddress, $0.count, 0) }
                    if count == 0 { descriptors[viewer].fd = -1 }  // closed by the server: poll no more
                    guard count > 0 else { break }
                    let now = Monotonic.now()
                    let patterns = watched.withLock { $0 }
                    chunk.withUnsafeBytes { bytes in
                        scanners[viewer].feed(UnsafeRawBufferPointer(rebasing: bytes[0..<count])) { payload in
                            for pattern in patterns where payload.firstRange(of: pattern.marker) != nil && payload.firstRange(of: pattern.type) != nil {
                                arrivals.withLock { all in
                                    if all[pattern.key]?[viewer] == nil { all[pattern.key, default: [:]][viewer] = now }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
