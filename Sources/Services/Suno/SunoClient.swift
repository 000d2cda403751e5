import AsyncHTTPClient
import NIOCore
import OutboundHTTP
import RunFiles

/// The HTTP side of Suno: one client for the whole process (a redirect could
/// leave Suno's hosts, so none is followed).
enum SunoClient {
    static let userAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) yt-builder"

    static let shared = OutboundHTTP.client(readTimeout: .seconds(30))

    struct SongError: Error, CustomStringConvertible {
        var description: String
    }

    /// Streams one song into `file` (which enforces the size limit).
    static func download(_ url: String, into file: UploadFile, settings: SunoSettings, http: HTTPClient) async throws {
        if let refusal = settings.refusal(ofAudioURL: url) {
            throw SongError(description: "not downloaded: \(refusal)")
        }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: userAgent)
        request.headers.add(name: "Referer", value: "https://suno.com/")
        do {
            let response = try await http.execute(request, timeout: TimeAmount(settings.songTimeout))
            guard (200..<300).contains(response.status.code) else {
                throw SongError(description: "Download failed (HTTP \(response.status.code))")
            }
            for try await chunk in response.body {
                try await file.write(contentsOf: Array(chunk.readableBytesView))
            }
        } catch let error as SongError {
            throw error
        } catch UploadFile.WriteError.tooLarge(let limit) {
            throw SongError(description: "larger than the file size limit (\(limit) bytes)")
        } catch {
            throw SongError(description: OutboundHTTP.describe(error))
        }
    }
}
