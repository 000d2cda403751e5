import ArgumentParser
import Foundation
import Render
import StorageCore
import VideoSettings

extension BenchCommand {
    struct RenderBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract:
                "Render jobs by pieces and in one pass, back to back, against the limit of their distinct content.",
            discussion: """
                Jobs: default (600 s, three 8 s clips, crossfade, quotes 5 s every 10–30 s, two music tracks, a \
                sound); loop (3 h, no quotes); loop-quotes (3 h with quotes). The limit is ffmpeg alone encoding only \
                the distinct seconds (picture and sound) with the same settings, plus the render's own join. The media \
                are ffmpeg test patterns and tones, made first (not timed).
                """)

        @Option(help: "default, loop, loop-quotes or all.") var job = "default"
        @Option(help: "Seconds of video, instead of the job's own.") var duration: Double?
        @Option(help: "WIDTHxHEIGHT.") var resolution = "1920x1080"
        @Option(help: "Frames per second.") var fps = 30
        @Option(help: "Pieces encoded at once, one run each (comma-separated).") var concurrency = "1"
        @Option(
            help:
                "Worker processes sharing one queue, one run each (comma-separated): the job rendered by `yt-builder worker`s, its pieces spread over them."
        ) var workers = ""
        @Flag(help: "Pin each worker process to a core of its own (worker i on core i), as hosts of one core each.")
        var pinWorkers = false
        @Flag(help: "Skip the one-pass reference (and so SSIM).") var skipOnePass = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let jobs = job == "all" ? ["default", "loop", "loop-quotes"] : [job]
            guard jobs.allSatisfy(["default", "loop", "loop-quotes"].contains) else {
                throw ValidationError("--job must be default, loop, loop-quotes or all")
            }
            let levels = concurrency.split(separator: ",").compactMap { Int($0) }
            guard !levels.isEmpty, levels.allSatisfy({ (1...16).contains($0) }) else {
                throw ValidationError("--concurrency must be numbers from 1 to 16, comma-separated")
            }
            let workerCounts = workers.split(separator: ",").compactMap { Int($0) }
            guard workerCounts.count == workers.split(separator: ",").count,
                workerCounts.allSatisfy({ (1...8).contains($0) })
            else {
                throw ValidationError("--workers must be numbers from 1 to 8, comma-separated")
            }
            let media = try await RenderBenchMedia.make(resolution: resolution)
            defer { media.remove() }
            var results: [RenderBenchResult] = []
            for name in jobs {
                let seconds = duration ?? (name == "default" ? 600 : 10_800)
                let config = JobConfig([
                    "duration": .double(seconds), "resolution": .string(resolution), "fps": .int(Int64(fps)),
                    "transition": .string("crossfade"), "quote_font": .string(FontCatalog.fallbackFamily),
                    "seed": .int(1),
                ])
                let settings: VideoSettings
                do { settings = try VideoSettings(config: config, fonts: media.fonts) } catch {
                    throw ValidationError("\(error)")
                }
                let run = RenderBenchRun(
                    name: name, settings: settings, media: media, quotes: name != "loop", levels: levels,
                    onePass: !skipOnePass)
                var result = try await run.measure()
                let queue = RenderBenchWorkers(
                    media: media, config: config, quotes: name != "loop", pinned: pinWorkers)
                for count in workerCounts {
                    Console.error("\(name): \(count) worker processes sharing the queue…")
                    result.workers.append(try await queue.measure(workers: count))
                }
                if !json { result.print() }
                results.append(result)
            }
            if json { try Console.printJSON(results) }
        }
    }
}
