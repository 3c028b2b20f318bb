/// What a client may send on the socket:
/// `{"type": "LOCK_ACQUIRE" | "LOCK_RELEASE" | "LOCK_REFRESH", "field": "…", "ttl_seconds"?: n, "ref"?: "…"}`
/// or `{"type": "PING"}`. `ref` is echoed in the personal reply.
struct ClientMessage: Decodable {
    enum Kind: String, Decodable, CaseIterable {
        case lockAcquire = "LOCK_ACQUIRE"
        case lockRelease = "LOCK_RELEASE"
        case lockRefresh = "LOCK_REFRESH"
        case ping = "PING"
    }

    var type: String
    var field: String?
    var ttlSeconds: Double?
    var ref: String?

    enum CodingKeys: String, CodingKey {
        case type, field, ref
        case ttlSeconds = "ttl_seconds"
    }

    var kind: Kind? { Kind(rawValue: type) }
}
