/// The record directories of a project: comments, tasks and electronic
/// signatures. Each is a numbered series of immutable records, one per event
/// (`comments/000012.json`), numbered from 1 without gaps and never
/// rewritten: the state of a comment or a task is the fold of its events.
public enum AnnotationSeries: String, Sendable, CaseIterable {
    case comments, tasks, signatures
}

extension ProjectLayout {
    public var comments: String { directory + "/comments" }
    public var tasks: String { directory + "/tasks" }
    public var signatures: String { directory + "/signatures" }

    public func directory(of series: AnnotationSeries) -> String {
        switch series {
        case .comments: comments
        case .tasks: tasks
        case .signatures: signatures
        }
    }

    /// `<project>/comments/000012.json`: six digits keep `ls` in event order.
    public func annotation(_ series: AnnotationSeries, _ sequence: Int) -> String {
        directory + "/" + series.relativePath(sequence)
    }
}

extension AnnotationSeries {
    /// `comments/000012.json`, relative to the project directory: how audit entries name a record.
    public func relativePath(_ sequence: Int) -> String {
        let digits = String(sequence)
        return rawValue + "/" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".json"
    }
}

extension AnnotationSeries {
    /// The number of a record file name (`000012.json`: six digits), or `nil` for any other name.
    static func sequence(ofFile name: String) -> Int? {
        guard name.utf8.count == 11, name.hasSuffix(".json") else { return nil }
        let digits = name.utf8.prefix(6)
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(name.prefix(6))
    }
}
