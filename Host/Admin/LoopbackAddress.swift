import Foundation

/// Whether a listen address only accepts connections from this machine.
///
/// The admin API may run without a token only there: anything else
/// (0.0.0.0, ::, a LAN address, a host name) is reachable from elsewhere.
public enum LoopbackAddress {
    /// True for `localhost`, any 127.0.0.0/8 address and `::1` (with or without brackets).
    public static func contains(_ host: String) -> Bool {
        var text = host.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text.lowercased() == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            // s_addr is in network byte order: the first octet is the lowest byte in memory.
            return withUnsafeBytes(of: &v4) { $0[0] } == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in
                bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1
            }
        }
        return false
    }
}
