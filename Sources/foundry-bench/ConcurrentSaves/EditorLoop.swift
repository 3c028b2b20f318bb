import Foundation

/// Editors saving in a loop over HTTP, one thread and one keep-alive
/// connection each: take the lock of its field, then save with
/// `keep_locks` until the time is up, each save based on its previous one.
struct EditorLoop: Sendable {
    /// What all the editors did: saves made, their latencies, saves refused.
    struct Outcome: Sendable {
        var saves = 0
        var latencies: [UInt64] = []
        var refused = 0
        var firstRefusal: String?
    }

    let port: Int
    let tokens: [String]
    let text: String
    let seconds: Double
    let target: @Sendable (Int) -> (project: String, field: String)

    func run() async throws -> Outcome {
        let start = Monotonic.now() + 200_000_000
        let deadline = start + UInt64(seconds * 1e9)
        let outcomes = try await Threads.run(tokens.count) { editor -> Outcome in
            let (project, field) = target(editor)
            let token = tokens[editor]
            let http = try HTTPConnection(port: port)
            let lock = try http.request("PUT", "/projects/\(project)/locks/\(field)", token: token)
            guard lock.status == 200 else { throw BenchFailure("lock \(project)/\(field): \(lock.status) \(lock.text)") }
            let head = try http.request("GET", "/projects/\(project)", token: token)
            guard var base = head.json["head_version"] as? Int else { throw BenchFailure("manifest of \(project): \(head.status) \(head.text)") }
            while Monotonic.now() < start { usleep(1000) }
            var outcome = Outcome()
            var round = 0
            while Monotonic.now() < deadline {
                round += 1
                let body = try JSONSerialization.data(withJSONObject: [
                    "base_version": base, "fields": [field: "editor \(editor) save \(round)\n" + text], "keep_locks": true,
                ])
                var reply: HTTPConnection.Reply?
                let took = try Monotonic.time { reply = try http.request("POST", "/projects/\(project)/drafts", token: token, body: body) }
                guard reply?.status == 201, let version = reply?.json["version_number"] as? Int else {
                    outcome.refused += 1
                    if outcome.firstRefusal == nil { outcome.firstRefusal = "\(reply?.status ?? 0) \(reply?.text.prefix(200) ?? "")" }
                    continue
                }
                base = version
                outcome.saves += 1
                outcome.latencies.append(took)
            }
            _ = try? http.request("DELETE", "/projects/\(project)/locks/\(field)", token: token)
            return outcome
        }
        return outcomes.reduce(into: Outcome()) { total, one in
            total.saves += one.saves
            total.latencies += one.latencies
            total.refused += one.refused
            total.firstRefusal = total.firstRefusal ?? one.firstRefusal
        }
    }
}
