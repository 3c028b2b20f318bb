import Foundation
import HummingbirdWSClient
import Logging
import Synchronization

/// A WebSocket client that timestamps every frame it receives, keyed by
/// event type and field, so latencies can be computed in this one process.
/// An optional observer sees every text frame first, with its arrival time.
final class LoadSocket: Sendable {
    /// Sees a frame; returns `true` when it took care of it (it is then not timestamped by type and field).
    typealias Observer = @Sendable (_ text: String, _ arrival: UInt64) -> Bool

    private struct Header: Decodable {
        struct Data: Decodable { var field: String? }
        var type: String
        var data: Data?
    }

    private final class State: Sendable {
        let arrivals = Mutex<[String: UInt64]>([:])
        let connected = Mutex(false)
        let ended = Mutex(false)
    }

    private let state = State()
    private let outgoing: AsyncStream<String>.Continuation
    private let task: Task<Void, Never>

    init(url: String, observer: Observer? = nil) {
        let (stream, outgoing) = AsyncStream.makeStream(of: String.self)
        self.outgoing = outgoing
        let state = state
        task = Task {
            let configuration = WebSocketClientConfiguration(maxFrameSize: 16 << 20)
            _ = try? await WebSocketClient.connect(url: url, configuration: configuration, logger: Logger(label: "bench")) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await message in inbound.messages(maxSize: 16 << 20) {
                            let now = Monotonic.now()
                            guard case .text(let text) = message else { continue }
                            if observer?(text, now) == true { continue }
                            guard let header = try? JSONDecoder().decode(Header.self, from: Data(text.utf8)) else { continue }
                            if header.type == "SNAPSHOT" { state.connected.withLock { $0 = true } }
                            state.arrivals.withLock { $0[header.type + " " + (header.data?.field ?? ""), default: now] = now }
                        }
                    }
                    group.addTask {
                        for await text in stream { try await outbound.write(.text(text)) }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
            state.ended.withLock { $0 = true }
        }
    }

    /// The snapshot arrived: the server has registered this socket.
    var isConnected: Bool { state.connected.withLock { $0 } }
    /// The connection ended (or never came up) without this side closing it.
    var hasEnded: Bool { state.ended.withLock { $0 } }

    func send(_ text: String) { outgoing.yield(text) }

    /// When `type` for `field` first arrived (monotonic nanoseconds), if it has.
    func arrival(_ type: String, field: String) -> UInt64? {
        state.arrivals.withLock { $0[type + " " + field] }
    }

    func close() {
        outgoing.finish()
        task.cancel()
    }
}
