import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// Renders every failure as `{"error": "..."}` with a fitting status, so
/// scripts always get JSON that names the problem (Hummingbird's own errors,
/// such as an unknown route or a body over the limit, included).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The body limit, named in the 413 message.
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as AdminHTTPError {
            return AdminJSON.error(error)
        } catch let error as HTTPParserError {
            // A body the parser cannot read (say, a broken chunk) is the client's mistake, not ours.
            return AdminJSON.error(.badRequest("malformed HTTP request body: \(error)"))
        } catch is NIOTooManyBytesError {
            return AdminJSON.error(.init(.contentTooLarge, "request body is larger than the limit of \(maxBodyBytes) bytes"))
        } catch let error as HTTPError {
            let message: String
            if error.status == .notFound {
                message = "no such endpoint: \(request.method) \(request.uri.path)"
            } else if error.status == .methodNotAllowed {
                message = "method \(request.method) is not allowed on \(request.uri.path)"
            } else {
                message = error.body ?? error.status.reasonPhrase
            }
            return AdminJSON.error(.init(error.status, message, headers: error.headers))
        } catch let error as any HTTPResponseError {
            return AdminJSON.error(.init(error.status, error.status.reasonPhrase))
        } catch {
            context.logger.error("admin API request failed", metadata: [
                "path": .string(request.uri.path), "error": .string("\(error)")])
            return AdminJSON.error(.init(.internalServerError, "internal error: \(error)"))
        }
    }
}
