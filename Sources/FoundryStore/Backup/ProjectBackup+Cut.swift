import Foundation

/// What a backup reads of a project under its mutex: the state between two changes.
struct ProjectCut {
    struct File {
        var relative: String
        var data: Data
        var info: stat
    }

    /// Files read whole (manifest, lock files, records of runs in progress, anything unknown).
    var files: [File] = []
    /// The directories of the part read whole (`locks/`, even when empty).
    var directories: [String] = []
    /// Append-only files: the bytes after what step 1 copied (`data` starts at `appended[relative]`).
    var tails: [File] = []
    var newDrafts: [Int] = []
    var newAnnotations: [(AnnotationSeries, Int)] = []
    var newBundles: [String] = []
    var newRuns: [String] = []
    var headVersion = 0
}

extension ProjectBackup {
    /// Step 2: call with the project's mutex held (shared). Reads only.
    func readCut() throws -> ProjectCut {
        var cut = ProjectCut()
        var version = copiedDrafts
        while FileIO.exists(source.draft(version + 1)) { version += 1 }
        cut.newDrafts = Array(stride(from: copiedDrafts + 1, through: version, by: 1))
        cut.headVersion = version
        for series in AnnotationSeries.allCases {
            var sequence = copiedAnnotations[series] ?? 0
            while FileIO.exists(source.annotation(series, sequence + 1)) {
                sequence += 1
                cut.newAnnotations.append((series, sequence))
            }
        }
        cut.newBundles = try FileIO.list(source.bundles).filter { !BackupPath.isSkipped($0) && !copiedBundles.contains($0) }
        for name in try FileIO.list(source.runs) where !BackupPath.isSkipped(name) && !finishedRuns.contains(name) {
            if !seenRuns.contains(name) { cut.newRuns.append(name) }
            try readFile("runs/" + name + "/run.json", into: &cut.files)
            try readTail("runs/" + name + "/console.log", into: &cut)
        }
        try readTail("audit.jsonl", into: &cut)
        for name in try FileIO.list(source.directory) where !BackupPath.isSkipped(name) {
            guard !Self.stableEntries.contains(name) else { continue }
            try readTree(name, into: &cut)
        }
        return cut
    }

    /// Step 3: writes the cut and the immutable files it names, in the
    /// writers' own order (blobs, records, manifest and locks, the audit
    /// trail last), so that a backup interrupted half-way leaves what a
    /// crash of the server could have left.
    func write(_ cut: ProjectCut) throws {
        for relative in cut.directories { try writer.makeDirectory(destination.directory + "/" + relative) }
        for version in cut.newDrafts {
            guard let data = try FileIO.read(source.draft(version)) else { continue }
            let record = try CanonicalJSON.decode(DraftRecord.self, from: data, path: source.draft(version))
            for entry in record.fields.values {
                try writer.copyImmutable(from: source.blob(entry.sha256), to: destination.blob(entry.sha256))
            }
            try writer.copyImmutable(from: source.draft(version), to: destination.draft(version))
        }
        for (series, sequence) in cut.newAnnotations {
            try writer.copyImmutable(from: source.annotation(series, sequence), to: destination.annotation(series, sequence))
        }
        for name in cut.newBundles { try copyTree("bundles/" + name) }
        for name in cut.newRuns {
            try copyTree("runs/" + name + "/payload.json")
            try copyTree("runs/" + name + "/payload")
        }
        // Audit checkpoints name lines of the trail: like the server, write them after it.
        let checkpoints = cut.files.filter { $0.relative.hasPrefix("checkpoints/") }
        for file in cut.files where !file.relative.hasPrefix("checkpoints/") {
            try writer.replace(file.data, at: destination.directory + "/" + file.relative, like: file.info)
        }
        try removeFilesNotIn(cut)
        for tail in cut.tails {
            let path = destination.directory + "/" + tail.relative
            // Without a first part copied in step 1, the tail is the whole file.
            if appended[tail.relative] == nil { try writer.replace(tail.data, at: path, like: tail.info) }
            else { try writer.appendBytes(tail.data, to: path, like: tail.info) }
        }
        for file in checkpoints {
            try writer.replace(file.data, at: destination.directory + "/" + file.relative, like: file.info)
        }
    }

    // MARK: - Reading under the mutex

    private func readFile(_ relative: String, into files: inout [ProjectCut.File]) throws {
        let path = source.directory + "/" + relative
        guard let info = BackupWriter.status(of: path), let data = try FileIO.read(path) else { return }
        files.append(.init(relative: relative, data: data, info: info))
    }

    /// Every file below `relative` (the manifest, `locks/`, a directory this
    /// version of the backup does not know), read whole.
    private func readTree(_ relative: String, into cut: inout ProjectCut) throws {
        let path = source.directory + "/" + relative
        guard FileIO.isDirectory(path) else { return try readFile(relative, into: &cut.files) }
        cut.directories.append(relative)
        for name in try FileIO.list(path) where !BackupPath.isSkipped(name) {
            try readTree(relative + "/" + name, into: &cut)
        }
    }

    private func readTail(_ relative: String, into cut: inout ProjectCut) throws {
        let path = source.directory + "/" + relative
        guard let info = BackupWriter.status(of: path) else { return }
        let offset = appended[relative] ?? 0
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.system("open", path) }
        defer { close(fd) }
        let data = try FileIO.read(fd, offset: offset, count: max(0, Int(info.st_size) - offset), path: path)
        cut.tails.append(.init(relative: relative, data: data, info: info))
    }

    // MARK: - Writing

    /// Files of the destination's mutable part (manifest, `locks/`, unknown
    /// directories) that the cut does not have: a lock released since an
    /// earlier backup into the same directory.
    private func removeFilesNotIn(_ cut: ProjectCut) throws {
        let kept = Set(cut.files.map(\.relative))
        for name in try FileIO.list(destination.directory) where !BackupPath.isSkipped(name) {
            guard !Self.stableEntries.contains(name) else { continue }
            for relative in try destinationFiles(below: name) where !kept.contains(relative) {
                try writer.remove(destination.directory + "/" + relative)
            }
        }
    }

    private func destinationFiles(below relative: String) throws -> [String] {
        let path = destination.directory + "/" + relative
        guard FileIO.isDirectory(path) else { return [relative] }
        return try FileIO.list(path).filter { !BackupPath.isSkipped($0) }.flatMap { try destinationFiles(below: relative + "/" + $0) }
    }
}
