import Foundation

/// The backup of one project directory, in three steps:
///
/// 1. `copyStable()`, with no lock: what never changes once written (blobs,
///    version and annotation records, bundles, finished runs, run payloads)
///    and the append-only files up to their last line end. This is nearly
///    all of the bytes.
/// 2. `readCut()`, under a shared hold of the project's mutex (the `flock`
///    every writer holds exclusively while it changes the project): only
///    reads, and only of what may have changed since step 1 — the manifest,
///    lock files, records numbered after the ones copied, the tails of the
///    append-only files, the records of runs still running. The state read
///    is the one between two changes.
/// 3. `write(_:)`, with the mutex let go: the cut is written to the
///    destination, with the immutable files it names that step 1 did not
///    copy and the blobs that new version records need.
struct ProjectBackup {
    let source: ProjectLayout
    let destination: ProjectLayout
    let writer: BackupWriter

    /// What step 1 copied, so that step 2 reads only what is newer.
    private(set) var copiedDrafts = 0
    private(set) var copiedAnnotations: [AnnotationSeries: Int] = [:]
    private(set) var copiedBundles: Set<String> = []
    private(set) var finishedRuns: Set<String> = []
    private(set) var seenRuns: Set<String> = []
    /// Bytes of each append-only file (by relative path) the destination holds.
    private(set) var appended: [String: Int] = [:]

    /// The entries of a project directory that step 1 copies (and step 2
    /// reads only the new part of); every other entry is read under the mutex.
    static let stableEntries: Set<String> = ["objects", "drafts", "comments", "tasks", "bundles", "runs", "audit.jsonl"]

    init(source: ProjectLayout, destination: ProjectLayout, writer: BackupWriter) {
        self.source = source
        self.destination = destination
        self.writer = writer
    }

    /// Runs the three steps and says what the copy holds.
    mutating func run() throws -> BackupReport.Project {
        try copyStable()
        let started = DispatchTime.now().uptimeNanoseconds
        let cut = try ProjectMutex(path: source.mutex).withSharedLock { try readCut() }
        let locked = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        try write(cut)
        return BackupReport.Project(id: (source.directory as NSString).lastPathComponent, headVersion: cut.headVersion, lockedSeconds: locked)
    }

    // MARK: - Step 1

    mutating func copyStable() throws {
        for name in ["drafts", "comments", "tasks", "bundles", "runs"] where FileIO.isDirectory(source.directory + "/" + name) {
            try writer.makeDirectory(destination.directory + "/" + name)
        }
        // Records are listed before the blobs (every blob a listed record names
        // was written before it) and copied after them, in the writers' order.
        let versions = try FileIO.list(source.drafts).compactMap(ProjectLayout.version(ofDraftFile:)).sorted()
        let annotations = try AnnotationSeries.allCases.map { series in
            (series, try FileIO.list(source.directory(of: series)).compactMap(AnnotationSeries.sequence(ofFile:)).sorted())
        }
        try copyTree("objects")
        for version in versions {
            try writer.copyImmutable(from: source.draft(version), to: destination.draft(version))
            copiedDrafts = version
        }
        for (series, sequences) in annotations {
            for sequence in sequences {
                try writer.copyImmutable(from: source.annotation(series, sequence), to: destination.annotation(series, sequence))
                copiedAnnotations[series] = sequence
            }
        }
        for name in try FileIO.list(source.bundles) where !BackupPath.isSkipped(name) {
            try copyTree("bundles/" + name)
            copiedBundles.insert(name)
        }
        for name in try FileIO.list(source.runs) where !BackupPath.isSkipped(name) {
            try copyRunPayload(name)
            seenRuns.insert(name)
            let record = source.runs + "/" + name + "/run.json"
            guard let data = try FileIO.read(record), let run = try? JSONDecoder().decode(RunRecord.self, from: data), run.isFinished,
                  let info = BackupWriter.status(of: record) else {
                try appendToLineEnd("runs/" + name + "/console.log")
                continue
            }
            try writer.replace(data, at: destination.runs + "/" + name + "/run.json", like: info)
            let console = "runs/" + name + "/console.log"
            if let size = BackupWriter.status(of: source.directory + "/" + console)?.st_size {
                appended[console] = try writer.append(from: source.directory + "/" + console, upTo: Int(size), to: destination.directory + "/" + console)
            }
            finishedRuns.insert(name)
        }
        try appendToLineEnd("audit.jsonl")
    }

    /// Copies every immutable file below `relative` (a bundle, a run's payload, the blobs).
    func copyTree(_ relative: String) throws {
        let path = source.directory + "/" + relative
        guard FileIO.isDirectory(path) else {
            if FileIO.exists(path) { try writer.copyImmutable(from: path, to: destination.directory + "/" + relative) }
            return
        }
        try writer.makeDirectory(destination.directory + "/" + relative)
        for name in try FileIO.list(path) where !BackupPath.isSkipped(name) {
            try copyTree(relative + "/" + name)
        }
    }

    private func copyRunPayload(_ run: String) throws {
        try copyTree("runs/" + run + "/payload.json")
        try copyTree("runs/" + run + "/payload")
    }

    /// Copies an append-only file up to its last line end: the bytes before
    /// it never change; a line being written is taken under the mutex.
    private mutating func appendToLineEnd(_ relative: String) throws {
        let path = source.directory + "/" + relative
        guard let size = BackupWriter.status(of: path)?.st_size else { return }
        let end = try Self.lastLineEnd(of: path, size: Int(size))
        appended[relative] = try writer.append(from: path, upTo: end, to: destination.directory + "/" + relative)
    }

    /// The offset just past the last `\n` of the file's first `size` bytes (0 when there is none).
    static func lastLineEnd(of path: String, size: Int) throws -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.system("open", path) }
        defer { close(fd) }
        var end = size
        while end > 0 {
            let start = max(0, end - 64 * 1024)
            let chunk = try FileIO.read(fd, offset: start, count: end - start, path: path)
            if let newline = chunk.lastIndex(of: UInt8(ascii: "\n")) { return start + (newline - chunk.startIndex) + 1 }
            end = start
        }
        return 0
    }
}
