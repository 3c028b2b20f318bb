/// Latency samples in nanoseconds, summarized as milliseconds.
struct Percentiles {
    private let sorted: [UInt64]

    init(_ samples: [UInt64]) {
        sorted = samples.sorted()
    }

    var count: Int { sorted.count }
    var p50: Double { milliseconds(50) }
    var p99: Double { milliseconds(99) }

    /// The `p`-th percentile (0–100) in milliseconds, nearest rank.
    func milliseconds(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return Double(sorted[min(max(rank, 0), sorted.count - 1)]) / 1_000_000
    }

    /// `p50 0.91 ms  p99 1.80 ms`.
    var summary: String {
        "p50 \(Report.milliseconds(p50))  p99 \(Report.milliseconds(p99))"
    }
}
