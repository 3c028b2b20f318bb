import Foundation
import FoundryStore
import Hummingbird

/// A task's link in a request: `{"field", "version"?, "line_start"?, "line_end"?}`.
struct TaskLinkBody: Decodable {
    var field: String
    var version: Int?
    var lineStart: Int?
    var lineEnd: Int?

    enum CodingKeys: String, CodingKey {
        case field, version
        case lineStart = "line_start"
        case lineEnd = "line_end"
    }

    func request() throws -> TaskLinkRequest {
        TaskLinkRequest(field: try FieldName(field), version: version, lineStart: lineStart, lineEnd: lineEnd)
    }
}

/// The body of `POST /projects/{id}/tasks`.
struct NewTaskBody: Decodable {
    var title: String
    var assignee: String?
    var link: TaskLinkBody?
}

/// The body of `PATCH /projects/{id}/tasks/{tid}`: only the keys present
/// change; `"assignee": null` and `"link": null` clear them.
struct TaskPatchBody: Decodable {
    var change = TaskChange()
    var linkBody: TaskLinkBody??

    enum CodingKeys: String, CodingKey {
        case title, done, assignee, link
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        change.title = try container.decodeIfPresent(String.self, forKey: .title)
        change.done = try container.decodeIfPresent(Bool.self, forKey: .done)
        if container.contains(.assignee) {
            change.assignee = .some(try container.decodeNil(forKey: .assignee) ? nil : try container.decode(String.self, forKey: .assignee))
        }
        if container.contains(.link) {
            linkBody = .some(try container.decodeNil(forKey: .link) ? nil : try container.decode(TaskLinkBody.self, forKey: .link))
        }
    }

    func taskChange() throws -> TaskChange {
        var change = change
        if let linkBody { change.link = .some(try linkBody.map { try $0.request() }) }
        return change
    }
}

extension FoundryAPI {
    /// Checklist items: create, list, read with history, edit/tick/untick,
    /// delete (a tombstone). Writing needs the `review` action.
    func addTaskRoutes(to router: Router<FoundryRequestContext>) {
        router.post("/projects/:id/tasks") { request, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .review)
            let body = try await JSON.decode(NewTaskBody.self, from: request, limit: configuration.maxBodyBytes)
            let new = NewTask(title: body.title, assignee: body.assignee, link: try body.link?.request())
            let (item, position) = try await io.run { () -> (TaskItem, AnchorPosition?) in
                let item = try store.createTask(new, by: caller.editor)
                return (item, try store.linkPositions(of: [item])[item.id])
            }
            logger.info("task created", metadata: ["project": "\(store.id)", "user": "\(caller.user)", "task": "\(item.id)"])
            return try JSON.response(item.json(linkPosition: position), status: .created)
        }

        router.get("/projects/:id/tasks") { request, context -> Response in
            let store = try await project(context, for: .read)
            let includeDeleted = request.uri.queryParameters["include_deleted"] == "true"
            let (items, positions, last) = try await io.run { () -> ([TaskItem], [String: AnchorPosition], Int) in
                let items = try store.allTasks().filter { includeDeleted || !$0.deleted }
                return (items, try store.linkPositions(of: items), try store.tasks.sequences().last ?? 0)
            }
            return try JSON.response(JSONValue.object([
                "project_id": .string(store.id.rawValue), "tasks_seq": .int(last),
                "tasks": .array(items.map { $0.json(linkPosition: positions[$0.id]) }),
            ]))
        }

        router.get("/projects/:id/tasks/:tid") { _, context -> Response in
            let store = try await project(context, for: .read)
            let taskID = try context.parameters.require("tid")
            let (item, position) = try await io.run { () -> (TaskItem, AnchorPosition?) in
                let item = try store.task(taskID)
                return (item, try store.linkPositions(of: [item])[item.id])
            }
            return try JSON.response(item.json(history: true, linkPosition: position))
        }

        router.patch("/projects/:id/tasks/:tid") { request, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .review)
            let taskID = try context.parameters.require("tid")
            let change = try JSON.decode(TaskPatchBody.self, from: try await JSON.bodyData(of: request, limit: configuration.maxBodyBytes)).taskChange()
            let item = try await io.run { try store.updateTask(taskID, change, by: caller.editor) }
            return try JSON.response(item.json())
        }

        router.delete("/projects/:id/tasks/:tid") { _, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .review)
            let taskID = try context.parameters.require("tid")
            let item = try await io.run { try store.deleteTask(taskID, by: caller.editor) }
            return try JSON.response(item.json())
        }
    }
}
