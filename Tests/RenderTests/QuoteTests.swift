import Foundation
import Render
import StorageCore
import Synchronization
import Testing
import VideoSettings

/// Quote files read as the earlier service read them, and its four styles.
@Suite(.timeLimit(.minutes(5))) struct QuoteTests {
    @Test func severalQuotesInAFileEachInDoubleQuotes() {
        let (quotes, unclosed) = QuoteFile.parse(
            #""First one."  "Second, with a \"quoted\" word." "   " "Third""#)
        #expect(quotes == ["First one.", #"Second, with a "quoted" word."#, "Third"])
        #expect(!unclosed)
        #expect(QuoteFile.parse(#"Outside \" is not a quote "in" and "open"#) == (["in"], true))
        #expect(QuoteFile.parse("No double quotes at all.").quotes.isEmpty)
    }

    @Test func filesAreReadOrSkippedWithAReason() throws {
        let media = try TestMedia()
        let whole = QuoteFile.read(try media.text("plain.txt", "  The whole file, one quote.\n"))
        #expect(whole.quotes == ["The whole file, one quote."] && whole.notes.isEmpty)
        let many = QuoteFile.read(try media.text("many.txt", "\"One\"\n\"Two\"\n"))
        #expect(many.quotes == ["One", "Two"])
        let example = QuoteFile.read(try media.text("My-Example-1.txt", "\"skipped\""))
        #expect(example.quotes.isEmpty && example.notes.first?.contains("example") == true)
        let empty = QuoteFile.read(try media.text("empty.txt", " \n\t"))
        #expect(empty.quotes.isEmpty && empty.notes.first?.contains("empty.txt is empty") == true)
        try Data([0x22, 0xFF, 0xFE, 0x22]).write(to: URL(fileURLWithPath: media.path("latin.txt")))
        let latin = QuoteFile.read(media.path("latin.txt"))
        #expect(latin.quotes.isEmpty && latin.notes.first?.contains("not UTF-8") == true)
        let missing = QuoteFile.read(media.path("gone.txt"))
        #expect(missing.quotes.isEmpty && missing.notes.first?.contains("cannot be read") == true)
        let open = QuoteFile.read(try media.text("open.txt", "\"closed\" \"never closed"))
        #expect(open.quotes == ["closed"] && open.notes.first?.contains("unclosed") == true)
    }

    @Test func shuffleMixesTheQuotesOfAllFilesAndRepeatsWithItsSeed() async throws {
        let media = try TestMedia()
        let files = [
            try media.text("a.txt", "\"a1\" \"a2\" \"a3\""), try media.text("b.txt", "\"b1\" \"b2\" \"b3\""),
        ]
        let settings = try TestMedia.settings([
            "duration": .int(60), "quotes_shuffle": .bool(true), "quotes_min_between": .double(0.5),
            "quotes_max_between": .double(0.6),
        ])
        let input = media.input(videos: [try media.clip("c.mp4", seconds: 1)], quotes: files, settings: settings)
        let plan = try await RenderPlanner().plan(input)
        let firstSix = plan.quotes.prefix(6).map(\.text)
        #expect(Set(firstSix) == ["a1", "a2", "a3", "b1", "b2", "b3"], "every quote once before one repeats")
        #expect(firstSix != ["a1", "a2", "a3", "b1", "b2", "b3"], "shuffled across files: \(firstSix)")
        #expect(Set(plan.quotes.map(\.textFile)).count == 6, "one text file a quote")
        let again = try await RenderPlanner().plan(input)
        #expect(again.quotes.map(\.text) == plan.quotes.map(\.text), "the same seed, the same order")
    }

    @Test func quoteFilesWithNoQuoteRenderWithoutQuotesAndTheLogSaysWhy() async throws {
        let media = try TestMedia()
        let input = media.input(
            videos: [try media.clip("c.mp4", seconds: 2)],
            quotes: [try media.text("empty.txt", ""), try media.text("example.txt", "\"x\"")],
            settings: try TestMedia.settings(["duration": .int(2)]))
        let lines = Mutex<[String]>([])
        let plan = try await Renderer().render(
            input, progress: { _, _ in }, log: { line in lines.withLock { $0.append(line) } }
        ).plan
        #expect(plan.quotes.isEmpty)
        #expect(try TestMedia.probe(input.output).duration > 1.5, "a video all the same")
        let log = lines.withLock { $0 }.joined(separator: "\n")
        #expect(log.contains("empty.txt is empty"), "\(log)")
        #expect(log.contains("none of the 2 quote files holds a quote"), "\(log)")
    }

    /// A 10 s video with the default quote timing (the first at 10 to 30 s)
    /// shows no quote; the plan's notes (the job log) say why.
    @Test func aVideoShorterThanTheFirstQuoteSaysSo() async throws {
        let media = try TestMedia()
        // The earlier defaults of quote timing.
        let timing: [String: JSONValue] = [
            "quotes_duration": .int(5), "quotes_min_between": .int(10), "quotes_max_between": .int(30),
        ]
        let settings = try TestMedia.settings(timing.merging(["duration": .int(10)]) { $1 })
        let input = media.input(
            videos: [try media.clip("c.mp4", seconds: 1)], quotes: [try media.text("q.txt", "\"x\"")],
            settings: settings)
        let plan = try await RenderPlanner().plan(input)
        #expect(plan.quotes.isEmpty)
        let warning = try #require(plan.notes.first { $0.hasPrefix("warning: ") }, "\(plan.notes)")
        #expect(warning.contains("no quote will show: the first comes 10 s in (quotes_min_between)"), "\(warning)")
        #expect(settings.quoteWarnings.count == 1)
        #expect(
            try TestMedia.settings(timing.merging(["duration": .int(20)]) { $1 }).quoteWarnings.first?.hasPrefix(
                "a quote may not show")
                == true)
        #expect(try TestMedia.settings(timing.merging(["duration": .int(60)]) { $1 }).quoteWarnings.isEmpty)
    }

    /// On a white picture: every style but minimal darkens a box around the
    /// text; top, centered and bottom put it where the earlier service did.
    @Test func stylesDrawTheBoxWhereTheEarlierServiceDid() async throws {
        let media = try TestMedia()
        try TestMedia.tool(
            "ffmpeg",
            [
                "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=white:size=320x240:rate=12", "-t", "2",
                "-pix_fmt", "yuv420p", media.path("white.mp4"),
            ])
        var found: [VideoSettings.QuoteStyle: (dark: Double, centre: Double)] = [:]
        for style in VideoSettings.QuoteStyle.allCases {
            let input = media.input(
                videos: [media.path("white.mp4")], quotes: [try media.text("q.txt", "Hold on")],
                settings: try TestMedia.settings([
                    "duration": .int(3), "resolution": .string("320x240"), "quote_style": .string(style.rawValue),
                    "quotes_duration": .double(2),
                ]), output: "out/\(style.rawValue).mp4")
            let plan = try await Renderer().render(input, progress: { _, _ in }, log: { _ in }).plan
            let show = try #require(plan.quotes.first)
            let frame = media.path("\(style.rawValue).gray")
            try TestMedia.tool(
                "ffmpeg",
                [
                    "-loglevel", "error", "-y", "-ss", String(format: "%.2f", (show.start + show.end) / 2), "-i",
                    input.output, "-frames:v", "1", "-vf", "format=gray", "-f", "rawvideo", frame,
                ])
            let pixels = try [UInt8](Data(contentsOf: URL(fileURLWithPath: frame)))
            try #require(pixels.count == 320 * 240)
            let dark = pixels.indices.filter { pixels[$0] < 128 }
            let rows = dark.map { Double($0 / 320) }
            found[style] = (Double(dark.count) / Double(pixels.count), rows.reduce(0, +) / Double(max(1, rows.count)))
        }
        let minimal = try #require(found[.minimal])
        for style in [VideoSettings.QuoteStyle.top, .centered, .bottom] {
            let boxed = try #require(found[style])
            #expect(boxed.dark > minimal.dark * 2 && boxed.dark > 0.03, "\(style): a box (\(boxed) vs \(minimal))")
        }
        #expect(minimal.dark > 0.001, "minimal still draws the text")
        #expect(try #require(found[.top]).centre < 80, "top: \(found[.top]!)")
        #expect(abs(try #require(found[.centered]).centre - 120) < 20, "centered: \(found[.centered]!)")
        #expect(try #require(found[.bottom]).centre > 150, "bottom: \(found[.bottom]!)")
    }
}
