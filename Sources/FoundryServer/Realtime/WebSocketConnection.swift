import Foundation
import FoundryStore
import Logging
import NIOWebSocket

/// The project side of one admitted socket: joins the project's hub (which
/// then writes the socket's frames through its `SocketOutbox`), answers the
/// client's lock messages, and on the way out releases the session's locks
/// (reason `disconnect`) when it was the session's last socket. While it is
/// connected, the realtime service keeps the session's lock leases alive.
///
/// `WebSocketPeer` calls `open`, then `handle` for each message, then
/// `close`, one after the other.
struct WebSocketConnection: Sendable {
    let api: FoundryAPI
    let registry: HubRegistry
    let ticket: WebSocketAdmission.Ticket
    let outbox: SocketOutbox
    let logger: Logger
    let id = UUID()

    /// A socket that joined its project.
    struct Session: Sendable {
        let hub: ProjectHub
        let store: ProjectStore
    }

    /// Why a socket ended, as the audit trail and the log record it.
    enum Ending: String, Sendable {
        case clientClosed, evicted, serverStopped, pingTimeout
    }

    var caller: Caller { ticket.caller }
    private var metadata: Logger.Metadata {
        ["project": "\(ticket.project)", "user": "\(caller.user)", "session": "\(caller.session)", "connection": "\(id)"]
    }

    /// Runs `body` as a change to the socket's project: its blocking calls
    /// pass the project's gate in `BlockingIO`, as those of an HTTP request
    /// that changes the project do, so a crowd of sockets taking locks in one
    /// project cannot occupy every I/O thread.
    func changingProject<T: Sendable>(_ body: () async -> T) async -> T {
        await BlockingIO.$changingProject.withValue(ticket.project.rawValue) { await body() }
    }

    /// The same for the socket's join and leave, which give way to changes
    /// waiting at the project's gate: a reconnect storm must not hold up saves.
    func joiningProject<T: Sendable>(_ body: () async -> T) async -> T {
        await BlockingIO.$inBackground.withValue(true) { await changingProject(body) }
    }

    /// Checks that the caller may read the project, records
    /// `socket.connected` and joins the hub, which sends the first frames
    /// (`SNAPSHOT`, or the replay of `?since=`) and `USER_JOINED` to the
    /// others. `nil`, with the socket closed and the reason given, when the
    /// project cannot be joined, or when too many sockets wait to join (1013
    /// with a retry hint).
    ///
    /// The hub is joined once the `socket.connected` line is written, while
    /// the group commit makes it durable (see docs/durability.md): presence
    /// is not a change of the project, and nothing the socket changes is
    /// acknowledged before a later flush of the same file. The socket's
    /// messages are handled once the line is durable; if it cannot be made
    /// durable the socket is closed (1011).
    func open() async -> Session? {
        switch await api.limits.joins.inTurn(.join, { await join() }) {
        case .success(let session):
            return session
        case .failure(let refusal):
            api.limits.refused(refusal)
            outbox.close(refusal.closeCode, reason: refusal.closeReason)
            return nil
        }
    }

    /// `open` in its turn: nothing is recorded for a socket that closed while it waited.
    private func join() async -> Session? {
        guard outbox.channel.isActive, !outbox.isClosing else { return nil }
        let session: Session
        let connected: Pending<AuditEntry>
        do {
            let (editor, id, name) = (caller.editor, id, caller.name.json)
            let (store, recorded) = try await api.project(ticket.project, for: .read, caller: caller) { store in
                store.submitRecord(AuditEvent(.socketConnected, by: editor, data: ["connection": .string(id.uuidString), "name": name]))
            }
            _ = try recorded.outcome.get()
            (session, connected) = (Session(hub: try await registry.hub(for: ticket.project), store: store), recorded)
        } catch StoreError.projectNotFound {
            outbox.close(WebSocketAdmission.CloseCode.projectNotFound, reason: "project '\(ticket.project)' not found")
            return nil
        } catch {
            // Not a member: 4403. Anything else (the disk refusing the audit line, say) is the server's: 1011.
            let apiError = ErrorMiddleware.apiError(for: error)
            let code = apiError.status == .forbidden ? WebSocketAdmission.CloseCode.forbidden : .unexpectedServerError
            outbox.close(code, reason: String(apiError.message.prefix(120)))
            return nil
        }
        await session.hub.join(id, caller: caller, since: ticket.since, epoch: ticket.epoch, outbox: outbox)
        logger.info("socket connected", metadata: metadata)
        api.metrics.socketOpened(project: ticket.project.rawValue)
        do {
            _ = try await connected.durable()
        } catch {
            // Closing the channel runs `close`, which leaves the hub.
            outbox.close(.unexpectedServerError, reason: "the audit trail could not be flushed")
        }
        return session
    }

    /// Leaves the hub, records `socket.disconnected`, and releases the
    /// session's locks if no other socket of the session is left.
    func close(_ session: Session, ending: Ending) async {
        _ = await api.limits.joins.inTurn(.leave) { await leave(session, ending: ending) }
    }

    private func leave(_ session: Session, ending: Ending) async {
        api.metrics.socketClosed(project: ticket.project.rawValue)
        let departure = await session.hub.leave(id, session: caller.session)
        let ending = departure.evicted ? .evicted : ending
        let (store, editor, id) = (session.store, caller.editor, id)
        _ = try? await api.io.run {
            store.submitRecord(AuditEvent(.socketDisconnected, by: editor, data: ["connection": .string(id.uuidString), "ending": .string(ending.rawValue)]))
        }.durable()
        if !departure.sessionStillHere {
            let released = (try? await api.io.run { try store.locks.releaseAll(of: editor, reason: .disconnect) }) ?? []
            api.locksEnded(released, reason: .disconnect, project: ticket.project)
        }
        logger.info("socket disconnected", metadata: metadata.merging(["ending": "\(ending.rawValue)"]) { $1 })
    }
}
