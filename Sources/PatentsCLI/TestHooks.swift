import Foundation
import PatentIngest
import PatentModel
import Synchronization
import PatentIndex
import PatentStore
import PatentTasks

/// Knobs only this binary reads, from its environment, for the crash tests that kill it
/// mid-work (`Tests/PatentHTTPTests/KillLoopTests.swift`); unset, nothing changes:
/// - `PATENTS_TEST_BATCH=N`: imports and index builds commit every N documents, exports
///   read N patents per page and record their progress after every page;
/// - `PATENTS_TEST_PAUSE_MS=M`: a pause of M ms after each import batch, index commit
///   and export page, so that a kill sent after seeing progress lands before the end;
/// - `PATENTS_TEST_CRASH=POINT[:N]`: the process kills itself (SIGKILL, as a crash)
///   the N-th time (default 1st) it reaches POINT — a `FaultPoint` or
///   `export.page-written` (a page written and its progress recorded).
///   (`Tests/PatentHTTPTests/CrashPointTests.swift`).
enum TestHooks {
    static let batch = number("PATENTS_TEST_BATCH")
    static let pauseMilliseconds = number("PATENTS_TEST_PAUSE_MS")
    static let exportPageCrash = "export.page-written"

    /// The crash point and on which arrival it fires.
    static let crash: (point: String, arrival: Int)? = {
        guard let value = ProcessInfo.processInfo.environment["PATENTS_TEST_CRASH"], !value.isEmpty else { return nil }
        let parts = value.split(separator: ":", maxSplits: 1)
        return (String(parts[0]), parts.count == 2 ? max(1, Int(parts[1]) ?? 1) : 1)
    }()

    private static let arrivals = Mutex(0)

    /// Counts an arrival at `point` and crashes on the chosen one.
    private static func arrive(_ point: String) {
        guard let crash, crash.point == point else { return }
        if arrivals.withLock({ count in count += 1; return count }) == crash.arrival { kill(getpid(), SIGKILL) }
    }

    /// Installs the fault-point handler when `PATENTS_TEST_CRASH` names one (at start).
    static func installCrashPoint() {
        guard crash != nil else { return }
        FaultPoint.install { arrive($0.rawValue) }
    }

    private static func number(_ name: String) -> Int? {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    static var pause: (@Sendable () -> Void)? {
        guard let milliseconds = pauseMilliseconds else { return nil }
        let microseconds = UInt32(min(milliseconds, 60_000)) * 1_000
        return { usleep(microseconds) }
    }

    static func apply(to importer: inout Importer) {
        if let batch {
            importer.decodeBatch = batch
            importer.writeBatch = batch
        }
        importer.afterBatch = pause
    }

    static func apply(to updater: inout IndexUpdater) {
        if let batch {
            updater.batchSize = batch
            updater.pageSize = batch
        }
    }

    static var exportPaging: ExportPaging {
        var paging = ExportPaging()
        if let batch {
            paging.pageSize = batch
            paging.progressInterval = 0
        }
        let pause = self.pause
        if crash?.point == exportPageCrash {
            paging.afterPage = {
                arrive(exportPageCrash)
                pause?()
            }
        } else {
            paging.afterPage = pause
        }
        return paging
    }
}
