import Foundation

/// `bundles/<name>/` on disk: written once, atomically, and read back.
///
/// Writing builds the whole tree in `bundles/.tmp-<name>-<random>/` (every
/// file created exclusively, mode 0444, `fsync`ed; every directory
/// `fsync`ed), then renames it into place and `fsync`s `bundles/`: a crash
/// leaves no bundle or a complete one, plus at worst a temp directory that
/// the next start removes.
enum BundleDirectory {
    static func write(_ tree: ReleaseTree, to path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        try FileIO.makeDirectory(parent)
        let temp = parent + "/" + FileIO.tempPrefix + name + "-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        guard mkdir(temp, 0o755) == 0 else { throw StoreError.system("mkdir", temp) }
        do {
            var directories: Set<String> = [temp]
            for (relative, data) in tree.files.sorted(by: { $0.key < $1.key }) {
                var parts = relative.split(separator: "/").dropLast()
                var chain: [String] = []
                while !parts.isEmpty {
                    chain.append(temp + "/" + parts.joined(separator: "/"))
                    parts = parts.dropLast()
                }
                for directory in chain.reversed() where !directories.contains(directory) {
                    guard mkdir(directory, 0o755) == 0 else { throw StoreError.system("mkdir", directory) }
                    directories.insert(directory)
                }
                try FileIO.createReadOnly(data, at: temp + "/" + relative)
            }
            // Deepest first, so each directory's entries are durable before its parent's.
            for directory in directories.sorted(by: { $0.count > $1.count }) { try FileIO.syncDirectory(directory) }
            guard rename(temp, path) == 0 else {
                if errno == EEXIST || errno == ENOTEMPTY { throw StoreError.bundleExists(name, reason: "another process wrote it meanwhile") }
                throw StoreError.system("rename", path)
            }
            try FileIO.syncDirectory(parent)
        } catch {
            try? FileManager.default.removeItem(atPath: temp)
            throw error
        }
    }

    /// Every regular file below `path`, by relative path.
    static func files(in path: String) throws -> [String: Data] {
        var found: [String: Data] = [:]
        func walk(_ relative: String) throws {
            let directory = relative.isEmpty ? path : path + "/" + relative
            for name in try FileIO.list(directory) {
                let child = relative.isEmpty ? name : relative + "/" + name
                if FileIO.isDirectory(path + "/" + child) {
                    try walk(child)
                } else if let data = try FileIO.read(path + "/" + child) {
                    found[child] = data
                }
            }
        }
        try walk("")
        return found
    }

    /// The bundle at `path` read back and checked: `SHA256SUMS` names exactly
    /// the other files and each hash matches, and `MANIFEST.json` parses and
    /// lists exactly the field files with their hashes. Throws `corrupt`
    /// naming the first problem.
    static func read(_ path: String) throws -> ReleaseTree {
        let files = try files(in: path)
        guard let manifestData = files[ReleaseTree.manifestName] else {
            throw StoreError.corrupt(path: path, reason: "\(ReleaseTree.manifestName) is missing")
        }
        guard let sums = files[ReleaseTree.checksumsName] else {
            throw StoreError.corrupt(path: path, reason: "\(ReleaseTree.checksumsName) is missing")
        }
        let manifest = try CanonicalJSON.decode(ReleaseManifest.self, from: manifestData, path: path + "/" + ReleaseTree.manifestName)
        if sums != ReleaseTree.checksums(of: files) {
            let listed = parseChecksums(sums)
            for relative in files.keys.sorted() where relative != ReleaseTree.checksumsName && relative != ReleaseTree.sealName {
                guard let hash = listed[relative] else {
                    throw StoreError.corrupt(path: path + "/" + relative, reason: "not listed in \(ReleaseTree.checksumsName)")
                }
                if hash != Digest.sha256(files[relative]!) {
                    throw StoreError.corrupt(path: path + "/" + relative, reason: "content does not match its SHA-256 in \(ReleaseTree.checksumsName)")
                }
            }
            for relative in listed.keys.sorted() where files[relative] == nil {
                throw StoreError.corrupt(path: path + "/" + relative, reason: "listed in \(ReleaseTree.checksumsName) but missing")
            }
            throw StoreError.corrupt(path: path + "/" + ReleaseTree.checksumsName, reason: "not in the canonical form (sorted \"<sha256>  <path>\" lines)")
        }
        let fieldFiles = Set(files.keys.filter { $0.hasPrefix(ReleaseTree.filesDirectory + "/") })
        guard fieldFiles == Set(manifest.fields.values.map(\.path)) else {
            throw StoreError.corrupt(path: path + "/" + ReleaseTree.manifestName, reason: "its fields do not match the files under \(ReleaseTree.filesDirectory)/")
        }
        for (name, field) in manifest.fields.sorted(by: { $0.key < $1.key }) where field.path != ReleaseTree.path(of: name) || Digest.sha256(files[field.path]!) != field.sha256 {
            throw StoreError.corrupt(path: path + "/" + field.path, reason: "does not match field \(name) of \(ReleaseTree.manifestName)")
        }
        for signature in manifest.signatures ?? [] where files[signature.file].map(Digest.sha256) != signature.sha256 {
            throw StoreError.corrupt(path: path + "/" + signature.file, reason: "missing, or does not match its SHA-256 in \(ReleaseTree.manifestName)")
        }
        var expected = fieldFiles.union([ReleaseTree.manifestName, ReleaseTree.checksumsName]).union((manifest.signatures ?? []).map(\.file))
        if let keys = manifest.signingKeys { expected.formUnion([keys, ReleaseTree.sealName]) }
        guard Set(files.keys) == expected else {
            let extra = Set(files.keys).subtracting(expected).sorted(), missing = expected.subtracting(files.keys).sorted()
            throw StoreError.corrupt(path: path, reason: extra.isEmpty ? "lacks \(missing.joined(separator: ", "))" : "holds files its manifest does not name: \(extra.joined(separator: ", "))")
        }
        return ReleaseTree(manifest: manifest, files: files)
    }

    private static func parseChecksums(_ data: Data) -> [String: String] {
        var listed: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            listed[String(parts[1].drop(while: { $0 == " " || $0 == "*" }))] = String(parts[0])
        }
        return listed
    }
}
