import Foundation

/// Seeded text and bytes that look like what a project holds: prompt-like
/// lines of words, and incompressible bytes for hashing.
enum SampleText {
    private static let words = """
        the patient must be eighteen or older with a confirmed diagnosis and no prior treatment \
        report each adverse event within one day of onset using the standard grading scale \
        exclude anyone enrolled in another interventional study during the previous thirty days \
        answer only from the protocol text and cite the section number for every criterion
        """.split(separator: " ").map(String.init)

    /// One line of 6–14 words, no newline.
    static func line(_ random: inout SeededRandom) -> String {
        (0..<Int.random(in: 6...14, using: &random)).map { _ in words.randomElement(using: &random)! }.joined(separator: " ")
    }

    /// `count` lines, each ending in a newline.
    static func lines(_ count: Int, seed: UInt64) -> [String] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in line(&random) }
    }

    /// About `bytes` bytes of lines (a whole last line, newline-terminated).
    static func text(bytes: Int, seed: UInt64) -> String {
        var random = SeededRandom(seed: seed)
        var text = ""
        while text.utf8.count < bytes { text += line(&random) + "\n" }
        return text
    }

    /// `count` pseudo-random bytes.
    static func bytes(_ count: Int, seed: UInt64) -> Data {
        var random = SeededRandom(seed: seed)
        var data = Data(count: (count + 7) / 8 * 8)
        data.withUnsafeMutableBytes { buffer in
            let words = buffer.bindMemory(to: UInt64.self)
            for index in words.indices { words[index] = random.next() }
        }
        return data.prefix(count)
    }
}
