/// What `POST /projects/{id}/freeze` and `foundry freeze` ask for.
public struct FreezeRequest: Sendable, Equatable {
    /// The bundle's name; default `<project>-<label>`.
    public var bundleName: BundleName?
    /// The version the caller means to freeze. A freeze always takes the
    /// head; naming a version that is no longer the head is refused (409),
    /// so nobody freezes a version they have not seen.
    public var expectedVersion: Int?
    /// The reason the `released` signature gives (optional).
    public var reason: String?

    public init(bundleName: BundleName? = nil, expectedVersion: Int? = nil, reason: String? = nil) {
        self.bundleName = bundleName
        self.expectedVersion = expectedVersion
        self.reason = reason
    }
}

/// A freeze done: the bundle, its manifest's hash, and the project now read-only.
public struct FreezeResult: Sendable, Equatable {
    public var bundle: BundleName
    public var path: String
    public var manifest: ReleaseManifest
    /// SHA-256 of `bundles/<name>/MANIFEST.json`, also in the audit entry.
    public var manifestSHA256: String
    /// `true` when a complete bundle of the same version, left by a freeze
    /// interrupted before the project turned read-only, was adopted.
    public var reused: Bool
    public var project: ProjectManifest
    /// The `released` signature this freeze wrote (`nil` when a bundle was adopted).
    public var signature: StoredSignature?
}
