import Foundation

/// A plugin's name is its file's name: `NAME.so` must declare `NAME` (and,
/// with no sidecar naming it, runs agent `NAME`).
///
/// Two files can then never claim one plugin, sidecars name plugins by file,
/// and which file runs a plugin does not depend on the order in which files
/// are found — at start and while the host runs alike.
enum AgentNameRule {
    /// Refuses `image` unless it declares the plugin its file is named for:
    /// `duplicateName` (naming both files) when the file named for the plugin it
    /// declares exists beside it, `invalidName` otherwise.
    static func check(_ image: PluginImage, file: String) throws(PluginRefusal) {
        let url = URL(fileURLWithPath: file)
        let stem = url.deletingPathExtension().lastPathComponent
        guard image.name != stem else { return }
        let fileName = url.lastPathComponent
        // Beside the file, spelled as the file is (the refusal names both).
        let directory = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        let rightful = directory + "/" + image.name + ".so"
        if FileManager.default.fileExists(atPath: rightful) {
            throw PluginRefusal(
                file: file, reason: .duplicateName,
                detail: "two files claim plugin \"\(image.name)\": this file and \(rightful); the plugin belongs to "
                    + "\(rightful) (a plugin's name is its file's name: expected \(fileName) to declare \"\(stem)\")")
        }
        throw PluginRefusal(
            file: file, reason: .invalidName,
            detail: "declares plugin \"\(image.name)\" but is named \(fileName): a plugin's name is "
                + "its file's name (expected \(image.name).so, or a descriptor name \"\(stem)\")")
    }
}
