import Foundation
import Logging

/// The host's one list of refused plugin files.
///
/// A file refused at start and a file refused while the host runs go to the
/// same list (keyed by the file's base name); the entry goes when the file is
/// removed or a later version of it is accepted.
extension SluiceRuntime {
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
}
