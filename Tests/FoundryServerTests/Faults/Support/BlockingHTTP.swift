import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A reply read off the wire by `BlockingHTTP`.
struct HTTPReply: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String }
}

/// Why a request got no reply (the server died, refused, or answered garbage).
enum HTTPFailure: Error {
    case connect(errno: Int32)
    case send(errno: Int32)
    case truncated(String)
}

/// A minimal HTTP/1.1 client on a blocking loopback socket, one connection
/// per request (`Connection: close`). It holds no state that a killed server
/// could confuse: a request either gets a whole reply or throws, and only a
/// whole reply counts as acknowledged. Call it from Dispatch threads (see
/// `blocking`), never from Swift's cooperative pool.
enum BlockingHTTP {
    static func request(port: Int, _ method: String, _ path: String, token: String?, session: String? = nil,
                        body: Data? = nil, timeout: Int = 30) throws -> HTTPReply {
        let fd = try connectLoopback(port: port, timeout: timeout)
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let session { head += "X-Foundry-Session: \(session)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        else if method == "POST" || method == "PUT" { head += "Content-Length: 0\r\n" }
        var request = Data((head + "\r\n").utf8)
        if let body { request.append(body) }
        try request.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 {
                    if errno == EINTR { continue }
                    throw HTTPFailure.send(errno: errno)
                }
                offset += sent
            }
        }
        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            received.append(contentsOf: chunk[0..<count])
        }
        return try parse(received)
    }

    /// Parses a whole response; throws unless the status line, the headers and
    /// the full body (by `Content-Length` or chunks) are there.
    static func parse(_ data: Data) throws -> HTTPReply {
        guard let end = data.firstRange(of: Data("\r\n\r\n".utf8)) else { throw HTTPFailure.truncated("no header end in \(data.count) bytes") }
        let lines = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw HTTPFailure.truncated("bad status line \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(data[end.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            body = try dechunk(body)
        } else if let length = headers["content-length"].flatMap(Int.init) {
            guard body.count >= length else { throw HTTPFailure.truncated("body \(body.count) of \(length) bytes") }
            body = body.prefix(length)
        }
        return HTTPReply(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ data: Data) throws -> Data {
        var output = Data()
        var rest = data[...]
        while true {
            guard let lineEnd = rest.firstRange(of: Data("\r\n".utf8)),
                  let size = Int(String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";")[0], radix: 16)
            else { throw HTTPFailure.truncated("bad chunk header") }
            if size == 0 { return output }
            let start = lineEnd.upperBound
            guard rest.distance(from: start, to: rest.endIndex) >= size + 2 else { throw HTTPFailure.truncated("short chunk") }
            let stop = rest.index(start, offsetBy: size)
            output.append(rest[start..<stop])
            rest = rest[rest.index(stop, offsetBy: 2)...]
        }
    }
}

extension Data {
    /// JSON for a request body.
    static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    }
}
