/// A database location as messages show it: the password of a
/// `postgresql://user:password@host/db` URL, of a `?password=` parameter and
/// of a `password=...` keyword is replaced by `***`. Every message, log line
/// and status line that names a database goes through this one formatter.
public enum Redacted {
    public static func location(_ location: String) -> String {
        var output = ""
        var rest = location.startIndex
        for span in passwordSpans(in: location) {
            output += location[rest..<span.setting.lowerBound]
            output += span.setting == span.value ? "***" : "password=***"
            rest = span.setting.upperBound
        }
        return output + location[rest...]
    }

    /// Where a password stands in a connection string: the whole setting
    /// (`password=…`, or in a URL's user info the password alone) and its value.
    struct PasswordSpan {
        var setting: Range<String.Index>
        var value: Range<String.Index>
    }

    /// In order: a URL's user-info password and each `password=` parameter of
    /// its query, or each `password = value` of libpq's keyword form. Read
    /// leniently, as libpq would, since a string libpq could not parse matters too.
    static func passwordSpans(in location: String) -> [PasswordSpan] {
        guard let schemeEnd = location.range(of: "://") else { return keywordPasswordSpans(in: location) }
        var spans: [PasswordSpan] = []
        let start = schemeEnd.upperBound
        let authorityEnd = location[start...].firstIndex { $0 == "/" || $0 == "?" } ?? location.endIndex
        if let at = location[start..<authorityEnd].lastIndex(of: "@"),
            let colon = location[start..<at].firstIndex(of: ":")
        {
            let password = location.index(after: colon)..<at
            spans.append(PasswordSpan(setting: password, value: password))
        }
        if let query = location.firstIndex(of: "?") {
            for parameter in location[location.index(after: query)...].split(
                separator: "&", omittingEmptySubsequences: false)
            where parameter.lowercased().hasPrefix("password=") {
                let value = parameter.index(parameter.startIndex, offsetBy: "password=".count)
                spans.append(
                    PasswordSpan(setting: parameter.startIndex..<parameter.endIndex, value: value..<parameter.endIndex))
            }
        }
        return spans
    }

    /// libpq's `key=value key='quoted value'` form.
    private static func keywordPasswordSpans(in text: String) -> [PasswordSpan] {
        var spans: [PasswordSpan] = []
        var index = text.startIndex
        while index < text.endIndex {
            let atWordStart = index == text.startIndex || text[text.index(before: index)].isWhitespace
            guard atWordStart, let value = passwordKeyword(text[index...]) else {
                index = text.index(after: index)
                continue
            }
            let end = endOfValue(text, from: value)
            spans.append(PasswordSpan(setting: index..<end, value: value..<end))
            index = end
        }
        return spans
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
    /// as written and percent-decoded (URL) or unquoted (keyword form).
    static func passwords(in location: String) -> [String] {
        let written = passwordSpans(in: location).map { location[$0.value] }
        guard !location.contains("://") else {
            return written.map(String.init) + written.compactMap { $0.removingPercentEncoding }
        }
        return written.flatMap { value -> [String] in
            guard value.hasPrefix("'") else { return [String(value)] }
            let inner = value.dropFirst().hasSuffix("'") ? value.dropFirst().dropLast() : value.dropFirst()
            let unescaped = inner.replacingOccurrences(of: "\\'", with: "'").replacingOccurrences(
                of: "\\\\", with: "\\")
            return [String(value), String(inner), unescaped]
        }
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
