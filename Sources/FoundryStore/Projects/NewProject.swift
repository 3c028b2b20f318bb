/// What `Workspace.createProject` needs: a name, an optional id (generated
/// from the name when absent), optional initial fields (version 1) and
/// optional members besides the creator, who is always an owner.
public struct NewProject: Sendable {
    public var name: String
    public var id: ProjectID?
    public var fields: [FieldName: String]
    public var message: String?
    /// `import` when the fields came from a directory, `create` otherwise.
    public var kind: DraftKind
    public var members: [String: ProjectRole]

    public init(name: String, id: ProjectID? = nil, fields: [FieldName: String] = [:], message: String? = nil, kind: DraftKind = .create,
                members: [String: ProjectRole] = [:]) {
        self.members = members
        self.name = name
        self.id = id
        self.fields = fields
        self.message = message
        self.kind = kind
    }
}
