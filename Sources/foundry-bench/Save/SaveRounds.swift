/// The three timings of every round of the save benchmark, in nanoseconds.
struct SaveRounds: Sendable {
    var limit: [UInt64] = []
    var store: [UInt64] = []
    var http: [UInt64] = []
    /// The same save over HTTP in a project with many members.
    var crowded: [UInt64] = []
}
