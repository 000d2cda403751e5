import Foundation

/// AAC in ADTS frames, each 1024 samples with its own header, so a stretch
/// of a stream is a run of whole frames that can be cut out by byte.
enum ADTSFrames {
    /// Writes frames `first..<first+count` of `source` to `target`.
    static func copy(from source: String, frames: Range<Int>, to target: String) throws {
        guard let data = FileManager.default.contents(atPath: source) else {
            throw RenderError("cannot read the encoded sound \(RenderPlan.name(source))")
        }
        var kept = Data()
        var offset = data.startIndex
        var index = 0
        while offset + 7 <= data.endIndex, index < frames.upperBound {
            let header = data[offset..<offset + 7].map { Int($0) }
            guard header[0] == 0xFF, header[1] & 0xF0 == 0xF0 else {
                throw RenderError("the encoded sound \(RenderPlan.name(source)) is not ADTS at byte \(offset)")
            }
            let length = (header[3] & 0x03) << 11 | header[4] << 3 | header[5] >> 5
            guard length >= 7, offset + length <= data.endIndex else {
                throw RenderError("the encoded sound \(RenderPlan.name(source)) ends inside a frame")
            }
            if frames.contains(index) { kept.append(data[offset..<offset + length]) }
            offset += length
            index += 1
        }
        guard index >= frames.upperBound else {
            throw RenderError(
                "the encoded sound \(RenderPlan.name(source)) has \(index) frames, not the \(frames.upperBound) needed")
        }
        do { try kept.write(to: URL(fileURLWithPath: target)) } catch {
            throw RenderError.cannotWrite(error)
        }
    }
}
