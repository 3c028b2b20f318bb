import Foundation

/// The shared "engineering notes" of a project: the field `scratchpad`
/// (plain text) of its versions. It is locked, saved, diffed, reverted and
/// audited exactly like any field; this type only names it and reads it.
public struct Scratchpad: Sendable, Equatable {
    /// The reserved field name.
    public static let field = try! FieldName("scratchpad")

    /// The version read (0 for a project without versions) and its draft id.
    public var version: Int
    public var draftID: String?
    /// The notes; empty when the version has no scratchpad.
    public var text: String
    /// The newest version ≤ `version` that changed the notes, and its author
    /// (`nil` when no version has notes).
    public var updatedIn: Int?
    public var authorID: String?
}

extension ProjectStore {
    /// The scratchpad as of `version` (default: the head).
    public func scratchpad(at version: Int? = nil) throws -> Scratchpad {
        let target = try version.map(requireVersion) ?? headVersion()
        guard target >= 1 else { return Scratchpad(version: 0, draftID: nil, text: "") }
        let draft = try draft(target)
        guard draft.record.fields[Scratchpad.field.rawValue] != nil else {
            return Scratchpad(version: target, draftID: draft.id, text: "")
        }
        let updatedIn = try lastChange(of: Scratchpad.field.rawValue, upTo: target)
        return Scratchpad(
            version: target, draftID: draft.id,
            text: String(decoding: try content(of: Scratchpad.field, in: target), as: UTF8.self),
            updatedIn: updatedIn, authorID: updatedIn >= 1 ? try self.draft(updatedIn).record.authorID : nil
        )
    }
}
