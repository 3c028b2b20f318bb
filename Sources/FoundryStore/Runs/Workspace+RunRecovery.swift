import Foundation

extension Workspace {
    /// At startup: a run still `running` whose supervising server process is
    /// gone (it crashed, or the machine rebooted) is marked `lost`; run
    /// directories left half-built (`runs/.tmp-*`) older than `age` are removed.
    /// External runs are left alone: their runner talks HTTP and may go on.
    ///
    /// - Parameter takingOver: a standby being promoted: the server it takes
    ///   over from is down (that is why clients came here), so a run that a
    ///   server on another host supervised is lost too — its output went to
    ///   that host's disk.
    /// - Returns: one line per repair, for the log.
    public func recoverRuns(olderThan age: TimeInterval = 600, now: Date = Date(), takingOver: Bool = false) throws -> [String] {
        var repairs: [String] = []
        for id in try projectIDs() {
            let store = try project(id)
            for name in try FileIO.list(store.layout.runs) {
                let path = store.layout.runs + "/" + name
                if name.hasPrefix(FileIO.tempPrefix) {
                    var info = stat()
                    if stat(path, &info) == 0, now.timeIntervalSince1970 - Double(info.st_mtim.tv_sec) > age {
                        try FileManager.default.removeItem(atPath: path)
                        repairs.append("removed half-built run \(path)")
                    }
                    continue
                }
                guard let run = try? RunID(name), let record = try? store.runRecord(run), !record.isFinished, !record.external,
                      record.supervisor.map({ $0.isGone || (takingOver && $0.host != RunSupervisorID.current.host) }) ?? true
                else { continue }
                let reason = "the server supervising it (pid \(record.supervisor.map { String($0.pid) } ?? "unknown")) stopped before the run ended"
                if try store.markLost(run, reason: reason, now: now) != nil {
                    repairs.append("\(id): run \(run) marked lost (\(reason))")
                }
            }
        }
        return repairs
    }
}
