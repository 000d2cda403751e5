import StorageCore

/// What a person asks to publish: checked as YouTube checks it, each
/// complaint naming its field.
public struct UploadRequest: Hashable, Sendable {
    public var title: String
    public var description: String
    public var privacy: Privacy
    public var tags: [String]
    public var category: String

    public init(
        title: String, description: String = "", privacy: Privacy = .private, tags: [String] = [],
        category: String = "22"
    ) {
        self.title = title
        self.description = description
        self.privacy = privacy
        self.tags = tags
        self.category = category
    }

    public struct Invalid: Error, Hashable, Sendable, CustomStringConvertible {
        public var field: String
        public var reason: String
        public var description: String { "\(field): \(reason)" }
    }

    /// From a JSON body of the earlier API (`title, description, privacy, tags, category`).
    public init(json: [String: JSONValue]) throws(Invalid) {
        func string(_ key: String, default value: String?) throws(Invalid) -> String {
            switch json[key] {
            case nil, .null?:
                guard let value else { throw Invalid(field: key, reason: "is required") }
                return value
            case .string(let text)?: return text
            case .int(let number)? where key == "category": return String(number)
            default: throw Invalid(field: key, reason: "must be a string")
            }
        }
        let privacyText = try string("privacy", default: Privacy.private.rawValue)
        guard let privacy = Privacy(rawValue: privacyText) else {
            throw Invalid(field: "privacy", reason: "must be private, unlisted or public, not '\(privacyText)'")
        }
        var tags: [String] = []
        switch json["tags"] {
        case nil, .null?: break
        case .array(let values)?:
            for value in values {
                guard case .string(let tag) = value else {
                    throw Invalid(field: "tags", reason: "must be a list of strings")
                }
                tags.append(tag)
            }
        default: throw Invalid(field: "tags", reason: "must be a list of strings")
        }
        self.init(
            title: try string("title", default: nil), description: try string("description", default: ""),
            privacy: privacy, tags: tags, category: try string("category", default: "22"))
        try validate()
    }

    public func validate() throws(Invalid) {
        guard (1...100).contains(title.count) else {
            throw Invalid(field: "title", reason: "must be 1 to 100 characters, not \(title.count)")
        }
        guard !title.contains("<") && !title.contains(">") else {
            throw Invalid(field: "title", reason: "must not contain < or > (YouTube refuses them)")
        }
        guard description.utf8.count <= 5000 else {
            throw Invalid(field: "description", reason: "must be at most 5,000 bytes, not \(description.utf8.count)")
        }
        guard tags.allSatisfy({ !$0.isEmpty }), tags.reduce(0, { $0 + $1.count }) <= 500 else {
            throw Invalid(field: "tags", reason: "must be non-empty strings of 500 characters in all at most")
        }
        guard !category.isEmpty, category.count <= 4, category.allSatisfy(\.isASCII), category.allSatisfy(\.isNumber)
        else {
            throw Invalid(
                field: "category", reason: "must be a numeric YouTube category id such as 22, not '\(category)'")
        }
    }

    /// The request as stored with an upload task (the earlier API's keys).
    public var json: JSONValue {
        .object([
            "title": .string(title), "description": .string(description), "privacy": .string(privacy.rawValue),
            "tags": .array(tags.map { .string($0) }), "category": .string(category),
        ])
    }

    /// The `videos.insert` metadata.
    var metadata: JSONValue {
        .object([
            "snippet": .object([
                "title": .string(title), "description": .string(description),
                "tags": .array(tags.map { .string($0) }), "categoryId": .string(category),
            ]),
            "status": .object(["privacyStatus": .string(privacy.rawValue)]),
        ])
    }
}
