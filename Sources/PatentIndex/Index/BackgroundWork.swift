import Foundation
import Synchronization

/// A value computed on a thread of its own while the caller goes on — a merge beside
/// commits, the next page of the store beside inversion. `value()` waits for it and may
/// be asked again.
public final class BackgroundWork<Value: Sendable>: @unchecked Sendable {
    private let result = Mutex<Result<Value, Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    public init(_ work: @escaping @Sendable () throws -> Value) {
        DispatchQueue.global().async {
            let outcome = Result { try work() }
            self.result.withLock { $0 = outcome }
            self.done.signal()
        }
    }

    public var isFinished: Bool { result.withLock { $0 != nil } }

    public func value() throws -> Value {
        done.wait()
        done.signal()
        return try result.withLock { $0! }.get()
    }
}
