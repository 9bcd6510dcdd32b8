/// The JSON Schema of ``RedisConfiguration`` (the descriptor's `config_schema`).
/// `"writeOnly": true` marks a secret: the host redacts it wherever it shows the configuration.
enum RedisConfigurationSchema {
    /// The schema text.
    static let text = """
        {"type":"object","additionalProperties":false,"properties":{\
        "url":{"type":"string","pattern":"^redis://"},\
        "password":{"type":"string","writeOnly":true},\
        "password_env":{"type":"string","minLength":1},\
        "commands":{"type":"array","minItems":1,"items":{"type":"array","minItems":1,"items":{"type":"string"}}},\
        "key_prefix":{"type":"string"},\
        "expire_seconds":{"type":"integer","minimum":1},\
        "pool_size":{"type":"integer","minimum":1,"maximum":256},\
        "connect_timeout_ms":{"type":"integer","minimum":1},\
        "timeout_ms":{"type":"integer","minimum":1},\
        "reconnect_backoff_ms":{"type":"integer","minimum":1},\
        "reconnect_backoff_max_ms":{"type":"integer","minimum":1}}}
        """
}
