import Foundation
import Synchronization
import Testing

/// A WebSocket client on a bare socket that answers each server ping at once
/// from a thread of its own, never from Swift's cooperative pool (which a
/// loaded test run can keep busy for longer than a ping interval), and
/// records the JSON frames it receives.
final class AnsweringSocket: Sendable {
    private final class State: Sendable {
        let frames = FrameLog()
        let pings = Mutex(0)
        let close = Mutex<(code: UInt16, reason: String)?>(nil)
    }

    private let socket: RawWebSocket
    private let state = State()

    /// Joins project onco as `user` (session `<user>-tab`) and returns once the SNAPSHOT is in.
    init(_ api: APIClient, _ user: String) async throws {
        let (token, port) = (try await api.server.token(user), api.port)
        let socket = try await blocking { try RawWebSocket(port: port, path: "/ws/project/onco?token=\(token)&session=\(user)-tab") }
        self.socket = socket
        var forever = timeval()
        setsockopt(socket.fd, SOL_SOCKET, SO_RCVTIMEO, &forever, socklen_t(MemoryLayout<timeval>.size))
        let state = state
        Thread {
            while let frame = socket.readFrame() {
                switch frame.opcode {
                case RawWebSocket.Opcode.ping:
                    socket.sendFrame(RawWebSocket.Opcode.pong, payload: frame.payload)
                    state.pings.withLock { $0 += 1 }
                case RawWebSocket.Opcode.close:
                    state.close.withLock { $0 = frame.close }
                    return
                default:
                    if let json = frame.json { state.frames.append(json) }
                }
            }
        }.start()
        #expect(await next("SNAPSHOT") != nil, "no SNAPSHOT for \(user)")
    }

    var frames: [Frame] { state.frames.all }
    var pingsAnswered: Int { state.pings.withLock { $0 } }
    var closeFrame: (code: UInt16, reason: String)? { state.close.withLock { $0 } }

    func next(_ type: String, where predicate: (Frame) -> Bool = { _ in true }) async -> Frame? {
        await state.frames.next(type, where: predicate)
    }

    @discardableResult
    func sendText(_ text: String) -> Bool {
        socket.sendText(text)
    }

    /// Ends the connection; the reading thread sees the end and stops.
    func close() {
        shutdown(socket.fd, Int32(SHUT_RDWR))
    }
}
