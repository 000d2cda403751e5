extension VideoSettings {
    /// Why a job's quotes may not show, from its settings alone: the first
    /// quote comes `quotes_min_between` to `quotes_max_between` seconds in and
    /// stays `quotes_duration`, and a quote that would run past the end is
    /// left out (as the earlier service did, without saying so).
    public var quoteWarnings: [String] {
        let video = "the \(Self.seconds(duration)) video"
        if quotesMinBetween + quotesDuration > duration {
            return [
                "no quote will show: the first comes \(Self.seconds(quotesMinBetween)) in (quotes_min_between) and "
                    + "stays \(Self.seconds(quotesDuration)) (quotes_duration), past the end of \(video); "
                    + "lower quotes_min_between or quotes_duration, or make the video longer"
            ]
        }
        if quotesMaxBetween + quotesDuration > duration {
            return [
                "a quote may not show: the first comes \(Self.seconds(quotesMinBetween)) to "
                    + "\(Self.seconds(quotesMaxBetween)) in (quotes_min_between, quotes_max_between) and stays "
                    + "\(Self.seconds(quotesDuration)), which can reach past the end of \(video)"
            ]
        }
        return []
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int64(value)) s" : "\(value) s"
    }
}
