import Hummingbird
import NIOCore
import Prometheus
import StorageCore

/// What operators and tools read: health, metrics, the OpenAPI document.
struct OperationsController<Context: RequestContext> {
    let storage: any JobStore & TaskQueue
    let metrics: ServerMetrics
    var process: PrometheusCollectorRegistry? = nil

    func addRoutes(to router: Router<Context>) {
        addHealthAndMetrics(to: router)
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: JSONResponse.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.text)))
        }
    }

    /// What a worker's own port serves too.
    func addHealthAndMetrics(to router: Router<Context>) {
        router.get("healthz", use: health)
        router.get("metrics", use: scrape)
    }

    @Sendable func health(_ request: Request, context: Context) async throws -> Response {
        do {
            _ = try await storage.listJobs(JobQuery(limit: 1))
            return JSONResponse.make(
                .object([
                    "status": .string("ok"), "database": .string("ok"), "version": .string(BuildInfo.version),
                ]))
        } catch {
            context.logger.warning("health check failed", metadata: ["error": "\(error)"])
            return JSONResponse.make(
                .object([
                    "status": .string("unavailable"), "error": .string("the database does not answer"),
                    "version": .string(BuildInfo.version),
                ]),
                status: .serviceUnavailable)
        }
    }

    @Sendable func scrape(_ request: Request, context: Context) async throws -> Response {
        let text = await metrics.scrape(storage, process: process)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

enum OpenAPIDocument {
    static var text: String { EmbeddedOpenAPI.files["openapi.json"] ?? "{}" }
}
