import Foundation
import FoundryStore
import Hummingbird

/// The optional body of `PUT /projects/{id}/locks/{field}`.
struct AcquireBody: Decodable {
    var ttlSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case ttlSeconds = "ttl_seconds"
    }
}

/// A lock as the API returns it after acquire or release.
struct LockResponse: Encodable {
    var lock: FieldLock
    var refreshed: Bool?
    var reason: LockReleaseReason?

    enum CodingKeys: String, CodingKey {
        case field, user, session, token, refreshed, reason
        case acquiredAt = "acquired_at"
        case expiresAt = "expires_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lock.field, forKey: .field)
        try container.encode(lock.user, forKey: .user)
        try container.encode(lock.session, forKey: .session)
        try container.encode(lock.token, forKey: .token)
        try container.encode(lock.acquiredAt, forKey: .acquiredAt)
        try container.encode(lock.expiresAt, forKey: .expiresAt)
        try container.encodeIfPresent(refreshed, forKey: .refreshed)
        try container.encodeIfPresent(reason, forKey: .reason)
    }
}

extension FoundryAPI {
    /// Field locks over HTTP: acquire or refresh, release (cancel or an owner's force), list.
    func addLockRoutes(to router: Router<FoundryRequestContext>) {
        router.put("/projects/:id/locks/**") { request, context -> Response in
            let caller = try context.requireCaller()
            let field = try context.parameters.fieldName()
            let store = try await project(context, for: .edit)
            let data = try await JSON.bodyData(of: request, limit: configuration.maxBodyBytes)
            var ttl = configuration.lockTTL
            if !data.isEmpty {
                guard let body = try? JSONDecoder().decode(AcquireBody.self, from: data) else {
                    throw APIError.badRequest("INVALID_JSON", "the body must be empty or {\"ttl_seconds\": number}")
                }
                if let seconds = body.ttlSeconds {
                    guard seconds >= 1, seconds <= 86_400 else { throw APIError.badRequest("INVALID_ARGUMENT", "ttl_seconds must be from 1 to 86400") }
                    ttl = seconds
                }
            }
            let acquisition = try await acquireLock(field, in: store, for: caller.editor, ttl: ttl)
            return try JSON.response(LockResponse(lock: acquisition.lock, refreshed: acquisition.refreshed))
        }

        router.delete("/projects/:id/locks/**") { request, context -> Response in
            let caller = try context.requireCaller()
            let field = try context.parameters.fieldName()
            let store = try await project(context, for: .edit)
            let force = request.uri.queryParameters["force"] == "true"
            let lock = try await io.run { () -> Pending<FieldLock> in
                if force { try store.authorize(.manage, user: caller.user) }
                return store.locks.submitRelease(field, by: caller.editor, force: force)
            }.durable()
            locksEnded([lock], reason: force && lock.holder != caller.editor ? .forced : .cancel, project: store.id)
            return try JSON.response(LockResponse(lock: lock, reason: force && lock.holder != caller.editor ? .forced : .cancel))
        }

        router.get("/projects/:id/locks") { _, context -> Response in
            let store = try await project(context, for: .read)
            let now = Date()
            let locks = try await io.run { try store.locks.all().filter { !$0.isExpired(at: now) } }
            return try JSON.response(["locks": locks.map { LockResponse(lock: $0) }])
        }
    }
}
