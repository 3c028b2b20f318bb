/// Turns the matches of a line diff into hunks with `context` lines around
/// each change, merging changes that are at most `2 × context` lines apart —
/// the grouping GNU `diff -u` and `git diff` use.
struct HunkBuilder {
    let old: [TextLines.Line]
    let new: [TextLines.Line]
    let context: Int

    /// One step of the edit script, with the 0-based position on each side
    /// (for an insert, `oldPosition` is where it goes; for a delete, `newPosition`).
    private struct Step {
        var op: HunkLine.Op
        var oldPosition: Int
        var newPosition: Int
    }

    func hunks() -> [Hunk] {
        let steps = script()
        let changes = steps.indices.filter { steps[$0].op != .context }
        guard let first = changes.first else { return [] }
        var groups: [(Int, Int)] = [(first, first)]
        for index in changes.dropFirst() {
            if index - groups[groups.count - 1].1 - 1 <= 2 * context {
                groups[groups.count - 1].1 = index
            } else {
                groups.append((index, index))
            }
        }
        return groups.map { hunk(steps[max(0, $0.0 - context)...min(steps.count - 1, $0.1 + context)]) }
    }

    private func script() -> [Step] {
        var steps: [Step] = []
        var (oldPosition, newPosition) = (0, 0)
        func changes(upTo oldEnd: Int, _ newEnd: Int) {
            while oldPosition < oldEnd { steps.append(Step(op: .delete, oldPosition: oldPosition, newPosition: newPosition)); oldPosition += 1 }
            while newPosition < newEnd { steps.append(Step(op: .insert, oldPosition: oldPosition, newPosition: newPosition)); newPosition += 1 }
        }
        for match in LineDiff.matches(old, new) {
            changes(upTo: match.oldStart, match.newStart)
            for _ in 0..<match.count {
                steps.append(Step(op: .context, oldPosition: oldPosition, newPosition: newPosition))
                oldPosition += 1
                newPosition += 1
            }
        }
        changes(upTo: old.count, new.count)
        return steps
    }

    private func hunk(_ steps: ArraySlice<Step>) -> Hunk {
        let oldCount = steps.filter { $0.op != .insert }.count
        let newCount = steps.filter { $0.op != .delete }.count
        let first = steps[steps.startIndex]
        let lines = steps.map { step in
            HunkLine(op: step.op, text: step.op == .insert ? new[step.newPosition].text : old[step.oldPosition].text)
        }
        return Hunk(
            oldStart: oldCount == 0 ? first.oldPosition : first.oldPosition + 1, oldCount: oldCount,
            newStart: newCount == 0 ? first.newPosition : first.newPosition + 1, newCount: newCount,
            lines: lines,
            oldMissingNewline: steps.contains { $0.op != .insert && $0.oldPosition == old.count - 1 && old[$0.oldPosition].missingNewline },
            newMissingNewline: steps.contains { $0.op != .delete && $0.newPosition == new.count - 1 && new[$0.newPosition].missingNewline }
        )
    }
}
