/// The partition state of an agent that keeps none (the default
/// ``SluiceAgent/PartitionState``); never instantiated.
public final class NoPartitionState {
    private init() {}
}
