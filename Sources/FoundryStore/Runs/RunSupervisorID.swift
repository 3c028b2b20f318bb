import Foundation

/// Names the server process that supervises a run's process: host name,
/// boot id, pid and the process's start time (clock ticks after boot, from
/// `/proc/<pid>/stat`). A pid alone could be reused after a crash; with its
/// start time and the boot id it names one process for good.
public struct RunSupervisorID: Codable, Sendable, Equatable {
    public var host: String
    public var bootID: String
    public var pid: Int
    public var startTime: UInt64

    enum CodingKeys: String, CodingKey {
        case host, pid
        case bootID = "boot_id"
        case startTime = "start_time"
    }

    public init(host: String, bootID: String, pid: Int, startTime: UInt64) {
        self.host = host
        self.bootID = bootID
        self.pid = pid
        self.startTime = startTime
    }

    /// This process.
    public static let current = RunSupervisorID(
        host: hostName(), bootID: bootID(), pid: Int(getpid()), startTime: startTime(of: getpid()) ?? 0
    )

    /// Whether the process named here is certainly gone: it ran on this host
    /// and either the machine rebooted or no process with that pid and start
    /// time exists. A supervisor on another host is never declared gone.
    public var isGone: Bool {
        let here = Self.current
        guard host == here.host else { return false }
        if bootID != here.bootID { return true }
        return Self.startTime(of: pid_t(pid)) != startTime
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func bootID() -> String {
        let data = (try? FileIO.read("/proc/sys/kernel/random/boot_id")) ?? nil
        return data.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
    }

    /// Field 22 of `/proc/<pid>/stat`, counted after the command name's
    /// closing parenthesis; `nil` when the process is gone or dead (a zombie
    /// still has its entry until its parent reaps it).
    static func startTime(of pid: pid_t) -> UInt64? {
        guard pid > 0, let data = (try? FileIO.read("/proc/\(pid)/stat")) ?? nil else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19, fields[0] != "Z", fields[0] != "X" else { return nil }
        return UInt64(fields[19])
    }
}
