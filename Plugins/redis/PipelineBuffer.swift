/// The rendered commands of one batch, in one byte arena: every argument is a
/// range of ``bytes``, every command a run of arguments tagged with the index
/// of the message it belongs to. A batch allocates a handful of arrays, not
/// anything per message.
public struct PipelineBuffer {
    /// One rendered command.
    struct Command {
        /// Its arguments: indices into ``PipelineBuffer/arguments``.
        var arguments: Range<Int>
        /// The batch index of the message it belongs to.
        let message: Int
        /// The command name, for reasons.
        let name: String
    }

    /// A position to roll back to.
    struct Mark {
        let bytes: Int
        let arguments: Int
        let commands: Int
    }

    var bytes: [UInt8] = []
    private(set) var arguments: [Range<Int>] = []
    private(set) var commands: [Command] = []
    private var argumentStart = 0

    /// An empty buffer.
    public init() {}

    /// How many commands are rendered.
    public var commandCount: Int { commands.count }

    /// The arguments of command `index` (the name first), copied: for tests and inspection.
    public func arguments(ofCommand index: Int) -> [[UInt8]] {
        commands[index].arguments.map { Array(bytes[arguments[$0]]) }
    }

    /// Empties the buffer, keeping its storage for the next batch.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        arguments.removeAll(keepingCapacity: true)
        commands.removeAll(keepingCapacity: true)
    }

    func mark() -> Mark { Mark(bytes: bytes.count, arguments: arguments.count, commands: commands.count) }

    mutating func rollBack(to mark: Mark) {
        bytes.removeSubrange(mark.bytes...)
        arguments.removeSubrange(mark.arguments...)
        commands.removeSubrange(mark.commands...)
    }

    /// Starts a command; the arguments that follow belong to it.
    mutating func beginCommand(message: Int, name: String) {
        commands.append(Command(arguments: arguments.count..<arguments.count, message: message, name: name))
    }

    /// Starts an argument at the end of ``bytes``.
    mutating func beginArgument() { argumentStart = bytes.count }

    /// Ends the argument begun last: everything appended since is its text.
    @discardableResult
    mutating func endArgument() -> Range<Int> {
        let range = argumentStart..<bytes.count
        arguments.append(range)
        commands[commands.count - 1].arguments = commands[commands.count - 1].arguments.lowerBound..<arguments.count
        return range
    }

    /// Appends `EXPIRE key seconds`, the key being the bytes of an argument already rendered.
    mutating func appendExpire(message: Int, key: Range<Int>, seconds: [UInt8]) {
        beginCommand(message: message, name: "EXPIRE")
        beginArgument()
        bytes.append(contentsOf: Self.expire)
        endArgument()
        beginArgument()
        // Byte by byte: appending a slice of `bytes` to itself would copy the whole array.
        bytes.reserveCapacity(bytes.count + key.count)
        for index in key { bytes.append(bytes[index]) }
        endArgument()
        beginArgument()
        bytes.append(contentsOf: seconds)
        endArgument()
    }

    private static let expire = Array("EXPIRE".utf8)

    /// Appends a whole command of literal arguments.
    mutating func appendCommand(message: Int, name: String, arguments literal: [[UInt8]]) {
        beginCommand(message: message, name: name)
        for argument in literal {
            beginArgument()
            bytes.append(contentsOf: argument)
            endArgument()
        }
    }
}
