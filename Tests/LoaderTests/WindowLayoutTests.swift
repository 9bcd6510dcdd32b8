import CSluicePlugin
import Testing

/// sluice_windows.h's window assignment and the keys of its storage layout,
/// called through the CSluicePlugin module (the header is part of it).
@Suite("sluice_windows.h: window assignment and storage keys")
struct WindowLayoutTests {
    /// The starts `sluice_windows_assign` gives `timestamp` for a size, advance and grace.
    static func starts(_ timestamp: Int64, size: Int64, advance: Int64, capacity: Int = 16) -> [Int64] {
        "windows".withCString { table in
            var windows = sluice_windows(table: table, size_ms: size, advance_ms: advance, grace_ms: 0)
            var starts = [Int64](repeating: -1, count: capacity)
            let count = sluice_windows_assign(&windows, timestamp, &starts, capacity)
            return Array(starts.prefix(count))
        }
    }

    @Test("tumbling windows: one per timestamp, aligned to the epoch, end exclusive")
    func tumbling() {
        #expect(Self.starts(0, size: 10_000, advance: 10_000) == [0])
        #expect(Self.starts(9_999, size: 10_000, advance: 10_000) == [0])
        #expect(Self.starts(10_000, size: 10_000, advance: 10_000) == [10_000])
        #expect(Self.starts(1_700_000_012_345, size: 10_000, advance: 10_000) == [1_700_000_010_000])
        #expect(Self.starts(-1, size: 10_000, advance: 10_000) == [])
    }

    @Test("hopping windows: every window covering the timestamp, earliest first")
    func hopping() {
        #expect(Self.starts(12_000, size: 10_000, advance: 5_000) == [5_000, 10_000])
        #expect(Self.starts(10_000, size: 10_000, advance: 5_000) == [5_000, 10_000])
        #expect(Self.starts(9_999, size: 10_000, advance: 5_000) == [0, 5_000])
        #expect(Self.starts(2_000, size: 10_000, advance: 5_000) == [0])
        #expect(Self.starts(24_999, size: 10_000, advance: 3_000) == [15_000, 18_000, 21_000, 24_000])
        #expect(Self.starts(25_000, size: 10_000, advance: 3_000) == [18_000, 21_000, 24_000])
        // Capacity bounds the output (the earliest kept).
        #expect(Self.starts(24_999, size: 10_000, advance: 3_000, capacity: 2) == [15_000, 18_000])
        // A bad definition assigns nothing.
        #expect(Self.starts(25_000, size: 10_000, advance: 0) == [])
        #expect(Self.starts(25_000, size: 10_000, advance: 20_000) == [])
    }

    /// The bytes a key builder wrote, as text.
    static func built(_ build: (UnsafeMutablePointer<UInt8>) -> Int) -> String {
        var buffer = [UInt8](repeating: 0, count: Int(SLUICE_STATE_MAX_KEY))
        let length = buffer.withUnsafeMutableBufferPointer { build($0.baseAddress!) }
        return String(decoding: buffer.prefix(length), as: UTF8.self)
    }

    @Test("entry, index and timer keys: 16-digit zero-padded starts")
    func keys() {
        let key = Array("user-7".utf8)
        #expect(Self.built { sluice_window_entry_key($0, key, key.count, 1_700_000_000_000) } == "user-7@0001700000000000")
        #expect(Self.built { sluice_window_index_key($0, key, key.count, 1_700_000_000_000) } == "\u{01}0001700000000000/user-7")
        #expect(Self.built { sluice_window_entry_key($0, key, key.count, 0) } == "user-7@0000000000000000")
        "windows".withCString { table in
            var windows = sluice_windows(table: table, size_ms: 10_000, advance_ms: 10_000, grace_ms: 0)
            #expect(Self.built { sluice_window_timer_key($0, &windows, 20_000) } == "w/windows/0000000000020000")
            let timerKey = Array("w/windows/0000000000020000".utf8)
            let start = timerKey.withUnsafeBufferPointer { bytes in
                var timer = sluice_timer(clock: Int32(SLUICE_CLOCK_WALL.rawValue), due_ms: 0, key: bytes.baseAddress, key_len: bytes.count)
                return sluice_window_timer_start(&windows, &timer)
            }
            #expect(start == 20_000)
            let other = Array("w/other/0000000000020000".utf8)
            let none = other.withUnsafeBufferPointer { bytes in
                var timer = sluice_timer(clock: Int32(SLUICE_CLOCK_WALL.rawValue), due_ms: 0, key: bytes.baseAddress, key_len: bytes.count)
                return sluice_window_timer_start(&windows, &timer)
            }
            #expect(none == -1)
        }
        // The longest key a window takes still fits the index entry; one more byte is refused.
        let longest = [UInt8](repeating: 0x61, count: Int(SLUICE_STATE_MAX_KEY) - 18)
        #expect(Self.built { sluice_window_index_key($0, longest, longest.count, 0) }.utf8.count == Int(SLUICE_STATE_MAX_KEY))
        let tooLong = longest + [0x61]
        #expect(Self.built { sluice_window_index_key($0, tooLong, tooLong.count, 0) } == "")
    }

