import Foundation
import Render
import StorageCore
import Synchronization
import Testing
import VideoSettings

@Suite(.timeLimit(.minutes(5))) struct RenderTests {
    @Test(arguments: VideoSettings.Transition.allCases) func transition(_ transition: VideoSettings.Transition)
        async throws
    {
        let media = try TestMedia()
        let clips = [
            try media.clip("a.mp4", seconds: 1.5),
            try media.clip("b.mov", seconds: 2, size: "90x160", source: "testsrc2"),
        ]
        let input = media.input(
            videos: clips, music: [try media.tone("m.mp3", seconds: 3)],
            sounds: [try media.tone("s.wav", seconds: 0.5, frequency: 900)],
            quotes: [try media.text("q.txt", "A quote long enough to be wrapped onto more than one line here.")],
            settings: try TestMedia.settings(["transition": .string(transition.rawValue)]))
        let steps = Mutex<[String]>([])
        let plan = try await Renderer().render(
            input, progress: { _, step in steps.withLock { if $0.last != step.rawValue { $0.append(step.rawValue) } } },
            log: { _ in }
        ).plan
        let probe = try TestMedia.probe(input.output)
        #expect(abs(probe.duration - 4) < 0.5, "duration \(probe.duration)")
        #expect(probe.width == 160 && probe.height == 120)
        #expect(probe.frameRate == "12/1")
        #expect(probe.hasAudio)
        #expect(plan.segments.count >= 3, "the clips repeat to fill the duration")
        #expect(
            steps.withLock { $0 } == [
                "Processing video clips", "Mixing audio tracks", "Rendering quotes", "Creating final video", "Complete",
            ])
        #expect(!FileManager.default.fileExists(atPath: plan.temporaryOutput), "no temporary file is left")
        #expect(!FileManager.default.fileExists(atPath: input.scratch), "the scratch folder is removed")
    }

    /// Progress rises piece by piece between planning and the join, never
    /// back, so the job's time remaining follows the pieces.
    @Test(arguments: [1, 3]) func progressCountsThePieces(_ atOnce: Int) async throws {
        let media = try TestMedia()
        let input = media.input(
            videos: [try media.clip("a.mp4", seconds: 2), try media.clip("b.mp4", seconds: 3, source: "testsrc2")],
            music: [try media.tone("m.mp3", seconds: 5)],
            quotes: [try media.text("q.txt", "\"One.\" \"Two.\"")],
            settings: try TestMedia.settings([
                "duration": .int(30), "quotes_min_between": .double(4), "quotes_max_between": .double(6),
            ]))
        let seen = Mutex<[Int]>([])
        var renderer = Renderer()
        renderer.concurrency = atOnce
        let rendered = try await renderer.render(
            input, progress: { percent, _ in seen.withLock { $0.append(percent) } }, log: { _ in })
        #expect(abs(try TestMedia.probe(input.output).duration - 30) < 0.1)
        let percents = seen.withLock { $0 }
        let units = PieceRenderer(plan: rendered.plan, scratch: input.scratch).units.count
        let during = Set(percents.filter { $0 > 10 && $0 < 100 })
        #expect(units >= 6, "\(units) units")
        #expect(during.count >= units / 2, "progress between the pieces: \(percents)")
        #expect(percents == percents.sorted(), "never back: \(percents)")
        #expect(percents.last == 100)
    }

    @Test func silentWithoutMusicOrSounds() async throws {
        let media = try TestMedia()
        let input = media.input(
            videos: [try media.clip("a.mp4", seconds: 2)], settings: try TestMedia.settings(["duration": .int(3)]))
        try await Renderer().render(input, progress: { _, _ in }, log: { _ in })
        let probe = try TestMedia.probe(input.output)
        #expect(probe.hasAudio, "a silent audio track")
        #expect(abs(probe.duration - 3) < 0.5)
    }

    @Test func quotesAtPlannedTimesAndSeedsRepeat() async throws {
        let media = try TestMedia()
        let clips = [try media.clip("a.mp4", seconds: 2)]
        let quotes = try (0..<3).map { try media.text("q\($0).txt", "Quote number \($0)") }
        let settings = try TestMedia.settings([
            "duration": .int(30), "quotes_min_between": .double(2), "quotes_max_between": .double(5),
        ])
        let plan = try await RenderPlanner().plan(media.input(videos: clips, quotes: quotes, settings: settings))
        #expect(plan.quotes.count >= 4)
        let graph = try #require(
            plan.ffmpegArguments.firstIndex(of: "-filter_complex").map { plan.ffmpegArguments[$0 + 1] })
        var previousEnd = 0.0
        for show in plan.quotes {
            #expect(graph.contains(String(format: "enable='between(t,%.3f,%.3f)'", show.start, show.end)), "\(show)")
            let gap = show.start - previousEnd
            #expect(gap >= 2 - 0.001 && gap <= 5 + 0.001, "gap \(gap)")
            #expect(abs(show.end - show.start - 1) < 0.001)
            previousEnd = show.end
        }
        #expect(Set(plan.quotes.prefix(3).map(\.source)) == Set(quotes), "every quote is shown before one repeats")
        let again = try await RenderPlanner().plan(media.input(videos: clips, quotes: quotes, settings: settings))
        #expect(again.quotes.map(\.start) == plan.quotes.map(\.start), "the same seed plans the same video")
        var other = settings
        other.seed = 43
        let different = try await RenderPlanner().plan(media.input(videos: clips, quotes: quotes, settings: other))
        #expect(different.quotes.map(\.start) != plan.quotes.map(\.start), "another seed, other times")
    }

    @Test func cancelKillsFFmpegAndLeavesNothing() async throws {
        let media = try TestMedia()
        let input = media.input(
            videos: [try media.clip("a.mp4", seconds: 20, size: "320x180")],
            settings: try TestMedia.settings([
                "duration": .int(300), "resolution": .string("1280x720"), "fps": .int(30),
            ]))
        let encoding = Flag()
        let render = Task {
            try await Renderer().render(
                input, progress: { percent, _ in if percent >= 11 { encoding.set() } }, log: { _ in })
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while !encoding.isSet, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(encoding.isSet, "the encode got going")
        render.cancel()
        let result = await render.result
        #expect(throws: CancellationError.self) { try result.get() }
        let plan = try await RenderPlanner().plan(input)
        #expect(!FileManager.default.fileExists(atPath: input.output), "no output")
        #expect(!FileManager.default.fileExists(atPath: plan.temporaryOutput), "no partial output")
        #expect(!FileManager.default.fileExists(atPath: input.scratch), "no scratch")
        let stillRunning = (try? TestMedia.tool("pgrep", ["-f", plan.temporaryOutput])) ?? ""
        #expect(stillRunning.isEmpty, "ffmpeg is gone: \(stillRunning)")
    }

    @Test func inputProblemsBeforeFFmpeg() async throws {
        let media = try TestMedia()
        let clip = try media.clip("good.mp4", seconds: 1)
        let settings = try TestMedia.settings()
        try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(
            to: URL(fileURLWithPath: media.path("broken.mp4")))
        let cases: [(RenderInput, String)] = [
            (media.input(videos: [], settings: settings), "no video clips"),
            (media.input(videos: [clip, media.path("broken.mp4")], settings: settings), "broken.mp4"),
            (media.input(videos: [media.path("missing.mp4")], settings: settings), "missing.mp4"),
            (media.input(videos: [clip], music: [clip], settings: settings), "good.mp4 has no audio stream"),
            (
                media.input(videos: [try media.tone("tone.mp3", seconds: 1)], settings: settings),
                "tone.mp3 has no video stream"
            ),
        ]
        for (input, expected) in cases {
            do {
                try await Renderer().render(input, progress: { _, _ in }, log: { _ in })
                Issue.record("expected a failure naming \(expected)")
            } catch let error as RenderError {
                #expect(error.message.contains(expected), "\(error.message)")
                #expect(error.ffmpegOutput.isEmpty, "found before ffmpeg started: \(error)")
            }
        }
        var fontless = settings
        fontless.quoteFont = "No Such Font"
        do {
            _ = try await RenderPlanner().plan(
                media.input(videos: [clip], quotes: [try media.text("q.txt", "hi")], settings: fontless))
            Issue.record("a missing font must fail")
        } catch let error as RenderError {
            #expect(error.message.contains("No Such Font"))
        }
    }

    @Test func ffmpegFailureCarriesItsLastLines() async throws {
        let media = try TestMedia()
        let clip = try media.clip("a.mp4", seconds: 1)
        // A folder where the output should go: ffmpeg cannot write its file there.
        let input = media.input(videos: [clip], settings: try TestMedia.settings(), output: "out/video.mp4")
        let plan = try await RenderPlanner().plan(input)
        try FileManager.default.createDirectory(atPath: plan.temporaryOutput, withIntermediateDirectories: true)
        do {
            try await Renderer().render(input, progress: { _, _ in }, log: { _ in })
            Issue.record("the render must fail")
        } catch let error as RenderError {
            #expect(error.message.contains("ffmpeg failed"))
            #expect(!error.ffmpegOutput.isEmpty, "ffmpeg's own words are kept")
        }
    }

    @Test func pathsWithFilterSyntaxCharacters() async throws {
        let media = try TestMedia()
        let folder = "odd, name: it's [here]; ok"
        try FileManager.default.createDirectory(atPath: media.path(folder), withIntermediateDirectories: true)
        let clip = try media.clip("\(folder)/a.mp4", seconds: 1)
        let quote = try media.text("\(folder)/q.txt", "Quote: with, commas; and 'quotes' %{pts}")
        var input = media.input(
            videos: [clip], quotes: [quote], settings: try TestMedia.settings(["duration": .int(2)]),
            output: "\(folder)/out.mp4")
        input.scratch = media.path("\(folder)/scratch")
        try await Renderer().render(input, progress: { _, _ in }, log: { _ in })
        #expect(abs(try TestMedia.probe(input.output).duration - 2) < 0.5)
    }
}

final class Flag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
