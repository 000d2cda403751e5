// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "yt-builder",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "yt-builder", targets: ["yt-builder"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0", traits: ["FullFoundation"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite", path: "Sources/Backends/CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ", path: "Sources/Backends/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // Turns data files (sql/, openapi/) into Swift string constants, so the
        // binary carries its schema and API document and runs from any directory.
        .executableTarget(name: "embed-files", path: "Sources/Tools/embed-files"),
        .plugin(
            name: "EmbedFilesPlugin",
            capability: .buildTool(),
            dependencies: ["embed-files"]
        ),
        .target(
            name: "SchemaSQL",
            dependencies: ["StorageCore"], path: "Sources/Core/SchemaSQL",
            plugins: ["EmbedFilesPlugin"]
        ),
        .target(name: "StorageCore", path: "Sources/Core/StorageCore"),
        // The formats only `migrate` needs: COPY text and binary, jsonb as PostgreSQL prints it, table checksums.
        .target(name: "HistoryFormats", dependencies: ["StorageCore"], path: "Sources/Core/HistoryFormats"),
        // Every storage role written once over a small SQL driver protocol; backends bring a driver and its SQL.
        .target(name: "SQLStore", dependencies: ["StorageCore"], path: "Sources/Core/SQLStore"),
        .target(
            name: "SQLiteStorage",
            dependencies: ["CSQLite", "StorageCore", "SQLStore", "SchemaSQL"], path: "Sources/Backends/SQLiteStorage"
        ),
        .target(
            name: "PostgresStorage",
            dependencies: ["CLibPQ", "StorageCore", "SQLStore", "SchemaSQL", "ChildProcess", "HistoryFormats"],
            path: "Sources/Backends/PostgresStorage"
        ),
        .target(
            name: "StorageConformance", dependencies: ["StorageCore", "SQLStore"],
            path: "Sources/Testing/StorageConformance"),
        // A job's config as the renderer reads it: defaults, types, ranges; one validator for API and CLI.
        .target(
            name: "VideoSettings", dependencies: ["StorageCore", "ChildProcess"], path: "Sources/Core/VideoSettings"),
        // The on-disk layout of a job: run directory, safe file names, uploads, the render log.
        .target(name: "RunFiles", dependencies: ["StorageCore"], path: "Sources/Core/RunFiles"),
        // Calls to other hosts: no redirects, timeouts, one way to describe a failure.
        .target(
            name: "OutboundHTTP", dependencies: [.product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Sources/Core/OutboundHTTP"),
        // The ffmpeg pipeline: plan, one filter graph, one encode; knows no database.
        .target(
            name: "Render", dependencies: ["VideoSettings", "StorageCore", "ChildProcess"],
            path: "Sources/Services/Render"),
        // YouTube: OAuth with refresh, credentials sealed with AES-GCM.
        .target(
            name: "YouTube",
            dependencies: [
                "StorageCore", "RunFiles", "OutboundHTTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ], path: "Sources/Services/YouTube"
        ),
        // A local fake of Google's OAuth endpoints, for tests.
        .target(
            name: "FakeSuno", dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Sources/Testing/FakeSuno"),
        .target(
            name: "FakeGoogle", dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Sources/Testing/FakeGoogle"),
        // Suno playlists: reading them and importing their songs into a job's music.
        .target(
            name: "Suno",
            dependencies: [
                "StorageCore", "RunFiles", "OutboundHTTP",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ], path: "Sources/Services/Suno"),
        // Render workers: claim, heartbeat, rescue, cancel, graceful shutdown; the job runner protocol.
        .target(
            name: "Worker",
            dependencies: [
                "StorageCore", "RunFiles", "Render", "VideoSettings", "YouTube", "Suno",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ], path: "Sources/Services/Worker"
        ),
        .target(
            name: "HTTPServer",
            dependencies: [
                "StorageCore", "VideoSettings", "RunFiles", "YouTube", "Suno", "Render",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ], path: "Sources/Services/HTTPServer",
            plugins: ["EmbedFilesPlugin"]
        ),
        .target(
            name: "HistoryMigration",
            dependencies: [
                "StorageCore", "HistoryFormats", "SQLiteStorage", "PostgresStorage", "RunFiles", "ObjectStorage",
            ], path: "Sources/Services/HistoryMigration"),
        .target(name: "StorageBenchmark", dependencies: ["StorageCore"], path: "Sources/Services/StorageBenchmark"),
        // Builds database files in the earlier service's layout, for tests and `bench migrate`.
        .target(name: "LegacyFixtures", dependencies: ["CSQLite"], path: "Sources/Testing/LegacyFixtures"),
        // Starts a throwaway PostgreSQL cluster for tests, or uses YT_BUILDER_TEST_DATABASE_URL.
        .target(name: "TestPostgres", dependencies: ["CLibPQ", "ChildProcess"], path: "Sources/Testing/TestPostgres"),
        // S3-compatible object storage: a SigV4 client on AsyncHTTPClient, retried and bounded.
        .target(
            name: "ObjectStorage",
            dependencies: [
                "StorageCore", "RunFiles", "OutboundHTTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ], path: "Sources/Backends/ObjectStorage"),
        // Starts moto's S3-protocol server for tests.
        .target(
            name: "TestObjectStore",
            dependencies: [
                "ChildProcess", "TestPostgres", .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Sources/Testing/TestObjectStore"),
        // Hosts on one machine for tests: network namespaces on a private bridge.
        .target(name: "TestNetwork", dependencies: ["ChildProcess"], path: "Sources/Testing/TestNetwork"),
        .target(name: "CSpawn", path: "Sources/Core/CSpawn"),
        // The one way to run another program: off the cooperative threads, nothing inherited, dies with us.
        .target(name: "ChildProcess", dependencies: ["CSpawn"], path: "Sources/Core/ChildProcess"),
        .executableTarget(
            name: "yt-builder",
            dependencies: [
                "StorageCore",
                "SQLiteStorage",
                "PostgresStorage",
                "HistoryMigration",
                "StorageBenchmark",
                // The one test-support target in the shipped binary: `bench migrate` builds its history with it.
                "LegacyFixtures",
                "HTTPServer",
                "Worker", "Render", "VideoSettings", "RunFiles", "YouTube", "Suno", "ChildProcess", "ObjectStorage",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ], path: "Sources/App/yt-builder"
        ),
        .testTarget(name: "StorageCoreTests", dependencies: ["StorageCore", "SQLStore", "SchemaSQL"]),
        .testTarget(
            name: "SQLiteStorageTests",
            dependencies: [
                "SQLiteStorage", "StorageCore", "StorageConformance", "LegacyFixtures", "CSQLite", "SchemaSQL",
                "SQLStore",
            ]
        ),
        .testTarget(
            name: "PostgresStorageTests",
            dependencies: [
                "PostgresStorage", "SQLiteStorage", "StorageCore", "StorageConformance", "TestPostgres",
                "LegacyFixtures", "SchemaSQL", "HistoryMigration", "YouTube", "SQLStore", "HistoryFormats",
            ]
        ),
        .testTarget(
            name: "YouTubeTests",
            dependencies: [
                "YouTube", "FakeGoogle", "HTTPServer", "SQLiteStorage", "StorageCore", "LegacyFixtures", "Worker",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "ObjectStorageTests",
            dependencies: [
                "ObjectStorage", "TestObjectStore", "TestNetwork", "ChildProcess", "TestPostgres", "RunFiles",
                "StorageCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(name: "TestNetworkTests", dependencies: ["TestNetwork", "ChildProcess"]),
        .testTarget(name: "RenderTests", dependencies: ["Render", "VideoSettings", "StorageCore"]),
        .testTarget(name: "ChildProcessTests", dependencies: ["ChildProcess"]),
        .testTarget(
            name: "WorkerTests",
            dependencies: [
                "Worker", "SQLiteStorage", "PostgresStorage", "StorageCore", "RunFiles", "YouTube", "ObjectStorage",
                "TestObjectStore", "TestPostgres", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: [
                "HTTPServer", "StorageCore", "SQLiteStorage", "PostgresStorage", "TestPostgres", "VideoSettings",
                "RunFiles", "YouTube", "Render", "LegacyFixtures", "Suno", "FakeSuno", "Worker", "ObjectStorage",
                "TestObjectStore", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "SQLiteStorage", "PostgresStorage", "StorageCore", "LegacyFixtures", "TestPostgres", "SchemaSQL",
                "ObjectStorage", "TestObjectStore",
                "FakeGoogle", "FakeSuno", "YouTube",
                .product(name: "Yams", package: "Yams"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
