/// Many WebSocket clients opened in waves (a few hundred at a time, failed
/// connects retried), so the server's accept queue is never the bottleneck.
enum SocketCrowd {
    /// Opens `count` sockets; `url(index)` names each one's user, session and project, `observer(index)` watches its frames.
    static func open(_ count: Int, wave: Int = 250, observer: ((Int) -> LoadSocket.Observer)? = nil,
                     url: (Int) async throws -> String) async throws -> [LoadSocket] {
        var sockets: [LoadSocket] = []
        for first in stride(from: 0, to: count, by: wave) {
            var pending = Array(first..<min(first + wave, count))
            for attempt in 1...5 where !pending.isEmpty {
                var opening: [LoadSocket] = []
                for index in pending { opening.append(LoadSocket(url: try await url(index), observer: observer?(index))) }
                try await waitUntil("a wave of sockets", timeout: .seconds(60)) { opening.allSatisfy { $0.isConnected || $0.hasEnded } }
                sockets += opening.filter(\.isConnected)
                pending = zip(pending, opening).filter { !$0.1.isConnected }.map(\.0)
                if !pending.isEmpty { print("  sockets \(first)…: \(pending.count) connect(s) failed, retry \(attempt)") }
            }
            guard pending.isEmpty else { throw BenchFailure("\(pending.count) sockets could not connect") }
        }
        return sockets
    }
}
