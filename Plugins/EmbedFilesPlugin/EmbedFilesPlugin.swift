import Foundation
import PackagePlugin

/// Embeds the package's data files into the target that serves them, so the
/// binary runs from any directory: `sql/**/*.sql` into SchemaSQL and
/// `openapi/*.json` into HTTPServer.
@main
struct EmbedFilesPlugin: BuildToolPlugin {
    struct Source {
        var folder: String
        var fileExtension: String
        var enumName: String
    }

    static let sources: [String: Source] = [
        "SchemaSQL": Source(folder: "sql", fileExtension: "sql", enumName: "EmbeddedSQL"),
        "HTTPServer": Source(folder: "openapi", fileExtension: "json", enumName: "EmbeddedOpenAPI"),
    ]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let source = Self.sources[target.name] else {
            Diagnostics.error("EmbedFilesPlugin does not know what to embed into \(target.name)")
            return []
        }
        let root = context.package.directoryURL.appending(path: source.folder)
        let files = files(under: root, fileExtension: source.fileExtension)
        let output = context.pluginWorkDirectoryURL.appending(path: "\(source.enumName).swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) files of \(source.folder)/",
                executable: try context.tool(named: "embed-files").url,
                arguments: [output.path, source.enumName, root.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }

    private func files(under root: URL, fileExtension: String) -> [URL] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            return []
        }
        return walker.compactMap { $0 as? URL }
            .filter { $0.pathExtension == fileExtension }
            .sorted { $0.path < $1.path }
    }
}
