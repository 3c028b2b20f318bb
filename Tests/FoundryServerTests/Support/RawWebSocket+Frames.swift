import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One WebSocket frame as read off the wire by `RawWebSocket`.
struct WireFrame: Sendable {
    var opcode: UInt8
    var fin: Bool
    /// Whether the sender masked it (a server must not).
    var masked: Bool
    var payload: [UInt8]

    var text: String { String(decoding: payload, as: UTF8.self) }
    /// A text frame decoded as the server's JSON frame.
    var json: Frame? { opcode == RawWebSocket.Opcode.text ? try? JSONDecoder().decode(Frame.self, from: Data(payload)) : nil }
    /// A close frame's code and reason.
    var close: (code: UInt16, reason: String)? {
        guard opcode == RawWebSocket.Opcode.close else { return nil }
        guard payload.count >= 2 else { return (1005, "") }
        return (UInt16(payload[0]) << 8 | UInt16(payload[1]), String(decoding: payload.dropFirst(2), as: UTF8.self))
    }
}

/// Frame-level access for protocol tests: masked client frames of any
/// opcode and fragmentation, and the server's frames one at a time.
extension RawWebSocket {
    enum Opcode {
        static let continuation: UInt8 = 0x0
        static let text: UInt8 = 0x1
        static let binary: UInt8 = 0x2
        static let close: UInt8 = 0x8
        static let ping: UInt8 = 0x9
        static let pong: UInt8 = 0xA
    }

    /// Sends one frame, masked as RFC 6455 requires of a client; `false`
    /// when the socket would not take all of it.
    @discardableResult
    func sendFrame(_ opcode: UInt8, fin: Bool = true, payload: [UInt8]) -> Bool {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        switch payload.count {
        case ..<126: bytes.append(0x80 | UInt8(payload.count))
        case ..<65536: bytes += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        default: bytes.append(0x80 | 127); bytes += (0..<8).reversed().map { UInt8(truncatingIfNeeded: payload.count >> ($0 * 8)) }
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        bytes += mask
        bytes += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    func sendText(_ text: String, fin: Bool = true) -> Bool {
        sendFrame(Opcode.text, fin: fin, payload: Array(text.utf8))
    }

    /// Reads one frame; `nil` on EOF, error or timeout (the socket's
    /// receive timeout, 10 s unless `setReadTimeout` changed it).
    func readFrame() -> WireFrame? {
        guard let header = read(2) else { return nil }
        var length = Int(header[1] & 0x7f)
        if length == 126 { guard let extended = read(2) else { return nil }; length = Int(extended[0]) << 8 | Int(extended[1]) }
        if length == 127 { guard let extended = read(8) else { return nil }; length = extended.reduce(0) { $0 << 8 | Int($1) } }
        let masked = header[1] & 0x80 != 0
        var mask: [UInt8] = []
        if masked { guard let key = read(4) else { return nil }; mask = key }
        guard var payload = length == 0 ? [] : read(length) else { return nil }
        if masked { payload = payload.enumerated().map { $0.element ^ mask[$0.offset % 4] } }
        return WireFrame(opcode: header[0] & 0x0f, fin: header[0] & 0x80 != 0, masked: masked, payload: payload)
    }

    /// The next frame matching `predicate` within `seconds`, skipping the
    /// others (the SNAPSHOT, server pings, broadcasts); `nil` on EOF or when
    /// the time is up. With `answeringPings`, each skipped ping is answered
    /// with a pong of its payload, as a live client does.
    func nextFrame(within seconds: Double = failureBound, answeringPings: Bool = false, where predicate: (WireFrame) -> Bool) -> WireFrame? {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return nil }
            setReadTimeout(left)
            guard let frame = readFrame() else { return nil }
            if predicate(frame) { return frame }
            if answeringPings, frame.opcode == Opcode.ping { sendFrame(Opcode.pong, payload: frame.payload) }
        }
    }

    /// The next server frame of JSON `type` (e.g. "PONG", "ERROR").
    func nextMessage(_ type: String, within seconds: Double = failureBound, answeringPings: Bool = false) -> Frame? {
        nextFrame(within: seconds, answeringPings: answeringPings) { $0.json?.type == type }?.json
    }

    /// The next close frame's code and reason, within `seconds`.
    func nextClose(within seconds: Double = failureBound) -> (code: UInt16, reason: String)? {
        nextFrame(within: seconds) { $0.opcode == Opcode.close }?.close
    }

    /// Whether the server closes the TCP connection within `seconds`
    /// (`recv` returns 0); anything still arriving is discarded.
    func readsEOF(within seconds: Double = failureBound) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while deadline.timeIntervalSinceNow > 0 {
            setReadTimeout(deadline.timeIntervalSinceNow)
            let got = recv(fd, &chunk, chunk.count, 0)
            if got == 0 { return true }
            if got < 0, errno != EINTR { return false }
        }
        return false
    }

    func setReadTimeout(_ seconds: Double) {
        let clamped = max(seconds, 0.01)
        var timeout = timeval(tv_sec: Int(clamped), tv_usec: Int((clamped - clamped.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
}
