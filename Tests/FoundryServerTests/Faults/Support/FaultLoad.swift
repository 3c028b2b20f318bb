import Foundation
import Synchronization

/// One kind of write the kill loop's clients perform, chosen at random with
/// `weight`. A new kind of write (comments, run output) is one more case
/// here, its requests in `LoadWorker.perform`, and — when its reply promises
/// something about the files — an `Acknowledgement` case that checks it.
enum LoadOperation: CaseIterable, Sendable {
    /// Lock the worker's own field (or refresh it).
    case lock
    /// Lock, then save new text into the own field (the save releases the lock).
    case save
    /// The same with `keep_locks`, so locks are held when the server dies.
    case saveKeepingLock
    /// Release the own field's lock.
    case release
    /// Revert the whole project to an earlier version.
    case revert
    case undo
    case redo
    /// Race the other workers for the shared field's lock, then let it go.
    case contend
    /// Comment on the first line of the own field at the known head.
    case comment
    /// Append a line to the worker's external run (created on first use).
    case runOutput
    /// Sign the known head (an electronic signature: record, audit entry, checkpoints).
    case sign

    var weight: Int {
        switch self {
        case .save: 30
        case .saveKeepingLock: 15
        case .lock, .release, .contend: 10
        case .revert: 7
        case .undo: 10
        case .redo: 8
        case .comment, .runOutput: 8
        case .sign: 6
        }
    }

    static func pick<R: RandomNumberGenerator>(using random: inout R) -> LoadOperation {
        var roll = Int.random(in: 0..<allCases.reduce(0) { $0 + $1.weight }, using: &random)
        for operation in allCases {
            if roll < operation.weight { return operation }
            roll -= operation.weight
        }
        return .save
    }
}

/// One client of the kill loop: a user session with a field of its own,
/// issuing `LoadOperation`s over fresh HTTP connections on its own thread
/// until told to stop. Everything a whole 2xx reply promised is recorded as
/// an `Acknowledgement`; a request cut off by the kill promises nothing.
final class LoadWorker: @unchecked Sendable {
    // @unchecked: all mutable state is touched only by the one thread that runs
    // `run(until:)`; other threads read `acknowledgements` after joining it
    // (and `savesAcknowledged`, an atomic, at any time).
    static let sharedField = "shared/contended.txt"
    let user: String
    let token: String
    let session: String
    let field: String
    let project: String
    let port: Int
    private var random: SeededRandom
    private var knownHead: Int
    private var run: String?
    private(set) var acknowledgements: [Acknowledgement] = []
    private(set) var requests = 0
    private(set) var cutOff = 0
    /// Saves acknowledged so far, readable while the worker runs.
    let savesAcknowledged = Atomic(0)

    init(user: String, token: String, session: String, field: String, project: String, port: Int, seed: UInt64, knownHead: Int) {
        self.user = user
        self.token = token
        self.session = session
        self.field = field
        self.project = project
        self.port = port
        self.random = SeededRandom(seed: seed)
        self.knownHead = knownHead
    }

    /// The fault suites' four clients (`KillLoop.workers`) for one round against `port`, each seeded from `seed` and its place.
    static func crew(sessions: [String], tokens: [String: String], port: Int, seed: UInt64, round: Int, knownHead: Int) -> [LoadWorker] {
        KillLoop.workers.enumerated().map { index, worker in
            LoadWorker(user: worker.user, token: tokens[worker.user]!, session: sessions[index], field: worker.field,
                       project: KillLoop.project, port: port, seed: seed &+ UInt64(round * 16 + index), knownHead: knownHead)
        }
    }

    /// Starts each of `workers` on a Dispatch thread until `stop` is set; wait on the group for them to end.
    static func start(_ workers: [LoadWorker], until stop: StopFlag) -> DispatchGroup {
        let group = DispatchGroup()
        for worker in workers { DispatchQueue.global().async(group: group) { worker.run(until: stop) } }
        return group
    }

    /// Issues operations until `stop` is set; a refused connection (the server is gone) ends the loop too.
    func run(until stop: StopFlag) {
        while !stop.isSet {
            let operation = LoadOperation.pick(using: &random)
            do {
                try perform(operation)
            } catch HTTPFailure.connect {
                cutOff += 1
                return
            } catch {
                cutOff += 1
            }
        }
    }

