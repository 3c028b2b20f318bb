import CXXHash
import Foundation

/// XXH3 fingerprints of files the watcher reported, so that a rewrite with
/// identical bytes (a manifest rewritten with the same head, a lock file
/// replaced by itself) is not reported twice.
struct Fingerprints {
    private var seen: [String: UInt64] = [:]

    /// Whether `path`'s content differs from the last time it was reported;
    /// records the new fingerprint. A file that cannot be read counts as changed.
    mutating func changed(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else {
            seen[path] = nil
            return true
        }
        let fingerprint = data.withUnsafeBytes { XXH3_64bits($0.baseAddress, $0.count) }
        defer { seen[path] = fingerprint }
        return seen[path] != fingerprint
    }

    mutating func forget(_ path: String) {
        seen[path] = nil
    }
}
