import Foundation

/// A directory of agent assets on disk (what `foundry import` reads): every
/// regular file below it becomes a field named by its relative path. Hidden
/// names (starting with `.`) are skipped; a name that is not a valid field
/// name or a file that is not UTF-8 text refuses the whole import.
public enum AssetDirectory {
    public static func read(_ path: String) throws -> [FieldName: String] {
        guard FileIO.isDirectory(path) else { throw StoreError.invalidArgument("\(path) is not a directory") }
        var fields: [FieldName: String] = [:]
        try collect(path, prefix: "", into: &fields)
        guard !fields.isEmpty else { throw StoreError.invalidArgument("\(path) holds no asset files") }
        return fields
    }

    private static func collect(_ directory: String, prefix: String, into fields: inout [FieldName: String]) throws {
        for name in try FileIO.list(directory) where !name.hasPrefix(".") {
            let path = directory + "/" + name
            let relative = prefix.isEmpty ? name : prefix + "/" + name
            if FileIO.isDirectory(path) {
                try collect(path, prefix: relative, into: &fields)
                continue
            }
            let field = try FieldName(relative)
            guard let data = try FileIO.read(path) else { continue }
            guard let text = String(validating: data, as: UTF8.self) else { throw StoreError.invalidUTF8(field: relative) }
            fields[field] = text
        }
    }
}

extension ProjectStore {
    /// Makes `fields` the whole content of a new version (kind `import`):
    /// fields absent from `fields` are removed. Returns `nil` when nothing differs.
    /// Refused when a field it changes is locked by another session.
    public func importVersion(_ fields: [FieldName: String], by identity: EditorIdentity, message: String? = nil, now: Date = Date()) throws -> StoredDraft? {
        let blobs = stagingBlobs()
        defer { blobs.discard() }
        let entries = Dictionary(uniqueKeysWithValues: try fields.map { ($0.rawValue, try blobs.entry(for: $0, text: $1)) })
        if !groupCommit.ordering.isJournalled { try blobs.flush() }
        return try mutex.commit(auditedIn: audit, via: groupCommit) { writes -> StoredDraft? in
            try requireOpenLocked()
            let head = try self.head()?.record.fields ?? [:]
            guard entries != head else { return nil }
            for name in Set(head.keys).union(entries.keys) where head[name]?.sha256 != entries[name]?.sha256 {
                try locks.requireNotHeldByOthers(try FieldName(name), identity: identity, now: now)
            }
            return try commitLocked(PendingVersion(kind: .import, fields: entries, identity: identity, message: message, blobs: blobs), in: writes, now: now)
        }.wait()
    }
}
