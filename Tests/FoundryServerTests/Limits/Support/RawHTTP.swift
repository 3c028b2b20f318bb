import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 connection kept alive between requests, from a
/// chosen loopback address, for tests of timeouts and connection limits:
/// it sends exactly the bytes it is given and reads one whole response at
/// a time. Reads time out after `timeout` seconds (a failure detector, not
/// a wait). Use it from Dispatch threads (`blocking`).
struct RawHTTP: Sendable {
    let fd: Int32

    init(port: Int, source: String? = nil, timeout: Int = 30) throws {
        fd = try connectLoopback(port: port, timeout: timeout, source: source)
    }

    func close() {
        Glibc.close(fd)
    }

    /// Sends `text` as it is (a partial head, say).
    func send(_ text: String) throws {
        try send(Data(text.utf8))
    }

    func send(_ data: Data) throws {
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0, errno == EINTR { continue }
                guard sent > 0 else { throw HTTPFailure.send(errno: errno) }
                offset += sent
            }
        }
    }

    /// Sends a request and reads its response.
    func request(_ method: String, _ path: String, token: String? = nil, session: String? = nil, body: Data? = nil) throws -> HTTPReply {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body?.count ?? 0)\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let session { head += "X-Foundry-Session: \(session)\r\n" }
        if body != nil { head += "Content-Type: application/json\r\n" }
        var bytes = Data((head + "\r\n").utf8)
        if let body { bytes.append(body) }
        try send(bytes)
        return try readResponse()
    }

    /// Reads one whole response (its body by `Content-Length`).
    func readResponse() throws -> HTTPReply {
        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            if let end = received.firstRange(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: received[..<end.lowerBound], as: UTF8.self).lowercased()
                let length = head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if received.count - end.upperBound >= length { return try BlockingHTTP.parse(received) }
            }
            let count = recv(fd, &chunk, chunk.count, 0)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw HTTPFailure.truncated("the connection ended after \(received.count) bytes") }
            received.append(contentsOf: chunk[0..<count])
        }
    }

    /// Everything the server sends until it closes the connection, or `nil`
    /// when it has not closed it within the read timeout.
    func readToEnd() -> Data? {
        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count < 0, errno == EINTR { continue }
            if count == 0 { return received }
            guard count > 0 else { return errno == ECONNRESET ? received : nil }
            received.append(contentsOf: chunk[0..<count])
        }
    }
}

/// The server's `/metrics` value of `name` (a sample line's name with its labels, e.g.
/// `foundry_connection_timeouts_total{phase="header"}`), 0 when absent.
func serverMetric(_ name: String, port: Int) throws -> Double {
    let text = try BlockingHTTP.request(port: port, "GET", "/metrics", token: nil).text
    let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
    return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
}

/// Polls `condition` every 20 ms until it holds; `false` after `seconds`
/// (a failure detector: the condition is one the server reaches for sure).
func pollUntil(within seconds: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}
