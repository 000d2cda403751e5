import CLibPQ
import ChildProcess
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL server for tests: the one `YT_BUILDER_TEST_DATABASE_URL` names,
/// or a throwaway cluster started on first use (initdb into a temporary folder,
/// as user `postgres` when running as root, a free port on 127.0.0.1, a private
/// socket folder) and stopped when the test process exits. It never skips:
/// when no server can be had, every test that asks for one fails and says why.
public final class TestPostgres: Sendable {
    /// The shared server, started once per test process.
    public static func shared() throws -> TestPostgres { try sharedServer.get() }

    private static let sharedServer = Result { try TestPostgres.start() }

    /// A cluster of its own, for a test that restarts or stops its server while
    /// other tests use the shared one. Stopped when the process exits.
    public static func privateCluster() throws -> TestPostgres {
        if ProcessInfo.processInfo.environment["YT_BUILDER_TEST_DATABASE_URL"]?.isEmpty == false {
            throw TestPostgresError("a private cluster is started only when YT_BUILDER_TEST_DATABASE_URL is not set")
        }
        return try startCluster()
    }

    public let host: String
    public let port: Int
    public let user: String
    public let password: String
    /// Set when this process started the cluster (and so may restart it).
    public let cluster: Cluster?
    private let counter = Mutex(0)

    public struct Cluster: Sendable {
        public let binaries: URL
        public let root: URL
        var data: URL { root.appendingPathComponent("data") }
        let serverOptions: String
        /// The network namespace the server runs in (a host of a `TestNetwork`), if any.
        var namespace: String? = nil
    }

