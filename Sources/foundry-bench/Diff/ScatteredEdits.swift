/// Two versions of a long text: `old`, and `new` with edits (a line
/// changed, lines inserted, lines deleted) at seeded random places.
struct ScatteredEdits {
    let old: String
    let new: String

    init(lines: Int, edits: Int, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let original = SampleText.lines(lines, seed: seed)
        var edited = original
        let places = Array(Set((0..<edits).map { _ in Int.random(in: 0..<(lines - 3), using: &random) })).sorted(by: >)
        for place in places {
            switch Int.random(in: 0..<3, using: &random) {
            case 0: edited[place] = "changed: " + SampleText.line(&random)
            case 1: edited.insert(contentsOf: (0..<Int.random(in: 1...3, using: &random)).map { _ in "inserted: " + SampleText.line(&random) }, at: place + 1)
            default: edited.removeSubrange(place..<min(place + Int.random(in: 1...2, using: &random), edited.count))
            }
        }
        old = original.map { $0 + "\n" }.joined()
        new = edited.map { $0 + "\n" }.joined()
    }
}
