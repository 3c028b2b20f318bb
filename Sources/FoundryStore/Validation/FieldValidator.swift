import Yams

/// Checks a field's text according to its `FieldFormat`.
///
/// A draft may be saved with invalid content (it is a draft); the result is
/// recorded in the draft record so that freeze and export can refuse it,
/// naming the field and line.
public enum FieldValidator {
    /// `nil` when the text is valid for `format`, else the first problem.
    public static func problem(in text: String, format: FieldFormat) -> SyntaxProblem? {
        switch format {
        case .text:
            return nil
        case .json:
            do { try JSONSyntaxChecker.check(text) } catch { return error }
            return nil
        case .jsonl:
            return jsonLinesProblem(text)
        case .yaml:
            return yamlProblem(text)
        }
    }

    private static func jsonLinesProblem(_ text: String) -> SyntaxProblem? {
        // Split on the byte: "\r\n" is a single Swift Character and would not split.
        for (offset, line) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let text = String(decoding: line, as: UTF8.self)
            guard !text.allSatisfy(\.isWhitespace) else { continue }
            do {
                try JSONSyntaxChecker.check(text)
            } catch {
                return SyntaxProblem(line: offset + 1, column: error.column, message: error.message)
            }
        }
        return nil
    }

    private static func yamlProblem(_ text: String) -> SyntaxProblem? {
        do {
            // Parse every document eagerly: `compose_all`'s lazy sequence drops errors.
            let parser = try Parser(yaml: text)
            while try parser.nextRoot() != nil {}
            return nil
        } catch let error as YamlError {
            return SyntaxProblem(yamlError: error)
        } catch {
            return SyntaxProblem(line: 1, column: 1, message: String(describing: error))
        }
    }
}

extension SyntaxProblem {
    init(yamlError: YamlError) {
        switch yamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            self.init(line: mark.line, column: mark.column, message: problem)
        case .composer(_, let problem, let mark, _):
            self.init(line: mark.line, column: mark.column, message: problem)
        default:
            self.init(line: 1, column: 1, message: yamlError.description)
        }
    }
}
