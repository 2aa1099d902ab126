import Foundation
import HTTPTypes
import Hummingbird
import PatentAccounts
import PatentTasks

/// Signed downloads: `GET /patent-search/download/{task}/{file}?expires=…&signature=…`
/// needs no token; a tampered or expired link is 68300004 with HTTP 403, a swept file
/// 68300004 with HTTP 404, each in the envelope. Single byte
/// ranges (RFC 9110 §14) let clients resume; the SHA-256 of the whole file comes in
/// `Repr-Digest` (RFC 9530) and `X-Content-SHA256`.
struct DownloadRoute {
    let tasks: ExportTaskService
    let work: WorkPool
    let fileIO = FileIO()

    func register(on router: some RouterMethods<PatentRequestContext>) {
        router.get("/patent-search/download/{task}/{file}") { request, context in
            try await download(request, context: context, includeBody: true)
        }
        router.head("/patent-search/download/{task}/{file}") { request, context in
            try await download(request, context: context, includeBody: false)
        }
    }

    static func refusal(_ message: String, status: Int) -> ServiceError {
        ServiceError(code: 68300004, message: message, httpStatus: status)
    }

    func download(_ request: Request, context: PatentRequestContext, includeBody: Bool) async throws -> Response {
        let task = context.parameters.get("task") ?? ""
        let file = context.parameters.get("file") ?? ""
        let query = request.uri.queryParameters
        guard let expires = query["expires"].flatMap({ Int($0) }), let signature = query["signature"].map(String.init) else {
            throw Self.refusal("the link is not signed", status: 403)
        }
        let found: ExportTaskService.Download
        do {
            let tasks = tasks
            let keyID = query["kid"].map(String.init)
            found = try await work.run {
                try tasks.download(taskID: task, fileName: file, expires: expires, keyID: keyID, signature: signature)
            }
        } catch ExportTaskService.DownloadRefusal.forbidden {
            throw Self.refusal("the link is invalid or has expired", status: 403)
        } catch ExportTaskService.DownloadRefusal.revoked {
            throw Self.refusal("the link was revoked: its task or its client is no longer active", status: 403)
        } catch ExportTaskService.DownloadRefusal.gone {
            throw Self.refusal("the file no longer exists", status: 404)
        }
        var headers: HTTPFields = [
            .contentType: found.contentType,
            .contentDisposition: "attachment; filename=\"\(found.fileName)\"",
            .acceptRanges: "bytes",
        ]
        headers[HTTPField.Name("Repr-Digest")!] = "sha-256=:\(Self.base64(hex: found.sha256)):"
        headers[HTTPField.Name("X-Content-SHA256")!] = found.sha256
        var range = 0...max(0, found.size - 1)
        var status = HTTPResponse.Status.ok
        if let header = request.headers[.range] {
            switch ByteRange.parse(header, size: found.size) {
            case .whole: break
            case .unsatisfiable:
                headers[.contentRange] = "bytes */\(found.size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            case .part(let part):
                range = part
                status = .partialContent
                headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound)/\(found.size)"
            }
        }
        let length = found.size == 0 ? 0 : range.count
        headers[.contentLength] = String(length)
        guard includeBody, length > 0 else { return Response(status: status, headers: headers) }
        let body = try await fileIO.loadFile(path: found.path, range: range, context: context)
        return Response(status: status, headers: headers, body: body)
    }

    private static func base64(hex: String) -> String {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            if let byte = UInt8(hex[index..<next], radix: 16) { bytes.append(byte) }
            index = next
        }
        return Data(bytes).base64EncodedString()
    }
}

/// The `Range` header of a download: one byte range, or none that applies.
enum ByteRange: Equatable {
    /// No usable range: send the whole file (also for multiple ranges, which RFC 9110 lets a server ignore).
    case whole
    case part(ClosedRange<Int>)
    /// 416.
    case unsatisfiable

    static func parse(_ header: String, size: Int) -> ByteRange {
        let value = header.trimmingCharacters(in: .whitespaces)
        guard value.lowercased().hasPrefix("bytes="), !value.contains(",") else { return .whole }
        let spec = value.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0 else { return last.isEmpty ? .whole : .unsatisfiable }
            guard size > 0 else { return .unsatisfiable }
            return .part(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int(first), start >= 0 else { return .whole }
        guard start < size else { return .unsatisfiable }
        if last.isEmpty { return .part(start...(size - 1)) }
        guard let end = Int(last), end >= start else { return .whole }
        return .part(start...min(end, size - 1))
    }
}
