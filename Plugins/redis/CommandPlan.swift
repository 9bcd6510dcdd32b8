import SluicePluginKit
import SluiceSDK

/// The commands the configuration asks for per record, parsed once: the
/// templates compiled into ``RenderStep``s, the distinct field paths they
/// read (looked up in one pass per record), the key prefix and the optional
/// EXPIRE.
struct CommandPlan: Sendable {
    /// One configured command.
    struct Command: Sendable {
        /// Its arguments, the command name first: a range of ``CommandPlan/arguments``.
        let arguments: Range<Int>
        /// The name for reasons (`ZADD`), the first argument as written.
        let name: String
    }

    let commands: [Command]
    /// Every command's arguments, one after another: each a range of ``steps``.
    let arguments: [Range<Int>]
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
        var arguments: [Range<Int>] = []
        var readsValue = false
        for (index, command) in configuration.commands.enumerated() {
            guard let name = command.first, !name.isEmpty else {
                throw ConfigurationError("'commands[\(index)]' must start with a command name")
            }
            let first = arguments.count
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
            commands.append(Command(arguments: first..<arguments.count, name: name))
        }
        self.commands = commands
        self.arguments = arguments
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
            // Indices, not `for … in`: iterating copies elements, and copying a
            // command or a slice retains its storage, once per record.
            for command in commands.indices {
                buffer.beginCommand(message: message, name: commands[command].name)
                let first = commands[command].arguments.lowerBound
                for argument in commands[command].arguments {
                    buffer.beginArgument()
                    if argument == first + 1 { buffer.bytes.append(contentsOf: keyPrefix) }
                    for step in arguments[argument] {
                        try render(steps[step], of: &record, into: &buffer.bytes)
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

    private func render(_ step: RenderStep, of record: inout RecordView, into output: inout [UInt8]) throws(RenderFailure) {
        switch step {
        case .literal(let range):
            literals.withUnsafeBufferPointer { output.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
        case .key(let conversion):
            try record.renderKey(conversion, into: &output)
        case .value(let conversion):
            try record.renderValue(conversion, into: &output)
        case .field(let slot, let conversion, let placeholder):
            try record.renderField(slot: slot, conversion, lookup: fields, placeholder: self.placeholders[placeholder],
                                   into: &output)
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
                    let index = placeholders.count
                    placeholders.append(placeholder)
                    switch placeholder.source {
                    case .recordKey: steps.append(.key(placeholder.conversion))
                    case .recordValue: steps.append(.value(placeholder.conversion))
                    case .field(let path):
                        var slot = fieldPaths.firstIndex(of: path)
                        if slot == nil {
                            guard fieldPaths.count < JSONFieldLookup.maximumPaths else {
                                throw ConfigurationError("the commands read more than \(JSONFieldLookup.maximumPaths) distinct fields")
                            }
                            slot = fieldPaths.count
                            fieldPaths.append(path)
                        }
                        steps.append(.field(slot: slot!, placeholder.conversion, placeholder: index))
                    }
                }
            }
            return start..<steps.count
        }
    }
}
