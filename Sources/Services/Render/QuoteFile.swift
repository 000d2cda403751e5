import Foundation

/// Quote files as the earlier service read them: a file may hold several
/// quotes, each in double quotes (`\"` is a quote mark inside one); a file
/// with no double-quoted text is one quote, the whole file. Files named with
/// `example` are skipped; an empty, unreadable or non-UTF-8 file is skipped
/// with a note, never a failed render.
public enum QuoteFile {
    public struct Reading: Hashable, Sendable {
        public var quotes: [String] = []
        /// What the job's log should say about the file, if anything.
        public var notes: [String] = []
    }

    public static func read(_ path: String) -> Reading {
        let name = RenderPlan.name(path)
        if name.lowercased().contains("example") {
            return Reading(notes: ["quotes: \(name) skipped (an example file)"])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return Reading(notes: ["warning: quote file \(name) cannot be read; skipped"])
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            return Reading(notes: ["warning: quote file \(name) is not UTF-8 text; skipped"])
        }
        let content = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !content.isEmpty else { return Reading(notes: ["warning: quote file \(name) is empty; skipped"]) }
        let (quotes, unclosed) = parse(content)
        var reading = Reading(quotes: quotes.isEmpty ? [content] : quotes)
        if unclosed { reading.notes.append("warning: quote file \(name) has an unclosed quote; its text is left out") }
        return reading
    }

    /// The double-quoted texts of `content`, trimmed, empty ones left out; and
    /// whether a quote was left open at the end.
    public static func parse(_ content: String) -> (quotes: [String], unclosed: Bool) {
        var quotes: [String] = []
        var current = String.UnicodeScalarView()
        var inQuote = false
        let scalars = Array(content.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\"" {
                if inQuote {
                    let text = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
                    if !text.isEmpty { quotes.append(text) }
                    current = String.UnicodeScalarView()
                }
                inQuote.toggle()
            } else if scalar == "\\", index + 1 < scalars.count, scalars[index + 1] == "\"" {
                if inQuote { current.append("\"") }
                index += 1
            } else if inQuote {
                current.append(scalar)
            }
            index += 1
        }
        return (quotes, inQuote)
    }
}
