import Foundation
import FoundryStore
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOWebSocket

/// One socket on `/ws/project/{id}`: joins the project's hub, writes its
/// frames through a bounded queue, answers lock messages, keeps the
/// session's lock leases alive while it is connected, and on the way out
/// releases the session's locks (reason `disconnect`) when it was the
/// session's last socket.
struct WebSocketConnection {
    /// Close codes in the application range, each with a reason text.
    enum CloseCode {
        static let invalidRequest = WebSocketErrorCode(codeNumber: 4400)
        static let unauthorized = WebSocketErrorCode(codeNumber: 4401)
        static let forbidden = WebSocketErrorCode(codeNumber: 4403)
        static let projectNotFound = WebSocketErrorCode(codeNumber: 4404)
        static let tooSlow = WebSocketErrorCode(codeNumber: 4008)
    }

    let api: FoundryAPI
    let registry: HubRegistry
    let request: Request
    let caller: Caller
    let inbound: WebSocketInboundStream
    let outbound: WebSocketOutboundWriter
    let logger: Logger

    private enum Ending { case clientClosed, evicted, serverStopped }

    func run() async throws {
        guard let projectID = try? ProjectID(String(request.uri.path.split(separator: "/").last ?? "")) else {
            return try await outbound.close(CloseCode.invalidRequest, reason: "invalid project id")
        }
        let query = request.uri.queryParameters
        let since = query["since"].map { Int(String($0)) }
        if let since, since == nil {
            return try await outbound.close(CloseCode.invalidRequest, reason: "'since' must be a sequence number")
        }
        let hub: ProjectHub
        let store: ProjectStore
        do {
            store = try await api.project(projectID, for: .read, caller: caller)
            hub = try await registry.hub(for: projectID)
        } catch StoreError.projectNotFound {
            return try await outbound.close(CloseCode.projectNotFound, reason: "project '\(projectID)' not found")
        } catch let error as StoreError {
            return try await outbound.close(CloseCode.forbidden, reason: String(error.description.prefix(120)))
        }
        let connection = UUID()
        let editor = caller.editor
        _ = try await api.io.run {
            try store.record(AuditEvent(.socketConnected, by: editor, data: ["connection": .string(connection.uuidString), "name": caller.name.json]))
        }
        let (kicks, kick) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let join = await hub.join(connection, caller: caller, since: since ?? nil, epoch: query["epoch"].map(String.init)) {
            kick.yield()
        }
        let metadata: Logger.Metadata = ["project": "\(projectID)", "user": "\(caller.user)", "session": "\(caller.session)", "connection": "\(connection)"]
        logger.info("socket connected", metadata: metadata)
        api.metrics.socketOpened(project: projectID.rawValue)

        let ending = await withTaskGroup(of: Ending.self) { group in
            group.addTask {
                do {
                    for text in join.initial { try await outbound.write(.text(text)) }
                    for await text in join.stream { try await outbound.write(.text(text)) }
                    return Task.isCancelled ? .serverStopped : .evicted
                } catch {
                    return .clientClosed
                }
            }
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: api.configuration.maxMessageBytes) {
                        await handle(message, hub: hub, store: store, connection: connection)
                    }
                } catch {
                    logger.debug("socket read ended", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                }
                return .clientClosed
            }
            group.addTask {
                for await _ in kicks { return .evicted }
                return .serverStopped
            }
            group.addTask {
                await keepLeasesAlive(store: store)
                return .serverStopped
            }
            let first = await group.next() ?? .serverStopped
            group.cancelAll()
            kick.finish()
            return first
        }

        api.metrics.socketClosed(project: projectID.rawValue)
        let sessionStillHere = await hub.leave(connection, session: caller.session)
        _ = try? await api.io.run {
            try store.record(AuditEvent(.socketDisconnected, by: editor, data: ["connection": .string(connection.uuidString), "ending": .string("\(ending)")]))
        }
        if !sessionStillHere {
            let released = (try? await api.io.run { try store.locks.releaseAll(of: editor, reason: .disconnect) }) ?? []
            api.locksEnded(released, reason: .disconnect, project: projectID)
        }
        logger.info("socket disconnected", metadata: metadata.merging(["ending": "\(ending)"]) { $1 })
        if ending == .evicted {
            try? await outbound.close(CloseCode.tooSlow, reason: "too slow: more than \(api.configuration.clientQueueLimit) frames queued")
        }
    }

    /// While the socket is connected (its pings answered), its session's locks stay leased.
    private func keepLeasesAlive(store: ProjectStore) async {
        let ttl = api.configuration.lockTTL
        let editor = caller.editor
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(max(0.2, ttl / 3)))
            if Task.isCancelled { break }
            _ = try? await api.io.run { try store.locks.refreshAll(of: editor, ttl: ttl) }
        }
    }
}
