import Foundation
import FoundryStore

/// The hubs of one server process, created when a first socket joins a project.
actor HubRegistry {
    let workspace: Workspace
    let io: BlockingIO
    let configuration: ServerConfiguration
    /// Identifies this server run; a client resuming with another run's `epoch` gets `RESYNC`.
    nonisolated let epoch = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    private var hubs: [String: ProjectHub] = [:]

    init(workspace: Workspace, io: BlockingIO, configuration: ServerConfiguration) {
        self.workspace = workspace
        self.io = io
        self.configuration = configuration
    }

    /// The hub of `id`, loading its state from the files the first time.
    func hub(for id: ProjectID) async throws -> ProjectHub {
        if let hub = hubs[id.rawValue] { return hub }
        let workspace = workspace
        let state = try await io.run { try ProjectFileState.load(workspace.project(id)) }
        if let hub = hubs[id.rawValue] { return hub }
        let hub = ProjectHub(
            project: id.rawValue, epoch: epoch, files: state,
            logCapacity: configuration.eventLogSize
        )
        hubs[id.rawValue] = hub
        return hub
    }

    func existing(_ project: String) -> ProjectHub? {
        hubs[project]
    }

    var all: [ProjectHub] { Array(hubs.values) }
}
