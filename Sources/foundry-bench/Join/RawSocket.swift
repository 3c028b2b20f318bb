import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP socket driven by hand: a blocking connect, then the
/// WebSocket upgrade written and its `101` read, byte for byte. No
/// WebSocket library, no task, nothing between the kernel and the clock.
enum RawSocket {
    /// A connected socket to `127.0.0.1:port` with `TCP_NODELAY`.
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchFailure("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = ServerProcess.loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw BenchFailure("connect to port \(port): errno \(code)")
        }
        return fd
    }

    /// The upgrade request for `path` (a `/ws/project/…?token=…` URL path).
    static func upgradeRequest(path: String) -> [UInt8] {
        Array(("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw BenchFailure("send: errno \(errno)")
            }
            offset += sent
        }
    }

    /// Reads (blocking) up to the end of the upgrade response; returns what followed it.
    static func readUpgradeResponse(_ fd: Int32) throws -> [UInt8] {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw BenchFailure("the server closed the socket during the upgrade (errno \(errno))") }
            received += chunk[0..<count]
            if let end = received.firstRange(of: Array("\r\n\r\n".utf8)) {
                guard received.starts(with: Array("HTTP/1.1 101".utf8)) else {
                    throw BenchFailure("upgrade refused: \(String(decoding: received[..<end.lowerBound], as: UTF8.self))")
                }
                return Array(received[end.upperBound...])
            }
        }
    }

    static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }
}

/// The text frames of one server-to-client WebSocket stream (unmasked
/// frames, RFC 6455 §5.2), taken from bytes as they arrive.
struct FrameScanner {
    private var buffer: [UInt8] = []

    /// Appends `bytes` and calls `body` with the payload of every complete text frame.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ body: (ArraySlice<UInt8>) -> Void) {
        buffer.append(contentsOf: bytes)
        var start = 0
        while buffer.count - start >= 2 {
            let opcode = buffer[start] & 0x0F
            var length = Int(buffer[start + 1] & 0x7F)
            var header = 2
            if length == 126 {
                guard buffer.count - start >= 4 else { break }
                length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
                header = 4
            } else if length == 127 {
                guard buffer.count - start >= 10 else { break }
                length = (0..<8).reduce(0) { $0 << 8 | Int(buffer[start + 2 + $1]) }
                header = 10
            }
            guard buffer.count - start >= header + length else { break }
            if opcode == 1 { body(buffer[(start + header)..<(start + header + length)]) }
            start += header + length
        }
        buffer.removeFirst(start)
    }
}
