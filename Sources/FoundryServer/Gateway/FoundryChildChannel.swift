import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// Every connection the server accepts: HTTP/1.1 for the API, answered by
/// Hummingbird's router, or a WebSocket upgrade on `/ws/project/{id}`.
///
/// An upgraded socket is served by a NIO channel handler (`WebSocketPeer`)
/// on its event loop, not by a Swift task: Hummingbird's own WebSocket
/// support keeps two tasks per socket for its whole life, and their stacks
/// were most of the memory of 10,000 idle sockets (docs/benchmarks.md).
/// The HTTP side is set up the way Hummingbird's `HTTP1Channel` and
/// `HTTP1WebSocketUpgradeChannel` set it up.
struct FoundryChildChannel: ServerChildChannel, HTTPChannelHandler {
    /// What the first request of a connection turned it into.
    enum Upgrade: Sendable {
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case webSocket
        /// A connection limit refused it (`RefusingHandler` answers and closes it).
        case refused
    }

    struct Value: ServerChildChannelValue {
        let upgrade: EventLoopFuture<Upgrade>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    let gateway: WebSocketGateway

    init(responder: @escaping HTTPChannelHandler.Responder, gateway: WebSocketGateway) {
        self.responder = Self.refusingLateUpgrades(responder)
        self.gateway = gateway
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            guard try admit(channel) else { return Value(upgrade: channel.eventLoop.makeSucceededFuture(.refused), channel: channel) }
            // Decided by `shouldUpgrade`, read by `upgradePipelineHandler`, both on the channel's loop.
            let admission = NIOLoopBoundBox<WebSocketAdmission?>(nil, eventLoop: channel.eventLoop)
            let gateway = gateway
            let upgrader = NIOTypedWebSocketServerUpgrader<Upgrade>(
                maxFrameSize: gateway.configuration.maxMessageBytes,
                shouldUpgrade: { channel, head in
                    guard let path = WebSocketAdmission.Path(head.uri) else { return channel.eventLoop.makeSucceededFuture(nil) }
                    let promise = channel.eventLoop.makePromise(of: WebSocketAdmission.self)
                    promise.completeWithTask { await gateway.admit(head, path: path, until: channel.closeFuture) }
                    return promise.futureResult.map { admitted in
                        admission.value = admitted
                        return HTTPHeaders()
                    }
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard let admitted = admission.value else { throw ChannelError.inappropriateOperationForState }
                        try Self.removeTimeouts(from: channel)
                        try channel.pipeline.syncOperations.addHandler(gateway.peer(for: admitted, on: channel, logger: logger))
                        return .webSocket
                    }
                }
            )
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<Upgrade>(
                upgradeConfiguration: NIOTypedHTTPServerUpgradeConfiguration(
                    upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                            try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(logger: logger))
                            return .http(try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true)))
                        }
                    }
                )
            )
            configuration.enablePipelining = false  // NIOAsyncChannel serializes requests
            configuration.enableErrorHandling = false  // Hummingbird answers errors
            configuration.enableResponseHeaderValidation = false  // HTTPTypes validates them
            let limits = HTTP1Channel.Configuration().httpDecoder  // Hummingbird's defaults (1,000 header fields, not NIO's 65,534)
            configuration.decoderConfiguration.maxHeaderFieldSize = limits.maxHeaderFieldSize
            configuration.decoderConfiguration.maxHeaderListSize = limits.maxHeaderListSize
            configuration.decoderConfiguration.maxHeaderFieldCount = limits.maxHeaderFieldCount
            let upgrade = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            let upgradeHandler = try channel.pipeline.syncOperations.handler(type: NIOTypedHTTPServerUpgradeHandler<Upgrade>.self)
            try channel.pipeline.syncOperations.addHandler(UpgradeFilter(), position: .before(upgradeHandler))
            try addTimeouts(to: channel)
            return Value(upgrade: upgrade, channel: channel)
        }
    }

    /// Serves HTTP requests until the connection ends; returns at once for
    /// a WebSocket, whose channel the `WebSocketPeer` handler now owns.
    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgrade.get() {
            case .http(let http): await handleHTTP(asyncChannel: http, logger: logger)
            case .webSocket, .refused: return
            }
        } catch {
            logger.debug("connection ended before its first request", metadata: ["error": "\(error)"])
        }
    }

    /// NIO upgrades only on a connection's first request. A later request
    /// asking for an upgrade is redirected to the same URL with the
    /// connection closed, so the client retries on a fresh connection.
    private static func refusingLateUpgrades(_ responder: @escaping HTTPChannelHandler.Responder) -> HTTPChannelHandler.Responder {
        struct ClosingAfterRedirect: Error {}
        return { request, writer, channel in
            guard request.headers[.upgrade]?.lowercased() == "websocket", WebSocketAdmission.Path(request.uri.path) != nil else {
                return try await responder(request, writer, channel)
            }
            let location = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            try await writer.writeResponse(HTTPResponse(status: .temporaryRedirect, headerFields: [.connection: "close", .location: location]))
            throw ClosingAfterRedirect()
        }
    }
}
