/// What `foundry verify` found: damage (exit non-zero) and notes (states a
/// crash leaves, or harmless leftovers), each naming the file.
public struct VerificationReport: Sendable {
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public enum Severity: String, Sendable { case damage, note }
        public var severity: Severity
        public var path: String
        public var message: String
        /// For a note about an interrupted change: which state it is, so that
        /// a tool (the kill -9 suite) can check what the next start did with it.
        public var state: CrashState?
        public var description: String { "\(severity == .damage ? "DAMAGE" : "note"): \(path): \(message)" }
    }

    public var findings: [Finding] = []
    public var projectsChecked = 0
    public var versionsChecked = 0
    public var blobsChecked = 0
    public var bundlesChecked = 0
    public var annotationsChecked = 0
    public var runsChecked = 0
    public var signaturesChecked = 0
    public var checkpointsChecked = 0

    public var damage: [Finding] { findings.filter { $0.severity == .damage } }
    public var isClean: Bool { damage.isEmpty }

    mutating func damage(_ path: String, _ message: String) {
        findings.append(Finding(severity: .damage, path: path, message: message))
    }

    mutating func note(_ path: String, _ message: String) {
        findings.append(Finding(severity: .note, path: path, message: message))
    }

    /// A note naming an interrupted, never acknowledged change: what it is,
    /// then what the next start does with it.
    mutating func interrupted(_ state: CrashState, _ path: String, _ what: String) {
        findings.append(Finding(severity: .note, path: path, message: "\(what); \(state.nextStart)", state: state))
    }
}
