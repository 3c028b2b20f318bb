import Foundation
import FoundryStore

extension WebSocketConnection {
    /// Answers one client message. Granted locks and releases are not
    /// answered here: the lock file changes, and the watcher broadcasts
    /// `LOCK_ACQUIRED` / `LOCK_RELEASED` to every socket, this one included.
    /// `text` is `nil` for a binary message.
    func handle(_ text: String?, in session: Session) async {
        let (hub, store, connection) = (session.hub, session.store, id)
        guard let text,
              let parsed = try? JSONDecoder().decode(ClientMessage.self, from: Data(text.utf8))
        else {
            return await hub.reply(connection, .error, ["code": "INVALID_JSON", "message": "send a JSON object with a 'type'"])
        }
        let ref = parsed.ref.json
        guard let kind = parsed.kind else {
            return await hub.reply(connection, .error, ["code": "UNKNOWN_TYPE", "message": .string("unknown message type '\(parsed.type)'"), "ref": ref])
        }
        if kind == .ping { return await hub.reply(connection, .pong, ["ref": ref]) }
        if let refusal = api.limits.changes.take(caller.user) {
            api.limits.refused(refusal)
            return await hub.reply(connection, .error, [
                "code": .string(refusal.code), "message": .string(refusal.message), "retry_after": .int(refusal.retryAfter), "ref": ref,
            ])
        }
        do {
            let field = try FieldName(parsed.field ?? "")
            let ttl = min(max(parsed.ttlSeconds ?? api.configuration.lockTTL, 1), 86_400)
            let editor = caller.editor
            let user = caller.user
            _ = try await api.io.run { try store.authorize(.edit, user: user) }
            switch kind {
            case .lockAcquire:
                _ = try await api.acquireLock(field, in: store, for: editor, ttl: ttl)
            case .lockRefresh:
                let lock = try await api.io.run { () -> Pending<FieldLock> in
                    guard try store.locks.current(field)?.holder == editor else {
                        throw StoreError.lockNotHeld(field: field.rawValue, reason: "only the holder refreshes a lock")
                    }
                    return store.locks.submitAcquire(field, for: editor, ttl: ttl).map(\.lock)
                }.durable()
                await hub.reply(connection, .lockRefreshed, ["field": .string(lock.field), "token": .int(lock.token), "expires_at": .string(lock.expiresAt), "ref": ref])
            case .lockRelease:
                let lock = try await api.io.run { store.locks.submitRelease(field, by: editor) }.durable()
                api.locksEnded([lock], reason: .cancel, project: store.id)
            case .ping:
                break
            }
        } catch StoreError.lockHeld(let holder) {
            await hub.reply(connection, .lockDenied, [
                "field": .string(holder.field), "holder": .string(holder.user), "holder_session": .string(holder.session),
                "expires_at": .string(holder.expiresAt), "ref": ref,
            ])
        } catch {
            let apiError = ErrorMiddleware.apiError(for: error)
            await hub.reply(connection, .error, ["code": .string(apiError.code), "message": .string(apiError.message), "ref": ref])
        }
    }
}

extension ProjectHub {
    func reply(_ connection: UUID, _ type: EventType, _ data: [String: JSONValue]) {
        reply(connection, type, .object(data))
    }
}
