import StorageCore

/// A job's config as the renderer reads it: every key of the earlier service,
/// typed, with its default, and checked. Keys this code does not know stay in
/// the stored config untouched.
public struct VideoSettings: Hashable, Sendable {
    public var duration: Double
    public var quotesDuration: Double
    public var quotesMinBetween: Double
    public var quotesMaxBetween: Double
    public var fps: Int
    public var resolution: Resolution
    public var transition: Transition
    public var musicVolume: Double
    public var soundsVolume: Double
    public var quoteStyle: QuoteStyle
    public var quoteFont: String
    public var musicShuffle: Bool
    public var quotesShuffle: Bool
    public var verbose: Bool
    /// Seeds every random choice of a render, so a job renders the same video
    /// again; below 2^53 so that JavaScript clients read it exactly.
    public var seed: Int64?
    /// The clips' order by file name (the page's drag and drop); clips not
    /// named keep their upload order, after those named.
    public var clipOrder: [String] = []

    public enum Transition: String, CaseIterable, Hashable, Sendable {
        case none, fade, crossfade
    }

    public enum QuoteStyle: String, CaseIterable, Hashable, Sendable {
        case minimal, centered, bottom, top
    }

    public struct Resolution: Hashable, Sendable, CustomStringConvertible {
        public static let maximum = Resolution(width: 7680, height: 4320)
        public var width: Int
        public var height: Int

        public init(width: Int, height: Int) {
            self.width = width
            self.height = height
        }

        public var description: String { "\(width)x\(height)" }
    }

    /// The earlier service's defaults (original-service.md).
    public static let defaults = VideoSettings(
        duration: 600, quotesDuration: 5, quotesMinBetween: 10, quotesMaxBetween: 30, fps: 30,
        resolution: Resolution(width: 1920, height: 1080), transition: .crossfade, musicVolume: 0.7,
        soundsVolume: 0.5, quoteStyle: .centered, quoteFont: "TenPounds", musicShuffle: true, quotesShuffle: true,
        verbose: true, seed: nil)

    /// The settings as config keys, with the earlier service's names and JSON types.
    public var config: JobConfig {
        var values: [String: JSONValue] = [
            "duration": Self.number(duration),
            "quotes_duration": .double(quotesDuration),
            "quotes_min_between": .double(quotesMinBetween),
            "quotes_max_between": .double(quotesMaxBetween),
            "fps": .int(Int64(fps)),
            "resolution": .string(resolution.description),
            "transition": .string(transition.rawValue),
            "music_volume": .double(musicVolume),
            "sounds_volume": .double(soundsVolume),
            "quote_style": .string(quoteStyle.rawValue),
            "quote_font": .string(quoteFont),
            "music_shuffle": .bool(musicShuffle),
            "quotes_shuffle": .bool(quotesShuffle),
            "verbose": .bool(verbose),
        ]
        if let seed { values["seed"] = .int(seed) }
        if !clipOrder.isEmpty { values["clip_order"] = .array(clipOrder.map { .string($0) }) }
        return JobConfig(values)
    }

    /// `items` (files of one type, in upload order) in `clipOrder`'s order.
    public func ordered<T>(_ items: [T], name: (T) -> String) -> [T] {
        guard !clipOrder.isEmpty else { return items }
        let place = Dictionary(clipOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return items.enumerated().sorted { a, b in
            (place[name(a.element)] ?? Int.max, a.offset) < (place[name(b.element)] ?? Int.max, b.offset)
        }.map(\.element)
    }

    private static func number(_ value: Double) -> JSONValue {
        value == value.rounded() && abs(value) < 1e15 ? .int(Int64(value)) : .double(value)
    }
}
