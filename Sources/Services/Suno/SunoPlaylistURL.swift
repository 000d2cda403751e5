/// Finds a playlist's id in what a user pasted, by the earlier service's rules
/// (`extract_playlist_id`), in its order: `/playlists/ID`, `/playlist/ID`,
/// `?id=ID`, `suno.com/ID` (10 or more characters), or the last path part
/// when it looks like an id. Ids are letters, digits, `_` and `-` only, so
/// one can never change the API path it is put into.
public enum SunoPlaylistURL {
    nonisolated(unsafe) private static let patterns: [Regex<(Substring, Substring)>] = [
        try! Regex(#"/playlists/([a-zA-Z0-9_-]+)"#),
        try! Regex(#"/playlist/([a-zA-Z0-9_-]+)"#),
        try! Regex(#"\?id=([a-zA-Z0-9_-]+)"#),
        try! Regex(#"suno\.com/([a-zA-Z0-9_-]{10,})"#),
    ]

    /// The earlier service's first check: the URL must at least mention Suno.
    public static func mentionsSuno(_ url: String) -> Bool { url.lowercased().contains("suno") }

    public static func playlistID(in url: String) -> String? {
        for pattern in patterns {
            if let match = url.firstMatch(of: pattern) { return String(match.output.1) }
        }
        let last = url.trimmingWhitespace().split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        let cleaned = last.split(separator: "?", omittingEmptySubsequences: false).first ?? ""
        guard cleaned.count >= 10, cleaned.allSatisfy(isIDCharacter) else { return nil }
        return String(cleaned)
    }

    static func isIDCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == "-")
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<end]
    }
}
