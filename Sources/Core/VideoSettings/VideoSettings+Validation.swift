import StorageCore

/// A config value that cannot be used: which key, and why.
public struct InvalidSetting: Error, Hashable, Sendable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}

extension VideoSettings {
    public static let maximumDuration = 86_400.0
    public static let seedLimit: Int64 = 1 << 53

    /// Reads `config` laid over the defaults. `fonts` names the fonts a render
    /// can use; without it the font is only checked to be a plausible name.
    public init(config: JobConfig, fonts: FontCatalog? = nil) throws(InvalidSetting) {
        let reader = SettingReader(config: config)
        let defaults = Self.defaults
        duration = try reader.number("duration", in: 1...Self.maximumDuration, unit: "seconds") ?? defaults.duration
        quotesDuration =
            try reader.number("quotes_duration", in: 0.1...3600, unit: "seconds") ?? defaults.quotesDuration
        quotesMinBetween =
            try reader.number("quotes_min_between", in: 0...Self.maximumDuration, unit: "seconds")
            ?? defaults.quotesMinBetween
        quotesMaxBetween =
            try reader.number("quotes_max_between", in: 0...Self.maximumDuration, unit: "seconds")
            ?? defaults.quotesMaxBetween
        fps = try reader.integer("fps", in: 1...120) ?? defaults.fps
        resolution = try reader.resolution("resolution") ?? defaults.resolution
        transition = try reader.choice("transition", Transition.self) ?? defaults.transition
        musicVolume = try reader.number("music_volume", in: 0...2, unit: nil) ?? defaults.musicVolume
        soundsVolume = try reader.number("sounds_volume", in: 0...2, unit: nil) ?? defaults.soundsVolume
        quoteStyle = try reader.choice("quote_style", QuoteStyle.self) ?? defaults.quoteStyle
        quoteFont = try reader.font("quote_font", fonts: fonts) ?? defaults.quoteFont
        musicShuffle = try reader.bool("music_shuffle") ?? defaults.musicShuffle
        quotesShuffle = try reader.bool("quotes_shuffle") ?? defaults.quotesShuffle
        verbose = try reader.bool("verbose") ?? defaults.verbose
        seed = try reader.integer("seed", in: 0...(Self.seedLimit - 1)).map(Int64.init)
        clipOrder = try reader.names("clip_order") ?? []
        guard quotesMinBetween <= quotesMaxBetween else {
            throw InvalidSetting(
                field: "quotes_min_between",
                reason: "must not be more than quotes_max_between (\(quotesMinBetween) > \(quotesMaxBetween))")
        }
    }

    /// Checks `config` and gives it back with every setting filled in: the config
    /// a job stores, so that what a render reads is what the API accepted. A
    /// seed is drawn when there is none, so the job renders the same video again.
    public static func completed(_ config: JobConfig, fonts: FontCatalog? = nil) throws(InvalidSetting) -> JobConfig {
        var settings = try VideoSettings(config: config, fonts: fonts)
        if settings.seed == nil { settings.seed = Int64.random(in: 0..<seedLimit) }
        return config.merging(settings.config)
    }
}

/// Reads one typed value per key, naming the key in every complaint. A key that
/// is absent or JSON `null` takes its default.
private struct SettingReader {
    let config: JobConfig

    func value(_ key: String) -> JSONValue? {
        guard let value = config[key], value != .null else { return nil }
        return value
    }

    func number(_ key: String, in range: ClosedRange<Double>, unit: String?) throws(InvalidSetting) -> Double? {
        guard let value = value(key) else { return nil }
        let number: Double
        switch value {
        case .int(let int): number = Double(int)
        case .double(let double): number = double
        default: throw InvalidSetting(field: key, reason: "must be a number, not \(Self.describe(value))")
        }
        guard number.isFinite, range.contains(number) else {
            let unitText = unit.map { " \($0)" } ?? ""
            throw InvalidSetting(
                field: key,
                reason: "must be between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound))"
                    + "\(unitText), not \(Self.format(number))")
        }
        return number
    }

    func integer(_ key: String, in range: ClosedRange<Int64>) throws(InvalidSetting) -> Int? {
        guard let value = value(key) else { return nil }
        let integer: Int64
        switch value {
        case .int(let int): integer = int
        case .double(let double) where double == double.rounded() && abs(double) < 1e18: integer = Int64(double)
        default: throw InvalidSetting(field: key, reason: "must be a whole number, not \(Self.describe(value))")
        }
        guard range.contains(integer) else {
            throw InvalidSetting(
                field: key, reason: "must be between \(range.lowerBound) and \(range.upperBound), not \(integer)")
        }
        return Int(integer)
    }

    func bool(_ key: String) throws(InvalidSetting) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let bool) = value else {
            throw InvalidSetting(field: key, reason: "must be true or false, not \(Self.describe(value))")
        }
        return bool
    }

    /// A list of file names (at most 10,000, each 1 to 255 bytes).
    func names(_ key: String) throws(InvalidSetting) -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value, items.count <= 10_000 else {
            throw InvalidSetting(
                field: key, reason: "must be a list of at most 10000 file names, not \(Self.describe(value))")
        }
        var names: [String] = []
        for item in items {
            guard case .string(let name) = item, (1...255).contains(name.utf8.count) else {
                throw InvalidSetting(
                    field: key, reason: "must hold file names (text of 1 to 255 bytes), not \(Self.describe(item))")
            }
            names.append(name)
        }
        return names
    }

    func string(_ key: String) throws(InvalidSetting) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let string) = value else {
            throw InvalidSetting(field: key, reason: "must be a string, not \(Self.describe(value))")
        }
        return string
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, _: Choice.Type) throws(InvalidSetting)
        -> Choice?
    where Choice.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let choice = Choice(rawValue: text) else {
            let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw InvalidSetting(field: key, reason: "must be one of \(names), not '\(text)'")
        }
        return choice
    }

    func resolution(_ key: String) throws(InvalidSetting) -> VideoSettings.Resolution? {
        guard let text = try string(key) else { return nil }
        let parts = text.split(separator: "x", omittingEmptySubsequences: false)
        let maximum = VideoSettings.Resolution.maximum
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) }),
            let width = Int(parts[0]), let height = Int(parts[1])
        else {
            throw InvalidSetting(field: key, reason: "must be WIDTHxHEIGHT such as 1920x1080, not '\(text)'")
        }
        guard (2...maximum.width).contains(width), (2...maximum.height).contains(height) else {
            throw InvalidSetting(field: key, reason: "must be at most \(maximum) and at least 2x2, not \(text)")
        }
        guard width.isMultiple(of: 2), height.isMultiple(of: 2) else {
            throw InvalidSetting(field: key, reason: "width and height must be even numbers (H.264), not \(text)")
        }
        return VideoSettings.Resolution(width: width, height: height)
    }

    func font(_ key: String, fonts: FontCatalog?) throws(InvalidSetting) -> String? {
        guard let name = try string(key) else { return nil }
        guard !name.isEmpty, name.count <= 200,
            !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
            !name.contains("/"), !name.hasPrefix(".")
        else {
            throw InvalidSetting(field: key, reason: "'\(name)' is not a font name")
        }
        if let fonts, !fonts.contains(name) {
            throw InvalidSetting(
                field: key,
                reason: "unknown font '\(name)'; known: \(fonts.names.prefix(20).joined(separator: ", "))")
        }
        return name
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let bool): "\(bool)"
        case .int, .double, .string:
            value.jsonText.count > 40 ? String(value.jsonText.prefix(40)) + "…" : value.jsonText
        case .array: "a list"
        case .object: "an object"
        }
    }

    static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
