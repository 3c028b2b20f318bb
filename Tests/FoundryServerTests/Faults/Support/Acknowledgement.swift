import Foundation
import FoundryStore

/// What a client saw acknowledged (a whole 2xx reply): a promise the files
/// must keep after any crash. Each kind of write the load generator performs
/// contributes its case, and says here how the promise is checked on disk.
enum Acknowledgement: Sendable {
    /// 201 to a save: version `version` holds exactly `bytes` in `field`, by this user and session.
    case saved(version: Int, field: String, bytes: Data, user: String, session: String)
    /// 201 to a revert, undo or redo: version `version` exists, of that kind, by this user and session.
    case versionCreated(version: Int, kind: String, user: String, session: String, revertedTo: Int?)
    /// 200 to a lock acquisition (not a refresh): the fencing token is this session's alone.
    case lockGranted(field: String, session: String, token: Int, expiresAt: String)
    /// 200 to a release, or a lock a save released.
    case lockReleased(field: String, token: Int)
    /// 201 to a comment: a `created` record of that comment holds the text, by this user and session.
    case commented(id: String, text: String, user: String, session: String)
    /// 200 to output appended to an external run: `console.log` holds the line at `offset`.
    case output(run: String, offset: Int, text: String)
    /// 201 to a signature: `file` holds exactly the record acknowledged (its SHA-256), of that version, meaning, user and session.
    case signed(file: String, sha256: String, version: Int, meaning: String, user: String, session: String)

    var version: Int? {
        switch self {
        case .saved(let version, _, _, _, _), .versionCreated(let version, _, _, _, _): version
        case .lockGranted, .lockReleased, .commented, .output, .signed: nil
        }
    }

    /// Problems with this promise in the project directory `directory` (empty when kept).
    func problems(in directory: String) -> [String] {
        let layout = ProjectLayout(directory: directory)
        switch self {
        case .saved(let version, let field, let bytes, let user, let session):
            guard let record = Self.record(layout, version) else { return ["acknowledged save v\(version) has no readable record"] }
            var problems: [String] = []
            if record.authorID != user || record.sessionID != session {
                problems.append("v\(version) is attributed to \(record.authorID)/\(record.sessionID), the save was \(user)/\(session)")
            }
            guard let entry = record.fields[field] else { return problems + ["v\(version) lacks field \(field)"] }
            if entry.sha256 != Digest.sha256(bytes) { problems.append("v\(version) field \(field) names blob \(entry.sha256), not the bytes sent") }
            let blob = FileManager.default.contents(atPath: layout.blob(entry.sha256))
            if blob != bytes { problems.append("v\(version) field \(field): blob bytes (\(blob?.count ?? -1)) differ from the \(bytes.count) bytes sent") }
            return problems
        case .versionCreated(let version, let kind, let user, let session, let revertedTo):
            guard let record = Self.record(layout, version) else { return ["acknowledged \(kind) v\(version) has no readable record"] }
            var problems: [String] = []
            if record.kind.rawValue != kind { problems.append("v\(version) is a \(record.kind.rawValue), the reply said \(kind)") }
            if record.authorID != user || record.sessionID != session {
                problems.append("v\(version) is attributed to \(record.authorID)/\(record.sessionID), the \(kind) was \(user)/\(session)")
            }
            if let revertedTo {
                let target = Self.record(layout, revertedTo)
                if target?.fields.mapValues(\.sha256) != record.fields.mapValues(\.sha256) {
                    problems.append("revert v\(version) does not equal v\(revertedTo)")
                }
            }
            return problems
        case .commented(let id, let text, let user, let session):
            // Only records: a `.tmp-*` leftover of an interrupted create may hold
            // a never-acknowledged record with the same number as a later one.
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/comments")) ?? []).filter { !$0.hasPrefix(".") }
            let records = names.compactMap { name in
                FileManager.default.contents(atPath: directory + "/comments/" + name).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
            }
            guard let created = records.first(where: { $0["comment_id"] as? String == id && $0["event"] as? String == "created" }) else {
                return ["acknowledged comment \(id) has no created record"]
            }
            if created["text"] as? String != text || created["author_id"] as? String != user || created["session_id"] as? String != session {
                return ["comment \(id) does not hold the text, user and session acknowledged"]
            }
            return []
        case .output(let run, let offset, let text):
            let console = FileManager.default.contents(atPath: directory + "/runs/" + run + "/console.log") ?? Data()
            guard offset < console.count else { return ["acknowledged output at \(offset) of \(run) is beyond its console (\(console.count) bytes)"] }
            let line = console[(console.startIndex + offset)...].prefix { $0 != 10 }
            let json = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            if (json?["text"] as? String)?.trimmingCharacters(in: .newlines) != text { return ["console of \(run) at \(offset) does not hold the acknowledged line"] }
            return []
        case .signed(let file, let sha256, let version, let meaning, let user, let session):
            guard let data = FileManager.default.contents(atPath: directory + "/" + file), Digest.sha256(data) == sha256,
                  let payload = try? JSONDecoder().decode(SignatureRecord.self, from: data).payload
            else { return ["acknowledged signature \(file) is missing or not the record acknowledged"] }
            if payload.version != version || payload.meaning.rawValue != meaning || payload.signerID != user || payload.session != session {
                return ["signature \(file) does not hold the version, meaning, user and session acknowledged"]
            }
            return []
        case .lockGranted, .lockReleased:
            return []
        }
    }

