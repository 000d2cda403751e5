import FakeSuno
import Foundation
import Hummingbird
import HummingbirdTesting
import StorageCore
import TestPostgres
import Testing

/// The earlier service's own documented client (WEBSERVER_UPLOAD.md, "Python
/// Example", with `requests`) run against a real `serve` whose worker renders
/// with ffmpeg and whose Suno is a local fake. The script is the earlier one
/// word for word but for two things a test must change: the port, and the
/// render's size (its 300 s 1080p video would take most of an hour here).
/// Its Suno call waits for the worker's import and answers with the song
/// downloaded, as the earlier service did; the job renders with both songs.
@Suite(.timeLimit(.minutes(5))) struct EarlierClientTests {
    static func script(port: Int) -> String {
        """
        import requests

        BASE_URL = 'http://localhost:\(port)/api'

        # 1. Prepare a new job
        response = requests.post(f'{BASE_URL}/jobs/prepare')
        job_id = response.json()['job_id']
        print(f"Created job #{job_id}")

        # 2. Upload video files
        with open('myvideo.mp4', 'rb') as f:
            files = {'files': f}
            response = requests.post(
                f'{BASE_URL}/jobs/{job_id}/upload/videos',
                files=files
            )
        print(f"Uploaded: {response.json()['uploaded']}")

        # 3. Upload music (manual upload)
        with open('music.mp3', 'rb') as f:
            files = {'files': f}
            requests.post(
                f'{BASE_URL}/jobs/{job_id}/upload/music',
                files=files
            )

        # OR download from Suno playlist
        suno_response = requests.post(
            f'{BASE_URL}/jobs/{job_id}/playlist/suno',
            json={'url': 'https://suno.com/playlist/your-playlist-id'}
        )
        print(f"Downloaded {len(suno_response.json()['downloaded'])} songs from Suno")

        # 4. Upload quotes
        with open('quotes.txt', 'rb') as f:
            files = {'files': f}
            requests.post(
                f'{BASE_URL}/jobs/{job_id}/upload/quotes',
                files=files
            )

        # 5. Start the job
        config = {
            'duration': 3,
            'resolution': '320x180',
            'fps': 15,
            'transition': 'crossfade',
            'music_volume': 0.7,
            'sounds_volume': 0.5,
            'quote_style': 'centered'
        }

        response = requests.post(
            f'{BASE_URL}/jobs/{job_id}/start',
            json=config
        )
        print(f"Job started: {response.json()['status']}")

        # 6. Monitor progress
        import time
        while True:
            response = requests.get(f'{BASE_URL}/jobs/{job_id}')
            status = response.json()
            print(f"Status: {status['status']} - {status['progress']}%")

            if status['status'] in ['completed', 'failed']:
                break

            time.sleep(2)

        # 7. Download result
        if status['status'] == 'completed':
            response = requests.get(f'{BASE_URL}/jobs/{job_id}/download')
            with open('output.mp4', 'wb') as f:
                f.write(response.content)
            print("Downloaded output.mp4")
        """
    }

    @Test func theEarlierDocumentedClientMakesAVideo() async throws {
        let runner = CommandRunner()
        func ffmpeg(_ arguments: [String]) throws {
            try runTool("/usr/bin/env", ["ffmpeg", "-loglevel", "error", "-y"] + arguments)
        }
        try ffmpeg([
            "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-t", "2", "-pix_fmt", "yuv420p",
            runner.path("myvideo.mp4"),
        ])
        try ffmpeg(["-f", "lavfi", "-i", "sine=frequency=330", "-t", "2", runner.path("music.mp3")])
        try ffmpeg(["-f", "lavfi", "-i", "sine=frequency=550", "-t", "2", runner.path("suno.mp3")])
        try "\"Nothing is lost.\"".write(toFile: runner.path("quotes.txt"), atomically: true, encoding: .utf8)

        try await ServerProcess.withFakeSuno(
            runner, playlist: "your-playlist-id", clips: [(id: "5f0c1e2a-77", title: "Ocean Drive")],
            song: runner.path("suno.mp3")
        ) { server in
            try Self.script(port: server.port).write(
                toFile: runner.path("client.py"), atomically: true, encoding: .utf8)
            let output = try runTool("/usr/bin/env", ["-C", runner.folder.path, "python3", "client.py"])
            let lines = output.split(separator: "\n").map(String.init)
            #expect(lines.first == "Created job #1", "\(output)")
            #expect(lines.contains("Uploaded: ['myvideo.mp4']"), "\(output)")
            #expect(lines.contains("Downloaded 1 songs from Suno"), "\(output)")
            #expect(lines.contains("Job started: queued"), "\(output)")
            #expect(lines.contains("Status: completed - 100%"), "\(output)")
            #expect(lines.last == "Downloaded output.mp4", "\(output)")
            let probe = try runTool(
                "/usr/bin/env",
                [
                    "ffprobe", "-v", "error", "-show_entries", "stream=codec_type,width", "-of", "csv=p=0",
                    runner.path("output.mp4"),
                ])
            #expect(probe.contains("video,320"), "a playable 320-wide video: \(probe)")
            #expect(probe.contains("audio"), "with sound: \(probe)")
            let imports = try curl(["-sS", server.url("/api/jobs/1/playlist/suno")])
            #expect(imports.contains(#""state":"completed""#), "the import was a worker's task: \(imports)")
            let job = try curl(["-sS", server.url("/api/jobs/1")])
            #expect(job.contains(#""music":2"#), "the uploaded song and Suno's: \(job)")
            let stopped = try await server.stop()
            #expect(stopped == 0)
        }
    }
}
