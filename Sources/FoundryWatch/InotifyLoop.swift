import CInotifyTools
import Foundation
import FoundryStore

/// The watcher thread's state and loop. Everything here is confined to that
/// one thread, which is why it needs no locks.
final class InotifyLoop {
    struct Configuration: Sendable {
        var root: String
        var descriptor: Int32
        var wakeReader: Int32
        var control: WatchControl
        var continuation: AsyncStream<WatchEvent>.Continuation
    }

    private let configuration: Configuration
    private var directories: [Int32: (path: String, kind: WatchedDirectory)] = [:]
    private var fingerprints = Fingerprints()
    private var batch: [WatchEvent] = []

    init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    func run() {
        watchRoot(announce: false)
        configuration.control.markStarted()
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let state = configuration.control.takeState()
            if state.stopping { break }
            var fds = [pollfd(fd: configuration.wakeReader, events: Int16(POLLIN), revents: 0)]
            if !state.paused { fds.append(pollfd(fd: configuration.descriptor, events: Int16(POLLIN), revents: 0)) }
            guard poll(&fds, nfds_t(fds.count), -1) >= 0 || errno == EINTR else { break }
            if fds[0].revents != 0 { drainWakePipe() }
            if fds.count > 1, fds[1].revents != 0 { readEvents(into: &buffer) }
        }
        close(configuration.descriptor)
        close(configuration.wakeReader)
        configuration.continuation.finish()
        configuration.control.markStopped()
    }

    private func drainWakePipe() {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(configuration.wakeReader, &scratch, scratch.count) > 0 {}
    }

    private func readEvents(into buffer: inout [UInt8]) {
        let count = buffer.withUnsafeMutableBytes { read(configuration.descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return }
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset + 16 <= count {
                let wd = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                let length = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                let nameBytes = raw[(offset + 16)..<(offset + 16 + length)].prefix { $0 != 0 }
                handle(wd: wd, mask: mask, name: String(decoding: nameBytes, as: UTF8.self))
                offset += 16 + length
            }
        }
        flush()
    }

    private func handle(wd: Int32, mask: UInt32, name: String) {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 {
            emit(WatchEvent(project: "*", kind: .overflow))
            watchRoot(announce: true)
            return
        }
        guard let directory = directories[wd] else { return }
        if mask & UInt32(IN_IGNORED) != 0 {
            directories[wd] = nil
            if let project = directory.kind.project, FileIO.isDirectory(directory.path) {
                watch(directory.path, as: directory.kind)
                emit(WatchEvent(project: project, kind: .overflow))
            }
            return
        }
        let path = directory.path + "/" + name
        let isDirectory = mask & UInt32(IN_ISDIR) != 0
        let arrived = mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0
        switch directory.kind {
        case .root where isDirectory && arrived:
            if (try? ProjectID(name)) != nil { watchProject(name, announce: true) }
        case .project(let project) where isDirectory && arrived:
            watchSubdirectory(name, of: project, announce: true)
        case .runs(let project) where isDirectory && arrived:
            watchRun(name, of: project, announce: true)
        default:
            let flags = PathClassifier.Flags(
                created: mask & UInt32(IN_CREATE) != 0, movedIn: mask & UInt32(IN_MOVED_TO) != 0,
                closedAfterWrite: mask & UInt32(IN_CLOSE_WRITE) != 0, deleted: mask & UInt32(IN_DELETE) != 0,
                modified: mask & UInt32(IN_MODIFY) != 0
            )
            guard let project = directory.kind.project,
                  let kind = PathClassifier.classify(directory.kind, name: name, flags: flags)
            else { return }
            switch kind {
            case .manifestChanged, .lockChanged, .lockCreated, .runChanged:
                guard fingerprints.changed(path) else { return }
            case .lockReleased(let field, _, _):
                fingerprints.forget(directory.path + "/" + field.replacingOccurrences(of: "/", with: "%2F") + ".lock")
            default:
                break
            }
            emit(WatchEvent(project: project, kind: kind))
        }
    }

    // MARK: Watches

    private func watchRoot(announce: Bool) {
        watch(configuration.root, as: .root)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: configuration.root)) ?? [] where (try? ProjectID(name)) != nil {
            if FileIO.isDirectory(configuration.root + "/" + name) { watchProject(name, announce: announce) }
        }
    }

    private func watchProject(_ project: String, announce: Bool) {
        let path = configuration.root + "/" + project
        watch(path, as: .project(project))
        if announce { emit(WatchEvent(project: project, kind: .projectAppeared)) }
        for sub in ["drafts", "locks", "runs"] + WatchEvent.AnnotationKind.allCases.map(\.rawValue) where FileIO.isDirectory(path + "/" + sub) {
            watchSubdirectory(sub, of: project, announce: announce)
        }
    }

    /// Watches a subdirectory of a project (`drafts/`, `locks/`, `comments/`,
    /// `tasks/`, `runs/` and each run in it); when announcing, reports what is
    /// already inside (it may have been written before the watch existed).
    private func watchSubdirectory(_ name: String, of project: String, announce: Bool) {
        guard let kind = WatchedDirectory.projectSubdirectory(name, of: project) else { return }
        let path = configuration.root + "/" + project + "/" + name
        watch(path, as: kind)
        if case .runs = kind {
            let runs = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
            for run in runs where PathClassifier.isRunName(run) && FileIO.isDirectory(path + "/" + run) {
                watchRun(run, of: project, announce: announce)
            }
        } else if announce {
            announceExisting(in: path, as: kind)
        }
    }

    private func watchRun(_ run: String, of project: String, announce: Bool) {
        guard PathClassifier.isRunName(run) else { return }
        let path = configuration.root + "/" + project + "/runs/" + run
        let kind = WatchedDirectory.run(project, run: run)
        watch(path, as: kind)
        if announce { announceExisting(in: path, as: kind) }
    }

    private func announceExisting(in path: String, as kind: WatchedDirectory) {
        guard let project = kind.project else { return }
        let existing = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
        for entry in existing {
            let flags = PathClassifier.Flags(created: true, movedIn: false, closedAfterWrite: true, deleted: false)
            if let event = PathClassifier.classify(kind, name: entry, flags: flags) {
                switch event {
                case .lockCreated, .runChanged: _ = fingerprints.changed(path + "/" + entry)
                default: break
                }
                emit(WatchEvent(project: project, kind: event))
            }
        }
    }

    private func watch(_ path: String, as kind: WatchedDirectory) {
        let mask: Int32
        switch kind {
        case .root: mask = Int32(IN_CREATE | IN_MOVED_TO | IN_ONLYDIR)
        case .project: mask = Int32(IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR)
        case .drafts, .annotations, .runs: mask = Int32(IN_CREATE | IN_MOVED_TO | IN_ONLYDIR)
        case .locks: mask = Int32(IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_ONLYDIR)
        case .run: mask = Int32(IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_MODIFY | IN_ONLYDIR)
        }
        let wd = inotify_add_watch(configuration.descriptor, path, UInt32(bitPattern: mask))
        if wd >= 0 { directories[wd] = (path, kind) }
    }

    // MARK: Delivery

    /// Queues an event for this read's batch, dropping an identical one already queued.
    private func emit(_ event: WatchEvent) {
        if !batch.contains(event) { batch.append(event) }
    }

    private func flush() {
        for event in batch { configuration.continuation.yield(event) }
        batch.removeAll(keepingCapacity: true)
    }
}
