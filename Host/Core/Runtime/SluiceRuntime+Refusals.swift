import Foundation
import Logging

/// The host's one list of refused plugin files, and the rule that an agent's
/// name is its plugin file's name.
///
/// A file refused at start and a file refused while the host runs go to the
/// same list (keyed by the file's base name); the entry goes when the file is
/// removed or a later version of it is accepted.
extension SluiceRuntime {
    /// Every `*.so` in the plugins directory, in name order.
    static func pluginFiles(in directory: String) throws(PluginRefusal) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw PluginRefusal(file: directory, reason: .unreadable,
                                detail: "plugins directory cannot be listed: \(error.localizedDescription)")
        }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        return names.filter { $0.hasSuffix(".so") }.sorted().map { prefix + $0 }
    }

    /// Refuses `image` unless it declares the agent its file is named for
    /// (`NAME.so` runs agent `NAME`). Two files can then never claim one
    /// agent, and which file runs an agent does not depend on load order.
    func checkAgentName(of image: PluginImage, file: String) throws(PluginRefusal) {
        let stem = SluiceRuntime.baseName(file)
        guard image.name != stem else { return }
        // Beside the file, spelled as the file is (the refusal names both).
        let directory = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        let rightful = directory + "/" + image.name + ".so"
        if FileManager.default.fileExists(atPath: rightful) {
            throw PluginRefusal(
                file: file, reason: .duplicateName,
                detail: "two files claim agent \"\(image.name)\": this file and \(rightful); the agent belongs to "
                    + "\(rightful) (an agent's name is its plugin file's name: expected "
                    + "\(SluiceRuntime.fileName(file)) to declare \"\(stem)\")")
        }
        throw PluginRefusal(
            file: file, reason: .invalidName,
            detail: "declares agent \"\(image.name)\" but is named \(SluiceRuntime.fileName(file)): an agent's name is "
                + "its plugin file's name (expected \(image.name).so, or a descriptor name \"\(stem)\")")
    }

    /// Puts `refusal` on the list of refused files (replacing the file's earlier entry) and logs it.
    func recordRefusal(_ refusal: PluginRefusal, runningVersionKept: Bool) {
        let entry = RefusedPluginFile(refusal)
        lock.withLock { refused[SluiceRuntime.baseName(refusal.file)] = entry }
        let metadata: Logger.Metadata = [
            "plugin.file": .string(refusal.file), "plugin.reason": .string(refusal.reason.rawValue),
            "reason": .string(refusal.detail),
        ]
        if runningVersionKept {
            logger.error("\(refusal.description); the running version is kept", metadata: metadata)
        } else {
            logger.error("\(refusal.description)", metadata: metadata)
        }
    }

    /// Takes the file of base name `base` off the list of refused files (it was removed or accepted).
    func clearRefusal(ofFile base: String) {
        let cleared = lock.withLock { refused.removeValue(forKey: base) }
        if let cleared {
            logger.info("plugin file no longer refused", metadata: ["plugin.file": .string(cleared.file)])
        }
    }

    static func fileName(_ path: String) -> String {
        URL(fileURLWithPath: path).lastPathComponent
    }
}
