/// A state of the files that only a change interrupted by a crash (kill -9
/// or power loss) leaves, before the change was acknowledged. `foundry
/// verify` names each as a note with what the next start does with it;
/// anything a crash cannot leave (an edited, removed or reordered line or
/// record) is damage. docs/crash-safety.md has the table, per write.
public enum CrashState: String, Sendable, CaseIterable, Codable {
    /// A `.tmp-*` file of a write cut short (temp, `fsync`, `link`/`rename`).
    case tempFile = "temp-file"
    /// A `.tmp-*` directory: a project, bundle or run built under a temp name, never renamed into place.
    case tempDirectory = "temp-directory"
    /// A blob no version names: a save stopped between its blobs and its record.
    case orphanBlob = "orphan-blob"
    /// The newest version record(s) without their `draft.*` audit entry.
    case unauditedVersion = "unaudited-version"
    /// `project.json` names an older head than the newest record.
    case manifestBehind = "manifest-behind"
    /// `audit.jsonl` ends in a line without its newline: an append cut short.
    case tornAuditLine = "torn-audit-line"
    /// The newest annotation record(s) of a series without their audit entry.
    case unauditedAnnotation = "unaudited-annotation"
    /// A lock file whose grant has no `lock.acquired` entry.
    case unauditedLockGrant = "unaudited-lock-grant"
    /// A release tombstone (`locks/.released-*`) whose `lock.released` entry is missing.
    case unauditedLockRelease = "unaudited-lock-release"
    /// A release tombstone whose `lock.released` entry is written: only its unlink is missing.
    case releasedLockTombstone = "released-lock-tombstone"
    /// `locks/.token` is past every token in use: a grant stopped after taking its number.
    case reservedLockTokens = "reserved-lock-tokens"
    /// `locks/.token` is behind a lock file whose grant has no audit entry: the counter's rename was lost in the same power loss.
    case tokenCounterBehind = "token-counter-behind"
    /// A published run directory without its `run.started` entry.
    case unauditedRunStart = "unaudited-run-start"
    /// A run whose `run.json` says it ended, without its end entry.
    case unauditedRunEnd = "unaudited-run-end"
    /// `console.log` of a run nobody writes any more ends in a line without its newline.
    case tornConsoleLine = "torn-console-line"
    /// `project.json` lists members the trail's `member.*` entries do not give: the newest change's entry is missing.
    case unauditedMemberChange = "unaudited-member-change"
    /// `project.json` says frozen, the trail has no `project.frozen` entry.
    case unauditedFreeze = "unaudited-freeze"
    /// A complete bundle while the project is still open: a freeze stopped before `project.json` said frozen.
    case bundleWithoutFreeze = "bundle-without-freeze"

    /// What the next `foundry serve` does with this state (its startup
    /// recovery, `Workspace.recover`), in the words `verify` prints.
    public var nextStart: String {
        switch self {
        case .tempFile, .tempDirectory:
            "readers ignore it; a start removes it once it is older than 10 minutes (until then it may belong to another process at work)"
        case .orphanBlob:
            "the next start keeps it: content-addressed and harmless, a later save of the same bytes uses it"
        case .unauditedVersion, .unauditedAnnotation:
            "the next start appends its audit entry, marked recorded_at_recovery"
        case .manifestBehind:
            "the next start moves the manifest's head to the newest record"
        case .tornAuditLine:
            "readers ignore it; the next append (the next start's, when it has entries to add, else the next change's) cuts it off and records audit.repaired with its length and SHA-256"
        case .unauditedLockGrant:
            "the next start appends its lock.acquired entry, marked recorded_at_recovery; the lock then expires or is released as usual"
        case .unauditedLockRelease:
            "the next start appends its lock.released entry, marked recorded_at_recovery, and removes the tombstone"
        case .releasedLockTombstone:
            "the next start removes it"
        case .reservedLockTokens:
            "the next start keeps the counter: those tokens are never granted, so no fencing token is ever issued twice"
        case .tokenCounterBehind:
            "the next start raises the counter to the largest token on disk, so no fencing token is ever issued twice"
        case .unauditedRunStart:
            "the next start appends its run.started entry, marked recorded_at_recovery"
        case .unauditedRunEnd:
            "the next start appends its end entry, marked recorded_at_recovery"
        case .tornConsoleLine:
            "the next start cuts the incomplete line off (no reply acknowledged it)"
        case .unauditedMemberChange:
            "the next start appends the member entry, marked recorded_at_recovery"
        case .unauditedFreeze:
            "the next start appends its project.frozen entry, marked recorded_at_recovery"
        case .bundleWithoutFreeze:
            "the next start keeps it; a freeze of the same version under the same name adopts it (reused_bundle)"
        }
    }
}
