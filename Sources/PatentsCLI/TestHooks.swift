import Foundation
import PatentIndex
import PatentStore
import PatentTasks

/// Knobs only this binary reads, from its environment, for the crash tests that kill it
/// mid-work (`Tests/PatentHTTPTests/KillLoopTests.swift`); unset, nothing changes:
/// - `PATENTS_TEST_BATCH=N`: imports and index builds commit every N documents, exports
///   read N patents per page and record their progress after every page;
/// - `PATENTS_TEST_PAUSE_MS=M`: a pause of M ms after each import batch, index commit
///   and export page, so that a kill sent after seeing progress lands before the end.
enum TestHooks {
    static let batch = number("PATENTS_TEST_BATCH")
    static let pauseMilliseconds = number("PATENTS_TEST_PAUSE_MS")

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
        paging.afterPage = pause
        return paging
    }
}
