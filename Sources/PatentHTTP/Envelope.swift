import Foundation
import Hummingbird
import PatentTasks

/// PatSnap's envelope: `{"data": …, "status": true|false, "error_code": 0|code,
/// "error_msg": "…"}` on every JSON answer.
enum Envelope {
    static func success(_ data: some Encodable) -> Response {
        response(Body(data: data, status: true, errorCode: 0, errorMessage: nil), status: .ok)
    }

    static func failure(_ error: ServiceError) -> Response {
        response(Body<Empty>(data: nil, status: false, errorCode: error.code, errorMessage: error.message),
                 status: HTTPResponse.Status(code: error.httpStatus))
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
/// (404 route, 403 download) unchanged, anything else as 68300008 with the details only
/// in the log.
struct EnvelopeMiddleware: RouterMiddleware {
    typealias Context = PatentRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServiceError {
            return Envelope.failure(error)
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return Envelope.failure(.serviceError("service error, please try again later"))
        }
    }
}

extension Request {
    /// The JSON body: 68300007 when the content type is not JSON, the body is larger than
    /// the context allows or does not parse.
    mutating func jsonBody(context: PatentRequestContext) async throws -> JSONValue {
        if let type = headers[.contentType], !type.lowercased().contains("json") {
            throw ServiceError.badRequest("Content-Type must be application/json, not '\(type)'")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: context.maxUploadSize)
        } catch {
            throw ServiceError.badRequest("the request body is larger than \(context.maxUploadSize) bytes")
        }
        return try JSONValue.parse(buffer.readableBytesView)
    }
}
