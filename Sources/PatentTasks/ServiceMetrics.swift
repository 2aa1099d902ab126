import CoreMetrics
import PatentAccounts
import PatentQuery
import Foundation

/// What the service counts, through swift-metrics: the server hands in a Prometheus
/// factory (`/metrics`), the CLI and tests the no-op one. Names follow Prometheus'
/// conventions; label sets are fixed per name.
public struct ServiceMetrics: Sendable {
    public static let searchDuration = "patents_search_duration_seconds"

    let factory: any MetricsFactory

    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
    }

    func taskCreated(type: ExportType) {
        Counter(label: "patents_export_tasks_created_total", dimensions: [("type", type.rawValue)], factory: factory).increment()
    }

    func taskFinished(_ status: ExportStatus, rows: Int) {
        Counter(label: "patents_export_tasks_finished_total", dimensions: [("status", status.rawValue)], factory: factory).increment()
        if rows > 0 { Counter(label: "patents_export_rows_written_total", factory: factory).increment(by: rows) }
    }

    func recordTasks(_ counts: [ExportStatus: Int]) {
        for (status, count) in counts {
            Gauge(label: "patents_export_tasks", dimensions: [("status", status.rawValue)], factory: factory).record(count)
        }
    }

    func recordQueueDepth(_ depth: Int) {
        Gauge(label: "patents_export_queue_depth", factory: factory).record(depth)
    }

    /// Runs a search and records how long it took.
    public func timeSearch<T>(_ body: () throws(ServiceError) -> T) throws(ServiceError) -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            Timer(label: Self.searchDuration, factory: factory)
                .recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start))
        }
        return try body()
    }

    /// One answered HTTP request: its route pattern, HTTP status and PatSnap code.
    public func request(route: String, status: Int, code: Int) {
        Counter(label: "patents_http_requests_total",
                dimensions: [("route", route), ("status", String(status)), ("code", String(code))], factory: factory).increment()
    }
}
