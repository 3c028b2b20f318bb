import NIOCore
import NIOHTTP1

/// Lets only WebSocket upgrades of `/ws/project/{id}` reach NIO's upgrade
/// handler; any other request asking for an upgrade (`Upgrade: h2c` from
/// `curl --http2`, or a WebSocket on another path) has its `Upgrade` header
/// removed and is served as plain HTTP, as RFC 9110 §7.8 allows.
///
/// Without it such a request got no answer at all: when no upgrader takes a
/// request that asked for an upgrade, NIO's typed upgrade handler forwards
/// the rest of the request without its head (apple/swift-nio#2632).
///
/// It sits just before the upgrade handler and removes itself after the
/// first request head, which is the only one NIO considers for an upgrade.
/// Until then it also closes the connection on a parse error (too many
/// header fields, say), which nothing else would see yet: the connection
/// would stay open with no answer.
final class UpgradeFilter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else { return context.fireChannelRead(data) }
        let asked = head.headers["upgrade"]
        if !asked.isEmpty, !(Self.isWebSocket(asked) && WebSocketAdmission.Path(head.uri) != nil) {
            head.headers.remove(name: "upgrade")
            let connection = head.headers["connection"].flatMap { $0.split(separator: ",") }
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.lowercased() != "upgrade" }
            head.headers.remove(name: "connection")
            if !connection.isEmpty { head.headers.add(name: "connection", value: connection.joined(separator: ", ")) }
        }
        context.fireChannelRead(wrapInboundOut(.head(head)))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private static func isWebSocket(_ protocols: [String]) -> Bool {
        protocols.flatMap { $0.split(separator: ",") }.contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "websocket" }
    }
}
