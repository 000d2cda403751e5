import StorageCore
import Testing
import VideoSettings

/// The page's drag and drop of clips becomes `clip_order`, which the render follows.
@Suite struct ClipOrderTests {
    @Test func clipsFollowTheOrderNamedAndTheRestKeepTheirs() throws {
        let settings = try VideoSettings(
            config: JobConfig(["clip_order": .array([.string("c.mp4"), .string("a.mp4"), .string("gone.mp4")])]))
        let uploaded = ["a.mp4", "b.mp4", "c.mp4", "d.mp4"]
        #expect(settings.ordered(uploaded) { $0 } == ["c.mp4", "a.mp4", "b.mp4", "d.mp4"])
        #expect(try VideoSettings(config: JobConfig()).ordered(uploaded) { $0 } == uploaded, "upload order by default")
        #expect(settings.config["clip_order"] == .array([.string("c.mp4"), .string("a.mp4"), .string("gone.mp4")]))
        #expect(VideoSettings.defaults.config["clip_order"] == nil)
    }

    @Test(arguments: [
        (JSONValue.string("a.mp4"), "must be a list of at most 10000 file names"),
        (.array([.int(3)]), "must hold file names"),
        (.array([.string("")]), "must hold file names"),
    ])
    func aBadOrderNamesTheField(value: JSONValue, reason: String) {
        #expect {
            _ = try VideoSettings(config: JobConfig(["clip_order": value]))
        } throws: { error in
            (error as? InvalidSetting)?.field == "clip_order" && "\(error)".contains(reason)
        }
    }
}
