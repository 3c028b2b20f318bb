/// One metric family of `/metrics`: its name, help text, type, labels, and
/// the label values known before anything happened.
///
/// `FoundryMetrics` registers every family of `FoundryMetrics.families` when
/// the server starts: a scrape shows each one (`# HELP`, `# TYPE`) from the
/// first second, gauges and counters at 0 for every known label value and
/// histograms with their buckets, rather than nothing until first use.
public struct MetricFamily: Sendable {
    public enum Kind: Sendable {
        case counter
        case gauge
        /// A histogram of durations, exported in seconds, with these bucket bounds.
        case histogram(buckets: [Duration])

        /// The type in the exposition format's `# TYPE` line.
        var typeName: String {
            switch self {
            case .counter: "counter"
            case .gauge: "gauge"
            case .histogram: "histogram"
            }
        }
    }

    public let name: String
    public let help: String
    public let kind: Kind
    /// The label names, in the order recordings give their values.
    public let labels: [String]
    /// Label values to show at 0 from the start, each one value per label.
    /// Empty for a family with labels whose values come at run time (a
    /// project, a route): it shows its `# HELP` and `# TYPE` lines alone until then.
    public let knownValues: [[String]]

    public init(_ name: String, _ kind: Kind, help: String, labels: [String] = [], knownValues: [[String]] = []) {
        precondition(knownValues.allSatisfy { $0.count == labels.count }, "\(name): each known value names every label")
        self.name = name
        self.kind = kind
        self.help = help
        self.labels = labels
        self.knownValues = knownValues
    }

    /// The series registered at start: the one series of an unlabeled family, or one per known value.
    var seriesAtStart: [[(String, String)]] {
        labels.isEmpty ? [[]] : knownValues.map { Array(zip(labels, $0)) }
    }
}
