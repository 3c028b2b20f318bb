import Foundation
import FoundryArchive

/// The files of a release, by path relative to its top directory:
///
/// ```
/// MANIFEST.json
/// SHA256SUMS          GNU format ("<hash>  <path>"), every other file, sorted
/// files/<field>       one per field, its exact bytes
/// signatures/<n>.json bundle only: each signature on the version, as in the project
/// foundry-keys.json   bundle only: the server's public keys (JWKS)
/// SEAL.json           bundle only: the server's signature of SHA256SUMS
/// ```
///
/// The same tree is written as `bundles/<name>/` at a freeze and packed
/// into the tarball of a version or a bundle.
public struct ReleaseTree: Sendable, Equatable {
    public static let manifestName = "MANIFEST.json"
    public static let checksumsName = "SHA256SUMS"
    public static let filesDirectory = "files"

    public var manifest: ReleaseManifest
    /// Every file (manifest and checksums included), path → bytes.
    public var files: [String: Data]

    /// The tree of `manifest` with the field bytes `contents` (`files/<field>` → bytes).
    init(manifest: ReleaseManifest, contents: [String: Data]) throws {
        self.manifest = manifest
        var files = contents
        files[Self.manifestName] = try CanonicalJSON.encode(manifest)
        files[Self.checksumsName] = Self.checksums(of: files)
        self.files = files
    }

    /// A tree as read back from disk.
    init(manifest: ReleaseManifest, files: [String: Data]) {
        self.manifest = manifest
        self.files = files
    }

    /// `sha256sum`'s output for `files`, sorted by path: what `sha256sum -c` checks
    /// (every file but itself and the seal that signs it).
    static func checksums(of files: [String: Data]) -> Data {
        let lines = files.keys.filter { $0 != checksumsName && $0 != sealName }.sorted().map { "\(Digest.sha256(files[$0]!))  \($0)\n" }
        return Data(lines.joined().utf8)
    }

    /// `<field>` → `files/<field>`.
    static func path(of field: String) -> String { filesDirectory + "/" + field }

    /// A reproducible `.tar.gz` of the tree under `top/`: sorted entries,
    /// owner 0/0, files 0644, directories 0755, every mtime `mtime`.
    public func tarball(top: String, mtime: Int) throws -> Data {
        let entries = files.map { TarEntry.file(top + "/" + $0.key, $0.value, mtime: mtime) }
        return try Gzip.compress(try TarArchive.make(TarArchive.addingParentDirectories(entries, mtime: mtime)))
    }
}
