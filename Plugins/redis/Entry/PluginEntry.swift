import SluiceRedisPlugin

/// The plugin's entry symbol: hands the host the redis agent's descriptor.
@c(sluice_plugin_entry_v1)
public func sluicePluginEntry(_ major: UInt16, _ minor: UInt16) -> UnsafeRawPointer? {
    redisPluginEntry(major, minor)
}
