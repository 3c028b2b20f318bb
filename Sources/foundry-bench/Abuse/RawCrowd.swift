import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Many plain TCP connections to the server, each sent the same bytes once
/// (a request head that never ends, or a whole request, after which the
/// connection idles), and watched until the server closes them.
final class RawCrowd {
    private var sockets: [(fd: Int32, opened: UInt64)] = []
    /// When the server closed each connection, nanoseconds after it was opened.
    private(set) var closedAfter: [UInt64] = []

    /// Opens `count` connections and sends `bytes` on each.
    init(port: Int, count: Int, sending bytes: String) throws {
        let data = Array(bytes.utf8)
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw BenchFailure("socket: errno \(errno)") }
            var address = ServerProcess.loopback(port: port)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                close(fd)
                throw BenchFailure("connect: errno \(errno) after \(sockets.count) connections")
            }
            let opened = Monotonic.now()
            guard send(fd, data, data.count, Int32(MSG_NOSIGNAL)) == data.count else { throw BenchFailure("send: errno \(errno)") }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            sockets.append((fd, opened))
        }
    }

    deinit {
        sockets.forEach { close($0.fd) }
    }

    var open: Int { sockets.count }

    /// Waits until the server has closed every connection (reading and
    /// dropping what it sends first), or until `timeout` has passed.
    func waitUntilClosed(timeout: Duration) {
        let deadline = Monotonic.now() + UInt64(timeout.seconds * 1e9)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !sockets.isEmpty, Monotonic.now() < deadline {
            var polled = sockets.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            guard poll(&polled, nfds_t(polled.count), 100) > 0 else { continue }
            var still: [(fd: Int32, opened: UInt64)] = []
            for (index, entry) in sockets.enumerated() {
                guard polled[index].revents != 0 else { still.append(entry); continue }
                var ended = false
                while true {
                    let count = recv(entry.fd, &chunk, chunk.count, 0)
                    if count > 0 { continue }
                    ended = count == 0 || (errno != EAGAIN && errno != EINTR)
                    break
                }
                if ended {
                    closedAfter.append(Monotonic.now() - entry.opened)
                    close(entry.fd)
                } else {
                    still.append(entry)
                }
            }
            sockets = still
        }
    }

    /// "closed 10.0–10.3 s after connecting" for `total` connections.
    func closingSummary(_ total: Int) -> String {
        guard let first = closedAfter.min(), let last = closedAfter.max() else { return "none closed" }
        let range = String(format: "%.1f–%.1f s", Double(first) / 1e9, Double(last) / 1e9)
        return closedAfter.count == total ? "all closed \(range) after connecting" : "\(closedAfter.count) of \(total) closed (\(range) after connecting)"
    }
}
