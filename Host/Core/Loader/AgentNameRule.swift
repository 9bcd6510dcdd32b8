import Foundation

/// An agent's name is its plugin file's name: `NAME.so` runs agent `NAME`.
///
/// Two files can then never claim one agent, and which file runs an agent does
/// not depend on the order in which files are found — at start and while the
/// host runs alike.
enum AgentNameRule {
    /// Refuses `image` unless it declares the agent its file is named for:
    /// `duplicateName` (naming both files) when the file named for the agent it
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
                detail: "two files claim agent \"\(image.name)\": this file and \(rightful); the agent belongs to "
                    + "\(rightful) (an agent's name is its plugin file's name: expected \(fileName) to declare \"\(stem)\")")
        }
        throw PluginRefusal(
            file: file, reason: .invalidName,
            detail: "declares agent \"\(image.name)\" but is named \(fileName): an agent's name is "
                + "its plugin file's name (expected \(image.name).so, or a descriptor name \"\(stem)\")")
    }
}
