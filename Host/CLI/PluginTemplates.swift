import Foundation

/// The files `sluice new-plugin` writes. Each template is a small, complete
/// agent: it reads `<name>.in` and produces to `<name>.out`.
enum PluginTemplates {
    /// A Swift module name for an agent name: `order-audit` → `OrderAudit`.
    static func moduleName(_ name: String) -> String {
        name.split(whereSeparator: { $0 == "-" || $0 == "_" })
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }
            .joined()
            .replacingOccurrences(of: "^[0-9]", with: "P$0", options: .regularExpression)
    }

    /// A SwiftPM package depending on the SDK package of the checkout
    /// (`PluginAPI/`), and nothing of the host's, with a `make test` that
    /// runs it in a real host (see ``PluginTestTemplate``).
    static func swift(name: String, checkout: String, sluiceBinary: String) -> [String: String] {
        let module = moduleName(name)
        let test = PluginTestTemplate(name: name, transform: { $0.uppercased() })
        return test.files(plugin: ".build/release/lib\(module).so", build: "swift build -c release",
                          sidecar: "\(name).yaml", sluiceBinary: sluiceBinary).merging([
            "Package.swift": """
                // swift-tools-version: 6.0
                import PackageDescription

                let package = Package(
                    name: "\(module)",
                    products: [
                        // A dynamic library: .build/release/lib\(module).so is the plugin file.
                        .library(name: "\(module)", type: .dynamic, targets: ["\(module)"]),
                    ],
                    dependencies: [
                        // The Sluice SDK package: the plugin header, the Swift SDK and the toolkit.
                        .package(path: "\(checkout)/PluginAPI"),
                    ],
                    targets: [
                        .target(
                            name: "\(module)",
                            dependencies: [.product(name: "SluiceSDK", package: "PluginAPI")],
                            swiftSettings: [.swiftLanguageMode(.v6)]
                        ),
                    ]
                )

                """,
            "Sources/\(module)/\(module).swift": """
                import Foundation
                import SluiceSDK

                /// The records this agent reads: JSON like {"text": "hello"}.
                struct Input: Decodable, Sendable {
                    let text: String
                }

                /// Its settings, from `config:` in \(name).yaml beside the plugin file.
                struct Settings: Decodable, Sendable {
                    var output = "\(name).out"

                    init(from decoder: any Decoder) throws {
                        let container = try decoder.container(keyedBy: CodingKeys.self)
                        output = try container.decodeIfPresent(String.self, forKey: .output) ?? output
                    }

                    private enum CodingKeys: String, CodingKey { case output }
                }

                /// Reads `\(name).in`, produces the text upper-cased to the output topic.
                struct \(module): Agent {
                    static let name = "\(name)"
                    static let version = "0.1.0"
                    static let topics = ["\(name).in"]
                    // Declared, not detected: it produces to the output topic.
                    static let capabilities: Capabilities = [.produces]

                    let output: String

                    init(configuration: Settings, host: HostServices) {
                        output = configuration.output
                    }

                    func handle(_ record: Record<Input>, context: AgentContext) async throws -> Outcome {
                        guard !record.value.text.isEmpty else { return .deadLetter(reason: "field 'text' is empty") }
                        try context.produce(topic: output, key: record.key, value: record.value.text.uppercased())
                        return .ok
                    }
                }

                /// The entry point the host looks for.
                @c(sluice_plugin_entry_v1)
                public func sluicePluginEntry(_ major: UInt16, _ minor: UInt16) -> UnsafeRawPointer? {
                    SluicePlugin.export(\(module).self, major, minor)
                }

                """,
            "\(name).yaml": """
                # Sidecar: copy it beside the plugin file as \(name).yaml (see docs/configuration.md).
                config:
                  output: \(name).out

                """,
        ]) { template, _ in template }
    }

    /// One C file and a Makefile against the checkout's headers, with a
    /// `make test` that runs it in a real host (see ``PluginTestTemplate``).
    static func c(name: String, checkout: String, sluiceBinary: String) -> [String: String] {
        let symbol = name.replacingOccurrences(of: "-", with: "_")
        // It copies each value as sent, and the input values are {"text": …}.
        let test = PluginTestTemplate(name: name, transform: { #"{"text":"\#($0)"}"# })
        return test.files(plugin: "\(name).so", build: nil, sidecar: nil, sluiceBinary: sluiceBinary).merging([
            "Makefile": """
                # Builds \(name).so against Sluice's plugin headers.
                SLUICE ?= \(checkout)
                CFLAGS ?= -std=c99 -O2 -Wall -Wextra

                \(name).so: \(symbol).c
                \tcc $(CFLAGS) -shared -fPIC -I $(SLUICE)/PluginAPI/include $< -o $@

                clean:
                \trm -f \(name).so

                .PHONY: clean

                include test/test.mk

                """,
            "\(symbol).c": """
                /* \(name): reads "\(name).in" and copies every record to "\(name).out". */
                #include <stdlib.h>
                #include <string.h>
                #include "sluice_plugin_helpers.h" /* includes sluice_plugin.h */

                typedef struct agent {
                    const sluice_host_api *api;
                    sluice_host *host;
                } agent;

                static const char output[] = "\(name).out";

                static int agent_create(const sluice_host_api *api, sluice_host *host, const char *config,
                                        size_t config_len, void **instance, char *error, size_t error_cap) {
                    (void)config; (void)config_len;
                    agent *a = calloc(1, sizeof *a);
                    if (!a) { sluice_write_error(error, error_cap, "out of memory"); return SLUICE_STATUS_ERROR; }
                    a->api = api;
                    a->host = host;
                    *instance = a;
                    return SLUICE_STATUS_OK;
                }

                static int agent_on_batch(void *instance, sluice_batch *batch) {
                    agent *a = instance;
                    for (size_t i = 0; i < batch->count; i++) {
                        const sluice_message *m = &batch->messages[i];
                        if (!m->value) { batch->results[i] = SLUICE_RESULT_SKIP; continue; }
                        if (a->api->produce(a->host, batch->id, output, sizeof output - 1, SLUICE_PARTITION_ANY,
                                            m->key, m->key_len, m->value, m->value_len, NULL, 0) != SLUICE_STATUS_OK) {
                            batch->results[i] = SLUICE_RESULT_RETRY;
                        }
                    }
                    return SLUICE_BATCH_DONE;
                }

                static void agent_destroy(void *instance) { free(instance); }

                static const char *const topics[] = { "\(name).in", NULL };

                static const sluice_plugin_descriptor descriptor = {
                    SLUICE_DESCRIPTOR_FIELDS, /* magic, struct_size, ABI version, pointer size */
                    .name = "\(name)",
                    .version = "0.1.0",
                    .description = "copies \(name).in to \(name).out",
                    .topics = topics,
                    .capabilities = SLUICE_CAP_PRODUCES | SLUICE_CAP_STATELESS,
                    .create = agent_create,
                    .on_batch = agent_on_batch,
                    .destroy = agent_destroy,
                };

                /* sluice_plugin_entry_v1: the descriptor for a host of this ABI major, NULL for another. */
                SLUICE_DEFINE_ENTRY(descriptor)

                """,
        ]) { template, _ in template }
    }
}