    init(host: String, port: Int, user: String, password: String, cluster: Cluster?) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.cluster = cluster
    }

    /// The URL of a database on this server.
    public func url(database: String, user: String? = nil, password: String? = nil) -> String {
        let encode = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }
        return
            "postgresql://\(encode(user ?? self.user)):\(encode(password ?? self.password))@\(host):\(port)/\(database)"
    }

    /// A new, empty database; its URL.
    public func freshDatabase() throws -> String {
        try freshDatabaseNamed().url
    }

    /// A new, empty database: its URL, and its name for `execute` and `query`.
    public func freshDatabaseNamed() throws -> (url: String, name: String) {
        let name = counter.withLock { count in
            count += 1
            return "yt_test_\(getpid())_\(count)_\(UInt32.random(in: 0...UInt32.max))"
        }
        try execute("CREATE DATABASE \(name)", database: "postgres")
        return (url(database: name), name)
    }

    /// Runs SQL through a short-lived connection.
    public func execute(_ sql: String, database: String) throws {
        _ = try query(sql, database: database)
    }

    /// The first column of each row, as text ("NULL" for NULL).
    public func query(_ sql: String, database: String) throws -> [String] {
        guard let connection = PQconnectdb(url(database: database)) else { throw TestPostgresError("out of memory") }
        defer { PQfinish(connection) }
        guard PQstatus(connection) == CONNECTION_OK else {
            throw TestPostgresError("cannot connect to the test server: \(String(cString: PQerrorMessage(connection)))")
        }
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw TestPostgresError("\(sql): \(String(cString: PQerrorMessage(connection)))")
        }
        return (0..<PQntuples(result)).map { row in
            PQgetisnull(result, row, 0) == 1 ? "NULL" : String(cString: PQgetvalue(result, row, 0))
        }
    }

    /// Stops and starts the cluster, as a server restart in production would.
    public func restart() throws {
        guard let cluster else {
            throw TestPostgresError("the test server was not started by this run; cannot restart it")
        }
        try Self.runAsServerUser(
            cluster.binaries.appendingPathComponent("pg_ctl").path,
            [
                "-D", cluster.data.path, "-m", "fast", "-w", "-t", "60", "-o", cluster.serverOptions,
                "-l", cluster.root.appendingPathComponent("server.log").path, "restart",
            ], namespace: cluster.namespace)
    }

    /// Stops this test's own cluster now and removes its files.
    public func stop() {
        guard let cluster else { return }
        try? Self.runAsServerUser(
            cluster.binaries.appendingPathComponent("pg_ctl").path,
            ["-D", cluster.data.path, "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(at: cluster.root)
    }

    // MARK: Starting and stopping

    private static func start() throws -> TestPostgres {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["YT_BUILDER_TEST_DATABASE_URL"], !url.isEmpty {
            return try external(url)
        }
        return try startCluster()
    }

    /// A cluster of its own: on a free port of 127.0.0.1, or on `address` and
    /// `port` inside network namespace `namespace` (where other hosts of a
    /// `TestNetwork` reach it with the password).
    public static func startCluster(address: String = "127.0.0.1", port: Int? = nil, namespace: String? = nil)
        throws -> TestPostgres
    {
        guard let binaries = findBinaries() else {
            throw TestPostgresError(
                "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin; run scripts/setup "
                    + "(it installs the postgresql package) or set YT_BUILDER_TEST_DATABASE_URL")
        }
        let root = URL(fileURLWithPath: "/tmp").appendingPathComponent("yt-builder-pg-\(UUID().uuidString.prefix(8))")
        let socket = root.appendingPathComponent("socket")
        try FileManager.default.createDirectory(at: socket, withIntermediateDirectories: true)
        let password = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let passwordFile = root.appendingPathComponent("password")
        try Data(password.utf8).write(to: passwordFile)
        if geteuid() == 0 {
            try run("/bin/chown", ["-R", "postgres:postgres", root.path])
        }
        let port = try port ?? freePort()
        let data = root.appendingPathComponent("data").path
        try runAsServerUser(
            binaries.appendingPathComponent("initdb").path,
            [
                "-D", data, "-U", "postgres", "--pwfile=\(passwordFile.path)", "--auth-local=trust",
                "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync",
            ])
        if address != "127.0.0.1" {
            let hba = URL(fileURLWithPath: data).appendingPathComponent("pg_hba.conf")
            let rules = try String(contentsOf: hba, encoding: .utf8) + "host all all \(address)/24 scram-sha-256\n"
            try rules.write(to: hba, atomically: false, encoding: .utf8)
        }
        // Durability is not what these tests measure; fsync off keeps them fast.
        let options =
            "-p \(port) -k \(socket.path) -c listen_addresses=\(address) -c fsync=off -c full_page_writes=off -c max_connections=200"
        let cluster = Cluster(binaries: binaries, root: root, serverOptions: options, namespace: namespace)
        let first = clustersToStop.withLock { clusters in
            clusters.append(cluster)
            return clusters.count == 1
        }
        if first { atexit { TestPostgres.stopStartedClusters() } }
        try runAsServerUser(
            binaries.appendingPathComponent("pg_ctl").path,
            [
                "-D", data, "-w", "-t", "60", "-o", options, "-l", root.appendingPathComponent("server.log").path,
                "start",
            ], namespace: namespace)
        return TestPostgres(host: address, port: port, user: "postgres", password: password, cluster: cluster)
    }

    private static let clustersToStop = Mutex<[Cluster]>([])

    /// Stops the clusters this process started, by their data directories, and removes them.
    static func stopStartedClusters() {
        for cluster in clustersToStop.withLock({ $0 }) {
            try? runAsServerUser(
                cluster.binaries.appendingPathComponent("pg_ctl").path,
                ["-D", cluster.data.path, "-m", "immediate", "stop"])
            try? FileManager.default.removeItem(at: cluster.root)
        }
    }

    private static func external(_ url: String) throws -> TestPostgres {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &error) else {
            throw TestPostgresError("YT_BUILDER_TEST_DATABASE_URL cannot be read")
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { values[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return TestPostgres(
            host: values["host"] ?? "127.0.0.1", port: Int(values["port"] ?? "5432") ?? 5432,
            user: values["user"] ?? "postgres", password: values["password"] ?? "", cluster: nil)
    }

    private static func findBinaries() -> URL? {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
            .map { root.appendingPathComponent($0).appendingPathComponent("bin") }
            .first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("initdb").path) }
    }

    /// PostgreSQL refuses to run as root: as root, run its tools as `postgres`.
    static func runAsServerUser(_ tool: String, _ arguments: [String], namespace: String? = nil) throws {
        let inNamespace = namespace.map { ["netns", "exec", $0] } ?? []
        let command =
            geteuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", tool] + arguments : [tool] + arguments
        if inNamespace.isEmpty {
            try run(command[0], Array(command.dropFirst()))
        } else {
            try run("/usr/sbin/ip", inNamespace + command)
        }
    }

    /// Runs a tool to its end the one way yt-builder runs programs
    /// (`ChildProcess`): nothing of this process is inherited, so a server that
    /// `pg_ctl start` leaves running holds none of our pipes or sockets.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let result: ChildProcess.Result
        do {
            result = try ChildProcess(tool, arguments).runAndWait()
        } catch {
            throw TestPostgresError("cannot run \(tool): \(error)")
        }
        let text = String(decoding: result.output + result.errors, as: UTF8.self)
        guard result.status == 0 else {
            throw TestPostgresError("\(tool) \(arguments.joined(separator: " ")) failed (\(result.status)): \(text)")
        }
        return text
    }

    /// A port the kernel says is free now.
    public static func freePort() throws -> Int {
        let bound = try loopbackSocket()
        close(bound.descriptor)
        return bound.port
    }

    /// A TCP socket bound to a free port of 127.0.0.1, not yet listening; the caller closes it.
    public static func loopbackSocket() throws -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestPostgresError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw TestPostgresError("cannot find a free port")
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}

public struct TestPostgresError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
