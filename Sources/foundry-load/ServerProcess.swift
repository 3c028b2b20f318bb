import Foundation

/// `foundry serve` as a child process on a loopback port.
final class ServerProcess {
    private let process = Process()
    var pid: Int32 { process.processIdentifier }

    init(executable: String, root: String, port: Int, secret: String, cpu: Int?) throws {
        let serve = ["serve", "--root", root, "--port", String(port), "--log-level", "error"]
        if let cpu {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
            process.arguments = ["-c", String(cpu), executable] + serve
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = serve
        }
        var environment = ProcessInfo.processInfo.environment
        environment["FOUNDRY_JWT_SECRET"] = secret
        process.environment = environment
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !Self.isListening(port: port) {
            guard Date() < deadline, process.isRunning else { throw CocoaError(.executableLoad) }
            usleep(50_000)
        }
    }

    /// The child's resident set size (VmRSS) in megabytes.
    func residentMegabytes() -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    private static func isListening(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
