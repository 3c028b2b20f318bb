import Foundation

/// One field of a version as its draft record stores it: which blob holds
/// the bytes, and whether the text parses as its format requires.
public struct FieldEntry: Codable, Sendable, Equatable {
    public var sha256: String
    /// XXH3-64 of the bytes: the field's ETag.
    public var xxh3: String
    public var size: Int
    public var format: FieldFormat
    public var valid: Bool
    /// The first syntax problem when `valid` is false.
    public var problem: SyntaxProblem?

    public init(sha256: String, xxh3: String, size: Int, format: FieldFormat, problem: SyntaxProblem?) {
        self.sha256 = sha256
        self.xxh3 = xxh3
        self.size = size
        self.format = format
        self.valid = problem == nil
        self.problem = problem
    }
}

extension FieldEntry {
    /// `text` as the content of field `name`: its hashes, size, format and first problem.
    init(describing text: String, as name: FieldName) {
        let data = Data(text.utf8)
        let format = FieldFormat(fieldName: name.rawValue)
        self.init(
            sha256: Digest.sha256(data), xxh3: Digest.xxh3(data), size: data.count, format: format,
            problem: FieldValidator.problem(in: text, format: format)
        )
    }
}
