import Foundation
import Hummingbird
import PatentAccounts
import PatentTasks

/// P055: create an export task by query, and report a task.
struct ExportRoutes {
    let tasks: ExportTaskService
    let work: WorkPool
    /// The scheme and host links are built on.
    let links: DownloadLinks

    /// Both paths PatSnap clients use, plus the lower-case spelling of the V2 one.
    static let createPaths = ["/patent-search/export/V2", "/patent-search/export/v2", "/patent-search/export"]

    func register(on router: some RouterMethods<PatentRequestContext>) {
        for path in Self.createPaths {
            router.post(RouterPath(path)) { request, context in try await create(request, context: context) }
        }
        router.get("/patent-search/task") { request, context in try await status(request, context: context) }
    }

    struct CreatedData: Encodable {
        let count: Int
        let task_id: String
        let total: Int
    }

    func create(_ request: Request, context: PatentRequestContext) async throws -> Response {
        var request = request
        let (tasks, client) = (tasks, context.client)
        let created = try await request.withJSONBody(context: context, on: work) { body in
            try tasks.create(ExportSpecification(body: body), for: client)
        }
        return Envelope.success(CreatedData(count: created.count, task_id: created.taskID, total: created.total))
    }

    struct StatusData: Encodable {
        let export_status: String
        let count: Int
        let url: String?
        let rows_written: Int
        let percent: Int
        let file_size: Int?
        let sha256: String?
        let failure: String?
        /// When the result was fixed — which patents, in which order (ISO 8601, UTC).
        let result_as_of: String
        /// The file's records are the store's as they were while it was written, which
        /// ended at this time: a patent re-imported after `result_as_of` appears in its
        /// newer form (API.md "Changes": the snapshot is the result, not the records).
        let records_as_of: String?
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    func status(_ request: Request, context: PatentRequestContext) async throws -> Response {
        guard let id = request.uri.queryParameters["task_id"].map(String.init), !id.isEmpty else {
            throw ServiceError.invalidParameter("task_id is required")
        }
        let (tasks, owner) = (tasks, context.client?.id)
        let task = try await work.run { try tasks.task(id, owner: owner) }
        let url = tasks.downloadPath(of: task).map { links.base + $0 }
        return Envelope.success(StatusData(
            export_status: task.status.rawValue, count: task.count, url: url, rows_written: task.rowsWritten,
            percent: task.percent, file_size: task.fileSize, sha256: task.sha256,
            failure: task.status == .fail ? "the export failed; create the task again" : nil,
            result_as_of: Self.timestamp(task.createdAt), records_as_of: task.status == .success ? Self.timestamp(task.updatedAt) : nil))
    }
}
