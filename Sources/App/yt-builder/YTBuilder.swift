import ArgumentParser
import StorageCore

@main
struct YTBuilder: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "yt-builder",
        abstract: "Turns uploaded clips, music, sounds and quotes into videos, and keeps their history.",
        version: BuildInfo.version,
        subcommands: [
            ServeCommand.self, WorkerCommand.self, RenderCommand.self, YouTubeCommand.self, DatabaseCommand.self,
            JobsCommand.self,
            CleanupCommand.self,
            MigrateCommand.self,
            BenchCommand.self, BackupCommand.self, RestoreCommand.self,
        ]
    )
}
