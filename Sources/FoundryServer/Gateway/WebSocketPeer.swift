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

    /// What the peer is for: serving an admitted socket, or closing a refused one with its reason.
    enum Purpose {
        case serve(WebSocketConnection)
        case refuse(WebSocketErrorCode, reason: String)
    }

    private let purpose: Purpose
    private let outbox: SocketOutbox
    private let limits: Limits
    private let inFlight = Counter()
    /// The message being assembled from its fragments: text or binary, and its bytes so far.
    private var message: (isText: Bool, bytes: ByteBuffer)?
    private var awaitingPong = false
    private var pinger: RepeatedTask?
    private var ending = WebSocketConnection.Ending.clientClosed
    /// The last of the chained tasks (`open`, messages, `close`).
    private var work: Task<WebSocketConnection.Session?, Never>?

    init(_ purpose: Purpose, outbox: SocketOutbox, limits: Limits) {
        self.purpose = purpose
        self.outbox = outbox
        self.limits = limits
    }

    private var connection: WebSocketConnection? {
        if case .serve(let connection) = purpose { return connection }
        return nil
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard let connection else {
            if case .refuse(let code, let reason) = purpose { close(code, reason) }
            return
        }
        work = Task { await connection.joiningProject { await connection.open() } }
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
            if outbox.isClosing { return context.close(promise: nil) }
            close(Self.echoedCloseCode(frame), "")
        default:
            close(.protocolError, "unknown opcode")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pinger?.cancel()
        if let connection {
            let (previous, ending) = (work, ending)
            work = Task {
                if let session = await previous?.value { await connection.joiningProject { await connection.close(session, ending: ending) } }
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
        guard !outbox.isClosing, var assembled = message else { return }
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
            if let session { await connection.changingProject { await connection.handle(text, in: session) } }
            inFlight.value.subtract(1, ordering: .relaxed)
            return session
        }
    }

    // MARK: Liveness and closing

    private func ping(_ context: ChannelHandlerContext) {
        guard !outbox.isClosing else { return }
        if awaitingPong {
            ending = .pingTimeout
            return close(.goingAway, "ping timeout")
        }
        awaitingPong = true
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .ping, data: context.channel.allocator.buffer(capacity: 0))), promise: nil)
    }

    /// The code a client's close frame is answered with: its own, when it is
    /// one that may be sent on the wire (RFC 6455 §7.4), else 1000.
    private static func echoedCloseCode(_ frame: WebSocketFrame) -> WebSocketErrorCode {
        var data = frame.unmaskedData
        guard let code = data.readInteger(as: UInt16.self),
              (1000...1003).contains(code) || (1007...1011).contains(code) || (3000..<5000).contains(code)
        else { return .normalClosure }
        return WebSocketErrorCode(codeNumber: Int(code))
    }

    private func close(_ code: WebSocketErrorCode, _ reason: String) {
        message = nil
        outbox.close(code, reason: reason)
    }
}
