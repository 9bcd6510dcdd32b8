/// Why a plugin file (or plugins directory) was not loaded.
///
/// Every refusal renders as one line naming the file, what is wrong and what
/// was expected, e.g.
/// `plugins/x.so refused: bad magic 0x00000000 (expected 0x45434c53): not a Sluice plugin`.
public struct PluginRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem, stable for metrics and scripts.
    public enum Reason: String, Sendable {
        /// The file, its sidecar, a directory on its real path or the plugins
        /// directory is writable by others or by a group (other than the trusted group).
        case unsafePermissions
        /// The file, its sidecar, a directory on its real path or the plugins
        /// directory is owned by a user other than the host's user or root.
        case untrustedOwner
        /// The sidecar is larger than the limit (1 MiB).
        case tooLarge
        /// The file (or its sidecar) cannot be opened, or is not a regular
        /// file: a FIFO, socket or device is refused without being opened
        /// (or the directory is missing).
        case unreadable
        /// Not an ELF shared object of this machine (a text file, an executable, ...).
        case notSharedObject
        /// An ELF file cut short: its headers claim more bytes than it has.
        case truncated
        /// A Swift plugin built by another Swift toolchain than the host's (or
        /// with an unreadable toolchain record); checked before `dlopen`.
        case toolchainMismatch
        /// `dlopen` refused the file; the detail carries `dlerror()`.
        case loadFailed
        /// No `sluice_plugin_entry_v1` symbol.
        case missingEntry
        /// The entry function returned NULL for this host's ABI version.
        case declinedHost
        /// The descriptor does not start with `SLUICE_PLUGIN_MAGIC`.
        case badMagic
        /// The descriptor speaks another ABI major version.
        case abiMajorMismatch
        /// `struct_size` is smaller than the ABI 1.0 descriptor.
        case descriptorTooSmall
        /// The plugin was built for another pointer size.
        case pointerSizeMismatch
        /// `on_batch` or `destroy` is NULL, or both `create` and `create_v2` are.
        case missingRequiredHook
        /// The agent name is NULL or not `[a-z0-9_-]{1,64}`.
        case invalidName
        /// Another file in the same directory already declares this agent name.
        case duplicateName
        /// A declared table name is not `[a-z0-9_]{1,64}`, or starts
        /// with `__` (reserved for the host's own tables).
        case invalidTableName
        /// The descriptor declares the same table twice.
        case duplicateTable
        /// The descriptor declares more tables than the host takes (64).
        case tooManyTables
        /// The descriptor's `config_schema` is not a schema the host can read
        /// (not JSON, or a checked keyword with a value of the wrong kind).
        case invalidConfigSchema
        /// The agent's `config:` breaks the plugin's `config_schema`, or
        /// `validate_config` rejected it.
        case invalidConfiguration
        /// `create` failed (reported by the runtime).
        case createFailed
    }

    /// The plugin file (or directory) as the caller named it.
    public let file: String
    /// The kind of problem.
    public let reason: Reason
    /// What is wrong and what was expected, without the file name.
    public let detail: String

    /// Creates a refusal of `file` for `reason`, explained by `detail`.
    public init(file: String, reason: Reason, detail: String) {
        self.file = file
        self.reason = reason
        self.detail = detail
    }

    /// One line: `<file> refused: <detail>`.
    public var description: String { "\(file) refused: \(detail)" }
}
