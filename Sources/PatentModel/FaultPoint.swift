import Synchronization

/// Named places inside a write where a crash test stops the process, to prove that what
/// a crash leaves there is recoverable. Nothing happens at them unless a handler is
/// installed, and only the `patents` binary's test hook installs one (from
/// `PATENTS_TEST_CRASH`, see `TestHooks`).
public enum FaultPoint: String, Sendable, CaseIterable {
    /// Half of a store write batch is written, its transaction not yet committed.
    case storeBatchHalfWritten = "store.batch-half-written"
    /// A new index manifest is flushed to its temporary file, not yet renamed into place.
    case manifestWritten = "index.manifest-written"
    /// A new index manifest is in place; the files only the old one named are not yet removed.
    case manifestRenamed = "index.manifest-renamed"

    private static let handler = Mutex<(@Sendable (FaultPoint) -> Void)?>(nil)

    public static func install(_ body: @escaping @Sendable (FaultPoint) -> Void) {
        handler.withLock { $0 = body }
    }

    /// Called by the code at the point; a no-op without a handler.
    public static func reach(_ point: FaultPoint) {
        handler.withLock { $0 }?(point)
    }
}
