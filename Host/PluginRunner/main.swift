// sluice-plugin-runner: runs one isolated agent's plugin for the host that
// started it. Not for people: the host starts it with the socket and the
// shared region as descriptors 3 and 4 (see docs/isolation.md).
import SluiceIsolationWire
#if canImport(Glibc)
import Glibc
#endif

/// Writes a line to standard error (descriptor 2: the host passes its own).
func complain(_ line: String) {
    let text = line + "\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
}

var memoryLimit = 0
var niceness: Int32 = 0
var workerCount = 2
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--memory-limit": memoryLimit = Int(arguments.next() ?? "") ?? 0
    case "--nice": niceness = Int32(arguments.next() ?? "") ?? 0
    case "--workers": workerCount = Int(arguments.next() ?? "") ?? 2
    case "--agent": _ = arguments.next()  // shown by ps, so an operator can tell runners apart
    default:
        complain("sluice-plugin-runner: unknown argument \(argument) (this program is started by sluice, not by hand)")
        exit(64)
    }
}
// The runner ends when the host's end of the socket closes (the host stopped
// or died): its reader sees the end and exits. (Not PR_SET_PDEATHSIG: that
// fires when the *thread* that started the runner ends, and hosts start
// runners from short-lived threads.)
if niceness > 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) }
signal(SIGPIPE, SIG_IGN)

let channel = FrameChannel(descriptor: 3)
let region: SharedRegion
do {
    region = try SharedRegion(mapping: 4)
} catch {
    complain("sluice-plugin-runner: \(error) (this program is started by sluice, not by hand)")
    exit(64)
}
let session = RunnerSession(channel: channel, region: region, memoryLimit: memoryLimit, workerCount: workerCount)
RunnerHostTable.session = session
session.run()
