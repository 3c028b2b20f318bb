import Foundation

/// What a WebSocket client believes about a project after applying every
/// frame it received: the head version and the held locks (field → token).
/// `SNAPSHOT` and `RESYNC` replace it; the other frames update it.
struct ClientView: Equatable, CustomStringConvertible {
    var head = 0
    var locks: [String: Int] = [:]

    init(head: Int = 0, locks: [String: Int] = [:]) {
        self.head = head
        self.locks = locks
    }

    init(frames: [Frame]) {
        for frame in frames { apply(frame) }
    }

    mutating func apply(_ frame: Frame) {
        switch frame.type {
        case "SNAPSHOT", "RESYNC":
            head = frame["head_version"]?.int ?? 0
            locks = [:]
            for lock in frame["locks"]?.array ?? [] {
                if let field = lock["field"]?.string, let token = lock["token"]?.int { locks[field] = token }
            }
        case "DRAFT_SAVED":
            head = max(head, frame["version"]?.int ?? 0)
        case "LOCK_ACQUIRED":
            if let field = frame["field"]?.string, let token = frame["token"]?.int { locks[field] = token }
        case "LOCK_RELEASED":
            if let field = frame["field"]?.string, locks[field] == frame["token"]?.int { locks[field] = nil }
        default:
            break
        }
    }

    /// The project as its files say: the newest draft record and the live lock files.
    init(files directory: String) {
        let fm = FileManager.default
        head = ((try? fm.contentsOfDirectory(atPath: directory + "/drafts")) ?? [])
            .compactMap { $0.hasPrefix(".") ? nil : Int($0.dropLast(5)) }.max() ?? 0
        for name in (try? fm.contentsOfDirectory(atPath: directory + "/locks")) ?? [] where name.hasSuffix(".lock") && !name.hasPrefix(".") {
            guard let data = fm.contents(atPath: directory + "/locks/" + name),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let field = object["field"] as? String, let token = object["token"] as? Int
            else { continue }
            locks[field] = token
        }
    }

    var description: String {
        "head v\(head), locks \(locks.sorted { $0.key < $1.key }.map { "\($0.key)#\($0.value)" })"
    }
}