    @Test("hopping windows through a host table: each covering window counts, closing one emits and deletes only it")
    func hoppingUpdateAndClose() throws {
        let host = StateTableHost(tables: ["hops"])
        // The updater appends "+" to the window's value; the emitter records "key@start=value".
        let append: sluice_window_updater = { context, current, length, updated, updatedLength in
            let buffer = context!.assumingMemoryBound(to: UInt8.self)
            if let current, length > 0 { buffer.update(from: current, count: length) }
            buffer[length] = UInt8(ascii: "+")
            updated!.pointee = UnsafePointer(buffer)
            updatedLength!.pointee = length + 1
            return 0
        }
        let emit: sluice_window_emitter = { context, key, keyLength, start, _, value, valueLength in
            let line = String(decoding: UnsafeBufferPointer(start: key, count: keyLength), as: UTF8.self) + "@\(start)="
                + String(decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self)
            context!.assumingMemoryBound(to: [String].self).pointee.append(line)
            return 0
        }
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
        defer { scratch.deallocate() }
        try "hops".withCString { table in
            var windows = sluice_windows(table: table, size_ms: 10_000, advance_ms: 5_000, grace_ms: 1_000)
            func add(_ key: String, at timestamp: Int64) throws {
                var starts = [Int64](repeating: 0, count: 2)
                let count = sluice_windows_assign(&windows, timestamp, &starts, 2)
                for start in starts.prefix(count) {
                    let status = Array(key.utf8).withUnsafeBufferPointer { bytes in
                        sluice_window_update(host.api, host.handle, 1, &windows, start, bytes.baseAddress, bytes.count, append, scratch)
                    }
                    try #require(status == Int32(SLUICE_STATUS_OK))
                }
            }
            try add("k", at: 7_000)   // windows 0 and 5000
            try add("k", at: 9_000)   // windows 0 and 5000
            try add("j", at: 12_000)  // windows 5000 and 10000
            #expect(host.entries("hops") == [
                "k@0000000000000000": "++", "k@0000000000005000": "++", "j@0000000000005000": "+", "j@0000000000010000": "+",
                "\u{01}0000000000000000/k": "", "\u{01}0000000000005000/k": "", "\u{01}0000000000005000/j": "",
                "\u{01}0000000000010000/j": "",
            ])
            #expect(Set(host.timers.keys.map(\.key)) == ["w/hops/0000000000000000", "w/hops/0000000000005000", "w/hops/0000000000010000"])
            #expect(host.timers[.init(clock: Int32(SLUICE_CLOCK_WALL.rawValue), key: "w/hops/0000000000005000")] == 16_000)

            var emitted: [String] = []
            // The context is the array itself, not its elements (what `&emitted` would pass).
            let closed = withUnsafeMutablePointer(to: &emitted) { list in
                sluice_window_close(host.api, host.handle, 2, &windows, 5_000, emit, list)
            }
            #expect(closed == 2)
            #expect(emitted == ["j@5000=+", "k@5000=++"])
            #expect(host.entries("hops") == [
                "k@0000000000000000": "++", "j@0000000000010000": "+",
                "\u{01}0000000000000000/k": "", "\u{01}0000000000010000/j": "",
            ])
            #expect(Set(host.timers.keys.map(\.key)) == ["w/hops/0000000000000000", "w/hops/0000000000010000"])

            // The stream clock past the end + grace of window 0: a record for it is late, and nothing is written.
            host.streamTime = 11_000
            let late = Array("k".utf8).withUnsafeBufferPointer { bytes in
                sluice_window_update(host.api, host.handle, 3, &windows, 0, bytes.baseAddress, bytes.count, append, scratch)
            }
            #expect(late == SLUICE_WINDOW_LATE)
            #expect(host.entries("hops")["k@0000000000000000"] == "++")
        }
    }
}
