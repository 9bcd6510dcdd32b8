import SluicePluginKit
import SluiceSDK

/// The commands the configuration asks for per record, parsed once: the
/// templates compiled into ``RenderStep``s, the distinct field paths they
/// read (looked up in one pass per record), the key prefix and the optional
/// EXPIRE.
struct CommandPlan: Sendable {
    /// One configured command.
    struct Command: Sendable {
        /// Each argument's steps, as a range of ``CommandPlan/steps``, the command name first.
        let arguments: [Range<Int>]
        /// The name for reasons (`ZADD`), the first argument as written.
        let name: String
    }

    let commands: [Command]
    /// Every argument's steps, one after another.
    let steps: [RenderStep]
    /// The literal text of every template, one after another.
    let literals: [UInt8]
    /// Every placeholder of every template.
    let placeholders: [Placeholder]
    /// The distinct field paths the placeholders read.
    let fields: JSONFieldLookup
    let keyPrefix: [UInt8]
    /// The EXPIRE seconds as decimal text, when configured.
    let expireSeconds: [UInt8]?
    /// Whether some argument reads the record value (a null value then skips the record).
    let readsValue: Bool

    init(configuration: RedisConfiguration) throws(ConfigurationError) {
        guard !configuration.commands.isEmpty else { throw ConfigurationError("'commands' must not be empty") }
        var compiler = Compiler()
        var commands: [Command] = []
        var readsValue = false
        for (index, command) in configuration.commands.enumerated() {
            guard let name = command.first, !name.isEmpty else {
                throw ConfigurationError("'commands[\(index)]' must start with a command name")
            }
            var arguments: [Range<Int>] = []
            for argument in command {
                let template: ArgumentTemplate
                do {
                    template = try ArgumentTemplate(parsing: argument)
                } catch {
                    throw ConfigurationError("'commands[\(index)]': \(error.description)")
                }
                readsValue = readsValue || template.readsValue
                arguments.append(try compiler.compile(template))
            }
            commands.append(Command(arguments: arguments, name: name))
        }
        self.commands = commands
        steps = compiler.steps
        literals = compiler.literals
        placeholders = compiler.placeholders
        fields = JSONFieldLookup(paths: compiler.fieldPaths)
        keyPrefix = Array(configuration.keyPrefix.utf8)
        expireSeconds = configuration.expireSeconds.map { Array(String($0).utf8) }
        self.readsValue = readsValue
    }

    /// Renders every command of one record (and its EXPIREs) into `buffer`,
    /// tagged with `message`. All or nothing: on failure the buffer is as before.
    func render(_ record: inout RecordView, message: Int, into buffer: inout PipelineBuffer) throws(RenderFailure) {
        let mark = buffer.mark()
        do throws(RenderFailure) {
            for command in commands {
                buffer.beginCommand(message: message, name: command.name)
                for (position, argument) in command.arguments.enumerated() {
                    buffer.beginArgument()
                    if position == 1 { buffer.bytes.append(contentsOf: keyPrefix) }
                    for step in steps[argument] {
                        switch step {
                        case .literal(let range): buffer.bytes.append(contentsOf: literals[range])
                        case .placeholder(let index, let slot):
                            try record.render(placeholders[index], slot: slot, lookup: fields, into: &buffer.bytes)
                        }
                    }
                    buffer.endArgument()
                }
            }
            if let expireSeconds { appendExpires(expireSeconds, message: message, from: mark, into: &buffer) }
        } catch {
            buffer.rollBack(to: mark)
            throw error
        }
    }

    /// One `EXPIRE key seconds` per distinct key (the second argument) of the
    /// commands rendered since `mark`.
    private func appendExpires(_ seconds: [UInt8], message: Int, from mark: PipelineBuffer.Mark,
                               into buffer: inout PipelineBuffer) {
        let rendered = mark.commands..<buffer.commands.count
        for command in rendered where buffer.commands[command].arguments.count > 1 {
            let key = buffer.arguments[buffer.commands[command].arguments.lowerBound + 1]
            let seen = rendered[..<command].contains { earlier in
                let arguments = buffer.commands[earlier].arguments
                return arguments.count > 1 && buffer.bytes[buffer.arguments[arguments.lowerBound + 1]] == buffer.bytes[key]
            }
            guard !seen else { continue }
            buffer.appendExpire(message: message, key: key, seconds: seconds)
        }
    }

    /// Flattens templates into steps, literals, placeholders and distinct field paths.
    private struct Compiler {
        var steps: [RenderStep] = []
        var literals: [UInt8] = []
        var placeholders: [Placeholder] = []
        var fieldPaths: [[[UInt8]]] = []

        mutating func compile(_ template: ArgumentTemplate) throws(ConfigurationError) -> Range<Int> {
            let start = steps.count
            for piece in template.pieces {
                switch piece {
                case .literal(let bytes):
                    steps.append(.literal(literals.count..<literals.count + bytes.count))
                    literals.append(contentsOf: bytes)
                case .placeholder(let placeholder):
                    var slot = -1
                    if case .field(let path) = placeholder.source {
                        if let existing = fieldPaths.firstIndex(of: path) {
                            slot = existing
                        } else {
                            guard fieldPaths.count < JSONFieldLookup.maximumPaths else {
                                throw ConfigurationError("the commands read more than \(JSONFieldLookup.maximumPaths) distinct fields")
                            }
                            slot = fieldPaths.count
                            fieldPaths.append(path)
                        }
                    }
                    steps.append(.placeholder(placeholders.count, slot: slot))
                    placeholders.append(placeholder)
                }
            }
            return start..<steps.count
        }
    }
}
