import FoundryStore

extension EventPump {
    /// `run.json` changed or `console.log` grew: reads the record, then the
    /// console from where the hub stands (up to the sealed size once the run
    /// has ended, so `RUN_FINISHED` follows its last line), and applies it.
    /// A run whose `run.json` is not there yet waits for its own event.
    func handleRun(_ run: String, hub: ProjectHub, store: ProjectStore) async throws {
        guard let id = try? RunID(run) else { return }
        while true {
            let cursor = await hub.runCursor(run)
            if cursor?.finished == true { return }
            let from = cursor?.offset ?? 0
            let update = try await io.run { () -> RunUpdate? in
                // The record first: once it is final, every line it seals is already in the file.
                guard let record = try? store.runRecord(id) else { return nil }
                let console = try ConsoleLog.read(store.layout.run(id).console, from: from, end: record.isFinished ? record.consoleBytes : nil)
                return RunUpdate(record: record, console: console)
            }
            guard let update else { return }
            await hub.apply(update)
            if !update.console.hasMore { return }
        }
    }

    /// Before a rescan replaces the hub's state: the run events it missed,
    /// bringing every run to exactly what `state` loaded (its starts, the
    /// console lines up to the loaded offset, its end).
    func runCatchUp(_ hub: ProjectHub, to state: ProjectFileState, in store: ProjectStore) async throws -> [RunUpdate] {
        var updates: [RunUpdate] = []
        for (run, live) in state.runs.runs.sorted(by: { $0.key < $1.key }) {
            let cursor = await hub.runCursor(run)
            if cursor?.finished == true { continue }
            let from = cursor?.offset ?? 0
            let path = store.layout.run(try RunID(run)).console
            let console = try await io.run { () -> ConsoleChunk in
                var chunk = ConsoleChunk(from: from, to: from, entries: [], hasMore: false)
                while chunk.to < live.offset {
                    let next = try ConsoleLog.read(path, from: chunk.to, end: live.offset)
                    guard next.to > chunk.to else { break }
                    chunk.entries += next.entries
                    chunk.to = next.to
                }
                return chunk
            }
            updates.append(RunUpdate(record: live.record, console: console))
        }
        return updates
    }
}
