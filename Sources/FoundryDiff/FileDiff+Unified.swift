extension FileDiff {
    static let mode = "100644"
    static let absentHash = "0000000"

    /// The field as a `git diff`-style patch that GNU `patch -p1` and
    /// `git apply` accept: `diff --git` header, `index`, `---`/`+++`, hunks.
    public func unified() -> String {
        var out = "diff --git a/\(field) b/\(field)\n"
        let oldIndex = oldHash.map { String($0.prefix(7)) } ?? Self.absentHash
        let newIndex = newHash.map { String($0.prefix(7)) } ?? Self.absentHash
        switch status {
        case .added: out += "new file mode \(Self.mode)\nindex \(oldIndex)..\(newIndex)\n"
        case .removed: out += "deleted file mode \(Self.mode)\nindex \(oldIndex)..\(newIndex)\n"
        case .modified: out += "index \(oldIndex)..\(newIndex) \(Self.mode)\n"
        }
        guard !hunks.isEmpty else { return out }
        out += status == .added ? "--- /dev/null\n" : "--- a/\(field)\n"
        out += status == .removed ? "+++ /dev/null\n" : "+++ b/\(field)\n"
        for hunk in hunks { out += render(hunk) }
        return out
    }

    private func render(_ hunk: Hunk) -> String {
        var out = hunk.header + "\n"
        let lastOld = hunk.lines.lastIndex { $0.op != .insert }
        let lastNew = hunk.lines.lastIndex { $0.op != .delete }
        for (index, line) in hunk.lines.enumerated() {
            out += line.op.rawValue + line.text + "\n"
            if (index == lastOld && hunk.oldMissingNewline) || (index == lastNew && hunk.newMissingNewline) {
                out += "\\ No newline at end of file\n"
            }
        }
        return out
    }
}
