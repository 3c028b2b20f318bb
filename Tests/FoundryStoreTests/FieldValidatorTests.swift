import Testing
@testable import FoundryStore

@Suite("Validity of JSON, JSON Lines and YAML fields")
struct FieldValidatorTests {
    @Test("Valid JSON passes", arguments: ["{}", "[1, 2.5e3, -0.1, true, false, null]", "{\"a\": {\"b\": [\"\\u00e9\\n\"]}}\n", " \"x\" "])
    func validJSON(text: String) {
        #expect(FieldValidator.problem(in: text, format: .json) == nil)
    }

    @Test("Invalid JSON names the line and column of the first error")
    func invalidJSONLocation() throws {
        let text = "{\n  \"model\": \"x\",\n  \"temperature\": 0.2,\n}\n"
        let problem = try #require(FieldValidator.problem(in: text, format: .json))
        #expect(problem.line == 4)
        #expect(problem.column == 1)
        #expect(problem.message.contains("trailing comma"))
    }

    @Test("Invalid JSON is refused", arguments: ["", "{", "{\"a\" 1}", "[1,]", "01", "{'a': 1}", "[1] [2]", "\"\u{01}\"", "tru"])
    func invalidJSON(text: String) {
        #expect(FieldValidator.problem(in: text, format: .json) != nil)
    }

    @Test("JSON Lines checks each line and names the bad one")
    func jsonLines() throws {
        #expect(FieldValidator.problem(in: "{\"a\":1}\n\n{\"b\":2}\n", format: .jsonl) == nil)
        let problem = try #require(FieldValidator.problem(in: "{\"a\":1}\n{\"b\":}\n", format: .jsonl))
        #expect(problem.line == 2)
    }

    @Test("YAML errors carry the line")
    func yaml() throws {
        #expect(FieldValidator.problem(in: "nodes:\n  - id: router\n    model: x\n", format: .yaml) == nil)
        let problem = try #require(FieldValidator.problem(in: "nodes:\n  - id: router\n   bad: [\n", format: .yaml))
        #expect(problem.line >= 3)
    }

    @Test("Formats follow the field name's extension")
    func formats() {
        #expect(FieldFormat(fieldName: "model_config.json") == .json)
        #expect(FieldFormat(fieldName: "tests/bec.jsonl") == .jsonl)
        #expect(FieldFormat(fieldName: "topology.YAML") == .yaml)
        #expect(FieldFormat(fieldName: "system_prompt") == .text)
    }
}
