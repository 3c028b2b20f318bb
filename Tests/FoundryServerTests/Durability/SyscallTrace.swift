import Foundation

/// The file-system calls of a program as `strace -f -y` saw them, in the
/// order they happened: when each `fsync` finished and when each `link`,
/// `rename` and `write` began, with the paths involved.
struct SyscallTrace {
    enum Call: Equatable {
        /// An `fsync` that has returned 0, of the file or directory at `path`.
        case synced(String)
        case linked(from: String, to: String)
        case renamed(from: String, to: String)
        case wrote(String)
    }

    let calls: [Call]

    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") }

    /// Runs `arguments` under strace; `nil` when strace cannot trace here.
    static func record(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String, trace: SyscallTrace)? {
        let log = NSTemporaryDirectory() + "foundry-strace-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: log) }
        let result = try run("/usr/bin/strace", ["-f", "-y", "-qq", "-e", "trace=fsync,fdatasync,link,linkat,rename,renameat,renameat2,write", "-o", log, executable] + arguments)
        guard let text = try? String(contentsOfFile: log, encoding: .utf8), !text.isEmpty else { return nil }
        return (result.status, result.output, SyscallTrace(parsing: text))
    }

    init(parsing text: String) {
        var calls: [Call] = []
        // An fsync that another thread's call interrupted is printed again when it returns.
        var pending: [String: String] = [:]
        for line in text.split(separator: "\n").map(String.init) {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let (pid, call) = (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces))
            if call.hasPrefix("fsync(") || call.hasPrefix("fdatasync(") {
                guard let path = Self.descriptorPath(call) else { continue }
                if call.hasSuffix("<unfinished ...>") { pending[pid] = path } else if call.hasSuffix("= 0") { calls.append(.synced(path)) }
            } else if call.hasPrefix("<... fsync resumed>") || call.hasPrefix("<... fdatasync resumed>") {
                if let path = pending.removeValue(forKey: pid), call.hasSuffix("= 0") { calls.append(.synced(path)) }
            } else if call.hasPrefix("link(") || call.hasPrefix("linkat(") || call.hasPrefix("rename(") || call.hasPrefix("renameat") {
                let quoted = Self.quotedStrings(call)
                guard quoted.count == 2 else { continue }
                calls.append(call.hasPrefix("link") ? .linked(from: quoted[0], to: quoted[1]) : .renamed(from: quoted[0], to: quoted[1]))
            } else if call.hasPrefix("write("), let path = Self.descriptorPath(call) {
                calls.append(.wrote(path))
            }
        }
        self.calls = calls
    }

    /// The index of the first call matching `predicate`.
    func first(_ predicate: (Call) -> Bool) -> Int? {
        calls.firstIndex(where: predicate)
    }

    /// `fsync(3</path>)` → `/path`.
    private static func descriptorPath(_ call: String) -> String? {
        guard let open = call.firstIndex(of: "<"), let close = call[open...].firstIndex(of: ">") else { return nil }
        return String(call[call.index(after: open)..<close])
    }

    private static func quotedStrings(_ call: String) -> [String] {
        call.split(separator: "\"", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }
}
