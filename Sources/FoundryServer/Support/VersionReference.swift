import FoundryStore

/// A version named in a URL: a number, or `current` / `head` for the newest.
enum VersionReference {
    static func resolve(_ text: String, in store: ProjectStore) throws -> Int {
        if text == "current" || text == "head" {
            let head = try store.headVersion()
            guard head > 0 else { throw StoreError.versionNotFound(project: store.id.rawValue, version: 0) }
            return head
        }
        guard let version = Int(text), version >= 1, text.count <= 9 else {
            throw APIError.badRequest("INVALID_VERSION", "'\(text)' is not a version: use a number from 1, or 'current'")
        }
        return version
    }
}
