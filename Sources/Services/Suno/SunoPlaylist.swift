import AsyncHTTPClient
import Foundation
import NIOCore
import OutboundHTTP
import StorageCore

/// A song of a playlist, as Suno's API lists it (`playlist_clips[].clip`).
public struct SunoClip: Hashable, Sendable {
    public var id: String
    public var title: String
    public var audioURL: String
}

/// Reads a playlist, every page of it, as the earlier service did: page 0,
/// then `?page=1`, ... until a page has no clips (or a later page fails, or
/// the page or song limit is reached); clips without an id or audio URL, and
/// repeats of a clip id, are dropped.
struct SunoPlaylist {
    enum Failure: Error, CustomStringConvertible {
        /// The first page did not load: the playlist does not exist, or Suno is away.
        case firstPage(String)

        var description: String {
            switch self {
            case .firstPage(let reason): reason
            }
        }
    }

    struct Listing {
        var clips: [SunoClip] = []
        /// What the listing itself ran into (the page limit).
        var notes: [String] = []
    }

    let settings: SunoSettings
    let http: HTTPClient

    func read(id: String) async throws -> Listing {
        var listing = Listing()
        var seen = Set<String>()
        var page = 0
        while true {
            let clips: [SunoClip]
            do {
                clips = try await self.page(id: id, number: page)
            } catch let error as PageError {
                if page == 0 { throw Failure.firstPage(error.description) }
                break  // As before: a later page that fails is taken as the end.
            }
            if clips.isEmpty { break }
            for clip in clips where seen.insert(clip.id).inserted { listing.clips.append(clip) }
            if listing.clips.count > settings.maximumSongs {
                listing.clips.removeLast(listing.clips.count - settings.maximumSongs)
                listing.notes.append(
                    "The playlist has more than \(settings.maximumSongs) songs; the first \(settings.maximumSongs) "
                        + "are imported (the limit of one import)")
                break
            }
            page += 1
            if page >= settings.maximumPages {
                listing.notes.append("Reached pagination limit (\(settings.maximumPages) pages)")
                break
            }
        }
        return listing
    }

    struct PageError: Error, CustomStringConvertible {
        var description: String
    }

    func page(id: String, number: Int) async throws -> [SunoClip] {
        var request = HTTPClientRequest(url: settings.playlistPageURL(id, page: number))
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: SunoClient.userAgent)
        request.headers.add(name: "Referer", value: "https://suno.com/")
        let body: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: TimeAmount(settings.pageTimeout))
            guard (200..<300).contains(response.status.code) else {
                _ = try? await response.body.collect(upTo: 1 << 16)
                throw PageError(description: "Failed to fetch playlist: HTTP \(response.status.code)")
            }
            body = try await response.body.collect(upTo: settings.maximumPageBytes)
        } catch let error as PageError {
            throw error
        } catch is NIOTooManyBytesError {
            throw PageError(
                description: "Failed to fetch playlist: page \(number) is larger than "
                    + "\(settings.maximumPageBytes / (1 << 20)) MiB, more than a playlist page should be")
        } catch {
            throw PageError(description: "Network error: \(OutboundHTTP.describe(error))")
        }
        guard let object = JSONValue(jsonText: String(buffer: body))?.objectValue else {
            throw PageError(description: "Failed to fetch playlist: the answer is not JSON")
        }
        return (object["playlist_clips"]?.arrayValue ?? []).compactMap { item in
            guard let clip = item.objectValue?["clip"]?.objectValue, let id = clip["id"]?.stringValue, !id.isEmpty,
                let audio = clip["audio_url"]?.stringValue, !audio.isEmpty
            else { return nil }
            return SunoClip(id: id, title: clip["title"]?.stringValue ?? "", audioURL: audio)
        }
    }
}
