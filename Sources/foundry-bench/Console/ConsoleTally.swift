import Foundation
import Synchronization

/// What each socket received of a run's console: bytes of `CONSOLE_OUTPUT`
/// text, when the runner's last line (`END <wall-clock ns>`) arrived and how
/// late, and whether `RUN_FINISHED` came.
final class ConsoleTally: Sendable {
    struct Socket: Sendable {
        var bytes = 0
        var endArrival: UInt64?
        var lag: UInt64?
        var finished = false
    }

    private struct Frame: Decodable {
        /// One console line of a `CONSOLE_OUTPUT` frame (`{offset, ts, stream, text}`).
        struct Line: Decodable {
            var text: String
        }

        struct Payload: Decodable {
            var run: String?
            var text: String?
            var lines: [Line]?
        }

        var type: String
        var data: Payload?
    }

    private let sockets: Mutex<[Socket]>

    init(count: Int) {
        sockets = Mutex(Array(repeating: Socket(), count: count))
    }

    var snapshot: [Socket] { sockets.withLock { $0 } }

    /// The observer for socket `index`: counts console frames, leaves every other frame to the socket.
    func observer(_ index: Int) -> LoadSocket.Observer {
        { [self] text, arrival in
            guard text.contains("\"CONSOLE_OUTPUT\"") || text.contains("\"RUN_FINISHED\"") else { return false }
            let wall = Monotonic.wallClock()
            guard let frame = try? JSONDecoder().decode(Frame.self, from: Data(text.utf8)) else { return false }
            let output = frame.data?.text ?? frame.data?.lines.map { $0.map(\.text).joined() } ?? ""
            let end = Self.endStamp(in: output)
            sockets.withLock { sockets in
                guard index < sockets.count else { return }
                if frame.type == "RUN_FINISHED" { sockets[index].finished = true }
                sockets[index].bytes += output.utf8.count
                if let end {
                    sockets[index].endArrival = arrival
                    sockets[index].lag = wall > end ? wall - end : 0
                }
            }
            return frame.type == "CONSOLE_OUTPUT"
        }
    }

    /// The wall-clock nanoseconds of an `END <ns>` line in `output`.
    private static func endStamp(in output: String) -> UInt64? {
        guard let range = output.range(of: "END ", options: .backwards) else { return nil }
        return UInt64(output[range.upperBound...].prefix { $0.isNumber })
    }
}
