import Foundation

extension Workspace {
    /// Repairs, at startup, what a crash left: each project is checked as
    /// `foundry verify` checks it (under its mutex, held exclusively), and
    /// every interrupted change it names is finished as its note says
    /// (`CrashState.nextStart`): a manifest behind its newest record is
    /// brought forward; versions, annotations, lock grants and releases, run
    /// starts and ends, a member change or a freeze without their audit entry
    /// get one, marked `recorded_at_recovery`; release tombstones are
    /// removed; an incomplete console line nobody writes any more is cut off;
    /// temp files and half-built directories older than `age` are removed
    /// (younger ones may belong to another process at work). Damage is left
    /// as it is, for an operator to see with `foundry verify`: a start never
    /// writes an entry that would hide a removed line.
    ///
    /// - Returns: one line per repair, for the log.
    public func recover(olderThan age: TimeInterval = 600, now: Date = Date()) throws -> [String] {
        var repairs: [String] = []
        let verifier = Verifier(workspace: self)
        var leftovers = VerificationReport()
        verifier.verifyRootLeftovers(into: &leftovers)
        for finding in leftovers.findings where Self.isOlder(finding.path, than: age, now: now) {
            try FileManager.default.removeItem(atPath: finding.path)
            repairs.append("removed half-built project \(finding.path)")
        }
        for id in try projectIDs() {
            let store = try project(id)
            try store.mutex.withLock {
                let findings = verifier.check(store.layout, id: id, keys: nil, hashingContent: false).findings
                for finding in findings.findings {
                    guard let state = finding.state else { continue }
                    repairs += try store.repair(state, at: finding.path, olderThan: age, now: now)
                }
                if !findings.isClean {
                    repairs.append("\(id): \(findings.damage.count) finding(s) of damage left as they are; run `foundry verify`")
                }
            }
        }
        return repairs
    }

    static func isOlder(_ path: String, than age: TimeInterval, now: Date) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return now.timeIntervalSince1970 - Double(info.st_mtim.tv_sec) > age
    }
}