    func perform(_ operation: LoadOperation) throws {
        switch operation {
        case .lock:
            try acquire(field)
        case .save, .saveKeepingLock:
            guard try acquire(field) else { return }
            try save(keepLock: operation == .saveKeepingLock)
        case .release:
            try release(field)
        case .revert:
            guard knownHead > 1 else { return }
            let target = Int.random(in: 1...knownHead, using: &random)
            let reply = try call("POST", "/projects/\(project)/revert", ["to_version": target, "message": "revert by \(session)"])
            if reply.status == 201 { recordVersion(reply, kind: "revert", revertedTo: target) }
        case .undo, .redo:
            let action = operation == .undo ? "undo" : "redo"
            let reply = try call("POST", "/projects/\(project)/fields/\(field)/\(action)")
            if reply.status == 201 { recordVersion(reply, kind: action, revertedTo: nil) }
        case .contend:
            if try acquire(Self.sharedField) { try release(Self.sharedField) }
        case .comment:
            let text = "comment \(Int.random(in: 0..<1_000_000, using: &random)) by \(session)"
            let reply = try call("POST", "/projects/\(project)/comments", ["version": knownHead, "field": field, "line_start": 1, "line_end": 1, "text": text])
            if reply.status == 201, let id = reply.json["id"] as? String {
                acknowledgements.append(.commented(id: id, text: text, user: user, session: session))
            }
        case .runOutput:
            if run == nil {
                let reply = try call("POST", "/projects/\(project)/runs", ["external": true])
                guard reply.status == 201, let id = reply.json["run_id"] as? String else { return }
                run = id
            }
            guard let run else { return }
            let text = "step \(Int.random(in: 0..<1_000_000, using: &random)) of \(session)"
            let reply = try call("POST", "/projects/\(project)/runs/\(run)/output", ["stream": "stdout", "text": text])
            if reply.status == 200, let offset = reply.json["offset"] as? Int {
                acknowledgements.append(.output(run: run, offset: offset, text: text))
            }
        case .sign:
            let meanings = user == "alice" ? ["authored", "reviewed", "approved"] : ["authored", "reviewed"]
            let meaning = meanings[Int.random(in: 0..<meanings.count, using: &random)]
            let reply = try call("POST", "/projects/\(project)/signatures", ["version": knownHead, "meaning": meaning])
            if reply.status == 201, let file = reply.json["file"] as? String, let sha256 = reply.json["sha256"] as? String {
                acknowledgements.append(.signed(file: file, sha256: sha256, version: knownHead, meaning: meaning, user: user, session: session))
            }
        }
    }

    /// PUT the lock; `true` when this session holds it afterwards.
    @discardableResult
    private func acquire(_ name: String) throws -> Bool {
        let reply = try call("PUT", "/projects/\(project)/locks/\(name)")
        guard reply.status == 200 else { return false }
        let json = reply.json
        if json["refreshed"] as? Bool == false, let token = json["token"] as? Int {
            acknowledgements.append(.lockGranted(field: name, session: session, token: token, expiresAt: json["expires_at"] as? String ?? ""))
        }
        return true
    }

    private func release(_ name: String) throws {
        let reply = try call("DELETE", "/projects/\(project)/locks/\(name)")
        if reply.status == 200, let token = reply.json["token"] as? Int {
            acknowledgements.append(.lockReleased(field: name, token: token))
        }
    }

    private func save(keepLock: Bool) throws {
        let text = randomText()
        let reply = try call("POST", "/projects/\(project)/drafts", [
            "base_version": knownHead, "fields": [field: text], "keep_locks": keepLock, "message": "save by \(session)",
        ])
        switch reply.status {
        case 201:
            guard let version = reply.json["version_number"] as? Int else { return }
            acknowledgements.append(.saved(version: version, field: field, bytes: Data(text.utf8), user: user, session: session))
            savesAcknowledged.add(1, ordering: .relaxed)
            knownHead = max(knownHead, version)
            for case let lock as [String: Any] in reply.json["released_locks"] as? [Any] ?? [] {
                if let token = lock["token"] as? Int { acknowledgements.append(.lockReleased(field: field, token: token)) }
            }
        case 409:
            let manifest = try call("GET", "/projects/\(project)")
            knownHead = manifest.json["head_version"] as? Int ?? knownHead
        default:
            break
        }
    }

    private func recordVersion(_ reply: HTTPReply, kind: String, revertedTo: Int?) {
        guard let version = reply.json["version_number"] as? Int else { return }
        acknowledgements.append(.versionCreated(version: version, kind: kind, user: user, session: session, revertedTo: revertedTo))
        knownHead = max(knownHead, version)
    }

    private func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) throws -> HTTPReply {
        requests += 1
        return try BlockingHTTP.request(port: port, method, path, token: token, session: session, body: body.map(Data.json))
    }

    /// Text of a random length: mostly small, sometimes tens of KiB, rarely half a MiB
    /// (a long write widens the window a kill can land in).
    private func randomText() -> String {
        let roll = Int.random(in: 0..<100, using: &random)
        let length = roll < 70 ? Int.random(in: 1...2_000, using: &random)
            : roll < 96 ? Int.random(in: 2_000...64_000, using: &random) : Int.random(in: 64_000...512_000, using: &random)
        var bytes = [UInt8](repeating: 0, count: length)
        var word = random.next()
        for index in 0..<length {
            if index % 8 == 0 { word = random.next() }
            bytes[index] = index % 64 == 63 ? 10 : 97 + UInt8(truncatingIfNeeded: word >> (UInt64(index % 8) * 8)) % 26
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
