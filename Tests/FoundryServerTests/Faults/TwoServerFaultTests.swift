import Foundation
import FoundryServer
import Synchronization
import Testing

/// Two `foundry serve` processes on one root: the project mutex (`flock`) and
/// exclusive creates decide between them, and each one's watcher sees the
/// other's files.
@Suite("Fault: two server processes on one root", .serialized)
struct TwoServerFaultTests {
    static let project = "duo"
    static let clientsPerServer = 4
    static let raceFields = (0..<20).map { "race/f\($0).txt" }
    static let savesPerClient = 6

    @Test("Lockers on both servers: one winner per field; saves from both: unique, contiguous versions, each broadcast by both")
    func twoServers() async throws {
        let root = NSTemporaryDirectory() + "foundry-fault-duo-" + UUID().uuidString
        let authority = try await TokenAuthority(secret: TestServer.secret)
        let users = ["alice", "bob", "carol"]
        var tokens: [String: String] = [:]
        for user in users { tokens[user] = try await authority.issue(user: user, session: user, lifetime: 3600) }
        let first = try await blocking { try ServerProcess(root: root, lockTTL: 120, logName: "server-a") }
        defer { first.kill() }
        let alice = tokens["alice"]!
        try await blocking {
            let created = try BlockingHTTP.request(port: first.port, "POST", "/projects", token: alice, body: .json([
                "name": "Two servers", "id": Self.project, "fields": ["system_prompt": "v1\n"], "members": ["bob": "editor", "carol": "editor"],
            ]))
            guard created.status == 201 else { throw HTTPFailure.truncated("create: \(created.text)") }
        }
        let second = try await blocking { try ServerProcess(root: root, lockTTL: 120, logName: "server-b") }
        defer { second.kill() }
        let servers = [first, second]
        let sockets = servers.map { TestSocket(port: $0.port, path: "/ws/project/\(Self.project)?token=\(alice)&session=watch-\($0.port)") }
        defer { sockets.forEach { $0.close() } }
        for socket in sockets { #expect(await socket.next("SNAPSHOT") != nil, "no SNAPSHOT") }

        // Every client on its own session; clients alternate between the servers.
        let clients = (0..<(2 * Self.clientsPerServer)).map { index in
            (port: servers[index % 2].port, user: users[index % users.count], token: tokens[users[index % users.count]]!, session: "c\(index)")
        }

        // 1. Lock race: every client asks for every field at the same moment.
        let outcomes = try await blocking { () -> [(field: String, client: Int, status: Int, token: Int?)] in
            let results = Shared<[(field: String, client: Int, status: Int, token: Int?)]>([])
            let start = DispatchSemaphore(value: 0)
            let group = DispatchGroup()
            for (index, client) in clients.enumerated() {
                DispatchQueue.global().async(group: group) {
                    start.wait()
                    for field in Self.raceFields.shuffled() {
                        let reply = try? BlockingHTTP.request(port: client.port, "PUT", "/projects/\(Self.project)/locks/\(field)", token: client.token, session: client.session)
                        results.withLock { $0.append((field, index, reply?.status ?? 0, reply?.json["token"] as? Int)) }
                    }
                }
            }
            for _ in clients { start.signal() }
            group.wait()
            return results.withLock { $0 }
        }
        var winners: [String: Int] = [:]
        for field in Self.raceFields {
            let granted = outcomes.filter { $0.field == field && $0.status == 200 }
            #expect(granted.count == 1, "\(field): \(granted.count) winners \(granted.map(\.client))")
            #expect(outcomes.filter { $0.field == field && $0.status != 200 }.allSatisfy { $0.status == 423 }, "\(field): a loser got something else than 423")
            winners[field] = granted.first?.token
        }
        let grantedTokens = winners.values.sorted()
        #expect(Set(grantedTokens).count == grantedTokens.count, "fencing tokens collide: \(grantedTokens)")

        // 2. Saves from both servers on different fields.
        let versions = try await blocking { () -> [(client: Int, status: Int, version: Int?)] in
            let results = Shared<[(client: Int, status: Int, version: Int?)]>([])
            let group = DispatchGroup()
            for (index, client) in clients.enumerated() {
                DispatchQueue.global().async(group: group) {
                    let field = "own/c\(index).txt"
                    _ = try? BlockingHTTP.request(port: client.port, "PUT", "/projects/\(Self.project)/locks/\(field)", token: client.token, session: client.session)
                    var base = 1
                    for round in 0..<Self.savesPerClient {
                        let reply = try? BlockingHTTP.request(port: client.port, "POST", "/projects/\(Self.project)/drafts", token: client.token, session: client.session, body: .json([
                            "base_version": base, "fields": [field: "save \(round) of client \(index)\n"], "keep_locks": true,
                        ]))
                        let version = reply?.json["version_number"] as? Int
                        base = version ?? base
                        results.withLock { $0.append((index, reply?.status ?? 0, version)) }
                    }
                }
            }
            group.wait()
            return results.withLock { $0 }
        }
        let saved = versions.compactMap(\.version).sorted()
        let expected = Array(2...(1 + clients.count * Self.savesPerClient))
        #expect(versions.allSatisfy { $0.status == 201 }, "\(versions.filter { $0.status != 201 })")
        #expect(saved == expected, "versions \(saved)")
        let verify = try await blocking { try verifyRoot(root) }
        #expect(verify.status == 0, "\(verify.output)")

        // 3. Both servers broadcast every version and every race winner.
        for (index, socket) in sockets.enumerated() {
            var seen: Set<Int> = []
            var locked: [String: Int] = [:]
            _ = await eventually {
                let frames = socket.frames
                seen = Set(frames.filter { $0.type == "DRAFT_SAVED" }.compactMap { $0["version"]?.int })
                locked = Dictionary(frames.filter { $0.type == "LOCK_ACQUIRED" && ($0["field"]?.string ?? "").hasPrefix("race/") }
                    .compactMap { frame in frame["field"]?.string.map { ($0, frame["token"]?.int ?? -1) } }, uniquingKeysWith: { $1 })
                return seen.isSuperset(of: expected) && locked.count == Self.raceFields.count
            }
            #expect(seen.isSuperset(of: expected), "server \(index) broadcast versions \(seen.sorted()), missing \(Set(expected).subtracting(seen).sorted())")
            #expect(locked == winners, "server \(index) broadcast lock winners \(locked), the race gave \(winners)")
        }
        print("two servers: \(outcomes.count) lock requests over \(Self.raceFields.count) fields, one winner each; \(saved.count) saves from \(clients.count) clients → v2…v\(saved.last ?? 0), broadcast by both")
        try? FileManager.default.removeItem(atPath: root)
        try? FileManager.default.removeItem(atPath: root + "-logs")
    }
}
