// RocksDB's C API for Swift: the local state store of stateful agents
// (Host/Core/State/RocksDBStateStore.swift).
#include <rocksdb/c.h>
