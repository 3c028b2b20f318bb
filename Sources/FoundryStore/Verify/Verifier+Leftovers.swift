import Foundation

extension Verifier {
    /// The `.tmp-*` names a write cut short leaves: files of a temp-then-link
    /// or temp-then-rename write in the project's directories, and
    /// directories built under a temp name (a bundle, a run) never renamed
    /// into place. Readers ignore them; a start removes them once old.
    func verifyLeftovers(_ layout: ProjectLayout, into report: inout VerificationReport) {
        var fileDirectories = [layout.directory, layout.drafts, layout.locks, layout.comments, layout.tasks, layout.signatures, layout.checkpoints]
        fileDirectories += ((try? FileIO.list(layout.objects)) ?? []).filter { !$0.hasPrefix(".") }.map { layout.objects + "/" + $0 }
        fileDirectories += ((try? FileIO.list(layout.runs)) ?? []).filter { !$0.hasPrefix(".") }.map { layout.runs + "/" + $0 }
        for directory in fileDirectories {
            for name in (try? FileIO.list(directory)) ?? [] where name.hasPrefix(FileIO.tempPrefix) {
                let path = directory + "/" + name
                report.interrupted(.tempFile, path, "a temp file of a write cut short (\(Self.age(of: path)))")
            }
        }
        for directory in [layout.bundles, layout.runs] {
            for name in (try? FileIO.list(directory)) ?? [] where name.hasPrefix(FileIO.tempPrefix) {
                let path = directory + "/" + name
                report.interrupted(.tempDirectory, path, "built under a temp name and never renamed into place (\(Self.age(of: path)))")
            }
        }
    }

    /// `.tmp-create-*` directories at the root: projects whose creation was cut short.
    func verifyRootLeftovers(into report: inout VerificationReport) {
        for name in (try? FileIO.list(workspace.root)) ?? [] where name.hasPrefix(FileIO.tempPrefix) {
            let path = workspace.root + "/" + name
            report.interrupted(.tempDirectory, path, "a project built under a temp name and never renamed into place (\(Self.age(of: path)))")
        }
    }

    /// "written 12 s ago", from the file's modification time.
    static func age(of path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "gone meanwhile" }
        return "written \(max(0, Int(Date().timeIntervalSince1970) - Int(info.st_mtim.tv_sec))) s ago"
    }
}
