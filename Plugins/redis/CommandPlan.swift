import SluiceSDK

/// The commands the configuration asks for per record, parsed once: the
/// templates, the key prefix and the optional EXPIRE.
struct CommandPlan: Sendable {
    /// One configured command.
    struct Command: Sendable {
        /// The arguments, the command name first.
        let arguments: [ArgumentTemplate]
        /// The name for reasons (`ZADD`), the first argument as written.
        let name: String
    }

    let commands: [Command]
    let keyPrefix: [UInt8]
    /// The EXPIRE seconds as decimal text, when configured.
    let expireSeconds: [UInt8]?
    /// Whether some argument reads the record value (a null value then skips the record).
    let readsValue: Bool

    init(configuration: RedisConfiguration) throws(ConfigurationError) {
        guard !configuration.commands.isEmpty else { throw ConfigurationError("'commands' must not be empty") }
        var commands: [Command] = []
        for (index, command) in configuration.commands.enumerated() {
            guard let name = command.first, !name.isEmpty else {
                throw ConfigurationError("'commands[\(index)]' must start with a command name")
            }
            var arguments: [ArgumentTemplate] = []
            for argument in command {
                do {
                    arguments.append(try ArgumentTemplate(parsing: argument))
                } catch {
                    throw ConfigurationError("'commands[\(index)]': \(error.description)")
                }
            }
            commands.append(Command(arguments: arguments, name: name))
        }
        self.commands = commands
        keyPrefix = Array(configuration.keyPrefix.utf8)
        expireSeconds = configuration.expireSeconds.map { Array(String($0).utf8) }
        readsValue = commands.contains { $0.arguments.contains(where: \.readsValue) }
    }

    /// Renders every command of one record (and its EXPIREs) into `buffer`,
    /// tagged with `message`. All or nothing: on failure the buffer is as before.
    func render(_ record: inout RecordView, message: Int, into buffer: inout PipelineBuffer) throws(RenderFailure) {
        let mark = buffer.mark()
        do throws(RenderFailure) {
            var keys: [Range<Int>] = []
            for command in commands {
                buffer.beginCommand(message: message, name: command.name)
                for (position, argument) in command.arguments.enumerated() {
                    buffer.beginArgument()
                    if position == 1 { buffer.bytes.append(contentsOf: keyPrefix) }
                    try record.render(argument, into: &buffer.bytes)
                    let range = buffer.endArgument()
                    if position == 1 && expireSeconds != nil { keys.append(range) }
                }
            }
            if let expireSeconds {
                var seen: [Range<Int>] = []
                for key in keys where !seen.contains(where: { buffer.bytes[$0] == buffer.bytes[key] }) {
                    seen.append(key)
                    let keyBytes = Array(buffer.bytes[key])
                    buffer.appendCommand(message: message, name: "EXPIRE",
                                         arguments: [Array("EXPIRE".utf8), keyBytes, expireSeconds])
                }
            }
        } catch {
            buffer.rollBack(to: mark)
            throw error
        }
    }
}
