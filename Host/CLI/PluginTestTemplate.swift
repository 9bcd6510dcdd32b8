import Foundation
import SluiceHost

/// The test a scaffolded plugin ships with: `make test` builds the plugin,
/// runs it in a real host on `memory://` with `sluice try`, sends
/// `test/input.ndjson` to `<name>.in` and compares every record it produced
/// with `test/expected.ndjson`, line for line.
struct PluginTestTemplate {
    /// The agent's name.
    let name: String
    /// The value the scaffolded agent produces for an input's `text`.
    let transform: (String) -> String

    /// The records sent: key and text.
    private let inputs = [("k1", "hello"), ("k2", "sluice"), ("k3", "plugins")]

    /// `test/input.ndjson`, `test/expected.ndjson` and `test/test.mk`; with
    /// `build` (a command), also a Makefile that only includes the test.
    func files(plugin: String, build: String?, sidecar: String?, sluiceBinary: String) -> [String: String] {
        let run = "$(SLUICE_BIN) try \(plugin)" + (sidecar.map { " --config \($0)" } ?? "")
            + " --file test/input.ndjson > test/output.ndjson"
        var files = [
            "test/input.ndjson": inputs.map { key, text in
                #"{"key":"\#(key)","value":{"text":"\#(text)"}}"#
            }.joined(separator: "\n") + "\n",
            "test/expected.ndjson": expectedLines().joined(separator: "\n") + "\n",
            "test/test.mk": """
                # make test: runs the plugin in a real Sluice host on memory:// (`sluice try`),
                # sends test/input.ndjson to \(name).in and compares every record it produces
                # with test/expected.ndjson. SLUICE_BIN=/path/to/sluice picks another host.
                SLUICE_BIN ?= \(sluiceBinary)

                test:\(build == nil ? " \(plugin)" : "")
                \(build.map { "\t\($0)\n" } ?? "")\t\(run)
                \tdiff -u test/expected.ndjson test/output.ndjson
                \t@echo "test passed: \(name) produced what test/expected.ndjson says"

                .PHONY: test

                """,
        ]
        if build != nil {
            files["Makefile"] = """
                # make test: build the plugin, run it in a real Sluice host, compare its output.
                include test/test.mk

                """
        }
        return files
    }

    /// What `sluice try` prints for the inputs: one record per input on
    /// `<name>.out`, keyed as the input, in partition and offset order.
    private func expectedLines() -> [String] {
        let partitions = Int32(HostConfiguration().memory.partitions)
        var nextOffset: [Int32: Int64] = [:]
        let placed = inputs.map { key, text in
            let partition = Murmur2Partitioner.partition(forKey: Array(key.utf8), partitionCount: partitions)
            defer { nextOffset[partition, default: 0] += 1 }
            return (partition, nextOffset[partition, default: 0], key, transform(text))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return placed.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { partition, offset, key, value in
            let record = PluginTrialRecord(topic: "\(name).out", partition: partition, offset: offset,
                                           key: key, value: value)
            return String(decoding: (try? encoder.encode(record)) ?? Data(), as: UTF8.self)
        }
    }
}
