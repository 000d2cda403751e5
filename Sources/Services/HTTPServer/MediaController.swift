import Foundation
import Hummingbird
import RunFiles
import StorageCore

/// The earlier service's shared media: `GET /api/files` lists the shared
/// `videos/`, `music/`, `sounds/` and `quotes/` folders (`SharedFolder`), and
/// `GET /fonts/{name}` serves a file of its `fonts/` folder (the page's font
/// preview loads them with CSS, which sends no token, so that route is open
/// like the page itself).
struct MediaController<Context: RequestContext> {
    let settings: ServerSettings

    static var fontTypes: [String: String] {
        [
            "ttf": "font/ttf", "otf": "font/otf", "ttc": "font/collection", "woff": "font/woff",
            "woff2": "font/woff2",
        ]
    }

    func addRoutes(api: RouterGroup<Context>, router: Router<Context>) {
        api.get("files", use: files)
        api.get("fonts", use: fontList)
        router.get("fonts/:name", use: font)
    }

    /// The files of `fonts/`, so the page asks only for fonts that are there.
    @Sendable func fontList(_ request: Request, context: Context) async throws -> Response {
        let folder = settings.data.fonts
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
            .filter { Self.fontFile(named: $0, in: folder) != nil }
        return JSONResponse.make(
            .object([
                "fonts": .array(
                    names.map { file in
                        .object([
                            "name": .string(URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent),
                            "file": .string(file),
                        ])
                    })
            ]))
    }

    @Sendable func files(_ request: Request, context: Context) async throws -> Response {
        var lists: [String: JSONValue] = [:]
        for type in FileType.allCases {
            lists[type.rawValue] = .array(try await settings.files.sharedMedia(type).map { .string($0) })
        }
        return JSONResponse.make(.object(lists))
    }

    @Sendable func font(_ request: Request, context: Context) async throws -> Response {
        // The page asks for encodeURIComponent(name): `T%C3%A9n.ttf`, `sp%20ace.ttf`.
        let raw = context.parameters.get("name") ?? ""
        let name = raw.removingPercentEncoding ?? raw
        guard let file = Self.fontFile(named: name, in: settings.data.fonts) else {
            throw APIError.notFound("there is no font file named '\(name)'")
        }
        let type = Self.fontTypes[URL(fileURLWithPath: file).pathExtension.lowercased()] ?? "application/octet-stream"
        let body = try await FileIO().loadFile(path: file, context: context)
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"], body: body)
    }

    /// A font file directly in `folder`, after links: never a path outside it.
    static func fontFile(named name: String, in folder: String) -> String? {
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("/"), !name.contains("\0"),
            fontTypes[URL(fileURLWithPath: name).pathExtension.lowercased()] != nil
        else { return nil }
        let real = URL(fileURLWithPath: folder + "/" + name).resolvingSymlinksInPath().path
        let root = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path
        var isFolder: ObjCBool = false
        guard URL(fileURLWithPath: real).deletingLastPathComponent().path == root,
            FileManager.default.fileExists(atPath: real, isDirectory: &isFolder), !isFolder.boolValue
        else { return nil }
        return real
    }
}
