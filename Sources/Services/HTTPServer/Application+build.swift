import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import StorageCore

/// The HTTP API of the earlier service over any `Storage`: the routes of
/// original-service.md plus health, metrics and the OpenAPI document.
public func buildRouter(storage: any Storage, settings: ServerSettings) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    let metrics = ServerMetrics()
    router.add(middleware: RequestRecordMiddleware(metrics: metrics))
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: BrowserGuardMiddleware(settings: settings))
    OperationsController(storage: storage, metrics: metrics, process: settings.processMetrics).addRoutes(to: router)
    WebController().addRoutes(to: router)
    let api = router.group("api")
    if let token = settings.apiToken {
        // Google sends the browser back without a token; the signed `state` guards that route.
        api.add(
            middleware: BearerTokenMiddleware(
                token: token, exempt: [YouTubeController<BasicRequestContext>.callbackPath]))
    }
    let abandoned = AbandonedJobs(storage: storage, settings: settings)
    JobsController(storage: storage, settings: settings, abandoned: abandoned).addRoutes(to: api)
    FilesController(storage: storage, settings: settings).addRoutes(to: api)
    YouTubeController(storage: storage, settings: settings).addRoutes(to: api)
    PlaylistController(storage: storage, settings: settings).addRoutes(to: api)
    MediaController(settings: settings).addRoutes(api: api, router: router)
    PreviewsController(storage: storage, settings: settings).addRoutes(to: api)
    AdminController(storage: storage, settings: settings).addRoutes(to: api)
    return router
}

/// The application `serve` runs: the router, listening where the settings say,
/// with `services` (render workers, say) run beside it. On SIGTERM or SIGINT it
/// stops taking requests, lets the ones in flight finish, stops the services,
/// and closes the database last.
public func buildApplication(
    storage: any Storage, settings: ServerSettings, services: [any Service] = [], logger: Logger,
    onServerRunning: @escaping @Sendable () async -> Void = {}
) async throws -> some ApplicationProtocol {
    try await AbandonedJobs(storage: storage, settings: settings).remove(logger: logger)
    return Application(
        router: buildRouter(storage: storage, settings: settings),
        server: .http1(
            configuration: .init(idleTimeout: .nanoseconds(Int64(settings.idleTimeout.inSeconds * 1_000_000_000)))),
        configuration: ApplicationConfiguration(
            address: .hostname(settings.host, port: settings.port), serverName: "yt-builder",
            availableConnectionsDelegate: .maximum(settings.maximumConnections, logger: logger)),
        // Services stop in the reverse order: the server first, the database last.
        services: [StorageService(storage: storage)] + services,
        onServerRunning: { _ in await onServerRunning() },
        logger: logger)
}

/// A sentence for a server that could not listen (the port taken, or one
/// only root may bind), nil for any other error.
public func listenFailure(_ error: any Error, host: String, port: Int) -> String? {
    guard let error = error as? IOError, "\(error)".contains("bind(") else { return nil }
    switch error.errnoCode {
    case EADDRINUSE:
        return "port \(port) on \(host) is in use: another program (or another yt-builder) listens there; "
            + "stop it, or choose another port with --port"
    case EACCES:
        return "port \(port) on \(host) may only be used by root; choose a port above 1023 with --port"
    case EADDRNOTAVAIL:
        return "\(host) is not an address of this machine; choose one with --host"
    default:
        return "cannot listen on \(host):\(port): \(error)"
    }
}

/// Holds the database open while the server runs and closes it on shutdown.
struct StorageService: Service {
    let storage: any Storage

    func run() async throws {
        try? await gracefulShutdown()
        await storage.close()
    }
}

/// What a worker process serves on `worker --metrics-port`: `/healthz` and
/// `/metrics` (the process's figures, the queue, the build), nothing else.
public func buildOperationsApplication(
    storage: any Storage, metrics registry: PrometheusCollectorRegistry, host: String, port: Int, logger: Logger,
    onServerRunning: @escaping @Sendable () async -> Void = {}
) -> some ApplicationProtocol {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    OperationsController(storage: storage, metrics: ServerMetrics(), process: registry).addHealthAndMetrics(
        to: router)
    return Application(
        router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
        onServerRunning: { _ in await onServerRunning() }, logger: logger)
}
