import Testing
@testable import FoundryStore

@Suite("Project ids and field names")
struct NameValidationTests {
    @Test("Accepts slugs and nested relative field names", arguments: ["system_prompt", "model_config.json", "tests/bec.jsonl", "fewshot/eligibility.jsonl", "a-b_c.d"])
    func acceptsValidFieldNames(name: String) throws {
        #expect(try FieldName(name).rawValue == name)
    }

    @Test("Refuses every path that could leave the project directory", arguments: [
        "", "..", "../project.json", "a/../../b", "/etc/passwd", "a//b", "a/", ".hidden", "a/.tmp-x",
        "a\u{0}b", "a%2Fb", "..%2F..%2Fetc", "a\\b", "tab\there", "é.txt", "space name",
    ])
    func refusesTraversal(name: String) {
        #expect(throws: StoreError.self) { try FieldName(name) }
    }

    @Test("Lock file names round-trip nested fields without a slash")
    func lockFileNames() throws {
        let name = try FieldName("tests/bec.jsonl")
        #expect(name.lockFileName == "tests%2Fbec.jsonl.lock")
        #expect(FieldName.fromLockFileName(name.lockFileName) == name)
        #expect(FieldName.fromLockFileName(".token") == nil)
    }

    @Test("Project ids are lower-case slugs", arguments: ["onco", "oncology-agent-2", "0abc"])
    func validProjectIDs(id: String) throws {
        #expect(try ProjectID(id).rawValue == id)
    }

    @Test("Refuses ids that are not slugs", arguments: ["", "-x", "Onco", "a_b", "..", "a/b", ".foundry", String(repeating: "a", count: 64)])
    func invalidProjectIDs(id: String) {
        #expect(throws: StoreError.self) { try ProjectID(id) }
    }

    @Test("Generated ids are slugs of the name with a random suffix")
    func generatedIDs() throws {
        let id = ProjectID.generate(from: "Oncology Clinical Protocol Agent!")
        #expect(id.rawValue.hasPrefix("oncology-clinical-protocol-agent-"))
        #expect(try ProjectID(id.rawValue) == id)
        #expect(ProjectID.generate(from: "***").rawValue.hasPrefix("project-"))
    }
}
