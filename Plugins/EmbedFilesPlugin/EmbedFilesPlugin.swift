import Foundation
import PackagePlugin

/// Embeds the package's data files into the target that serves them, so the
/// binary runs from any directory: `sql/**/*.sql` into SchemaSQL, and
/// `openapi/*.json` and the web page (`web/`) into HTTPServer.
@main
struct EmbedFilesPlugin: BuildToolPlugin {
    struct Source {
        var folder: String
        var fileExtensions: Set<String>
        var enumName: String
    }

    static let sources: [String: [Source]] = [
        "SchemaSQL": [Source(folder: "sql", fileExtensions: ["sql"], enumName: "EmbeddedSQL")],
        "HTTPServer": [
            Source(folder: "openapi", fileExtensions: ["json"], enumName: "EmbeddedOpenAPI"),
            Source(folder: "web", fileExtensions: ["html", "js", "css", "svg"], enumName: "EmbeddedWeb"),
        ],
    ]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let sources = Self.sources[target.name] else {
            Diagnostics.error("EmbedFilesPlugin does not know what to embed into \(target.name)")
            return []
        }
        return try sources.map { source in
            let root = context.package.directoryURL.appending(path: source.folder)
            let files = files(under: root, fileExtensions: source.fileExtensions)
            let output = context.pluginWorkDirectoryURL.appending(path: "\(source.enumName).swift")
            return .buildCommand(
                displayName: "Embedding \(files.count) files of \(source.folder)/",
                executable: try context.tool(named: "embed-files").url,
                arguments: [output.path, source.enumName, root.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        }
    }

    private func files(under root: URL, fileExtensions: Set<String>) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            return []
        }
        return walker.compactMap { $0 as? URL }
            .filter { fileExtensions.contains($0.pathExtension) }
            .sorted { $0.path < $1.path }
    }
}
