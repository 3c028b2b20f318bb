/// One side of a field in a comparison: its text and the SHA-256 of its bytes
/// (equal hashes mean equal fields, which are never diffed).
public struct DiffSide: Sendable, Equatable {
    public var text: String
    public var hash: String

    public init(text: String, hash: String) {
        self.text = text
        self.hash = hash
    }
}
