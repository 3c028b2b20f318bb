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
/// server's memory (see docs/benchmarks.md). NIO's `Channel` is safe to
/// write from any thread; the hub's actor orders the writes.
///
/// The queue bound is kept here: a frame counts as queued from `send` until
/// NIO has handed it to the kernel, and a socket with `limit` frames queued
/// is refused more (the hub then evicts it). Every frame is written from a
/// task on the channel's event loop, enqueued in the order the hub sends,
/// so a socket's frames keep that order.
final class SocketOutbox: Sendable {
    let channel: any Channel
    let limit: Int
    private let queued = Atomic<Int>(0)
    private let closing = Atomic<Bool>(false)

    init(channel: any Channel, limit: Int) {
        self.channel = channel
        self.limit = limit
    }

    /// Queues one text frame; `false` (and nothing queued) when the socket
    /// already has `limit` frames waiting.
    func send(_ text: ByteBuffer) -> Bool {
        guard reserve() else { return false }
        let frame = WebSocketFrame(fin: true, opcode: .text, data: text)
        channel.eventLoop.execute { self.write(frame) }
        return true
    }

    /// Queues one of the first frames of a join, which do not count against
    /// the limit however long the console backlog they carry.
    func sendUncounted(_ text: ByteBuffer) {
        let (channel, frame) = (channel, WebSocketFrame(fin: true, opcode: .text, data: text))
        channel.eventLoop.execute { channel.writeAndFlush(frame, promise: nil) }
    }

    /// Queues one text frame for many sockets, with one hop to each event
    /// loop rather than one per socket. Returns the keys of the sockets that
    /// refused it (their queue is full).
    static func send<Key>(_ text: ByteBuffer, to outboxes: some Sequence<(Key, SocketOutbox)>) -> [Key] {
        let frame = WebSocketFrame(fin: true, opcode: .text, data: text)
        var refused: [Key] = []
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, outboxes: [SocketOutbox])] = [:]
        for (key, outbox) in outboxes {
            guard outbox.reserve() else {
                refused.append(key)
                continue
            }
            let loop = outbox.channel.eventLoop
            byLoop[ObjectIdentifier(loop), default: (loop, [])].outboxes.append(outbox)
        }
        for (loop, outboxes) in byLoop.values {
            loop.execute { for outbox in outboxes { outbox.write(frame) } }
        }
        return refused
    }

    /// Counts one more queued frame, unless `limit` are already queued.
    private func reserve() -> Bool {
        guard queued.add(1, ordering: .relaxed).newValue <= limit else {
            queued.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Writes a reserved frame; on the channel's event loop.
    private func write(_ frame: WebSocketFrame) {
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { _ in self.queued.subtract(1, ordering: .relaxed) }
        channel.writeAndFlush(frame, promise: written)
    }

    /// Whether a close frame went out (the hub's or the peer's).
    var isClosing: Bool { closing.load(ordering: .relaxed) }

    /// Sends a close frame with `code` and `reason`, then closes the
    /// connection once that frame is written, or after `grace` when the
    /// client does not read it (a stalled client is the usual reason).
    /// Only the first call sends a frame.
    func close(_ code: WebSocketErrorCode, reason: String, grace: TimeAmount = .seconds(2)) {
        guard !closing.exchange(true, ordering: .relaxed) else { return }
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
