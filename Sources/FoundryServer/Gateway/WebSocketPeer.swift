import NIOCore
import NIOWebSocket
import Synchronization

/// Serves one upgraded WebSocket on its channel's event loop: assembles
/// the client's messages and hands them, in order, to its
/// `WebSocketConnection`; answers pings and pings the client, closing a
/// socket that stops answering; completes the close handshake; and closes
/// every socket when the server shuts down.
///
/// It keeps no task while the socket is idle: `open`, each message and
/// `close` run as short tasks chained one after the other, each handing
/// the joined session to the next.
final class WebSocketPeer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// How much a client may send, and how often it is pinged.
    struct Limits: Sendable {
        var maxMessageBytes: Int
        var pingInterval: TimeAmount
        /// Messages read but not yet answered; one more closes the socket (1008).
        var messagesInFlight = 64

        init(_ configuration: ServerConfiguration) {
            maxMessageBytes = configuration.maxMessageBytes
            pingInterval = .milliseconds(Int64(configuration.pingInterval * 1000))
        }
    }

    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    private let connection: WebSocketConnection?
    private let refusal: (code: WebSocketErrorCode, reason: String)?
    private let outbox: SocketOutbox
    private let limits: Limits
    private let inFlight = Counter()
    /// The message being assembled from its fragments: text or binary, and its bytes so far.
    private var message: (isText: Bool, bytes: ByteBuffer)?
    private var awaitingPong = false
    private var pinger: RepeatedTask?
    /// A close frame went out; the connection ends once the client answers or the grace period passes.
    private var closing = false
    private var ending = WebSocketConnection.Ending.clientClosed
    /// The last of the chained tasks (`open`, messages, `close`).
    private var work: Task<WebSocketConnection.Session?, Never>?

    init(connection: WebSocketConnection?, refusal: (code: WebSocketErrorCode, reason: String)?, outbox: SocketOutbox, limits: Limits) {
        self.connection = connection
        self.refusal = refusal
        self.outbox = outbox
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let connection else {
            let refusal = refusal ?? (WebSocketErrorCode.unexpectedServerError, "refused")
            return close(refusal.code, refusal.reason)
        }
        work = Task { await connection.open() }
        let peer = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        pinger = context.eventLoop.scheduleRepeatedTask(initialDelay: limits.pingInterval, delay: limits.pingInterval) { _ in
            let (handler, context) = peer.value
            handler.ping(context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            guard message == nil else { return close(.protocolError, "a new message began before the last one ended") }
            message = (frame.opcode == .text, context.channel.allocator.buffer(capacity: frame.length))
            append(frame)
        case .continuation:
            guard message != nil else { return close(.protocolError, "a continuation frame outside a message") }
            append(frame)
        case .ping:
            guard frame.fin else { return close(.protocolError, "a fragmented ping") }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            awaitingPong = false
        case .connectionClose:
            if closing { return context.close(promise: nil) }
            var data = frame.unmaskedData
            close(data.readWebSocketErrorCode() ?? .normalClosure, "")
        default:
            close(.protocolError, "unknown opcode")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pinger?.cancel()
        if let connection {
            let (previous, ending) = (work, ending)
            work = Task {
                if let session = await previous?.value { await connection.close(session, ending: ending) }
                return nil
            }
        }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            ending = .serverStopped
            close(.goingAway, "server shutting down")
        case ChannelEvent.inputClosed:
            // The server's channels allow half-closure (for HTTP); a WebSocket
            // client that closes its side has nothing more to say.
            context.close(promise: nil)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    // MARK: Messages

    private func append(_ frame: WebSocketFrame) {
        guard !closing, var assembled = message else { return }
        message = nil
        var data = frame.unmaskedData
        assembled.bytes.writeBuffer(&data)
        guard assembled.bytes.readableBytes <= limits.maxMessageBytes else {
            return close(.messageTooLarge, "message larger than \(limits.maxMessageBytes) bytes")
        }
        guard frame.fin else { return message = assembled }
        deliver(assembled.isText ? String(validating: assembled.bytes.readableBytesView, as: UTF8.self) : nil, isText: assembled.isText)
    }

    private func deliver(_ text: String?, isText: Bool) {
        guard let connection else { return }
        if isText, text == nil { return close(.dataInconsistentWithMessage, "text message is not UTF-8") }
        guard inFlight.value.add(1, ordering: .relaxed).newValue <= limits.messagesInFlight else {
            return close(.policyViolation, "more than \(limits.messagesInFlight) messages waiting for an answer")
        }
        let (previous, inFlight) = (work, inFlight)
        work = Task {
            let session = await previous?.value
            if let session { await connection.handle(text, in: session) }
            inFlight.value.subtract(1, ordering: .relaxed)
            return session
        }
    }

    // MARK: Liveness and closing

    private func ping(_ context: ChannelHandlerContext) {
        guard !closing else { return }
        if awaitingPong {
            ending = .pingTimeout
            return close(.goingAway, "ping timeout")
        }
        awaitingPong = true
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: context.channel.allocator.buffer(capacity: 0))), promise: nil)
    }

    private func close(_ code: WebSocketErrorCode, _ reason: String) {
        guard !closing else { return }
        closing = true
        message = nil
        outbox.close(code, reason: reason)
    }
}
