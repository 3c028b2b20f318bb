import Foundation
import FoundryStore
import Logging
import ServiceLifecycle

/// The runner processes of this server: starts them (payload first, the run
/// directory in place before the command runs), cancels them, and stops
/// them all when the server shuts down.
actor RunSupervisor {
    let workspace: Workspace
    let io: BlockingIO
    let configuration: ServerConfiguration
    let logger: Logger
    private var running: [String: RunProcess] = [:]
    private var stopping = false

    init(workspace: Workspace, io: BlockingIO, configuration: ServerConfiguration, logger: Logger) {
        self.workspace = workspace
        self.io = io
        self.configuration = configuration
        self.logger = logger
    }

    /// Exports `version` (default: the head) and starts the runner on it.
    ///
    /// The run is built under a temp name, its shell is spawned and held at a
    /// gate, the directory is renamed into place and audited, and only then
    /// does the command run. A shell that cannot be executed, or any failure
    /// before the rename, leaves no run directory.
    func start(in store: ProjectStore, version: Int?, by identity: EditorIdentity) async throws -> RunRecord {
        guard let template = configuration.runner else { throw StoreError.runnerNotConfigured }
        guard !stopping else { throw StoreError.runnerFailedToStart(reason: "the server is shutting down") }
        var prepared = try await io.run { try store.prepareRun(version: version, by: identity, external: false) }
        let command = RunnerCommand.expand(template, payload: prepared.final.payload, run: prepared.final.directory)
        let shell = configuration.runnerShell
        let environment = RunnerCommand.environment(for: prepared)
        let spawned: SpawnedRunner
        do {
            spawned = try await io.run { try RunnerSpawner.spawn(shell: shell, command: command, environment: environment) }
        } catch {
            let run = prepared
            _ = try? await io.run { store.discard(run) }
            throw error
        }
        prepared.record.command = command
        prepared.record.pid = Int(spawned.pid)
        prepared.record.supervisor = .current
        let run = prepared
        let record: RunRecord
        do {
            record = try await io.run { () -> RunRecord in
                try store.updatePrepared(run)
                return try store.publishRun(run)
            }
        } catch {
            _ = try? await io.run {
                spawned.abandon()
                store.discard(run)
            }
            throw error
        }
        let process = RunProcess(project: store.id, run: run.id, pid: spawned.pid)
        running[process.key] = process
        let logger = logger
        RunOutputLoop.start(RunOutputLoop.Configuration(
            process: process, spawned: spawned, store: store, cap: configuration.runLogCap,
            grace: .milliseconds(Int(configuration.runnerGrace * 1000)), logger: logger
        ) { record in
            logger.info("run finished", metadata: [
                "project": "\(process.project)", "run": "\(process.run)", "state": "\(record?.state.rawValue ?? "unknown")",
                "exit_status": "\(record?.exitStatus.map(String.init) ?? "none")", "truncated": "\(record?.truncated ?? false)",
            ])
            Task { await self.ended(process.key) }
        })
        spawned.open()
        if stopping { process.cancel(by: .server) }
        return record
    }

    /// The live process of a run, if this server supervises it.
    func process(_ project: ProjectID, _ run: RunID) -> RunProcess? {
        running[RunProcess.key(project, run)]
    }

    private func ended(_ key: String) {
        running[key] = nil
    }

    /// At shutdown: SIGTERM to every run (state `cancelled`, by `@foundry`),
    /// SIGKILL after the grace period, and waits for their records.
    func stopAll() async {
        stopping = true
        let processes = Array(running.values)
        guard !processes.isEmpty else { return }
        logger.notice("stopping \(processes.count) run(s)")
        for process in processes { process.cancel(by: .server) }
        for process in processes {
            _ = await process.waitUntilEnded(timeout: .milliseconds(Int(configuration.runnerGrace * 1000)) + .seconds(5))
        }
    }

    /// How long a cancel may take: the grace period, the SIGKILL and the final write.
    var cancelTimeout: Duration {
        .milliseconds(Int(configuration.runnerGrace * 1000)) + .seconds(5)
    }
}

/// Stops the runs when the server shuts down gracefully.
struct RunService: Service {
    let supervisor: RunSupervisor

    func run() async throws {
        try? await gracefulShutdown()
        await supervisor.stopAll()
    }
}