    private static func record(_ layout: ProjectLayout, _ version: Int) -> DraftRecord? {
        guard let data = FileManager.default.contents(atPath: layout.draft(version)) else { return nil }
        return try? JSONDecoder().decode(DraftRecord.self, from: data)
    }
}

/// Files in a project directory that a reader could take for real entries
/// while they are not whole: every non-temp name in `drafts/`, `locks/`,
/// `comments/` and `objects/` must parse or hash to its name. Returns the problems and the
/// number of `.tmp-*` leftovers (which every reader ignores).
func halfWrittenFiles(in directory: String) -> (problems: [String], leftovers: [String]) {
    let layout = ProjectLayout(directory: directory)
    var problems: [String] = []
    var leftovers: [String] = []
    let fm = FileManager.default
    func names(_ path: String) -> [String] { ((try? fm.contentsOfDirectory(atPath: path)) ?? []).sorted() }
    for name in names(layout.drafts) {
        let path = layout.drafts + "/" + name
        if name.hasPrefix(FileIO.tempPrefix) { leftovers.append(path); continue }
        guard let data = fm.contents(atPath: path), (try? JSONDecoder().decode(DraftRecord.self, from: data)) != nil else {
            problems.append("\(path) is not a whole draft record"); continue
        }
    }
    for name in names(layout.locks) {
        let path = layout.locks + "/" + name
        if name.hasPrefix(FileIO.tempPrefix) || name.hasPrefix(LockTombstone.prefix) { leftovers.append(path); continue }
        if name == ".token" {
            if Int(String(decoding: fm.contents(atPath: path) ?? Data(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) == nil {
                problems.append("\(path) is not a whole token counter")
            }
            continue
        }
        // A lock can be released (renamed away) between the listing and the read.
        guard let data = fm.contents(atPath: path) else { continue }
        if (try? JSONDecoder().decode(FieldLock.self, from: data)) == nil { problems.append("\(path) is not a whole lock record") }
    }
    for name in names(directory + "/comments") {
        let path = directory + "/comments/" + name
        if name.hasPrefix(FileIO.tempPrefix) { leftovers.append(path); continue }
        guard let data = fm.contents(atPath: path), (try? JSONSerialization.jsonObject(with: data)) != nil else {
            problems.append("\(path) is not a whole comment record"); continue
        }
    }
    for prefix in names(layout.objects) {
        let sub = layout.objects + "/" + prefix
        if prefix.hasPrefix(".") { leftovers.append(sub); continue }
        for rest in names(sub) {
            let path = sub + "/" + rest
            if rest.hasPrefix(".") { leftovers.append(path); continue }
            if (try? Digest.sha256(fileAt: path)) != prefix + rest { problems.append("\(path) does not hash to its name") }
        }
    }
    for name in names(directory) where name.hasPrefix(FileIO.tempPrefix) { leftovers.append(directory + "/" + name) }
    if let data = fm.contents(atPath: layout.manifest), (try? JSONDecoder().decode(ProjectManifest.self, from: data)) == nil {
        problems.append("\(layout.manifest) is not a whole manifest")
    }
    return (problems, leftovers)
}

/// Acknowledged lock grants and releases that have no entry in the project's
/// `audit.jsonl`: each is appended and `fsync`ed before the reply is sent.
func unauditedLocks(_ acknowledgements: [Acknowledgement], in directory: String) -> [String] {
    let text = String(decoding: FileManager.default.contents(atPath: directory + "/audit.jsonl") ?? Data(), as: UTF8.self)
    var entries: Set<String> = []
    for line in text.split(separator: "\n") {
        guard let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let type = entry["type"] as? String, let data = entry["data"] as? [String: Any],
              let field = data["field"] as? String, let token = data["token"] as? Int
        else { continue }
        entries.insert("\(type) \(field) #\(token)")
    }
    return acknowledgements.compactMap { ack in
        switch ack {
        case .lockGranted(let field, _, let token, _):
            entries.contains("lock.acquired \(field) #\(token)") ? nil : "acknowledged lock \(field) #\(token) has no lock.acquired audit entry"
        case .lockReleased(let field, let token):
            entries.contains("lock.released \(field) #\(token)") ? nil : "acknowledged release of \(field) #\(token) has no lock.released audit entry"
        case .saved, .versionCreated, .commented, .output, .signed:
            nil
        }
    }
}
