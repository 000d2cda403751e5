import Hummingbird
import NIOCore
import StorageCore

/// What operators and tools read: health, metrics, the OpenAPI document.
struct OperationsController<Context: RequestContext> {
    let storage: any JobStore
    let metrics: ServerMetrics

    func addRoutes(to router: Router<Context>) {
        router.get("healthz", use: health)
        router.get("metrics", use: scrape)
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: JSONResponse.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.text)))
        }
    }

    @Sendable func health(_ request: Request, context: Context) async throws -> Response {
        do {
            _ = try await storage.listJobs(JobQuery(limit: 1))
            return JSONResponse.make(.object(["status": .string("ok"), "database": .string("ok")]))
        } catch {
            context.logger.warning("health check failed", metadata: ["error": "\(error)"])
            return JSONResponse.make(
                .object(["status": .string("unavailable"), "error": .string("the database does not answer")]),
                status: .serviceUnavailable)
        }
    }

    @Sendable func scrape(_ request: Request, context: Context) async throws -> Response {
        let text = await metrics.scrape(storage)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

enum OpenAPIDocument {
    static var text: String { EmbeddedOpenAPI.files["openapi.json"] ?? "{}" }
}
