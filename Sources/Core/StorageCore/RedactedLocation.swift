/// A database location as messages show it: the password of a
/// `postgresql://user:password@host/db` URL, of a `?password=` parameter and
/// of a `password=...` keyword is replaced by `***`. Every message, log line
/// and status line that names a database goes through this one formatter.
public enum Redacted {
    public static func location(_ location: String) -> String {
        if let schemeEnd = location.range(of: "://") {
            return redactURL(location, afterScheme: schemeEnd.upperBound)
        }
        return redactKeywords(location)
    }

    private static func redactURL(_ url: String, afterScheme start: String.Index) -> String {
        var result = url
        let authorityEnd = url[start...].firstIndex { $0 == "/" || $0 == "?" } ?? url.endIndex
        if let at = url[start..<authorityEnd].lastIndex(of: "@"),
            let colon = url[start..<at].firstIndex(of: ":")
        {
            result = String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
        }
        guard let query = result.firstIndex(of: "?") else { return result }
        let parameters = result[result.index(after: query)...].split(separator: "&", omittingEmptySubsequences: false)
            .map { parameter -> String in
                parameter.lowercased().hasPrefix("password=") ? "password=***" : String(parameter)
            }
        return String(result[...query]) + parameters.joined(separator: "&")
    }

    /// libpq's `key=value key='quoted value'` form.
    private static func redactKeywords(_ text: String) -> String {
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let rest = text[index...]
            let atWordStart = index == text.startIndex || text[text.index(before: index)].isWhitespace
            guard atWordStart, let match = passwordKeyword(rest) else {
                output.append(text[index])
                index = text.index(after: index)
                continue
            }
            output += "password=***"
            index = endOfValue(text, from: match)
        }
        return output
    }

    /// Where the value starts when `text` begins with `password = `.
    private static func passwordKeyword(_ text: Substring) -> String.Index? {
        guard text.lowercased().hasPrefix("password") else { return nil }
        var index = text.index(text.startIndex, offsetBy: "password".count)
        while index < text.endIndex, text[index] == " " { index = text.index(after: index) }
        guard index < text.endIndex, text[index] == "=" else { return nil }
        index = text.index(after: index)
        while index < text.endIndex, text[index] == " " { index = text.index(after: index) }
        return index
    }

    private static func endOfValue(_ text: String, from start: String.Index) -> String.Index {
        var index = start
        guard index < text.endIndex, text[index] == "'" else {
            while index < text.endIndex, !text[index].isWhitespace { index = text.index(after: index) }
            return index
        }
        index = text.index(after: index)
        while index < text.endIndex {
            if text[index] == "\\" {
                index = text.index(after: index)
                if index < text.endIndex { index = text.index(after: index) }
                continue
            }
            if text[index] == "'" { return text.index(after: index) }
            index = text.index(after: index)
        }
        return index
    }
}
