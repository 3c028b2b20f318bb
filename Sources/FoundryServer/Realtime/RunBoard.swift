import FoundryStore

/// What a hub knows of its project's runs: each run's record, how much of
/// its `console.log` has been announced (a byte offset at a line boundary),
/// and, while it runs, the announced lines themselves (the last
/// `backlogLimit` bytes) for sockets that join mid-run.
struct RunBoard: Sendable {
    /// The most console text a hub keeps per running run.
    static let backlogLimit = 8 << 20

    struct Live: Sendable {
        var record: RunRecord
        /// Console bytes announced: the next `CONSOLE_OUTPUT` starts here.
        var offset: Int
        var backlog: [ConsoleEntry] = []
        var backlogBytes = 0
        /// `RUN_FINISHED` was announced (or the run had ended when the hub loaded it).
        var finished: Bool

        mutating func remember(_ entries: [ConsoleEntry]) {
            backlog += entries
            backlogBytes += entries.reduce(0) { $0 + $1.size }
            var drop = 0
            while backlogBytes > RunBoard.backlogLimit, drop < backlog.count {
                backlogBytes -= backlog[drop].size
                drop += 1
            }
            backlog.removeFirst(drop)
        }
    }

    var runs: [String: Live] = [:]

    /// The runs on disk: ended ones with their sealed console size, running
    /// ones with the tail of their console as backlog.
    static func load(_ store: ProjectStore) throws -> RunBoard {
        var board = RunBoard()
        for record in try store.runs() {
            let console = store.layout.run(try RunID(record.runID)).console
            if record.isFinished {
                board.runs[record.runID] = Live(record: record, offset: try record.consoleBytes ?? ConsoleLog.size(console), finished: true)
            } else {
                let tail = try ConsoleLog.tail(console, budget: backlogLimit)
                var live = Live(record: record, offset: tail.to, finished: false)
                live.remember(tail.entries)
                board.runs[record.runID] = live
            }
        }
        return board
    }
}
