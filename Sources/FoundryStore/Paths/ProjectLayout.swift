import Foundation

/// Where each file of one project lives under the workspace root.
///
/// ```
/// <root>/<project>/
///   project.json            manifest
///   objects/sha256/ab/cd…   blobs
///   drafts/000016.json      one record per version
///   locks/<field>.lock      held field locks (+ .token, the fencing counter)
///   audit.jsonl             hash-chained audit trail, one JSON entry a line
///   bundles/<name>/         a frozen release (written once, never changed)
///   .mutex                  flock target serializing changes
/// ```
public struct ProjectLayout: Sendable {
    public let directory: String

    public init(root: String, id: ProjectID) {
        directory = root + "/" + id.rawValue
    }

    public init(directory: String) {
        self.directory = directory
    }

    public var manifest: String { directory + "/project.json" }
    public var audit: String { directory + "/audit.jsonl" }
    public var drafts: String { directory + "/drafts" }
    public var objects: String { directory + "/objects/sha256" }
    public var locks: String { directory + "/locks" }
    /// Frozen releases: `bundles/<name>/` (MANIFEST.json, SHA256SUMS, files/…).
    public var bundles: String { directory + "/bundles" }
    var tokenCounter: String { locks + "/.token" }
    var mutex: String { directory + "/.mutex" }

    /// `drafts/000016.json`: six digits keep `ls` in version order.
    public func draft(_ version: Int) -> String {
        let digits = String(version)
        return drafts + "/" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".json"
    }

    /// The version a draft file name stands for, or `nil` for any other name.
    static func version(ofDraftFile name: String) -> Int? {
        guard name.hasSuffix(".json"), !name.hasPrefix(".") else { return nil }
        let digits = name.dropLast(5)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }

    public func blob(_ sha256: String) -> String {
        objects + "/" + sha256.prefix(2) + "/" + sha256.dropFirst(2)
    }

    public func bundle(_ name: BundleName) -> String {
        bundles + "/" + name.rawValue
    }

    public func lock(_ field: FieldName) -> String {
        locks + "/" + field.lockFileName
    }
}
