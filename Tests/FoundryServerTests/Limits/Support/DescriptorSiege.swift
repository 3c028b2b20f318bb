import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A siege of a `foundry serve` that may hold few descriptors: one client
/// address opens keep-alive connections until it is refused, then more
/// addresses do until the server's ceiling refuses them, then a hundred
/// more connect past it; meanwhile bob, connected before, locks, saves,
/// reads and watches his socket. Blocking: run it on a Dispatch thread.
struct DescriptorSiege {
    let server: ServerProcess
    let alice: String
    let bob: String

    struct Report: Sendable {
        /// Connections from the first address before its first refusal.
        var perAddress = 0
        /// Attacking connections served before the first 503.
        var admitted = 0
        /// The error codes of the first refusal of each stage.
        var firstRefusals: [String] = []
        /// Bob's lock, save and read during the siege.
        var bobStatuses: [Int] = []
        var bobSawHisSave = false
        /// The server's open descriptors with every attacking connection made.
        var descriptorsAtPeak = 0
        /// A new connection of bob's once the attackers left.
        var bobAfterwards = 0
        var emfileLines: [String] = []
        var serverErrors: [String] = []
        var verify: (status: Int32, output: String) = (0, "")
    }

    func run() throws -> Report {
        var report = Report()
        let port = server.port
        let created = try BlockingHTTP.request(port: port, "POST", "/projects", token: alice, body: Data(
            #"{"name": "Oncology", "id": "onco", "fields": {"system_prompt": "v1\n"}, "members": {"bob": "editor"}}"#.utf8
        ))
        guard created.status == 201 else { throw HTTPFailure.truncated("project not created: \(created.status)") }
        let bobHTTP = try RawHTTP(port: port, source: "127.0.0.2")
        defer { bobHTTP.close() }
        let bobSocket = try RawWebSocket(port: port, path: "/ws/project/onco?token=\(bob)&session=bob-tab", source: "127.0.0.2")
        guard bobSocket.nextMessage("SNAPSHOT", answeringPings: true) != nil else { throw HTTPFailure.truncated("bob's socket got no snapshot") }

        var attackers: [RawHTTP] = []
        defer { attackers.forEach { $0.close() } }
        func attack(from source: String) throws -> HTTPReply {
            let connection = try RawHTTP(port: port, source: source)
            attackers.append(connection)
            return try connection.request("GET", "/health")
        }
        while report.perAddress <= 1000 {
            let reply = try attack(from: "127.0.0.3")
            guard reply.status == 200 else {
                report.firstRefusals.append(reply.errorCode ?? "\(reply.status)")
                break
            }
            report.perAddress += 1
        }
        report.admitted = report.perAddress
        addresses: for host in 4...250 {
            while true {
                let reply = try attack(from: "127.0.0.\(host)")
                if reply.status == 200 {
                    report.admitted += 1
                } else if reply.errorCode == "SERVER_BUSY" {
                    report.firstRefusals.append("SERVER_BUSY")
                    break addresses
                } else {
                    break
                }
            }
        }
        // Past the ceiling: connections that ask and do not wait for the answer.
        for index in 0..<100 {
            let connection = try RawHTTP(port: port, source: "127.0.1.\(index + 1)")
            attackers.append(connection)
            try connection.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        }
        report.descriptorsAtPeak = HostileInputTests.openDescriptors(server.pid)

        report.bobStatuses.append(try bobHTTP.request("PUT", "/projects/onco/locks/system_prompt", token: bob, session: "bob-tab").status)
        let save = Data(#"{"base_version": 1, "fields": {"system_prompt": "saved under siege\n"}}"#.utf8)
        report.bobStatuses.append(try bobHTTP.request("POST", "/projects/onco/drafts", token: bob, session: "bob-tab", body: save).status)
        report.bobStatuses.append(try bobHTTP.request("GET", "/projects/onco", token: bob).status)
        report.bobSawHisSave = bobSocket.nextMessage("DRAFT_SAVED", answeringPings: true) != nil

        attackers.forEach { $0.close() }
        attackers.removeAll()
        _ = pollUntil {
            guard let connection = try? RawHTTP(port: port, source: "127.0.0.2") else { return false }
            defer { connection.close() }
            report.bobAfterwards = (try? connection.request("GET", "/projects/onco", token: bob).status) ?? 0
            return report.bobAfterwards == 200
        }
        let lines = server.log.split(separator: "\n").map(String.init)
        report.emfileLines = lines.filter { $0.contains("EMFILE") || $0.contains("Too many open files") || $0.contains("errno: 24") }
        report.serverErrors = lines.filter { $0.contains(#""level":"error""#) || $0.contains(#""level":"critical""#) }
        report.verify = try verifyRoot(server.root)
        return report
    }
}
