import Foundation

/// One line of output: a figure, the limit it is measured against in the
/// same run, how many times the limit's cost it is, and the target.
///
/// A ratio above 1 always means "slower than the limit": durations are
/// divided by the limit's, throughputs divide the limit's.
struct Report {
    struct Limit {
        var name: String
        var figure: String
        var ratio: Double
    }

    var label: String
    var figure: String
    var limit: Limit?
    var target: String?

    static let labelWidth = 44

    var line: String {
        var text = label.padding(toLength: max(label.count, Self.labelWidth), withPad: " ", startingAt: 0) + "  " + figure
        if let limit {
            text += " | limit: \(limit.name) \(limit.figure) → \(String(format: "%.1f", limit.ratio))×"
        }
        if let target { text += " (target \(target))" }
        return text
    }

    /// A benchmark whose server feature is missing (answered 404 or 409).
    static func unavailable(_ label: String, _ why: String) -> Report {
        Report(label: label, figure: "not available (\(why))")
    }

    func print() {
        Swift.print(line)
        fflush(nil)
    }

    static func milliseconds(_ value: Double) -> String {
        String(format: value < 10 ? "%.2f ms" : "%.1f ms", value)
    }

    static func megabytesPerSecond(bytes: Int, nanoseconds: UInt64) -> Double {
        Double(bytes) / 1_048_576 / (Double(nanoseconds) / 1e9)
    }

    static func rate(_ value: Double, _ unit: String) -> String {
        String(format: value >= 100 ? "%.0f %@" : "%.1f %@", value, unit)
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
