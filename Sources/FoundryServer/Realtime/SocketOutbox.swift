import NIOCore
import NIOWebSocket
import Synchronization

/// The send side of one WebSocket, as its hub sees it: frames go straight
/// into the socket's NIO channel, in the order the hub sends them, with no
/// task per socket waiting to write.
///
/// Why not a writer task reading a per-socket `AsyncStream`: every task
/// keeps the stack slabs of its deepest call for as long as it lives (about
/// 1 KB each), and with 10,000 idle sockets those tasks were most of the
/// server's memory (see README › Benchmarks). NIO's `Channel` is safe to
/// write from any thread; the hub's actor orders the writes.
///
/// The queue bound is kept here: a frame counts as queued from `send` until
/// NIO has handed it to the kernel, and a socket with `limit` frames queued
/// is refused more (the hub then evicts it).
final class SocketOutbox: Sendable {
    let channel: any Channel
    let limit: Int
    private let queued = Atomic<Int>(0)

    init(channel: any Channel, limit: Int) {
        self.channel = channel
        self.limit = limit
    }

    /// Queues one text frame; `false` (and nothing queued) when the socket
    /// already has `limit` frames waiting. An uncounted frame (the first
    /// frames of a join, however long the console backlog) is always queued
    /// and does not count against the limit.
    func send(_ text: ByteBuffer, counted: Bool = true) -> Bool {
        let frame = WebSocketFrame(fin: true, opcode: .text, data: text)
        guard counted else {
            channel.writeAndFlush(frame, promise: nil)
            return true
        }
        guard queued.add(1, ordering: .relaxed).newValue <= limit else {
            queued.subtract(1, ordering: .relaxed)
            return false
        }
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { _ in self.queued.subtract(1, ordering: .relaxed) }
        channel.writeAndFlush(frame, promise: written)
        return true
    }

    /// Sends a close frame with `code` and `reason`, then closes the
    /// connection once that frame is written, or after `grace` when the
    /// client does not read it (a stalled client is the usual reason).
    func close(_ code: WebSocketErrorCode, reason: String, grace: TimeAmount = .seconds(2)) {
        var data = channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(reason)
        let channel = channel
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)).whenComplete { _ in
            channel.close(promise: nil)
        }
        channel.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
    }
}
