import Foundation
import HummingbirdWSClient
import Logging
import NIOWebSocket
import Synchronization

/// A frame as a test reads it.
struct Frame: Decodable, Sendable {
    var seq: Int?
    var type: String
    var project: String
    var ts: String
    var data: TestJSON

    subscript(key: String) -> TestJSON? { data[key] }
}

/// A decoded JSON value for assertions.
enum TestJSON: Decodable, Sendable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([TestJSON]), object([String: TestJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([TestJSON].self) { self = .array(value) }
        else { self = .object(try container.decode([String: TestJSON].self)) }
    }

    subscript(key: String) -> TestJSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    var string: String? { if case .string(let value) = self { value } else { nil } }
    var int: Int? { if case .number(let value) = self { Int(value) } else { nil } }
    var array: [TestJSON] { if case .array(let value) = self { value } else { [] } }
}

/// The JSON frames a test client received, in order, and how far the test has read them.
final class FrameLog: Sendable {
    private let frames = Mutex<[Frame]>([])
    private let consumed = Mutex(0)

    func append(_ frame: Frame) {
        frames.withLock { $0.append(frame) }
    }

    var all: [Frame] { frames.withLock { $0 } }

    /// The next not yet consumed frame of `type` matching `predicate`; `nil`
    /// if none came within `seconds` (a bound for a failing test; see `eventually`).
    func next(_ type: String, within seconds: Double = failureBound, where predicate: (Frame) -> Bool = { _ in true }) async -> Frame? {
        var found: Frame?
        _ = await eventually(within: seconds) {
            found = take(type, where: predicate)
            return found != nil
        }
        return found
    }

    /// Consumes and returns the next frame of `type` matching `predicate`, if it has come.
    private func take(_ type: String, where predicate: (Frame) -> Bool) -> Frame? {
        let frames = all
        let start = consumed.withLock { $0 }
        guard let index = frames[min(start, frames.count)...].firstIndex(where: { $0.type == type && predicate($0) }) else { return nil }
        consumed.withLock { $0 = index + 1 }
        return frames[index]
    }
}

/// A real WebSocket client (HummingbirdWSClient) that records every frame it receives.
final class TestSocket: Sendable {
    private final class State: Sendable {
        let frames = FrameLog()
        let close = Mutex<WebSocketCloseFrame?>(nil)
        let ended = Mutex(false)
    }

    private let state = State()
    private let outgoing: AsyncStream<String>.Continuation
    private let task: Task<Void, Never>

    /// Connects to `path` (e.g. `/ws/project/onco?token=…`) on the local server.
    init(port: Int, path: String) {
        let (stream, outgoing) = AsyncStream.makeStream(of: String.self)
        self.outgoing = outgoing
        let state = state
        task = Task {
            var configuration = WebSocketClientConfiguration()
            configuration.maxFrameSize = 1 << 22
            let close = try? await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)\(path)", configuration: configuration, logger: Logger(label: "test-socket")
            ) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await message in inbound.messages(maxSize: 1 << 22) {
                            guard case .text(let text) = message, let frame = try? JSONDecoder().decode(Frame.self, from: Data(text.utf8)) else { continue }
                            state.frames.append(frame)
                        }
                    }
                    group.addTask {
                        for await text in stream { try await outbound.write(.text(text)) }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
            state.close.withLock { $0 = close ?? nil }
            state.ended.withLock { $0 = true }
        }
    }

    func send(_ json: String) {
        outgoing.yield(json)
    }

    /// Closes the socket from the client side.
    func close() {
        outgoing.finish()
        task.cancel()
    }

    var frames: [Frame] { state.frames.all }
    var closeFrame: WebSocketCloseFrame? { state.close.withLock { $0 } }
    var hasEnded: Bool { state.ended.withLock { $0 } }

    /// The next not yet consumed frame of `type` matching `predicate`, within `seconds`.
    func next(_ type: String, within seconds: Double = failureBound, where predicate: (Frame) -> Bool = { _ in true }) async -> Frame? {
        await state.frames.next(type, within: seconds, where: predicate)
    }

    /// Waits until the connection has ended, within `seconds`.
    func waitForEnd(within seconds: Double = failureBound) async -> Bool {
        await eventually(within: seconds) { hasEnded }
    }
}

/// A WebSocket client on a bare TCP socket. Used as the slow consumer the
/// server must cut off (it completes the handshake, then never reads, with a
/// tiny receive buffer), and to read close frames byte for byte:
/// HummingbirdWSClient sometimes misses a close frame that follows the 101
/// response at once (about 1 run in 4 here; Python's websockets client sees
/// it every time), so close codes are checked on the wire.
final class RawWebSocket: Sendable {
    let fd: Int32

    init(port: Int, path: String, receiveBuffer: Int32? = nil, source: String? = nil) throws {
        fd = try connectLoopback(port: port, receiveBuffer: receiveBuffer, source: source)
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var response = [UInt8]()
        var byte: UInt8 = 0
        while !response.suffix(4).elementsEqual([13, 10, 13, 10]), recv(fd, &byte, 1, 0) == 1 { response.append(byte) }
        guard String(decoding: response, as: UTF8.self).hasPrefix("HTTP/1.1 101") else { throw POSIXError(.EPROTO) }
    }

    /// Reads frames until a close frame; returns its code and reason (`nil` on timeout or EOF).
    func readClose() -> (code: UInt16, reason: String)? {
        while true {
            guard let header = read(2) else { return nil }
            var length = Int(header[1] & 0x7f)
            if length == 126 { guard let extended = read(2) else { return nil }; length = Int(extended[0]) << 8 | Int(extended[1]) }
            if length == 127 { guard let extended = read(8) else { return nil }; length = extended.reduce(0) { $0 << 8 | Int($1) } }
            guard let payload = length == 0 ? [] : read(length) else { return nil }
            if header[0] & 0x0f == 0x8 {
                guard payload.count >= 2 else { return (1005, "") }
                return (UInt16(payload[0]) << 8 | UInt16(payload[1]), String(decoding: payload.dropFirst(2), as: UTF8.self))
            }
        }
    }

    func read(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, count - filled, 0) }
            guard got > 0 else { return nil }
            filled += got
        }
        return bytes
    }

    deinit { close(fd) }
}
