import Foundation

/// `SEAL.json` of a bundle: the server's signature over its `SHA256SUMS`
/// (which names every other file, `MANIFEST.json` included), so that a
/// bundle edited anywhere — and its checksums recomputed to match — no
/// longer verifies. It stands outside `SHA256SUMS`, which cannot name a file
/// that names it; `sha256sum -c SHA256SUMS` works as before.
public struct SealPayload: Codable, Sendable, Equatable {
    public static let currentFormat = "foundry.seal/1"

    public var format: String = SealPayload.currentFormat
    public var projectID: String
    public var bundle: String
    public var version: Int
    public var draftID: String
    /// SHA-256 of `SHA256SUMS`.
    public var checksumsSHA256: String
    /// SHA-256 of `MANIFEST.json`.
    public var manifestSHA256: String
    public var sealedAt: String

    enum CodingKeys: String, CodingKey {
        case format, bundle, version
        case projectID = "project_id"
        case draftID = "draft_id"
        case checksumsSHA256 = "checksums_sha256"
        case manifestSHA256 = "manifest_sha256"
        case sealedAt = "sealed_at"
    }
}

public typealias BundleSeal = Signed<SealPayload>

extension ReleaseTree {
    public static let sealName = "SEAL.json"
    public static let keysName = "foundry-keys.json"

    /// The tree with `SEAL.json` signed by `key`.
    func sealed(bundle: BundleName, key: ServerKey, at time: String) throws -> ReleaseTree {
        var tree = self
        let payload = SealPayload(
            projectID: manifest.projectID, bundle: bundle.rawValue, version: manifest.version, draftID: manifest.draftID,
            checksumsSHA256: Digest.sha256(files[Self.checksumsName] ?? Data()), manifestSHA256: Digest.sha256(files[Self.manifestName] ?? Data()),
            sealedAt: time
        )
        tree.files[Self.sealName] = try CanonicalJSON.encode(try BundleSeal(signing: payload, with: key))
        return tree
    }
}
