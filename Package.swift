// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "yt-builder",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "yt-builder", targets: ["yt-builder"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // Turns every file under sql/ into Swift string constants, so the binary
        // carries its schema and runs from any directory.
        .executableTarget(name: "embed-sql"),
        .plugin(
            name: "EmbedSQLPlugin",
            capability: .buildTool(),
            dependencies: ["embed-sql"]
        ),
        .target(
            name: "SchemaSQL",
            dependencies: ["StorageCore"],
            plugins: ["EmbedSQLPlugin"]
        ),
        .target(name: "StorageCore"),
        .target(
            name: "SQLiteStorage",
            dependencies: ["CSQLite", "StorageCore", "SchemaSQL"]
        ),
        .target(
            name: "PostgresStorage",
            dependencies: ["CLibPQ", "StorageCore", "SchemaSQL"]
        ),
        .target(name: "StorageConformance", dependencies: ["StorageCore"]),
        .target(name: "StorageBenchmark", dependencies: ["StorageCore"]),
        // Builds database files in the earlier service's layout, for tests and `bench migrate`.
        .target(name: "LegacyFixtures", dependencies: ["CSQLite"]),
        // Starts a throwaway PostgreSQL cluster for tests, or uses YT_BUILDER_TEST_DATABASE_URL.
        .target(name: "TestPostgres", dependencies: ["CLibPQ", "CSpawn"]),
        .target(name: "CSpawn"),
        .executableTarget(
            name: "yt-builder",
            dependencies: [
                "StorageCore",
                "SQLiteStorage",
                "PostgresStorage",
                "StorageBenchmark",
                "LegacyFixtures",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "StorageCoreTests", dependencies: ["StorageCore", "SchemaSQL"]),
        .testTarget(
            name: "SQLiteStorageTests",
            dependencies: ["SQLiteStorage", "StorageCore", "StorageConformance", "LegacyFixtures", "CSQLite"]
        ),
        .testTarget(
            name: "PostgresStorageTests",
            dependencies: [
                "PostgresStorage", "SQLiteStorage", "StorageCore", "StorageConformance", "TestPostgres",
                "LegacyFixtures",
            ]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["SQLiteStorage", "StorageCore", "LegacyFixtures", "TestPostgres"]
        ),
    ]
)
