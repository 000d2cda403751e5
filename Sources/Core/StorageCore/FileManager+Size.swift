import Foundation

extension FileManager {
    /// The size of the file at `path` in bytes; nil when there is none (or it cannot be read).
    public func size(atPath path: String) -> Int64? {
        ((try? attributesOfItem(atPath: path)[.size]) as? NSNumber)?.int64Value
    }
}
