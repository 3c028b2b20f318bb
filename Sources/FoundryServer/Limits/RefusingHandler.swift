import NIOCore

/// Serves a connection that a connection limit refused: sends the refusal
/// (a whole HTTP response, `Connection: close`) as soon as the connection
/// is up, without waiting for the request, then closes.
///
/// It closes its sending side first and reads what the client sent until
/// the client closes too (at most `linger`): closing with unread bytes
/// would make the kernel reset the connection, and a client that is still
/// sending its request could lose the answer with it.
final class RefusingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let response: ByteBuffer
    private let linger: TimeAmount
    private var sent = false

    init(_ response: ByteBuffer, linger: TimeAmount = .seconds(2)) {
        self.response = response
        self.linger = linger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func refuse(_ context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        context.writeAndFlush(wrapOutboundOut(response), promise: nil)
        context.close(mode: .output, promise: nil)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
    }
}
