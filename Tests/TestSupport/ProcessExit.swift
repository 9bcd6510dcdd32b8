import Foundation
import SluiceHost

extension Process {
    /// Returns once the process has exited. The waiting (`waitUntilExit`)
    /// happens on a thread of its own, never on one of the cooperative threads
    /// tests and hosts share.
    public func exited() async {
        let process = UncheckedSendable(self)
        await DedicatedThread.run("test-process-exit") { process.value.waitUntilExit() }
    }
}
