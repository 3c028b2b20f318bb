/// Where and why a JSON or YAML field does not parse (lines and columns from 1).
public struct SyntaxProblem: Codable, Sendable, Equatable, Error {
    public var line: Int
    public var column: Int
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }
}
