import Foundation
import FoundryStore
import HTTPTypes
import Hummingbird

/// The optional body of `POST /projects/{id}/runs`: `{"version"?: n | "current", "external"?: bool}`.
struct StartRunBody: Decodable {
    var version: Int?
    var external: Bool?

    enum CodingKeys: String, CodingKey { case version, external }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        external = try container.decodeIfPresent(Bool.self, forKey: .external)
        if let number = try? container.decodeIfPresent(Int.self, forKey: .version) {
            version = number
        } else if let text = try container.decodeIfPresent(String.self, forKey: .version) {
            guard text == "current" || text == "head" || Int(text) != nil else {
                throw DecodingError.dataCorruptedError(forKey: .version, in: container, debugDescription: "use a version number or \"current\"")
            }
            version = Int(text)
        }
    }
}

/// `POST …/runs/{run}/output`: `{"stream": "stdout" | "stderr", "text": "…"}`.
struct RunOutputBody: Decodable {
    var stream: String
    var text: String
}

/// `POST …/runs/{run}/finish`: `{"exit_status": n}`.
struct FinishRunBody: Decodable {
    var exitStatus: Int

    enum CodingKeys: String, CodingKey {
        case exitStatus = "exit_status"
    }
}

extension FoundryAPI {
    /// Test runs: start (a process of the server, or an external run),
    /// list, read, read the console, append output and finish (external
    /// runs), cancel. Files first: every event about a run comes from the
    /// watcher seeing `run.json` and `console.log` change.
    func addRunRoutes(to router: Router<FoundryRequestContext>) {
        router.post("/projects/:id/runs") { request, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .edit)
            let data = try await JSON.bodyData(of: request, limit: configuration.maxBodyBytes)
            let body = data.isEmpty ? nil : try JSON.decode(StartRunBody.self, from: data)
            let record: RunRecord
            if body?.external == true {
                record = try await io.run { try store.createExternalRun(version: body?.version, by: caller.editor) }
            } else {
                record = try await runs.start(in: store, version: body?.version, by: caller.editor)
            }
            logger.info("run started", metadata: [
                "project": "\(store.id)", "run": "\(record.runID)", "user": "\(caller.user)", "session": "\(caller.session)",
                "version": "\(record.version)", "draft_id": "\(record.draftID)", "external": "\(record.external)",
            ])
            return try JSON.response(record, status: .created, headers: [.location: "/projects/\(store.id)/runs/\(record.runID)"])
        }

        router.get("/projects/:id/runs") { _, context -> Response in
            let store = try await project(context, for: .read)
            let records = try await io.run { try store.runs() }
            return try JSON.response(RunList(projectID: store.id.rawValue, runs: records))
        }

        router.get("/projects/:id/runs/:run") { _, context -> Response in
            let store = try await project(context, for: .read)
            let run = try context.parameters.runID()
            return try JSON.response(try await io.run { try store.runRecord(run) })
        }

        // The console as stored (JSON Lines), complete lines only, from a byte offset.
        router.get("/projects/:id/runs/:run/console") { request, context -> Response in
            let store = try await project(context, for: .read)
            let run = try context.parameters.runID()
            let from = try request.uri.queryParameters.intValue("from", default: 0, range: 0...Int.max)
            let (record, bytes, next) = try await io.run { () -> (RunRecord, Data, Int) in
                let record = try store.runRecord(run)
                let path = store.layout.run(run).console
                let size = try ConsoleLog.size(path)
                guard from <= size else {
                    throw APIError.badRequest("INVALID_QUERY", "'from' is beyond the end of the console (\(size) bytes)")
                }
                let end = max(from, try ConsoleLog.completeEnd(path, end: size))
                return (record, try ConsoleLog.bytes(path, from: from, to: end), end)
            }
            var headers: HTTPFields = [.contentType: "application/jsonl; charset=utf-8"]
            headers[HTTPField.Name("X-Next-Offset")!] = String(next)
            headers[HTTPField.Name("X-Run-State")!] = record.state.rawValue
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }

        router.post("/projects/:id/runs/:run/output") { request, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .edit)
            let run = try context.parameters.runID()
            let body = try await JSON.decode(RunOutputBody.self, from: request, limit: configuration.maxBodyBytes)
            guard body.stream == "stdout" || body.stream == "stderr", let stream = ConsoleStream(rawValue: body.stream) else {
                throw APIError.badRequest("INVALID_ARGUMENT", "'stream' must be \"stdout\" or \"stderr\"")
            }
            let cap = configuration.runLogCap
            let append = try await io.run { try store.appendOutput(run, stream: stream, text: body.text, by: caller.editor, cap: cap) }
            return try JSON.response(AppendResponse(run: run.rawValue, append: append))
        }

        router.post("/projects/:id/runs/:run/finish") { request, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .edit)
            let run = try context.parameters.runID()
            let body = try await JSON.decode(FinishRunBody.self, from: request, limit: configuration.maxBodyBytes)
            let record = try await io.run { () -> RunRecord in
                let record = try store.runRecord(run)
                guard !record.isFinished else { throw StoreError.runFinished(run: run.rawValue, state: record.state.rawValue) }
                guard record.external else { throw StoreError.runNotExternal(run: run.rawValue) }
                return try store.finishRun(run, outcome: RunOutcome(exitStatus: body.exitStatus), by: caller.editor)
            }
            return try JSON.response(record)
        }

        // Cancel: SIGTERM to the runner's process group, SIGKILL after the grace
        // period; answers once the run has ended (202 if it has not within the
        // grace period and a few seconds). An external run is simply marked cancelled.
        router.delete("/projects/:id/runs/:run") { _, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .edit)
            let run = try context.parameters.runID()
            if let process = await runs.process(store.id, run) {
                process.cancel(by: caller.editor)
                let ended = await process.waitUntilEnded(timeout: await runs.cancelTimeout)
                let record = try await io.run { try store.runRecord(run) }
                return try JSON.response(record, status: ended ? .ok : .accepted)
            }
            let record = try await io.run { () -> RunRecord in
                let record = try store.runRecord(run)
                guard !record.isFinished else { throw StoreError.runFinished(run: run.rawValue, state: record.state.rawValue) }
                guard record.external else {
                    throw StoreError.conflict("run '\(run)' is supervised by another server process (pid \(record.supervisor.map { String($0.pid) } ?? "unknown")); cancel it there")
                }
                return try store.finishRun(run, outcome: RunOutcome(exitStatus: nil, cancelledBy: caller.editor), by: caller.editor)
            }
            return try JSON.response(record)
        }
    }
}

/// `GET /projects/{id}/runs`: newest first.
struct RunList: Encodable {
    var projectID: String
    var runs: [RunRecord]

    enum CodingKeys: String, CodingKey {
        case runs
        case projectID = "project_id"
    }
}

/// The answer to an output append: where its line starts, where the console now ends.
struct AppendResponse: Encodable {
    var run: String
    var append: ConsoleAppend

    enum CodingKeys: String, CodingKey {
        case run, offset, truncated
        case nextOffset = "next_offset"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(run, forKey: .run)
        try container.encode(append.offset, forKey: .offset)
        try container.encode(append.nextOffset, forKey: .nextOffset)
        try container.encode(append.truncated, forKey: .truncated)
    }
}

extension Parameters {
    /// The `:run` path parameter, validated.
    func runID() throws -> RunID {
        try RunID(try require("run"))
    }
}
