/// Every way a store operation can refuse or fail.
///
/// Each case names the thing that was wrong so that the HTTP layer can map it
/// to one status code and a JSON body (see `StoreError+HTTP.swift` in
/// FoundryServer) and the CLI can print it as is.
public enum StoreError: Error, Sendable, Equatable {
    /// A project id that is not a valid slug.
    case invalidProjectID(String)
    /// A field name that is not an allowed relative path.
    case invalidFieldName(String, reason: String)
    /// A request value that cannot be used, with the reason.
    case invalidArgument(String)
    /// A field's bytes are not UTF-8 text.
    case invalidUTF8(field: String)
    case projectNotFound(String)
    case projectExists(String)
    case versionNotFound(project: String, version: Int)
    case fieldNotFound(field: String, version: Int)
    /// Lines that are not lines of the field in that version (1 ≤ start ≤ end ≤ line count).
    case invalidRange(field: String, version: Int, lineStart: Int?, lineEnd: Int?, lineCount: Int)
    case commentNotFound(String)
    case taskNotFound(String)
    /// The task was deleted (its history is kept, but it cannot change).
    case taskDeleted(String)
    /// The field is locked by another user session.
    case lockHeld(FieldLock)
    /// The caller does not hold the lock it needs (missing, expired or another token).
    case lockNotHeld(field: String, reason: String)
    /// A field the save writes changed after the save's base version.
    case staleBase(field: String, base: Int, changedIn: Int)
    case nothingToUndo(field: String)
    case nothingToRedo(field: String)
    case projectFrozen(String)
    /// The user's role (or lack of one) does not permit the action.
    case forbidden(user: String, action: String, project: String, role: String?)
    case memberNotFound(user: String, project: String)
    /// The change would leave the project without an owner.
    case lastOwner(project: String)
    /// The file system refused to store more bytes (ENOSPC, EDQUOT, EFBIG).
    case storageFull(path: String)
    /// Another writer took the version number; the caller may retry.
    case conflict(String)
    case runNotFound(project: String, run: String)
    /// The run has ended; its console and record are sealed.
    case runFinished(run: String, state: String)
    /// Output over HTTP goes to external runs only; a server process owns this run's console.
    case runNotExternal(run: String)
    /// `POST …/runs` without `external` on a server started without `--runner`.
    case runnerNotConfigured
    /// The runner's shell could not be executed; no run was created.
    case runnerFailedToStart(reason: String)
    /// A system call failed.
    case io(path: String, operation: String, errno: Int32)
    /// A file on disk does not hold what it must.
    case corrupt(path: String, reason: String)
    /// A bundle name that is not an allowed slug.
    case invalidBundleName(String)
    /// A freeze of a project that is frozen already (into `bundle`).
    case alreadyFrozen(project: String, bundle: String?)
    /// Live field locks stand in the way of a freeze.
    case locksHeld([FieldLock])
    /// A JSON/JSONL/YAML field of `version` does not parse; freeze and export refuse it.
    case invalidContent(field: String, version: Int, problem: SyntaxProblem)
    /// `bundles/<name>` exists and cannot be this freeze's bundle.
    case bundleExists(String, reason: String)
    case bundleNotFound(project: String, bundle: String)
    /// This workspace has no server key; signatures, checkpoints and freezes need one.
    case signingUnavailable
    /// A freeze needs more `approved` signatures on the head version than it has.
    case approvalsMissing(ApprovalShortfall)
    /// The signer's authentication lacks identification components this signing needs (21 CFR 11.200).
    case authenticationComponentsMissing(missing: [String], present: [String], firstInSession: Bool)
}

