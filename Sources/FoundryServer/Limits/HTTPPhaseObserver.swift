import NIOCore
import NIOHTTP1

/// Tells a connection's `RequestTimeoutHandler` where each request and
/// response begins and ends: it sits right behind the HTTP decoder and
/// encoder, and passes everything on unchanged.
final class HTTPPhaseObserver: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let timeouts: RequestTimeoutHandler

    init(reporting timeouts: RequestTimeoutHandler) {
        self.timeouts = timeouts
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: timeouts.headReceived()
        case .body(let bytes): timeouts.bodyReceived(bytes.readableBytes)
        case .end: timeouts.requestEnded()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200: timeouts.responseHeadSent()
        case .end: timeouts.responseEnded()
        default: break
        }
        context.write(data, promise: promise)
    }
}
