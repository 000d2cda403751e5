import RunFiles

/// The file a song is saved as, as the earlier service named it:
/// `<title>_<first 8 of its id>.mp3`, the title kept to letters, digits, `_`
/// and `-` (spaces and runs of dashes become one dash), `Untitled-Song-N`
/// when nothing of the title is left. The id part keeps only id characters,
/// so a playlist's data can never name a path.
public enum SunoSongName {
    /// Longest title part, in bytes, leaving room for the id and extension.
    static let maximumTitleBytes = 200

    /// `position` counts from 1, in playlist order.
    public static func filename(title: String, id: String, position: Int) -> String {
        var safe = collapse(keepWordCharacters(title.trimmingWhitespace()))
        while safe.utf8.count > maximumTitleBytes { safe.removeLast() }
        if safe.isEmpty { safe = "Untitled-Song-\(position)" }
        let idPart = String(id.filter(SunoPlaylistURL.isIDCharacter).prefix(8))
        let name = idPart.isEmpty ? "\(safe).mp3" : "\(safe)_\(idPart).mp3"
        return SafeFileName.make(name) ?? "Untitled-Song-\(position).mp3"
    }

    /// What the earlier `re.sub(r'[^\w\s-]', '', title)` kept.
    static func keepWordCharacters(_ text: Substring) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.filter { scalar in
                    switch scalar.properties.generalCategory {
                    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                        .decimalNumber, .letterNumber, .otherNumber:
                        true
                    default: scalar == "_" || scalar == "-" || scalar.properties.isWhitespace
                    }
                }))
    }

    /// `re.sub(r'[-\s]+', '-', text).strip('-')`.
    static func collapse(_ text: String) -> String {
        var result = ""
        var inRun = false
        for character in text {
            if character == "-" || character.isWhitespace {
                inRun = true
                continue
            }
            if inRun && !result.isEmpty { result.append("-") }
            inRun = false
            result.append(character)
        }
        return result
    }
}