extension StoreError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidProjectID(let id):
            return "invalid project id \(quoted(id)): use 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit"
        case .invalidFieldName(let name, let reason):
            return "invalid field name \(quoted(name)): \(reason)"
        case .invalidArgument(let reason):
            return reason
        case .invalidUTF8(let field):
            return "field \(quoted(field)) is not valid UTF-8 text"
        case .projectNotFound(let id):
            return "project \(quoted(id)) not found"
        case .projectExists(let id):
            return "project \(quoted(id)) already exists"
        case .versionNotFound(let project, let version):
            return "version \(version) of project \(quoted(project)) not found"
        case .fieldNotFound(let field, let version):
            return "field \(quoted(field)) not found in version \(version)"
        case .invalidRange(let field, let version, let start, let end, let count):
            let lines = "\(start.map(String.init) ?? "?")-\(end.map(String.init) ?? "?")"
            return "lines \(lines) are not lines of field \(quoted(field)) in version \(version), which has \(count) line(s); use 1 ≤ line_start ≤ line_end ≤ \(count)"
        case .commentNotFound(let id):
            return "comment \(quoted(id)) not found"
        case .taskNotFound(let id):
            return "task \(quoted(id)) not found"
        case .taskDeleted(let id):
            return "task \(quoted(id)) was deleted; its history is kept but it cannot change"
        case .lockHeld(let lock):
            return "field \(quoted(lock.field)) is locked by \(lock.user) (session \(lock.session)) until \(lock.expiresAt)"
        case .lockNotHeld(let field, let reason):
            return "you do not hold the lock on field \(quoted(field)): \(reason)"
        case .staleBase(let field, let base, let changedIn):
            return "field \(quoted(field)) changed in version \(changedIn), after your base version \(base); reload and reapply your edit"
        case .nothingToUndo(let field):
            return "nothing to undo for field \(quoted(field))"
        case .nothingToRedo(let field):
            return "nothing to redo for field \(quoted(field))"
        case .projectFrozen(let id):
            return "project \(quoted(id)) is frozen and read-only"
        case .forbidden(let user, let action, let project, let role):
            let who = role.map { "\(quoted(user)) is a \($0) of project \(quoted(project))" } ?? "\(quoted(user)) is not a member of project \(quoted(project))"
            return "\(who) and may not \(action.replacingOccurrences(of: "_", with: " "))"
        case .memberNotFound(let user, let project):
            return "\(quoted(user)) is not a member of project \(quoted(project))"
        case .lastOwner(let project):
            return "project \(quoted(project)) needs at least one owner; make another member owner first"
        case .storageFull(let path):
            return "not enough storage to write \(path) (the disk is full, or a quota or file size limit was reached); nothing was changed"
        case .conflict(let reason):
            return reason
        case .runNotFound(let project, let run):
            return "run \(quoted(run)) of project \(quoted(project)) not found"
        case .runFinished(let run, let state):
            return "run \(quoted(run)) has already ended (\(state)); its console is sealed"
        case .runNotExternal(let run):
            return "run \(quoted(run)) is a process of the server; only external runs take output over HTTP"
        case .runnerNotConfigured:
            return "this server has no runner: start it with --runner '<command with {payload} and {run}>', or create an external run with {\"external\": true}"
        case .runnerFailedToStart(let reason):
            return "the runner could not be started: \(reason); no run was created"
        case .io(let path, let operation, let errno):
            return "\(operation) \(path) failed: \(String(cString: strerror(errno)))"
        case .corrupt(let path, let reason):
            return "\(path): \(reason)"
        case .invalidBundleName(let name):
            return "invalid bundle name \(quoted(name)): use 1-100 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit"
        case .alreadyFrozen(let project, let bundle):
            return "project \(quoted(project)) is already frozen" + (bundle.map { " into bundle \(quoted($0))" } ?? "") + "; a bundle never changes"
        case .locksHeld(let locks):
            let held = locks.map { "\(quoted($0.field)) by \($0.user) (session \($0.session))" }.joined(separator: ", ")
            return "cannot freeze while fields are locked: \(held); save or release them first"
        case .invalidContent(let field, let version, let problem):
            return "field \(quoted(field)) of version \(version) is not valid: line \(problem.line), column \(problem.column): \(problem.message)"
        case .bundleExists(let name, let reason):
            return "bundle \(quoted(name)) already exists: \(reason)"
        case .bundleNotFound(let project, let bundle):
            return "bundle \(quoted(bundle)) of project \(quoted(project)) not found"
        case .signingUnavailable:
            return "this workspace was opened without the server's signing key; signatures, checkpoints and freezes need it"
        case .approvalsMissing(let shortfall):
            return shortfall.description
        case .authenticationComponentsMissing(let missing, let present, let first):
            let which = first ? "the first signing of a session needs every component" : "a later signing in the session needs one of the components"
            return "\(which) (\(missing.joined(separator: ", "))); the token's amr has [\(present.joined(separator: ", "))]: authenticate again with them"
        }
    }

    private func quoted(_ text: String) -> String {
        "'" + text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : $0.escaped(asASCII: true) }.joined() + "'"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
