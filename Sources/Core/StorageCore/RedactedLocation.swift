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

extension Redacted {
    /// A message that may quote a connection string (libpq's parse and connect
    /// errors quote the URI or the token they could not read), with the
    /// string's password taken out wherever it appears: the whole location is
    /// shown redacted, a quoted fragment holding the password becomes `"***"`,
    /// and any other copy of it `***`. A password under three characters is
    /// only taken out of quoted fragments, where libpq puts what it quotes, so
    /// that a user name of the same letters leaves the sentence readable.
    public static func message(_ message: String, connectionString location: String) -> String {
        let secrets = passwords(in: location).filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        guard !secrets.isEmpty else { return message }
        var text = message.replacingOccurrences(of: location, with: Redacted.location(location))
        text = redactQuoted(text, secrets: secrets)
        for secret in secrets where secret.count >= 3 { text = text.replacingOccurrences(of: secret, with: "***") }
        return text
    }

    /// Every form the password of a connection string may take in a message:
    /// as written and percent-decoded (URL) or unquoted (keyword form), from
    /// the user-info part, `?password=` and `password=` alike. Read leniently,
    /// since the strings that matter here are the ones libpq could not parse.
    static func passwords(in location: String) -> [String] {
        var found: [String] = []
        if let schemeEnd = location.range(of: "://") {
            let start = schemeEnd.upperBound
            let authorityEnd = location[start...].firstIndex { $0 == "/" || $0 == "?" } ?? location.endIndex
            if let at = location[start..<authorityEnd].lastIndex(of: "@"),
                let colon = location[start..<at].firstIndex(of: ":")
            {
                found.append(String(location[location.index(after: colon)..<at]))
            }
            if let query = location.firstIndex(of: "?") {
                for parameter in location[location.index(after: query)...].split(separator: "&")
                where parameter.lowercased().hasPrefix("password=") {
                    found.append(String(parameter.dropFirst("password=".count)))
                }
            }
            found += found.compactMap { $0.removingPercentEncoding }
            return found
        }
        var index = location.startIndex
        while index < location.endIndex {
            let atWordStart = index == location.startIndex || location[location.index(before: index)].isWhitespace
            if atWordStart, let start = passwordKeyword(location[index...]) {
                let end = endOfValue(location, from: start)
                let value = location[start..<end]
                found.append(String(value))
                if value.hasPrefix("'") {
                    let inner = value.dropFirst().hasSuffix("'") ? value.dropFirst().dropLast() : value.dropFirst()
                    found.append(String(inner))
                    found.append(
                        inner.replacingOccurrences(of: "\\'", with: "'").replacingOccurrences(of: "\\\\", with: "\\"))
                }
                index = end
            } else {
                index = location.index(after: index)
            }
        }
        return found
    }

    private static func redactQuoted(_ text: String, secrets: [String]) -> String {
        var output = ""
        var rest = text[...]
        while let open = rest.firstIndex(of: "\""),
            let close = rest[rest.index(after: open)...].firstIndex(of: "\"")
        {
            let inner = rest[rest.index(after: open)..<close]
            output += rest[..<open]
            output += secrets.contains { inner.contains($0) } ? "\"***\"" : "\"\(inner)\""
            rest = rest[rest.index(after: close)...]
        }
        return output + rest
    }
}
