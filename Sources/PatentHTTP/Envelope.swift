import Foundation
import Hummingbird
import PatentAccounts
import PatentTasks

/// PatSnap's envelope: `{"data": …, "status": true|false, "error_code": 0|code,
/// "error_msg": "…"}` on every JSON answer.
enum Envelope {
    static func success(_ data: some Encodable) -> Response {
        response(Body(data: data, status: true, errorCode: 0, errorMessage: nil), status: .ok)
    }

    /// A refusal with its HTTP status, `Retry-After` when the error has one and
    /// `WWW-Authenticate` on 401.
    static func failure(_ error: ServiceError, headers: HTTPFields = [:]) -> Response {
        var response = response(Body<Empty>(data: nil, status: false, errorCode: error.code, errorMessage: error.message),
                                status: HTTPResponse.Status(code: error.httpStatus))
        response.headers.append(contentsOf: headers)
        if let seconds = error.retryAfter, response.headers[.retryAfter] == nil { response.headers[.retryAfter] = String(seconds) }
        if error.httpStatus == 401 { response.headers[.wwwAuthenticate] = #"Bearer realm="patents""# }
        return response
    }

    private struct Empty: Encodable {}

    private struct Body<Payload: Encodable>: Encodable {
        let data: Payload?
        let status: Bool
        let errorCode: Int
        let errorMessage: String?

        enum CodingKeys: String, CodingKey {
            case data, status
            case errorCode = "error_code"
            case errorMessage = "error_msg"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(data, forKey: .data)
            try container.encode(status, forKey: .status)
            try container.encode(errorCode, forKey: .errorCode)
            try container.encodeIfPresent(errorMessage, forKey: .errorMessage)
        }
    }

    private static func response(_ body: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(body)) ?? Data(#"{"status":false,"error_code":68300008}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns errors thrown by routes into envelopes: `ServiceError` as itself, HTTP errors
/// (no such route, 413; a documented route asked with another method becomes 405 with
/// `Allow`) as 68300007 with their HTTP status, anything else as
/// 68300008 with the details only in the log. Counts every answer by route, HTTP status and PatSnap code.
struct EnvelopeMiddleware: RouterMiddleware {
    typealias Context = PatentRequestContext

    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let route = context.endpointPath ?? "unmatched"
        do {
            let response = try await next(request, context)
            metrics.request(route: route, status: Int(response.status.code), code: 0)
            return response
        } catch let error as any HTTPResponseError {
            // A documented path asked with another method: 405 and the methods it has.
            if error.status == .notFound {
                let allowed = DocumentedRoutes.methods(for: request.uri.path)
                if !allowed.isEmpty, !allowed.contains(request.method.rawValue) {
                    let failure = ServiceError(code: 68300007, message: "Method Not Allowed (\(request.method) \(request.uri.path)); allowed: "
                                               + allowed.joined(separator: ", "), httpStatus: 405)
                    metrics.request(route: route, status: 405, code: failure.code)
                    return Envelope.failure(failure, headers: [.allow: allowed.joined(separator: ", ")])
                }
            }
            // Routing and the HTTP layer (no such route, a body too large): the envelope too
            // (API.md "Changes"), with the HTTP status kept and 68300007.
            let message = (error as? HTTPError)?.body ?? error.status.reasonPhrase
            let failure = ServiceError(code: 68300007, message: "\(message) (\(request.method) \(request.uri.path))",
                                       httpStatus: Int(error.status.code))
            metrics.request(route: route, status: failure.httpStatus, code: failure.code)
            return Envelope.failure(failure, headers: (error as? HTTPError)?.headers ?? [:])
        } catch {
            let (failure, headers): (ServiceError, HTTPFields)
            switch error {
            case let error as ServiceError: (failure, headers) = (error, [:])
            case let error as EnvelopedError: (failure, headers) = (error.error, error.headers)
            default:
                context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
                (failure, headers) = (.serviceError("service error, please try again later"), [:])
            }
            metrics.request(route: route, status: failure.httpStatus, code: failure.code)
            return Envelope.failure(failure, headers: headers)
        }
    }
}

extension Request {
    /// The body, at most `context.maxUploadSize` bytes: 68300007 with HTTP 413 beyond,
    /// refused from `Content-Length` before any of it is read when the client declares it.
    mutating func boundedBody(context: PatentRequestContext) async throws -> ByteBuffer {
        let limit = context.maxUploadSize
        let tooLarge = ServiceError(code: 68300007, message: "the request body is larger than \(limit) bytes (\(limit >> 20) MiB)",
                                    httpStatus: 413)
        if let declared = headers[.contentLength], let length = Int(declared), length > limit { throw tooLarge }
        do {
            return try await collectBody(upTo: limit)
        } catch {
            throw tooLarge
        }
    }

    /// Runs `handle` on `work` with the parsed JSON body: 68300007 when the content type
    /// is not JSON, the body is too large or does not parse. Parsing and whatever
    /// `handle` does (validation, search, SQLite) stay off the event loops.
    mutating func withJSONBody<T: Sendable>(context: PatentRequestContext, on work: WorkPool,
                                            _ handle: @escaping @Sendable (JSONValue) throws -> T) async throws -> T {
        if let type = headers[.contentType], !type.lowercased().contains("json") {
            throw ServiceError.badRequest("Content-Type must be application/json, not '\(type)'")
        }
        let buffer = try await boundedBody(context: context)
        return try await work.run { try handle(JSONValue.parse(buffer.readableBytesView)) }
    }
}
