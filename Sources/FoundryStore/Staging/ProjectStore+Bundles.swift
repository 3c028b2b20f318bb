import Foundation

/// Reading the bundles of a (frozen) project.
extension ProjectStore {
    /// The names of the complete bundles under `bundles/` (temp directories skipped), sorted.
    public func bundleNames() throws -> [BundleName] {
        try FileIO.list(layout.bundles).compactMap { name in
            guard let bundle = try? BundleName(name), FileIO.isDirectory(layout.bundle(bundle)) else { return nil }
            return bundle
        }
    }

    /// Bundle `name` read back and checked against its `SHA256SUMS` and
    /// `MANIFEST.json`; `bundleNotFound` when absent, `corrupt` when damaged.
    public func bundle(_ name: BundleName) throws -> ReleaseTree {
        let path = layout.bundle(name)
        guard FileIO.isDirectory(path) else { throw StoreError.bundleNotFound(project: id.rawValue, bundle: name.rawValue) }
        return try BundleDirectory.read(path)
    }

    /// The reproducible `.tar.gz` of bundle `name`: its files under `<name>/`,
    /// every mtime its freeze time. Refused (`corrupt`) when a file no longer
    /// matches its checksum.
    public func bundleArchive(_ name: BundleName) throws -> (name: String, data: Data) {
        let tree = try bundle(name)
        let time = tree.manifest.frozenAt ?? tree.manifest.createdAt
        return (name.rawValue + ".tar.gz", try tree.tarball(top: name.rawValue, mtime: Self.seconds(time)))
    }
}
