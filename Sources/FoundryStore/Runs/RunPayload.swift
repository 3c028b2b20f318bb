import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `payload.json` beside a run's `payload/` directory: what was exported,
/// so a runner (and an auditor) can check every file against its hash.
///
/// It sits beside `payload/`, not in it, because a field may itself be
/// called `payload.json`.
public struct RunPayloadManifest: Codable, Sendable, Equatable {
    public static let currentFormat = "foundry.payload/1"

    public var format: String = RunPayloadManifest.currentFormat
    public var projectID: String
    public var runID: String
    public var version: Int
    public var label: String
    public var draftID: String
    public var exportedAt: String
    public var fields: [String: Field]

    /// One exported file: `payload/<name>`.
    public struct Field: Codable, Sendable, Equatable {
        public var sha256: String
        public var size: Int
        public var format: FieldFormat
    }

    enum CodingKeys: String, CodingKey {
        case format, version, label, fields
        case projectID = "project_id"
        case runID = "run_id"
        case draftID = "draft_id"
        case exportedAt = "exported_at"
    }
}

/// Writes a version's fields as files for a runner: the file-tree twin of
/// the JSON export payload (`ProjectStore.exportPayload`), refusing the same
/// invalid content with the same error.
enum RunPayload {
    /// Writes `draft`'s fields under `layout.payload` (files 0444, each
    /// `fsync`ed, then every directory) and `payload.json` beside it.
    ///
    /// - Returns: the SHA-256 of `payload.json`.
    /// - Throws: `invalidContent` (before writing anything) when a field does not parse as its format.
    static func write(_ draft: StoredDraft, of store: ProjectStore, run: RunID, into layout: RunLayout, now: Date) throws -> String {
        let record = draft.record
        if let invalid = ProjectStore.invalidContent(in: draft) { throw invalid }
        var directories: Set<String> = [layout.payload]
        try FileIO.makeDirectory(layout.payload)
        for (name, entry) in record.fields.sorted(by: { $0.key < $1.key }) {
            let path = layout.payload + "/" + name
            var parent = (path as NSString).deletingLastPathComponent
            while parent.count > layout.payload.count, directories.insert(parent).inserted {
                parent = (parent as NSString).deletingLastPathComponent
            }
            try FileIO.makeDirectory((path as NSString).deletingLastPathComponent)
            let data = try store.blobs.get(entry.sha256)
            guard Digest.sha256(data) == entry.sha256 else {
                throw StoreError.corrupt(path: store.layout.blob(entry.sha256), reason: "blob does not hash to its name")
            }
            try FileIO.createReadOnly(data, at: path)
        }
        let manifest = RunPayloadManifest(
            projectID: record.projectID, runID: run.rawValue, version: record.versionNumber, label: record.label,
            draftID: draft.id, exportedAt: Timestamp.string(from: now),
            fields: record.fields.mapValues { RunPayloadManifest.Field(sha256: $0.sha256, size: $0.size, format: $0.format) }
        )
        let data = try CanonicalJSON.encode(manifest)
        try FileIO.createReadOnly(data, at: layout.payloadManifest)
        for directory in directories.sorted(by: { $0.count > $1.count }) { try FileIO.syncDirectory(directory) }
        try FileIO.syncDirectory(layout.directory)
        return Digest.sha256(data)
    }
}
