import Foundation

/// A plugin file the host refused, and when: one entry of the host's single
/// list of refused files (at start and while it runs alike). The entry stays
/// until the file is removed or a later version of it is accepted.
public struct RefusedPluginFile: Sendable, Equatable {
    /// The refusal: the file, the kind of problem and what is wrong.
    public let refusal: PluginRefusal
    /// When the host refused the file.
    public let at: Date

    /// An entry for `refusal`, made at `at`.
    public init(_ refusal: PluginRefusal, at: Date = Date()) {
        self.refusal = refusal
        self.at = at
    }

    /// The plugin file.
    public var file: String { refusal.file }

    /// The agent the file is named for (`NAME.so` runs agent `NAME`).
    public var agent: String { URL(fileURLWithPath: refusal.file).deletingPathExtension().lastPathComponent }
}
