/// The shortest edit script between two sequences of lines: Myers' O(ND)
/// algorithm in its linear-space form (middle snake, divide and conquer),
/// so memory stays O(N + M) even when the texts have nothing in common.
public enum LineDiff {
    /// A run of equal elements: `a[oldStart..<oldStart+count] == b[newStart..<newStart+count]`.
    public struct Match: Sendable, Equatable {
        public var oldStart: Int
        public var newStart: Int
        public var count: Int
    }

    /// The common runs of `a` and `b` of a shortest edit script, in order.
    /// Everything between two runs is deleted from `a` and inserted from `b`.
    public static func matches<Element: Hashable>(_ a: [Element], _ b: [Element]) -> [Match] {
        var interned: [Element: Int] = [:]
        interned.reserveCapacity(a.count)
        let left = a.map { element -> Int in
            if let id = interned[element] { return id }
            interned[element] = interned.count
            return interned.count - 1
        }
        let right = b.map { interned[$0] ?? -1 }
        var solver = MiddleSnakeSolver(a: left, b: right)
        var runs: [Match] = []
        solver.solve(Range(a: 0..<left.count, b: 0..<right.count), into: &runs)
        return merged(runs)
    }

    private static func merged(_ runs: [Match]) -> [Match] {
        var result: [Match] = []
        for run in runs where run.count > 0 {
            if let last = result.last, last.oldStart + last.count == run.oldStart, last.newStart + last.count == run.newStart {
                result[result.count - 1].count += run.count
            } else {
                result.append(run)
            }
        }
        return result
    }

    struct Range {
        var a: Swift.Range<Int>
        var b: Swift.Range<Int>
    }
}

/// Myers' bidirectional search for the middle snake of a shortest edit script.
private struct MiddleSnakeSolver {
    let a: [Int]
    let b: [Int]
    private var forward: [Int] = []
    private var backward: [Int] = []

    init(a: [Int], b: [Int]) {
        self.a = a
        self.b = b
    }

    /// Appends the matches of `range` in order; recursion depth is O(log D).
    mutating func solve(_ range: LineDiff.Range, into runs: inout [LineDiff.Match]) {
        var (aLo, aHi, bLo, bHi) = (range.a.lowerBound, range.a.upperBound, range.b.lowerBound, range.b.upperBound)
        let prefixStart = (aLo, bLo)
        while aLo < aHi, bLo < bHi, a[aLo] == b[bLo] { aLo += 1; bLo += 1 }
        runs.append(.init(oldStart: prefixStart.0, newStart: prefixStart.1, count: aLo - prefixStart.0))
        var suffix = 0
        while aHi > aLo, bHi > bLo, a[aHi - 1] == b[bHi - 1] { aHi -= 1; bHi -= 1; suffix += 1 }
        if aLo < aHi, bLo < bHi {
            let snake = middleSnake(aLo: aLo, aHi: aHi, bLo: bLo, bHi: bHi)
            solve(.init(a: aLo..<snake.x, b: bLo..<snake.y), into: &runs)
            runs.append(.init(oldStart: snake.x, newStart: snake.y, count: snake.u - snake.x))
            solve(.init(a: snake.u..<aHi, b: snake.v..<bHi), into: &runs)
        }
        runs.append(.init(oldStart: aHi, newStart: bHi, count: suffix))
    }

    /// The snake (x, y) → (u, v) in the middle of a shortest path; both ends
    /// are strictly inside the range when the range has no common prefix or suffix.
    private mutating func middleSnake(aLo: Int, aHi: Int, bLo: Int, bHi: Int) -> (x: Int, y: Int, u: Int, v: Int) {
        let n = aHi - aLo, m = bHi - bLo
        let delta = n - m
        let odd = delta & 1 != 0
        let maxD = (n + m + 1) / 2
        let offset = maxD + 1
        let size = 2 * offset + 1
        if forward.count < size {
            forward = Array(repeating: 0, count: size)
            backward = Array(repeating: 0, count: size)
        }
        forward[offset + 1] = 0
        backward[offset + 1] = 0
        for d in 0...maxD {
            for k in stride(from: -d, through: d, by: 2) {
                var x = (k == -d || (k != d && forward[offset + k - 1] < forward[offset + k + 1]))
                    ? forward[offset + k + 1] : forward[offset + k - 1] + 1
                var y = x - k
                let (x0, y0) = (x, y)
                while x < n, y < m, a[aLo + x] == b[bLo + y] { x += 1; y += 1 }
                forward[offset + k] = x
                let c = delta - k
                if odd, c >= -(d - 1), c <= d - 1, x + backward[offset + c] >= n {
                    return (aLo + x0, bLo + y0, aLo + x, bLo + y)
                }
            }
            for c in stride(from: -d, through: d, by: 2) {
                var x = (c == -d || (c != d && backward[offset + c - 1] < backward[offset + c + 1]))
                    ? backward[offset + c + 1] : backward[offset + c - 1] + 1
                var y = x - c
                let (x0, y0) = (x, y)
                while x < n, y < m, a[aHi - 1 - x] == b[bHi - 1 - y] { x += 1; y += 1 }
                backward[offset + c] = x
                let k = delta - c
                if !odd, k >= -d, k <= d, x + forward[offset + k] >= n {
                    return (aHi - x, bHi - y, aHi - x0, bHi - y0)
                }
            }
        }
        preconditionFailure("a middle snake always exists within (N + M + 1) / 2 steps")
    }
}
