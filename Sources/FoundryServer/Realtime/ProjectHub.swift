import Foundation
import FoundryStore
import NIOCore
import NIOWebSocket

/// The live side of one project: the sockets subscribed to it, who is
/// present, a bounded log of recent events for resume, and what the files
/// say (head, locks, state).
///
/// Every method is synchronous inside the actor, so a join, a leave and a
/// watcher update never interleave half-way: a joining socket gets a
/// snapshot (or a replay) at sequence S and then exactly the events after S.
actor ProjectHub {
    /// A subscribed socket.
    struct Subscriber {
        var user: String
        var name: String?
        var session: String
        var outbox: SocketOutbox
    }

    /// How a socket left: whether the hub had already evicted it as too
    /// slow, and whether another socket of its session is still here (if
    /// not, the session's locks should go).
    struct Departure {
        var evicted: Bool
        var sessionStillHere: Bool
    }

    let project: String
    let epoch: String
    private let logCapacity: Int
    var files: ProjectFileState
    private var seq = 0
    private var log: [EventFrame] = []
    private var subscribers: [UUID: Subscriber] = [:]

    init(project: String, epoch: String, files: ProjectFileState, logCapacity: Int) {
        self.project = project
        self.epoch = epoch
        self.files = files
        self.logCapacity = logCapacity
    }

    var headVersion: Int { files.headVersion }
    var currentSeq: Int { seq }
    var connectionCount: Int { subscribers.count }

    /// Subscribes a socket and sends it its first frames. Without `since`
    /// it starts with a `SNAPSHOT`; with `since` it gets the missed events
    /// from the log, or a `RESYNC` when they are no longer there (or `epoch`
    /// names another server run). Every later event follows in order.
    func join(_ connection: UUID, caller: Caller, since: Int?, epoch clientEpoch: String?, outbox: SocketOutbox) {
        let initial: [String]
        if let since {
            let oldest = log.first?.seq ?? seq + 1
            let replayable = (clientEpoch == nil || clientEpoch == epoch) && since <= seq && since >= oldest - 1
            initial = replayable
                ? log.filter { $0.seq! > since }.map(\.text)
                : [EventFrame(seq: seq, type: .resync, project: project, data: snapshot(for: caller, connection: connection, reason: "cannot replay from \(since)")).text] + consoleBacklog()
        } else {
            initial = [EventFrame(seq: seq, type: .snapshot, project: project, data: snapshot(for: caller, connection: connection)).text] + consoleBacklog()
        }
        let firstOfUser = !subscribers.values.contains { $0.user == caller.user }
        subscribers[connection] = Subscriber(user: caller.user, name: caller.name, session: caller.session, outbox: outbox)
        for text in initial { outbox.sendUncounted(ByteBuffer(string: text)) }
        if firstOfUser {
            broadcast(.userJoined, ["user": .string(caller.user), "name": caller.name.json])
        }
    }

    /// Unsubscribes a socket.
    func leave(_ connection: UUID, session: String) -> Departure {
        let gone = subscribers.removeValue(forKey: connection)
        if let gone { announceLeaving(gone.user) }
        return Departure(evicted: gone == nil, sessionStillHere: subscribers.values.contains { $0.session == session })
    }

    /// The sessions with a socket here that hold a lock of this project
    /// ending within `margin`: the lease keeper renews their locks.
    func lockHoldersDue(within margin: TimeInterval, now: Date = Date()) -> Set<EditorIdentity> {
        let here = Set(subscribers.values.map { EditorIdentity(user: $0.user, session: $0.session) })
        let due = files.locks.values.filter { lock in
            Timestamp.date(from: lock.expiresAt).map { $0.timeIntervalSince(now) < margin } ?? false
        }
        return Set(due.map(\.holder)).intersection(here)
    }

    /// Sends a frame to one socket only.
    func reply(_ connection: UUID, _ type: EventType, _ data: JSONValue) {
        guard let subscriber = subscribers[connection] else { return }
        if !subscriber.outbox.send(ByteBuffer(string: EventFrame(seq: nil, type: type, project: project, data: data).text)) {
            evict(connection)
        }
    }

    // MARK: Broadcast

    /// Numbers the event, keeps it in the log and queues it for every socket.
    /// A socket whose queue is full is disconnected; it never slows the others.
    func broadcast(_ type: EventType, _ data: [String: JSONValue]) {
        seq += 1
        let frame = EventFrame(seq: seq, type: type, project: project, data: .object(data))
        log.append(frame)
        if log.count > 2 * logCapacity { log.removeFirst(log.count - logCapacity) }
        // One buffer for every socket: NIO only reads it.
        let bytes = ByteBuffer(string: frame.text)
        for connection in SocketOutbox.send(bytes, to: subscribers.lazy.map { ($0.key, $0.value.outbox) }) { evict(connection) }
    }

    /// Disconnects a socket whose queue is full (close code 4008).
    private func evict(_ connection: UUID) {
        guard let subscriber = subscribers.removeValue(forKey: connection) else { return }
        subscriber.outbox.close(WebSocketAdmission.CloseCode.tooSlow, reason: "too slow: more than \(subscriber.outbox.limit) frames queued")
        announceLeaving(subscriber.user)
    }

    private func announceLeaving(_ user: String) {
        if !subscribers.values.contains(where: { $0.user == user }) {
            broadcast(.userLeft, ["user": .string(user)])
        }
    }

    // MARK: Snapshot

    func snapshot(for caller: Caller? = nil, connection: UUID? = nil, reason: String? = nil) -> JSONValue {
        let users = Dictionary(grouping: subscribers.values, by: \.user).map { user, sockets in
            JSONValue.object(["user": .string(user), "name": sockets.first?.name.json ?? .null, "connections": .int(sockets.count)])
        }
        var data: [String: JSONValue] = [
            "head_version": .int(files.headVersion), "head_draft_id": files.headDraftID.json,
            "state": .string(files.state.rawValue), "seq": .int(seq), "epoch": .string(epoch),
            "locks": .array(files.locks.values.sorted { $0.field < $1.field }.map(\.json)),
            "users": .array(users.sorted { ($0["user"]?.string ?? "") < ($1["user"]?.string ?? "") }),
            "runs": runsSnapshot,
        ]
        if let caller, let connection {
            data["you"] = .object(["user": .string(caller.user), "session": .string(caller.session), "connection": .string(connection.uuidString)])
        }
        data.merge(annotationSnapshot) { $1 }
        if let reason { data["reason"] = .string(reason) }
        return .object(data)
    }
}
